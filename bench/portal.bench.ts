/**
 * npm run bench:portal — the public site over 1,000,000 published notices (BENCH_NOTICES to change):
 * latency of each public read (30 sequential requests after 3 warm-ups) and throughput of notice pages with
 * 16 concurrent clients, through the portal app running as its own database role. bench/results/portal.json.
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { freePort } from '@sunshine/runtime';
import { ADMIN_URL, CLIENTS, ROOT, urlFor } from './support';

const DB = 'sunshine_bench_portal';
const NOTICES = Number(process.env.BENCH_NOTICES ?? 1_000_000);
const REQUESTS = 30;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const round = (n: number) => Math.round(n * 10) / 10;

async function ensureData(): Promise<{ generatedSeconds: number | 'reused' }> {
  const admin = new Client({ connectionString: ADMIN_URL });
  await admin.connect();
  const exists = (await admin.query(`SELECT 1 FROM pg_database WHERE datname = $1`, [DB])).rowCount === 1;
  await admin.end();
  if (exists) {
    const c = new Client({ connectionString: urlFor(DB) });
    await c.connect();
    const n = await c
      .query<{ n: string }>(`SELECT count(*) AS n FROM notices WHERE subject_type = 'bench'`)
      .catch(() => ({ rows: [{ n: '0' }] }));
    await c.end();
    if (Number(n.rows[0].n) === NOTICES) {
      // the same notices; bring the schema up to date (a new index is part of what is measured)
      execFileSync(process.execPath, [path.join(ROOT, 'dist/scripts/src/migrate.js'), 'run'], {
        env: { ...process.env, DATABASE_URL: urlFor(DB), LOG_LEVEL: 'warn' },
        stdio: 'inherit',
      });
      const v = new Client({ connectionString: urlFor(DB) });
      await v.connect();
      await v.query('VACUUM ANALYZE notices'); // a migration's backfill leaves dead rows and stale statistics
      await v.query('VACUUM ANALYZE notice_versions');
      await v.end();
      return { generatedSeconds: 'reused' };
    }
    const a = new Client({ connectionString: ADMIN_URL });
    await a.connect();
    await a.query(`DROP DATABASE ${DB} WITH (FORCE)`);
    await a.end();
  }
  const a = new Client({ connectionString: ADMIN_URL });
  await a.connect();
  await a.query(`CREATE DATABASE ${DB}`);
  await a.end();
  const t0 = performance.now();
  execFileSync(process.execPath, [path.join(ROOT, 'dist/scripts/src/seed.js')], {
    env: { ...process.env, DATABASE_URL: urlFor(DB), LOG_LEVEL: 'warn' },
    stdio: 'inherit',
  });
  const c = new Client({ connectionString: urlFor(DB) });
  await c.connect();
  // deterministic synthetic notices spread over the demo's counties, cities and provinces and ten years
  await c.query(
    `INSERT INTO notices (type, status, subject_type, subject_id, jurisdiction_code, project_code, year, triggered_on,
       deadline, current_version, first_public_version, published_at, public_seq, public_updated_at)
     SELECT (ARRAY['D2','D4','D5','D7','D8','D9'])[1 + g % 6], 'published', 'bench', 'bench-' || g,
       j.codes[1 + g % array_length(j.codes, 1)], 'BENCH-' || lpad(g::text, 7, '0'), 2016 + g % 10,
       date '2016-01-01' + (g % 3650), date '2016-01-01' + (g % 3650) + 21, 1, 1,
       timestamptz '2016-01-01 09:00+08' + g * interval '5 minutes', nextval('notice_public_seq'),
       timestamptz '2016-01-01 09:00+08' + g * interval '5 minutes'
     FROM generate_series(1, $1::int) g,
       (SELECT array_agg(code ORDER BY code) AS codes FROM jurisdictions WHERE level IN ('province','city','county')) j`,
    [NOTICES],
  );
  await c.query(
    `INSERT INTO notice_versions (notice_id, version, title, fields, body, created_by_username, sha256)
     SELECT n.id, 1,
       jn.name || n.year || '年' || (ARRAY['通屯道路硬化','饮水安全巩固','村级光伏电站','危房改造','特色产业基地','村级活动场所'])[1 + s.g % 6]
         || '项目公告（' || n.project_code || '）',
       jsonb_build_array(
         jsonb_build_object('key','projectCode','label','项目编号','value', n.project_code),
         jsonb_build_object('key','amount','label','金额','value', to_char((s.g % 5000) * 1000 + 0.5, 'FM999,999,990.00') || ' 元'),
         jsonb_build_object('key','hotline','label','监督举报电话','value','12317')),
       '', 'bench', md5(n.id::text) || md5(n.project_code)
     FROM notices n JOIN jurisdictions jn ON jn.code = n.jurisdiction_code
       CROSS JOIN LATERAL (SELECT substr(n.subject_id, 7)::int AS g) s
     WHERE n.subject_type = 'bench'`,
  );
  await c.query('VACUUM ANALYZE notices');
  await c.query('VACUUM ANALYZE notice_versions');
  await c.end();
  return { generatedSeconds: round((performance.now() - t0) / 1000) };
}

interface RunningPortal {
  url: string;
  stop(): Promise<void>;
}

async function startPortal(): Promise<RunningPortal> {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [path.join(ROOT, 'dist/apps/portal/src/main.js')], {
    env: {
      ...process.env,
      DATABASE_URL: urlFor(DB),
      PORTAL_PORT: String(port),
      PORTAL_DB_PASSWORD: 'bench-portal-password',
      LOG_LEVEL: 'silent',
    },
    stdio: 'inherit',
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${url}/health`)).ok) break;
    } catch {
      // starting
    }
    if (i > 300) throw new Error('the portal did not come up');
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

async function timeRequests(url: string): Promise<{ p50: number; p95: number; max: number; bytes: number }> {
  const times: number[] = [];
  let bytes = 0;
  for (let i = 0; i < REQUESTS + 3; i++) {
    const t0 = performance.now();
    const res = await fetch(url);
    const body = await res.arrayBuffer();
    if (!res.ok) throw new Error(`${url}: ${res.status}`);
    if (i >= 3) times.push(performance.now() - t0);
    bytes = body.byteLength;
  }
  times.sort((a, b) => a - b);
  const pick = (p: number) => times[Math.min(times.length - 1, Math.floor((p / 100) * times.length))];
  return { p50: round(pick(50)), p95: round(pick(95)), max: round(times[times.length - 1]), bytes };
}

/** CLIENTS loops, each fetching notice pages of its own ids until time is up. */
async function throughput(base: string, ids: string[]): Promise<Record<string, unknown>> {
  const latencies: number[] = [];
  let errors = 0;
  const until = performance.now() + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, c) => {
      for (let i = c; performance.now() < until; i += CLIENTS) {
        const t0 = performance.now();
        const res = await fetch(`${base}/notices/${ids[i % ids.length]}`);
        await res.arrayBuffer();
        if (res.ok) latencies.push(performance.now() - t0);
        else errors += 1;
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  const pick = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))];
  return {
    clients: CLIENTS,
    seconds: SECONDS,
    pages: latencies.length,
    errors,
    perSecond: round(latencies.length / SECONDS),
    latencyMs: { p50: round(pick(50)), p95: round(pick(95)), p99: round(pick(99)) },
  };
}

