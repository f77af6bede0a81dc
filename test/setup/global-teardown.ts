import { rmSync } from 'node:fs';
import { Client } from 'pg';

/** Drops the run's database (KEEP_TEST_DB=1 keeps it for a look). */
export default async function globalTeardown(): Promise<void> {
  const name = process.env.TEST_DATABASE_NAME;
  if (!name || process.env.KEEP_TEST_DB === '1') return;
  const client = new Client({
    connectionString: process.env.TEST_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  });
  await client.connect();
  await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(name)} WITH (FORCE)`);
  await client.end();
  if (process.env.FILES_DIR?.includes('sunshine_test_')) {
    rmSync(process.env.FILES_DIR, { recursive: true, force: true });
  }
}
