import { Client } from 'pg';

/** What the public site may read: views over published data only (CONVENTIONS: apps/portal). */
export const PORTAL_READABLE_VIEWS = [
  'public_notices',
  'public_notice_versions',
  'public_objections',
  'public_budget_lines',
  'public_allocations',
  'public_projects',
  'public_targets',
] as const;

/** …and the one table it may write, without reading it back (citizens' objections). */
export const PORTAL_INSERT_TABLES = ['objections'] as const;

/**
 * Creates (or updates) the portal's login role idempotently and grants it exactly SELECT on the public views
 * and INSERT on the objection intake; any other privilege it had is revoked. Runs with the owner's URL.
 */
export async function ensurePortalRole(adminUrl: string, role: string, password: string): Promise<void> {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(role))
    throw new Error(`portal role name ${role} is not a plain identifier`);
  const client = new Client({ connectionString: adminUrl, application_name: 'sunshine-portal-role' });
  await client.connect();
  try {
    // roles are cluster-wide: two start-ups at once (two databases on one server) may race; the loser retries
    for (let attempt = 1; ; attempt++) {
      try {
        const exists = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
        const verb = exists.rowCount === 0 ? 'CREATE' : 'ALTER';
        const { rows } = await client.query<{ sql: string }>(
          `SELECT format('${verb} ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT PASSWORD %L', $1::text, $2::text) AS sql`,
          [role, password],
        );
        await client.query(rows[0].sql);
        break;
      } catch (e) {
        // 42710 duplicate_object, XX000 tuple concurrently updated
        const code = (e as { code?: string }).code;
        if (attempt >= 5 || (code !== '42710' && code !== 'XX000')) throw e;
        await new Promise((r) => setTimeout(r, 50 * attempt));
      }
    }
    const db = (await client.query<{ db: string }>('SELECT current_database() AS db')).rows[0].db;
    const id = (s: string) => client.escapeIdentifier(s);
    await client.query(`GRANT CONNECT ON DATABASE ${id(db)} TO ${id(role)}`);
    await client.query(`GRANT USAGE ON SCHEMA public TO ${id(role)}`);
    await client.query(`REVOKE ALL ON ALL TABLES IN SCHEMA public FROM ${id(role)}`);
    await client.query(`REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM ${id(role)}`);
    await client.query(`GRANT SELECT ON ${PORTAL_READABLE_VIEWS.map(id).join(', ')} TO ${id(role)}`);
    await client.query(`GRANT INSERT ON ${PORTAL_INSERT_TABLES.map(id).join(', ')} TO ${id(role)}`);
  } finally {
    await client.end();
  }
}

/** The owner's URL with the portal role's name and password instead. */
export function portalDatabaseUrl(adminUrl: string, role: string, password: string): string {
  const url = new URL(adminUrl);
  url.username = role;
  url.password = password;
  return url.toString();
}
