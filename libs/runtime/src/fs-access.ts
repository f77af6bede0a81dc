import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import path from 'node:path';

export const isRoot = (): boolean => typeof process.getuid === 'function' && process.getuid() === 0;

/**
 * True when a user other than the owner can traverse every folder from / down to `target`
 * (mode o+x on each). As root, PostgreSQL runs as the `postgres` user, which needs that: a clone
 * under a 0700 folder (e.g. `mktemp -d`) is not traversable and initdb fails with EACCES.
 */
export function othersCanTraverse(target: string): boolean {
  let dir = path.resolve(target);
  for (;;) {
    try {
      const st = statSync(dir);
      if (st.isDirectory() && (st.mode & 0o001) === 0) return false;
    } catch {
      // a folder that does not exist yet will be created with a traversable mode
    }
    const parent = path.dirname(dir);
    if (parent === dir) return true;
    dir = parent;
  }
}

/** Where runtime files go when the configured place cannot be traversed by the postgres user. */
export const SYSTEM_RUNTIME_ROOT = '/var/lib/sunshine-funds';

export function fallbackDirFor(configured: string, kind: string): string {
  const digest = createHash('sha1').update(path.resolve(configured)).digest('hex').slice(0, 12);
  return path.join(SYSTEM_RUNTIME_ROOT, `${kind}-${digest}`);
}
