/**
 * `npm run bench:monitoring`: GET /api/monitoring/progress p50/p95 for the nation, a province and a county,
 * and the time of a full monitor run, on synthetic data at county, province and national scale
 * (`npm run generate`), each in its own database (reused when it is there already). Writes
 * bench/results/monitoring.json. BENCH_SCALES=county,province limits the scales.
 */
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { AuditLogModule } from '@sunshine/audit-log';
import { DatabaseModule } from '@sunshine/database';
import { JurisdictionsModule } from '@sunshine/jurisdictions';
import { MonitoringModule, MonitorsService } from '@sunshine/monitoring';
import { ReferenceModule } from '@sunshine/reference';
import { ADMIN_URL, login, ROOT, startApi, urlFor } from './support';

@Module({
  imports: [
    DatabaseModule.forRoot({ applicationName: 'sunshine-bench-monitors', poolSize: 4 }),
    AuditLogModule,
    JurisdictionsModule,
    ReferenceModule,
    MonitoringModule,
  ],
})
class MonitorsBenchModule {}

const SCALES = (process.env.BENCH_SCALES ?? 'county,province,national').split(',');
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 30);
const round = (n: number): number => Math.round(n * 10) / 10;

async function ensureData(scale: string): Promise<{ url: string; generated: unknown }> {
  const db = `sunshine_bench_mon_${scale}`;
  const admin = new Client({ connectionString: ADMIN_URL });
  await admin.connect();
  const exists = (await admin.query(`SELECT 1 FROM pg_database WHERE datname = $1`, [db])).rowCount === 1;
  let ready = false;
  if (exists) {
    const c = new Client({ connectionString: urlFor(db) });
    await c.connect();
    ready = await c
      .query<{ n: string }>(`SELECT count(*)::text AS n FROM projects WHERE code LIKE 'SYN-%'`)
      .then((r) => Number(r.rows[0].n) > 0)
      .catch(() => false);
    await c.end();
  }
  let generated: unknown = 'reused';
  if (!ready) {
    await admin.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${db}`);
    const out = execFileSync(
      process.execPath,
      [path.join(ROOT, 'dist/scripts/src/generate.js'), '--scale', scale, '--seed', '7'],
      {
        env: { ...process.env, DATABASE_URL: urlFor(db), LOG_LEVEL: 'warn' },
        encoding: 'utf8',
        maxBuffer: 1 << 24,
      },
    );
    generated = JSON.parse(out) as unknown;
  }
  await admin.end();
  return { url: urlFor(db), generated };
}

async function timeRequests(
  api: string,
  token: string,
  code: string,
): Promise<{ p50: number; p95: number; max: number }> {
  const url = `${api}/api/monitoring/progress?year=2025&jurisdictionCode=${code}&asOf=2025-12-31`;
  const times: number[] = [];
  for (let i = 0; i < REQUESTS + 3; i++) {
    const t0 = performance.now();
    const res = await fetch(url, { headers: { Authorization: `Bearer ${token}` } });
    await res.arrayBuffer();
    if (!res.ok) throw new Error(`${url}: ${res.status}`);
    if (i >= 3) times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const pick = (p: number) => times[Math.min(times.length - 1, Math.floor((p / 100) * times.length))];
  return { p50: round(pick(50)), p95: round(pick(95)), max: round(times[times.length - 1]) };
}

async function main(): Promise<void> {
  const results: Record<string, unknown> = {};
  for (const scale of SCALES) {
    process.stderr.write(`== ${scale}\n`);
    const { url, generated } = await ensureData(scale);
    const c = new Client({ connectionString: url });
    await c.connect();
    const counts = (
      await c.query<Record<string, string>>(
        `SELECT (SELECT count(*) FROM jurisdictions WHERE level = 'county')::text AS counties,
                (SELECT count(*) FROM projects)::text AS projects, (SELECT count(*) FROM payments)::text AS payments,
                (SELECT count(*) FROM ledger_entries)::text AS ledger_entries,
                pg_size_pretty(pg_database_size(current_database())) AS size`,
      )
    ).rows[0];
    await c.query(`DELETE FROM alerts; DELETE FROM monitor_runs`); // each measurement starts without alerts
    await c.end();
    const api = await startApi(url);
    let progress: Record<string, unknown> = {};
    try {
      const token = await login(api.url, 'admin', 'demo-password');
      progress = {
        nation: await timeRequests(api.url, token, '000000'),
        province: await timeRequests(api.url, token, '600000'),
        county: await timeRequests(api.url, token, '600101'),
      };
    } finally {
      await api.stop();
    }
    process.env.DATABASE_URL = url;
    const ctx = await NestFactory.createApplicationContext(MonitorsBenchModule, { logger: ['error'] });
    const t0 = Date.now();
    const run = await ctx.get(MonitorsService).run('2025-12-31', `bench-${Date.now()}`);
    const monitorSeconds = round((Date.now() - t0) / 1000);
    const t1 = Date.now();
    const again = await ctx.get(MonitorsService).run('2025-12-31', `bench-again-${Date.now()}`);
    const secondRunSeconds = round((Date.now() - t1) / 1000);
    await ctx.close();
    results[scale] = {
      counts,
      generated,
      progressMs: progress,
      monitorRun: {
        seconds: monitorSeconds,
        raised: run.raised,
        secondRunSeconds,
        secondRunRaised: again.raised,
      },
    };
    process.stderr.write(`${JSON.stringify(results[scale])}\n`);
  }
  const out = {
    benchmark: 'monitoring: GET /api/monitoring/progress latency and full monitor runs on synthetic data',
    when: new Date().toISOString(),
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? '',
      memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    },
    requestsPerPoint: REQUESTS,
    goal: 'p95 < 200 ms',
    scales: results,
    notes:
      'Progress is computed from ledger entries at request time (no read model yet); the monitors compute every county-or-above jurisdiction one by one.',
  };
  mkdirSync(path.join(ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(path.join(ROOT, 'bench', 'results', 'monitoring.json'), `${JSON.stringify(out, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
