import 'reflect-metadata';
import { ensureBackingServices } from '@sunshine/runtime';
import { prepareDatabase } from './prepare-database';

/** `npm run seed`: (re)loads the demo data; safe to repeat. */
async function main(): Promise<void> {
  const services = await ensureBackingServices(process.env, { redis: false });
  try {
    await prepareDatabase(services.databaseUrl, { demoData: true });
  } finally {
    await services.stop();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
