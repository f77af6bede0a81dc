import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '..', '..');
const GENERATE = path.join(ROOT, 'dist', 'scripts', 'src', 'generate.js');
const ADMIN = process.env.TEST_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

const urlFor = (db: string) => {
  const u = new URL(ADMIN);
  u.pathname = `/${db}`;
  return u.toString();
};

async function admin<T>(fn: (c: Client) => Promise<T>, url = ADMIN): Promise<T> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** `npm run generate -- --scale county --seed N`: the same seed gives the same data, and the ledger adds up. */
describe('synthetic data generator', () => {
  const dbs = [
    `${process.env.TEST_DATABASE_NAME ?? 'sunshine_test'}_gen_a`,
    `${process.env.TEST_DATABASE_NAME ?? 'sunshine_test'}_gen_b`,
  ];
  beforeAll(async () => {
    if (!existsSync(GENERATE)) throw new Error('run `npm run build` first (npm test does)');
    await admin(async (c) => {
      for (const db of dbs) {
        await c.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
        await c.query(`CREATE DATABASE ${db}`);
      }
    });
  });
  afterAll(async () => {
    await admin(async (c) => {
      for (const db of dbs) await c.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
    });
  });

  it('generates a county deterministically, with balances that equal their ledger entries', async () => {
    const digests: string[] = [];
    for (const db of dbs) {
      const { stdout } = await run(process.execPath, [GENERATE, '--scale', 'county', '--seed', '11'], {
        env: { ...process.env, DATABASE_URL: urlFor(db), LOG_LEVEL: 'warn' },
        timeout: 120_000,
      });
      const result = JSON.parse(stdout) as { counts: Record<string, number> };
      expect(result.counts).toMatchObject({ counties: 1, villages: 45, projects: 358, payments: 3580 });
      digests.push(
        await admin(async (c) => {
          const r = await c.query<{ d: string }>(
            `SELECT md5(string_agg(id::text || ':' || amount || ':' || paid_on, ',' ORDER BY id)) AS d FROM payments`,
          );
          return r.rows[0].d;
        }, urlFor(db)),
      );
      const mismatches = await admin(async (c) => {
        const r = await c.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM budget_lines l LEFT JOIN (
             SELECT line_id, sum(delta) FILTER (WHERE bucket = 'amount') AS amount,
                    coalesce(sum(delta) FILTER (WHERE bucket = 'allocated_down'), 0) AS down,
                    coalesce(sum(delta) FILTER (WHERE bucket = 'assigned_to_projects'), 0) AS assigned,
                    coalesce(sum(delta) FILTER (WHERE bucket = 'paid'), 0) AS paid
             FROM ledger_entries GROUP BY line_id) e ON e.line_id = l.id
           WHERE l.amount <> coalesce(e.amount, 0) OR l.allocated_down <> coalesce(e.down, 0)
              OR l.assigned_to_projects <> coalesce(e.assigned, 0) OR l.paid <> coalesce(e.paid, 0)`,
        );
        return r.rows[0].n;
      }, urlFor(db));
      expect(mismatches).toBe(0);
    }
    expect(digests[0]).toBe(digests[1]);
    // a second generation into the same database is refused, not doubled
    await expect(
      run(process.execPath, [GENERATE, '--scale', 'county', '--seed', '11'], {
        env: { ...process.env, DATABASE_URL: urlFor(dbs[0]), LOG_LEVEL: 'warn' },
      }),
    ).rejects.toThrow(/synthetic data already/);
  }, 240_000);
});
