import path from 'node:path';
import { startEmbeddedPostgres, RunningService } from './embedded-postgres';
import { startEmbeddedRedis } from './embedded-redis';

export interface BackingServices {
  databaseUrl: string;
  redisUrl: string;
  embedded: { postgres: boolean; redis: boolean };
  stop(): Promise<void>;
}

/**
 * DATABASE_URL / REDIS_URL when given; otherwise the private PostgreSQL (embedded-postgres) and a
 * private redis-server under DATA_DIR. Sets process.env so that every module reads the same URLs.
 */
export async function ensureBackingServices(
  env: NodeJS.ProcessEnv = process.env,
  opts: { redis?: boolean } = {},
): Promise<BackingServices> {
  const dataDir = path.resolve(env.DATA_DIR ?? './data');
  const started: RunningService[] = [];
  let databaseUrl = env.DATABASE_URL;
  let redisUrl = env.REDIS_URL;
  const embedded = { postgres: !databaseUrl, redis: !redisUrl && opts.redis !== false };
  try {
    if (!databaseUrl) {
      const pg = await startEmbeddedPostgres({ dataDir, password: env.EMBEDDED_PG_PASSWORD });
      started.push(pg);
      databaseUrl = pg.url;
    }
    if (!redisUrl && opts.redis !== false) {
      const redis = await startEmbeddedRedis({ dataDir });
      started.push(redis);
      redisUrl = redis.url;
    }
  } catch (e) {
    for (const s of started.reverse()) await s.stop().catch(() => undefined);
    throw e;
  }
  env.DATABASE_URL = databaseUrl;
  if (redisUrl) env.REDIS_URL = redisUrl;
  return {
    databaseUrl,
    redisUrl: redisUrl ?? '',
    embedded,
    stop: async () => {
      for (const s of [...started].reverse()) await s.stop().catch(() => undefined);
    },
  };
}

/** Runs `close` once on SIGINT/SIGTERM, then exits. */
export function onShutdownSignal(close: () => Promise<void>): void {
  let closing = false;
  const handler = (signal: NodeJS.Signals): void => {
    if (closing) return;
    closing = true;
    process.stderr.write(`received ${signal}, shutting down\n`);
    close()
      .catch((e: unknown) => process.stderr.write(`shutdown error: ${String(e)}\n`))
      .finally(() => process.exit(0));
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}
