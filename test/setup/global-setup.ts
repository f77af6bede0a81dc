import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';

/**
 * Each test run gets its own fresh database on the real PostgreSQL of the machine
 * (TEST_DATABASE_ADMIN_URL, default postgres://postgres@127.0.0.1:5432/postgres). Migrations and the
 * demo data are applied by the first suite that needs them (test/support/database.ts).
 */
export default async function globalSetup(): Promise<void> {
  const adminUrl = process.env.TEST_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const name = `sunshine_test_${Date.now()}_${process.pid}`;
  const client = new Client({ connectionString: adminUrl });
  try {
    await client.connect();
  } catch (e) {
    throw new Error(
      `e2e tests need PostgreSQL at ${adminUrl} (set TEST_DATABASE_ADMIN_URL): ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
  await client.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  process.env.DATABASE_URL = url.toString();
  process.env.TEST_DATABASE_NAME = name;
  process.env.REDIS_URL ??= process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
  process.env.QUEUE_PREFIX = `sunshine-test-${name}`;
  process.env.JWT_SECRET = 'test-secret-test-secret-test-secret-0123456789';
  process.env.PII_KEY = 'test-pii-key-test-pii-key-test-pii-key-0123';
  process.env.LOG_LEVEL = 'silent';
  // uploaded files of this run (attachments) go to a folder of their own
  process.env.FILES_DIR = path.join(os.tmpdir(), `${name}-files`);
}
