import { NestFactory } from '@nestjs/core';
import { Client } from 'pg';
import { createDataSource } from '@sunshine/database';
import { DemoDataLoader, DemoDataModule } from '@sunshine/demo-data';

/**
 * Migrates the run's database and loads the demo data once per run (an advisory lock makes parallel
 * suites wait for the first one). Every suite then creates its own lines through the API.
 */
export async function prepareTestDatabase(): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (!url || !url.includes('sunshine_test_')) throw new Error('DATABASE_URL is not a test database');
  const lock = new Client({ connectionString: url });
  await lock.connect();
  try {
    await lock.query('SELECT pg_advisory_lock(424242)');
    const seeded = (await lock
      .query(
        `SELECT to_regclass('public.users') IS NOT NULL AND EXISTS (SELECT 1 FROM pg_tables WHERE tablename = 'users')
         AND (SELECT count(*) FROM users WHERE username = 'admin') > 0 AS done`,
      )
      .catch(() => ({ rows: [{ done: false }] }))) as { rows: { done: boolean }[] };
    if (seeded.rows[0]?.done) return;
    const ds = createDataSource({ url, poolSize: 2 });
    await ds.initialize();
    await ds.runMigrations({ transaction: 'each' });
    await ds.destroy();
    const ctx = await NestFactory.createApplicationContext(DemoDataModule, { logger: false });
    await ctx.get(DemoDataLoader).load();
    await ctx.close();
  } finally {
    await lock.query('SELECT pg_advisory_unlock(424242)').catch(() => undefined);
    await lock.end();
  }
}

/** A plain connection for assertions straight on the tables (row counts, tampering). */
export async function withDb<T>(fn: (c: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
