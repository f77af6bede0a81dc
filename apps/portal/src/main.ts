import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { ensureBackingServices, onShutdownSignal } from '@sunshine/runtime';
import { loadPortalConfig } from './config';
import { preparePortalDatabase } from './portal-role';
import { configurePortalApp } from './configure';
import { PortalModule } from './portal.module';

async function main(): Promise<void> {
  const config = loadPortalConfig();
  const services = await ensureBackingServices(process.env, { redis: false });
  await preparePortalDatabase(process.env);
  const app = await NestFactory.create(PortalModule, { bufferLogs: true });
  configurePortalApp(app);
  onShutdownSignal(async () => {
    await app.close();
    await services.stop();
  });
  await app.listen(config.PORTAL_PORT, process.env.PORTAL_HOST ?? '0.0.0.0');
  process.stderr.write(`portal listening on http://localhost:${config.PORTAL_PORT}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
