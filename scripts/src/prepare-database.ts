import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { createDataSource } from '@sunshine/database';
import { DemoDataLoader, DemoDataModule } from '@sunshine/demo-data';

/** Applies pending migrations, then (optionally) loads the demo data idempotently. */
export async function prepareDatabase(databaseUrl: string, opts: { demoData: boolean }): Promise<void> {
  const ds = createDataSource({ url: databaseUrl, applicationName: 'sunshine-setup', poolSize: 2 });
  await ds.initialize();
  try {
    const applied = await ds.runMigrations({ transaction: 'each' });
    if (applied.length > 0) process.stderr.write(`applied ${applied.length} migration(s)\n`);
  } finally {
    await ds.destroy();
  }
  if (!opts.demoData) return;
  const previous = process.env.DATABASE_URL;
  process.env.DATABASE_URL = databaseUrl;
  process.env.JWT_SECRET ??= 'demo-data-loader-does-not-sign-tokens-000000';
  const ctx = await NestFactory.createApplicationContext(DemoDataModule, { logger: ['error', 'warn'] });
  try {
    const loaded = await ctx.get(DemoDataLoader).load();
    process.stderr.write(
      `demo data loaded: ${loaded.lines} budget lines, ${loaded.allocations} allocations\n`,
    );
  } finally {
    await ctx.close();
    if (previous === undefined) delete process.env.DATABASE_URL;
    else process.env.DATABASE_URL = previous;
  }
}
