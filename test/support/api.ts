import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { ApiModule } from '../../apps/api/src/app.module';
import { configureApiApp } from '../../apps/api/src/http/configure';
import { configurePortalApp } from '../../apps/portal/src/configure';
import { preparePortalDatabase } from '../../apps/portal/src/portal-role';
import { PortalModule } from '../../apps/portal/src/portal.module';
import { prepareTestDatabase } from './database';

export interface TestApi {
  app: INestApplication;
  url: string;
  http: () => ReturnType<typeof request>;
  token: (username: string) => Promise<string>;
  close: () => Promise<void>;
}

export const DEMO_PASSWORD = 'demo-password';

/** The real API module on a real port (loopback), against the run's PostgreSQL and Redis. */
export async function startTestApi(): Promise<TestApi> {
  await prepareTestDatabase();
  const moduleRef = await Test.createTestingModule({ imports: [ApiModule] }).compile();
  const app = moduleRef.createNestApplication({ bufferLogs: true });
  configureApiApp(app);
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  const tokens = new Map<string, string>();
  return {
    app,
    url,
    http: () => request(url),
    token: async (username: string) => {
      const cached = tokens.get(username);
      if (cached) return cached;
      const res = await request(url).post('/api/auth/login').send({ username, password: DEMO_PASSWORD });
      if (res.status !== 200) throw new Error(`login ${username}: ${res.status} ${JSON.stringify(res.body)}`);
      const token = (res.body as { accessToken: string }).accessToken;
      tokens.set(username, token);
      return token;
    },
    close: () => app.close(),
  };
}

export interface TestPortal {
  url: string;
  http: () => ReturnType<typeof request>;
  close: () => Promise<void>;
}

/** The real portal module (the public site) on a loopback port, against the run's PostgreSQL. */
export async function startTestPortal(): Promise<TestPortal> {
  await prepareTestDatabase();
  // the portal's own role, as in production: SELECT on the public views, INSERT into objections
  process.env.PORTAL_DB_PASSWORD ??= 'portal-test-password';
  delete process.env.PORTAL_DATABASE_URL;
  await preparePortalDatabase(process.env);
  const moduleRef = await Test.createTestingModule({ imports: [PortalModule] }).compile();
  const app = moduleRef.createNestApplication({ bufferLogs: true });
  configurePortalApp(app);
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  return { url, http: () => request(url), close: () => app.close() };
}
