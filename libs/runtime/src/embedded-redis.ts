import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import net from 'node:net';
import { freePort, isProcessAlive } from './free-port';
import type { RunningService } from './embedded-postgres';

export interface EmbeddedRedisOptions {
  dataDir: string;
  binary?: string;
  log?: (message: string) => void;
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let answer = '';
    socket.setTimeout(1000);
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (d) => {
      answer += d.toString();
      if (answer.includes('\r\n')) {
        socket.destroy();
        resolve(answer.startsWith('+PONG'));
      }
    });
    socket.on('error', () => resolve(false));
    socket.on('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/**
 * Starts (or joins) a private redis-server (Debian package) for BullMQ when no REDIS_URL is given:
 * 127.0.0.1 on a free port, append-only file in DATA_DIR/redis so queued jobs survive a restart.
 */
export async function startEmbeddedRedis(options: EmbeddedRedisOptions): Promise<RunningService> {
  const log = options.log ?? ((m: string) => process.stderr.write(`[embedded-redis] ${m}\n`));
  const binary = options.binary ?? 'redis-server';
  const dir = path.resolve(options.dataDir, 'redis');
  mkdirSync(dir, { recursive: true });
  const stateFile = path.join(dir, 'running.json');
  if (existsSync(stateFile)) {
    const state = JSON.parse(readFileSync(stateFile, 'utf8')) as { pid: number; port: number };
    if (isProcessAlive(state.pid) && (await ping(state.port))) {
      log(`joining the private redis-server already running (pid ${state.pid}, port ${state.port})`);
      return { url: `redis://127.0.0.1:${state.port}`, owned: false, stop: () => Promise.resolve() };
    }
    rmSync(stateFile, { force: true });
  }
  const probe = spawnSync(binary, ['--version'], { encoding: 'utf8' });
  if (probe.error) {
    throw new Error(
      `redis-server is not installed (${probe.error.message}). Run "bash scripts/install-system-packages.sh" or set REDIS_URL.`,
    );
  }
  const port = await freePort();
  const child = spawn(
    binary,
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--appendonly',
      'yes',
      '--save',
      '',
      '--maxmemory-policy',
      'noeviction',
      '--protected-mode',
      'yes',
      '--daemonize',
      'no',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  child.stderr?.on('data', (d: Buffer) => log(d.toString().trim()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 15_000;
  while (!(await ping(port))) {
    if (child.exitCode !== null || Date.now() > deadline)
      throw new Error(`redis-server did not start on port ${port}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  writeFileSync(stateFile, JSON.stringify({ pid: child.pid, port }));
  log(`private redis-server ready on 127.0.0.1:${port}`);
  let stopped = false;
  return {
    url: `redis://127.0.0.1:${port}`,
    owned: true,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      child.kill('SIGTERM');
      await exited;
      rmSync(stateFile, { force: true });
    },
  };
}
