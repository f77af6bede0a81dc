import { ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { ensureBackingServices, ensureSecret } from '@sunshine/runtime';
import { prepareDatabase } from './prepare-database';

const APPS = [
  { name: 'api', entry: 'apps/api/src/main.js' },
  { name: 'portal', entry: 'apps/portal/src/main.js' },
  { name: 'worker', entry: 'apps/worker/src/main.js' },
] as const;

/**
 * `npm start`: the whole system on one machine. Starts (or uses) PostgreSQL and Redis, applies pending
 * migrations, then runs api (:3000), portal (:3001) and worker as child processes sharing them.
 * One Ctrl-C (SIGINT) or SIGTERM stops the apps, then Redis and PostgreSQL.
 */
async function main(): Promise<void> {
  const dist = path.resolve(__dirname, '..', '..');
  const services = await ensureBackingServices(process.env);
  await prepareDatabase(services.databaseUrl, { demoData: false });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: services.databaseUrl,
    REDIS_URL: services.redisUrl,
    JWT_SECRET: process.env.JWT_SECRET ?? ensureSecret(process.env.DATA_DIR ?? './data', 'jwt-secret'),
    PII_KEY: process.env.PII_KEY ?? ensureSecret(process.env.DATA_DIR ?? './data', 'pii-key'),
  };
  const children = new Map<string, ChildProcess>();
  let stopping = false;

  const stopAll = async (code: number): Promise<void> => {
    if (stopping) return;
    stopping = true;
    process.stderr.write('stopping api, portal and worker…\n');
    await Promise.all(
      [...children.values()].map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
            child.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            child.kill('SIGTERM');
          }),
      ),
    );
    await services.stop();
    process.stderr.write('stopped.\n');
    process.exit(code);
  };

  for (const app of APPS) {
    const child = spawn(process.execPath, [path.join(dist, app.entry)], { env, stdio: 'inherit' });
    children.set(app.name, child);
    child.on('exit', (code, signal) => {
      if (!stopping) {
        process.stderr.write(`${app.name} exited (${signal ?? code}); stopping the rest\n`);
        void stopAll(1);
      }
    });
  }
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));
  process.stderr.write(
    `Sunshine Funds is starting: staff API http://localhost:${env.API_PORT ?? 3000}/api/docs · ` +
      `public portal http://localhost:${env.PORTAL_PORT ?? 3001}/ · Ctrl-C stops everything\n`,
  );
}

main().catch((e: unknown) => {
  process.stderr.write(`start failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
