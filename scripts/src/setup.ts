import 'reflect-metadata';
import { ensureBackingServices } from '@sunshine/runtime';
import { prepareDatabase } from './prepare-database';

/** `npm run setup` (after install and build): migrations and demo data on the embedded default or DATABASE_URL. */
async function main(): Promise<void> {
  const services = await ensureBackingServices(process.env, { redis: false });
  try {
    await prepareDatabase(services.databaseUrl, { demoData: process.env.DEMO_DATA !== 'false' });
  } finally {
    await services.stop();
  }
  process.stderr.write('setup done. Start the system with: npm start\n');
}

main().catch((e: unknown) => {
  process.stderr.write(`setup failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
