import { ensurePortalRole, portalDatabaseUrl } from '@sunshine/database';
import { ensureSecret } from '@sunshine/runtime';

/**
 * Sets PORTAL_DATABASE_URL unless given: the portal's own role (PORTAL_DB_ROLE, default sunshine_portal;
 * password PORTAL_DB_PASSWORD or a secret kept in DATA_DIR), created or updated with the owner's DATABASE_URL.
 */
export async function preparePortalDatabase(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  if (env.PORTAL_DATABASE_URL) return;
  const adminUrl = env.DATABASE_URL;
  if (!adminUrl) throw new Error('DATABASE_URL is not set');
  const role = env.PORTAL_DB_ROLE ?? 'sunshine_portal';
  const password = env.PORTAL_DB_PASSWORD ?? ensureSecret(env.DATA_DIR ?? './data', 'portal-db-password');
  await ensurePortalRole(adminUrl, role, password);
  env.PORTAL_DATABASE_URL = portalDatabaseUrl(adminUrl, role, password);
}
