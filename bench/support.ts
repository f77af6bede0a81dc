/** Shared pieces of the benchmarks: a scratch database, the API as a child process, a load loop, pgbench. */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { freePort } from '@sunshine/runtime';

export const ADMIN_URL =
  process.env.BENCH_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
export const CLIENTS = 16;
export const ROOT = path.resolve(__dirname, '..', '..'); // dist/bench → repository root

export function urlFor(db: string): string {
  const u = new URL(ADMIN_URL);
  u.pathname = `/${db}`;
  return u.toString();
}

export async function recreate(db: string): Promise<void> {
  const c = new Client({ connectionString: ADMIN_URL });
  await c.connect();
  await c.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
  await c.query(`CREATE DATABASE ${db}`);
  await c.end();
}

/** A fresh database with the migrations, the demo data and 16 synthetic counties (99xxxx, not real codes). */
export async function prepareBenchDatabase(db: string): Promise<string> {
  await recreate(db);
  const databaseUrl = urlFor(db);
  execFileSync(process.execPath, [path.join(ROOT, 'dist/scripts/src/seed.js')], {
    env: { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn' },
    stdio: 'inherit',
  });
  const c = new Client({ connectionString: databaseUrl });
  await c.connect();
  await c.query(`INSERT INTO jurisdictions (code, name, level, parent_code, path, depth) VALUES
    ('990000', '压测省', 'province', '000000', '/000000/990000/', 1),
    ('990100', '压测市', 'city', '990000', '/000000/990000/990100/', 2)`);
  for (let i = 1; i <= CLIENTS; i++) {
    const county = benchCounty(i);
    await c.query(
      `INSERT INTO jurisdictions (code, name, level, parent_code, path, depth) VALUES
        ($1, $2, 'county', '990100', $3, 3), ($4, $5, 'township', $1, $6, 4)`,
      [
        county,
        `压测县${i}`,
        `/000000/990000/990100/${county}/`,
        `${county}001`,
        `压测镇${i}`,
        `/000000/990000/990100/${county}/${county}001/`,
      ],
    );
  }
  await c.end();
  return databaseUrl;
}

export const benchCounty = (i: number): string => `9901${String(i).padStart(2, '0')}`;

export interface RunningApi {
  url: string;
  stop(): Promise<void>;
}

export async function startApi(databaseUrl: string): Promise<RunningApi> {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [path.join(ROOT, 'dist/apps/api/src/main.js')], {
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      QUEUE_PREFIX: 'sunshine-bench',
      API_PORT: String(port),
      JWT_SECRET: 'bench-secret-bench-secret-bench-secret-0123',
      PII_KEY: 'bench-pii-key-bench-pii-key-bench-pii-key-0',
      LOG_LEVEL: 'silent',
      DB_POOL_SIZE: '20',
    },
    stdio: 'inherit',
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${url}/api/health`)).ok) break;
    } catch {
      // starting
    }
    if (i > 300) throw new Error('the API did not come up');
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
}

export async function login(api: string, username: string, password: string): Promise<string> {
  const res = await fetch(`${api}/api/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (!res.ok) throw new Error(`login ${username}: ${res.status}`);
  return ((await res.json()) as { accessToken: string }).accessToken;
}

export async function post<T>(api: string, token: string, url: string, body: unknown): Promise<T> {
  const res = await fetch(`${api}${url}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

export interface Phase {
  requests: number;
  ok: number;
  errors: Record<string, number>;
  seconds: number;
  perSecond: number;
  latencyMs: { p50: number; p95: number; p99: number; max: number };
}

const percentile = (sorted: number[], p: number): number =>
  sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

/** Each client loops on its own request until time is up; counts 201s and latencies. */
export async function load(
  clients: { token: string; url: string; body: () => unknown }[],
  seconds: number,
): Promise<Phase> {
  const latencies: number[] = [];
  const errors: Record<string, number> = {};
  let ok = 0;
  const started = Date.now();
  const stopAt = started + seconds * 1000;
  await Promise.all(
    clients.map(async (c) => {
      while (Date.now() < stopAt) {
        const t0 = performance.now();
        const res = await fetch(c.url, {
          method: 'POST',
          headers: {
            Authorization: `Bearer ${c.token}`,
            'Content-Type': 'application/json',
            'Idempotency-Key': crypto.randomUUID(),
          },
          body: JSON.stringify(c.body()),
        });
        await res.arrayBuffer();
        latencies.push(performance.now() - t0);
        if (res.status === 201) ok += 1;
        else errors[String(res.status)] = (errors[String(res.status)] ?? 0) + 1;
      }
    }),
  );
  const elapsed = (Date.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const round = (n: number): number => Math.round(n * 10) / 10;
  return {
    requests: latencies.length,
    ok,
    errors,
    seconds: round(elapsed),
    perSecond: round(ok / elapsed),
    latencyMs: {
      p50: round(percentile(latencies, 50)),
      p95: round(percentile(latencies, 95)),
      p99: round(percentile(latencies, 99)),
      max: round(latencies[latencies.length - 1] ?? 0),
    },
  };
}

/** pgbench -i -s 10, then -N -c 16 -j 2 -T 30, on a scratch database of the same server. */
export async function pgbench(): Promise<number> {
  const db = 'sunshine_bench_pgbench';
  await recreate(db);
  const u = new URL(urlFor(db));
  const args = ['-h', u.hostname, '-p', u.port || '5432', '-U', decodeURIComponent(u.username || 'postgres')];
  execFileSync('pgbench', [...args, '-i', '-s', '10', '-q', db], { stdio: 'pipe' });
  const output = execFileSync('pgbench', [...args, '-N', '-c', '16', '-j', '2', '-T', '30', db], {
    encoding: 'utf8',
  });
  const m = /tps = ([0-9.]+) \((?:without initial connection time|excluding connections establishing)\)/.exec(
    output,
  );
  if (!m) throw new Error(`cannot read pgbench output:\n${output}`);
  return Number(m[1]);
}

export function machine(): { cpus: number; cpuModel: string; memoryGiB: number } {
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
  };
}

export function writeResult(name: string, result: unknown): void {
  mkdirSync(path.join(ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(path.join(ROOT, 'bench', 'results', `${name}.json`), `${JSON.stringify(result, null, 2)}\n`);
}
