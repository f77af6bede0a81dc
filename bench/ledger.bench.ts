/**
 * npm run bench:ledger — allocations/s through HTTP on real PostgreSQL, beside pgbench on the same server.
 *
 *  1. a fresh database `sunshine_bench_ledger` (BENCH_DATABASE_ADMIN_URL, default the local PostgreSQL), migrated,
 *     with the demo data and 16 synthetic counties (each with a finance user, a township and a large line);
 *  2. the API as a child process (dist/apps/api/src/main.js), Redis from REDIS_URL (default local);
 *  3. spread: 16 concurrent clients, each allocating from its own county's line with its own user (so 16 rows
 *     and 16 audit chains); hot: 16 clients all allocating from one line;
 *  4. pgbench -i -s 10 and pgbench -N -c 16 -j 2 -T 30 on a scratch database of the same server;
 *  5. bench/results/ledger.json with both figures and the ratios.
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { freePort } from '@sunshine/runtime';

const ADMIN_URL = process.env.BENCH_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const DB = 'sunshine_bench_ledger';
const PGBENCH_DB = 'sunshine_bench_pgbench';
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const CLIENTS = 16;
const ROOT = path.resolve(__dirname, '..', '..'); // dist/bench → repository root

function urlFor(db: string): string {
  const u = new URL(ADMIN_URL);
  u.pathname = `/${db}`;
  return u.toString();
}

async function recreate(db: string): Promise<void> {
  const c = new Client({ connectionString: ADMIN_URL });
  await c.connect();
  await c.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
  await c.query(`CREATE DATABASE ${db}`);
  await c.end();
}

async function waitFor(url: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // starting
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not come up`);
}

interface Phase {
  requests: number;
  ok: number;
  errors: Record<string, number>;
  seconds: number;
  perSecond: number;
  latencyMs: { p50: number; p95: number; p99: number; max: number };
}

const percentile = (sorted: number[], p: number): number =>
  sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

async function load(
  api: string,
  clients: { token: string; lineId: string; target: string }[],
  seconds: number,
): Promise<Phase> {
  const latencies: number[] = [];
  const errors: Record<string, number> = {};
  let ok = 0;
  const stopAt = Date.now() + seconds * 1000;
  const started = Date.now();
  await Promise.all(
    clients.map(async (c) => {
      while (Date.now() < stopAt) {
        const t0 = performance.now();
        const res = await fetch(`${api}/api/budget-lines/${c.lineId}/allocations`, {
          method: 'POST',
          headers: {
            Authorization: `Bearer ${c.token}`,
            'Content-Type': 'application/json',
            'Idempotency-Key': randomUUID(),
          },
          body: JSON.stringify({
            toJurisdictionCode: c.target,
            amount: '0.01',
            documentNo: 'BENCH',
            issuedOn: '2026-05-01',
          }),
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

async function login(api: string, username: string, password: string): Promise<string> {
  const res = await fetch(`${api}/api/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (!res.ok) throw new Error(`login ${username}: ${res.status}`);
  return ((await res.json()) as { accessToken: string }).accessToken;
}

async function post<T>(api: string, token: string, url: string, body: unknown): Promise<T> {
  const res = await fetch(`${api}${url}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

function pgbench(): { tps: number; output: string } {
  const u = new URL(urlFor(PGBENCH_DB));
  const args = ['-h', u.hostname, '-p', u.port || '5432', '-U', decodeURIComponent(u.username || 'postgres')];
  execFileSync('pgbench', [...args, '-i', '-s', '10', '-q', PGBENCH_DB], { stdio: 'pipe' });
  const output = execFileSync('pgbench', [...args, '-N', '-c', '16', '-j', '2', '-T', '30', PGBENCH_DB], {
    encoding: 'utf8',
  });
  const m = /tps = ([0-9.]+) \((?:without initial connection time|excluding connections establishing)\)/.exec(
    output,
  );
  if (!m) throw new Error(`cannot read pgbench output:\n${output}`);
  return { tps: Number(m[1]), output };
}

async function main(): Promise<void> {
  await recreate(DB);
  await recreate(PGBENCH_DB);
  const databaseUrl = urlFor(DB);
  execFileSync(process.execPath, [path.join(ROOT, 'dist/scripts/src/seed.js')], {
    env: { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn' },
    stdio: 'inherit',
  });
  // 16 synthetic counties (99xxxx: not real GB/T 2260 codes) under one synthetic province and city
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  await db.query(`INSERT INTO jurisdictions (code, name, level, parent_code, path, depth) VALUES
    ('990000', '压测省', 'province', '000000', '/000000/990000/', 1),
    ('990100', '压测市', 'city', '990000', '/000000/990000/990100/', 2)`);
  for (let i = 1; i <= CLIENTS; i++) {
    const county = `9901${String(i).padStart(2, '0')}`;
    await db.query(
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
  await db.end();

  const port = await freePort();
  const api = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(process.execPath, [path.join(ROOT, 'dist/apps/api/src/main.js')], {
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      QUEUE_PREFIX: 'sunshine-bench',
      API_PORT: String(port),
      JWT_SECRET: 'bench-secret-bench-secret-bench-secret-0123',
      LOG_LEVEL: 'silent',
      DB_POOL_SIZE: '20',
    },
    stdio: 'inherit',
  });
  try {
    await waitFor(`${api}/api/health`);
    const admin = await login(api, 'admin', 'demo-password');
    const spread: { token: string; lineId: string; target: string }[] = [];
    for (let i = 1; i <= CLIENTS; i++) {
      const county = `9901${String(i).padStart(2, '0')}`;
      const username = `bench.finance${i}`;
      await post(api, admin, '/api/users', {
        username,
        password: 'bench-password',
        role: 'finance',
        jurisdictionCode: county,
      });
      const token = await login(api, username, 'bench-password');
      const line = await post<{ id: string }>(api, token, '/api/budget-lines', {
        year: 2026,
        sourceCode: 'CN-FIN',
        jurisdictionCode: county,
        documentNo: `压测〔2026〕${i}号`,
        title: '压测资金指标',
        amount: '100000000.00',
        receivedOn: '2026-04-01',
      });
      spread.push({ token, lineId: line.id, target: `${county}001` });
    }
    // warm-up
    await load(api, spread, 3);
    const spreadPhase = await load(api, spread, SECONDS);
    const hot = spread.map((c) => ({
      ...c,
      lineId: spread[0].lineId,
      target: spread[0].target,
      token: spread[0].token,
    }));
    const hotPhase = await load(api, hot, SECONDS);
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));

    const bench = pgbench();
    const result = {
      benchmark: 'ledger allocations through HTTP vs pgbench -N on the same PostgreSQL',
      when: new Date().toISOString(),
      machine: {
        cpus: os.cpus().length,
        cpuModel: os.cpus()[0]?.model ?? 'unknown',
        memoryGiB: Math.round(os.totalmem() / 2 ** 30),
      },
      postgres: ADMIN_URL.replace(/:[^:@/]*@/, '@'),
      clients: CLIENTS,
      seconds: SECONDS,
      spread: spreadPhase,
      hotLine: hotPhase,
      pgbench: { scale: 10, clients: 16, threads: 2, seconds: 30, tps: bench.tps },
      ratio: {
        spread: Math.round((spreadPhase.perSecond / bench.tps) * 1000) / 1000,
        hotLine: Math.round((hotPhase.perSecond / bench.tps) * 1000) / 1000,
        goalSpread: 0.4,
      },
      notes:
        'One allocation = one HTTP request (JWT, validation) and one transaction of ~10 statements: idempotency key, ' +
        'conditional balance update, child line, allocation, 2 ledger entries, audit chain head + 2 audit rows, ' +
        'outbox event, stored answer. The API is one Node process sharing the 2 cores with PostgreSQL and the load generator.',
    };
    mkdirSync(path.join(ROOT, 'bench', 'results'), { recursive: true });
    writeFileSync(path.join(ROOT, 'bench', 'results', 'ledger.json'), `${JSON.stringify(result, null, 2)}\n`);
    process.stdout.write(
      `${JSON.stringify({ spread: spreadPhase.perSecond, hot: hotPhase.perSecond, pgbench: bench.tps, ratio: result.ratio })}\n`,
    );
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