async function main(): Promise<void> {
  const data = await ensureData();
  const c = new Client({ connectionString: urlFor(DB) });
  await c.connect();
  const ids = (
    await c.query<{ id: string }>(
      `SELECT id FROM notices WHERE subject_type = 'bench' ORDER BY md5(id::text) LIMIT 2000`,
    )
  ).rows.map((r) => r.id);
  const size = (
    await c.query<{ s: string }>(`SELECT pg_size_pretty(pg_database_size(current_database())) AS s`)
  ).rows[0].s;
  await c.end();
  const portal = await startPortal();
  try {
    const since = '2025-06-01T00:00:00+08:00';
    const points: Record<string, string> = {
      'notice page /notices/:id': `/notices/${ids[0]}`,
      'search page /notices (no filter, newest first)': '/notices',
      'search page /notices?type=D2&year=2020': '/notices?type=D2&year=2020',
      'search page /notices?q=饮水安全 (words in a sixth of all notices)': `/notices?q=${encodeURIComponent('饮水安全')}`,
      'search page /notices?q=<project code> (one notice)': `/notices?q=${encodeURIComponent(`BENCH-${String(Math.ceil(NOTICES / 3)).padStart(7, '0')}`)}`,
      'feed /api/public/notices?since (100, keyset)': `/api/public/notices?since=${encodeURIComponent(since)}&limit=100`,
      'Atom /feed.atom (50 latest)': '/feed.atom',
      'project page /projects/:code': `/projects/BENCH-${String(Math.ceil(NOTICES / 2)).padStart(7, '0')}`,
    };
    const latency: Record<string, unknown> = {};
    for (const [name, p] of Object.entries(points)) {
      process.stderr.write(`timing ${name}\n`);
      latency[name] = await timeRequests(`${portal.url}${p}`);
    }
    process.stderr.write('bulk file\n');
    const t0 = performance.now();
    const bulk = await fetch(`${portal.url}/api/public/bulk/notices-2020.csv`);
    const bulkBytes = (await bulk.arrayBuffer()).byteLength;
    const bulkSeconds = round((performance.now() - t0) / 1000);
    process.stderr.write('throughput\n');
    const pages = await throughput(portal.url, ids);
    const result = {
      benchmark: 'public site over a million published notices, as the portal role',
      when: new Date().toISOString(),
      machine: {
        cpus: os.cpus().length,
        cpuModel: os.cpus()[0]?.model.trim(),
        memoryGiB: Math.round(os.totalmem() / 2 ** 30),
      },
      notices: NOTICES,
      databaseSize: size,
      generatedSeconds: data.generatedSeconds,
      requestsPerPoint: REQUESTS,
      latencyMs: latency,
      bulkCsv2020: { seconds: bulkSeconds, megabytes: round(bulkBytes / 2 ** 20) },
      noticePages: pages,
    };
    mkdirSync(path.join(ROOT, 'bench', 'results'), { recursive: true });
    writeFileSync(path.join(ROOT, 'bench', 'results', 'portal.json'), `${JSON.stringify(result, null, 2)}\n`);
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    await portal.stop();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
