import { ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { Queue } from 'bullmq';
import { Client } from 'pg';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '..', '..');
const DIST = path.join(ROOT, 'dist');
const ADMIN = process.env.TEST_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const DB = `${process.env.TEST_DATABASE_NAME ?? 'sunshine_test'}_crash`;
const url = (() => {
  const u = new URL(ADMIN);
  u.pathname = `/${DB}`;
  return u.toString();
})();
const redisUrl = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const PREFIX = `sunshine-test-crash-${process.pid}`;

async function q<T>(sql: string, params: unknown[] = [], target = url): Promise<T[]> {
  const c = new Client({ connectionString: target });
  await c.connect();
  try {
    return (await c.query(sql, params)).rows as T[];
  } finally {
    await c.end();
  }
}

function startWorker(): ChildProcess {
  return spawn(process.execPath, [path.join(DIST, 'apps', 'worker', 'src', 'main.js')], {
    env: {
      ...process.env,
      DATABASE_URL: url,
      QUEUE_PREFIX: PREFIX,
      MONITORS_LOCK_MS: '3000',
      LOG_LEVEL: 'silent',
    },
    stdio: 'ignore',
  });
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * A real crash: the worker process running a monitor run is killed (SIGKILL) in the middle of it; another
 * worker takes the job over once the lock expires and completes the same run once, without duplicate alerts.
 */
describe('monitor run survives a killed worker', () => {
  const workers: ChildProcess[] = [];
  let queue: Queue | undefined;

  beforeAll(async () => {
    if (!existsSync(path.join(DIST, 'scripts', 'src', 'generate.js')))
      throw new Error('run `npm run build` first');
    await q(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`, [], ADMIN);
    await q(`CREATE DATABASE ${DB}`, [], ADMIN);
    // a province of synthetic data: a run takes a few seconds, long enough to be killed in the middle
    await run(
      process.execPath,
      [path.join(DIST, 'scripts', 'src', 'generate.js'), '--scale', 'province', '--seed', '3'],
      {
        env: { ...process.env, DATABASE_URL: url, LOG_LEVEL: 'warn' },
        timeout: 240_000,
      },
    );
    queue = new Queue('monitors', {
      connection: { host: redisUrl.hostname, port: Number(redisUrl.port || 6379) },
      prefix: PREFIX,
    });
  }, 300_000);

  afterAll(async () => {
    for (const w of workers) if (w.exitCode === null) w.kill('SIGKILL');
    await queue?.obliterate({ force: true }).catch(() => undefined);
    await queue?.close();
    await q(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`, [], ADMIN);
  });

  it('is completed once by the next worker after the first is killed mid-run', async () => {
    const first = startWorker();
    workers.push(first);
    await queue?.add('run-monitors', { asOf: '2025-12-31', runKey: 'crash-run' }, { jobId: 'crash-run' });
    // kill it as soon as the run has started
    await until(
      'the run to start',
      async () =>
        (await q<{ status: string }>(`SELECT status FROM monitor_runs WHERE run_key = 'crash-run'`))[0]
          ?.status === 'running'
          ? true
          : undefined,
      60_000,
    );
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    const [midway] = await q<{ status: string; attempts: number }>(
      `SELECT status, attempts FROM monitor_runs WHERE run_key = 'crash-run'`,
    );
    expect(midway).toEqual({ status: 'running', attempts: 1 });

    const second = startWorker();
    workers.push(second);
    const done = await until(
      'the run to complete',
      async () => {
        const [r] = await q<{ status: string; attempts: number }>(
          `SELECT status, attempts FROM monitor_runs WHERE run_key = 'crash-run'`,
        );
        return r?.status === 'done' ? r : undefined;
      },
      90_000,
    );
    expect(done.attempts).toBe(2);
    // one open alert per (rule, subject), and a fresh run finds nothing missing
    const [dups] = await q<{ n: number }>(
      `SELECT count(*)::int AS n FROM (SELECT rule, subject_id FROM alerts GROUP BY 1, 2 HAVING count(*) > 1) d`,
    );
    expect(dups.n).toBe(0);
    const [{ n: alerts }] = await q<{ n: number }>(`SELECT count(*)::int AS n FROM alerts`);
    expect(alerts).toBeGreaterThan(0);
    await queue?.add('run-monitors', { asOf: '2025-12-31', runKey: 'check-run' }, { jobId: 'check-run' });
    const check = await until(
      'the check run',
      async () => {
        const [r] = await q<{ status: string; raised: number }>(
          `SELECT status, raised FROM monitor_runs WHERE run_key = 'check-run'`,
        );
        return r?.status === 'done' ? r : undefined;
      },
      60_000,
    );
    expect(check.raised).toBe(0);
  }, 240_000);
});
