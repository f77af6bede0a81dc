import { ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { embeddedPostgresDir, freePort } from '@sunshine/runtime';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '..', '..');
const DIST = path.join(ROOT, 'dist', 'scripts', 'src');

async function waitFor(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not come up`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

/**
 * The README's first command as a new user runs it: no DATABASE_URL, no REDIS_URL, a DATA_DIR under a
 * 0700 folder (like a clone under `mktemp -d`). Setup loads the demo data into the embedded PostgreSQL;
 * start runs api, portal and worker; one SIGINT stops everything.
 */
describe('fresh start on the embedded default (npm run setup && npm start)', () => {
  let dataDir: string;
  let child: ChildProcess | undefined;
  const env: NodeJS.ProcessEnv = {};

  beforeAll(async () => {
    if (!existsSync(path.join(DIST, 'start-all.js')))
      throw new Error('run `npm run build` first (npm test does)');
    const parent = mkdtempSync(path.join(os.tmpdir(), 'sunshine-fresh-')); // mode 0700
    dataDir = path.join(parent, 'data');
    for (const [k, v] of Object.entries(process.env)) {
      if (!/^(DATABASE_URL|REDIS_URL|QUEUE_PREFIX|JWT_SECRET|TEST_|API_PORT|PORTAL_PORT)/.test(k)) env[k] = v;
    }
    Object.assign(env, {
      DATA_DIR: dataDir,
      API_PORT: String(await freePort()),
      PORTAL_PORT: String(await freePort()),
      LOG_LEVEL: 'warn',
    });
  });

  afterAll(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    rmSync(path.dirname(dataDir), { recursive: true, force: true });
    rmSync(path.dirname(embeddedPostgresDir(dataDir)), { recursive: true, force: true });
  });

  it('sets up, serves /api/docs, lets finance.county see its lines, shows the portal, and stops on Ctrl-C', async () => {
    await run(process.execPath, [path.join(DIST, 'setup.js')], { env, cwd: ROOT, timeout: 180_000 });
    // setup is idempotent: a second run changes nothing and succeeds
    await run(process.execPath, [path.join(DIST, 'setup.js')], { env, cwd: ROOT, timeout: 180_000 });

    child = spawn(process.execPath, [path.join(DIST, 'start-all.js')], { env, cwd: ROOT, stdio: 'ignore' });
    const api = `http://127.0.0.1:${env.API_PORT}`;
    const portal = `http://127.0.0.1:${env.PORTAL_PORT}`;
    await waitFor(`${api}/api/health`, 90_000);
    await waitFor(`${portal}/health`, 30_000);

    const docs = await fetch(`${api}/api/docs/`);
    expect(docs.status).toBe(200);
    expect(await docs.text()).toContain('swagger');

    const login = await fetch(`${api}/api/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: 'finance.county', password: 'demo-password' }),
    });
    expect(login.status).toBe(200);
    const { accessToken } = (await login.json()) as { accessToken: string };
    const lines = await fetch(`${api}/api/budget-lines?limit=100`, {
      headers: { Authorization: `Bearer ${accessToken}` },
    });
    expect(lines.status).toBe(200);
    const page = (await lines.json()) as { items: { jurisdictionCode: string; amount: string }[] };
    expect(page.items.length).toBeGreaterThan(0);
    expect(page.items.every((l) => l.jurisdictionCode.startsWith('450124'))).toBe(true);

    const home = await fetch(`${portal}/`);
    const html = await home.text();
    expect(home.status).toBe(200);
    expect(html).toContain('lang="zh-CN"');
    expect(html).toContain('马山县');

    const exited = new Promise<number | null>((resolve) => child?.once('exit', (code) => resolve(code)));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(existsSync(path.join(embeddedPostgresDir(dataDir), 'postmaster.pid'))).toBe(false);
    expect(existsSync(path.join(dataDir, 'redis', 'running.json'))).toBe(false);

    // a crash leaves a stale postmaster.pid behind: the next start removes it and comes up
    const pidFile = path.join(embeddedPostgresDir(dataDir), 'postmaster.pid');
    writeFileSync(pidFile, '999999\n/stale\n1700000000\n5432\n');
    const again = await run(process.execPath, [path.join(DIST, 'setup.js')], {
      env,
      cwd: ROOT,
      timeout: 180_000,
    });
    expect(again.stderr).toContain('stale');
    expect(existsSync(pidFile)).toBe(false);
  });
});
