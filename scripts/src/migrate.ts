import 'reflect-metadata';
import { createDataSource } from '@sunshine/database';
import { ensureBackingServices } from '@sunshine/runtime';

/** npm run migration:run | migration:revert — on DATABASE_URL or the embedded PostgreSQL. */
async function main(): Promise<void> {
  const command = process.argv[2];
  if (command !== 'run' && command !== 'revert') throw new Error('usage: migrate.js run|revert');
  const services = await ensureBackingServices(process.env, { redis: false });
  const ds = createDataSource({
    url: services.databaseUrl,
    applicationName: 'sunshine-migrate',
    poolSize: 2,
  });
  try {
    await ds.initialize();
    if (command === 'run') {
      const done = await ds.runMigrations({ transaction: 'each' });
      process.stdout.write(
        `applied ${done.length} migration(s)${done.map((m) => `\n  ${m.name}`).join('')}\n`,
      );
    } else {
      await ds.undoLastMigration({ transaction: 'each' });
      process.stdout.write('reverted the last migration\n');
    }
  } finally {
    await ds.destroy().catch(() => undefined);
    await services.stop();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
