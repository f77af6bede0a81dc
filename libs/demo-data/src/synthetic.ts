import { Client } from 'pg';
import { FOLD_ROLLUP_SQL } from '@sunshine/monitoring';

/**
 * National-scale synthetic data on the real schema, deterministic for a seed, generated inside PostgreSQL
 * (INSERT … SELECT over generate_series, values from md5 of the seed and the row's position), so that a
 * million projects and ten million payments do not travel through Node.
 *
 * Shape per scale (counts multiply down the tree): provinces × cities × counties × townships × villages,
 * projects per county, payments per project. National ≈ 31 provinces, 2,790 counties (30 % poor), 125,550
 * villages, ~1M projects, ~10M payments. Synthetic codes use provinces 60–90 (no clash with the demo's real
 * 41/44/45 codes). Every balance is backed by ledger entries, so the integrity check passes; audit rows are
 * not generated (the data was never written by a user).
 */
export const SCALES = {
  county: { provinces: 1, cities: 1, counties: 1, townships: 5, villages: 9, projects: 358, payments: 10 },
  province: { provinces: 1, cities: 9, counties: 10, townships: 5, villages: 9, projects: 358, payments: 10 },
  national: {
    provinces: 31,
    cities: 9,
    counties: 10,
    townships: 5,
    villages: 9,
    projects: 358,
    payments: 10,
  },
} as const;
export type Scale = keyof typeof SCALES;

export interface GenerateResult {
  scale: Scale;
  seed: number;
  year: number;
  counts: Record<string, number>;
  seconds: Record<string, number>;
}

/** rough bytes per generated payment (payment + ledger entry + their indexes), for the disk check */
export const BYTES_PER_PAYMENT = 900;

export async function generateSynthetic(
  databaseUrl: string,
  scale: Scale,
  seed: number,
  log: (line: string) => void = () => undefined,
): Promise<GenerateResult> {
  const s = SCALES[scale];
  const year = 2025;
  const client = new Client({ connectionString: databaseUrl, application_name: 'sunshine-generate' });
  await client.connect();
  const seconds: Record<string, number> = {};
  const step = async (name: string, sql: string, params: unknown[] = []) => {
    const t0 = Date.now();
    const res = await client.query(sql, params);
    seconds[name] = (seconds[name] ?? 0) + (Date.now() - t0) / 1000;
    log(`${name}: ${res.rowCount ?? 0} rows in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  };
  try {
    const admin = await client.query<{ id: string }>(`SELECT id FROM users WHERE username = 'admin'`);
    if (admin.rows.length === 0) throw new Error('run `npm run setup` first: the admin user is missing');
    const by = admin.rows[0].id;
    const existing = await client.query<{ n: string }>(
      `SELECT count(*)::text AS n FROM projects WHERE code LIKE 'SYN-%'`,
    );
    if (Number(existing.rows[0].n) > 0) {
      throw new Error('this database holds synthetic data already: generate into a fresh database');
    }
    await client.query(`SET synchronous_commit = off`);
    await client.query('BEGIN');
    // deterministic helpers for this session: h(key) → 0..2^31-1
    await client.query(
      `CREATE TEMP TABLE gen_params AS SELECT $1::int AS seed, $2::int AS year, $3::uuid AS by`,
      [seed, year, by],
    );
    await client.query(`
      CREATE OR REPLACE FUNCTION pg_temp.h(k text) RETURNS bigint LANGUAGE sql IMMUTABLE AS
        $$ SELECT ('x' || substr(md5(k), 1, 8))::bit(32)::bigint & 2147483647 $$;
      CREATE OR REPLACE FUNCTION pg_temp.gid(k text) RETURNS uuid LANGUAGE sql IMMUTABLE AS $$ SELECT md5(k)::uuid $$;
    `);
    const P = s.provinces;
    // ---- jurisdictions -------------------------------------------------------------------------
    await step(
      'jurisdictions',
      `WITH p AS (SELECT g AS pi, (60 + g)::text || '0000' AS code FROM generate_series(0, $1 - 1) g),
            c AS (SELECT pi, ci, left(p.code, 2) || lpad(ci::text, 2, '0') || '00' AS code, p.code AS parent
                  FROM p, generate_series(1, $2) ci),
            k AS (SELECT pi, ci, ki, left(c.code, 4) || lpad(ki::text, 2, '0') AS code, c.code AS parent
                  FROM c, generate_series(1, $3) ki),
            t AS (SELECT k.code || lpad(ti::text, 3, '0') AS code, k.code AS parent FROM k, generate_series(1, $4) ti),
            v AS (SELECT t.code || lpad(vi::text, 3, '0') AS code, t.code AS parent FROM t, generate_series(1, $5) vi),
            allj AS (
              SELECT code, '合成省' || code AS name, 'province' AS level, '000000' AS parent, 1 AS depth FROM p
              UNION ALL SELECT code, '合成市' || code, 'city', parent, 2 FROM c
              UNION ALL SELECT code, CASE WHEN ki <= 3 THEN '合成贫困县' ELSE '合成县' END || code, 'county', parent, 3 FROM k
              UNION ALL SELECT code, '合成镇' || code, 'township', parent, 4 FROM t
              UNION ALL SELECT code, '合成村' || code, 'village', parent, 5 FROM v)
       INSERT INTO jurisdictions (code, name, level, parent_code, path, depth)
       SELECT code, name, level, parent,
              '/000000/' || CASE level
                WHEN 'province' THEN code || '/'
                WHEN 'city' THEN left(code, 2) || '0000/' || code || '/'
                WHEN 'county' THEN left(code, 2) || '0000/' || left(code, 4) || '00/' || code || '/'
                WHEN 'township' THEN left(code, 2) || '0000/' || left(code, 4) || '00/' || left(code, 6) || '/' || code || '/'
                ELSE left(code, 2) || '0000/' || left(code, 4) || '00/' || left(code, 6) || '/' || left(code, 9) || '/' || code || '/'
              END, depth
       FROM allj ORDER BY depth, code
       ON CONFLICT (code) DO NOTHING`,
      [P, s.cities, s.counties, s.townships, s.villages],
    );
    await step(
      'poor villages',
      `INSERT INTO poor_villages (village_code, registered_on, updated_by)
       SELECT code, DATE '2014-10-17', (SELECT by FROM gen_params) FROM jurisdictions
       WHERE level = 'village' AND left(code, 2)::int BETWEEN 60 AND 90 ON CONFLICT DO NOTHING`,
    );
    // ---- projects (one per county × j), funding amount and paid share from the hash --------------
    await step(
      'projects',
      `CREATE TEMP TABLE gen_projects AS
       SELECT pg_temp.gid(gp.seed || ':project:' || k.code || ':' || j) AS id, k.code AS county,
              k.code || lpad((1 + pg_temp.h(gp.seed || ':v:' || k.code || ':' || j) % ($1::int * $2::int))::text, 6, '0') AS village_raw,
              j, (10000000 + pg_temp.h(gp.seed || ':amt:' || k.code || ':' || j) % 190000000) AS funded,
              (70 + pg_temp.h(gp.seed || ':pct:' || k.code || ':' || j) % 26) AS pct
       FROM jurisdictions k, gen_params gp, generate_series(1, $3::int) j
       WHERE k.level = 'county' AND left(k.code, 2)::int BETWEEN 60 AND 90`,
      [s.townships, s.villages, s.projects],
    );
    // village_raw picks township t and village v from one number: t = n / villages + 1, v = n % villages + 1
    await client.query(`
      ALTER TABLE gen_projects ADD COLUMN village text;
      UPDATE gen_projects SET village = county
        || lpad((((right(village_raw, 6)::int - 1) / ${s.villages}) + 1)::text, 3, '0')
        || lpad((((right(village_raw, 6)::int - 1) % ${s.villages}) + 1)::text, 3, '0');
      ALTER TABLE gen_projects ADD COLUMN paid_each bigint;
      UPDATE gen_projects SET paid_each = (funded * pct / 100) / ${s.payments};
    `);
    await step(
      'projects insert',
      `INSERT INTO projects (id, code, name, category_code, jurisdiction_code, owner_unit, responsible_person, planned_budget,
         start_on, end_on, benefit_mechanism, state, funded, paid, created_by)
       SELECT id, 'SYN-' || village || '-' || lpad(j::text, 4, '0'), '合成项目' || j, 'INFRA_ROAD', village,
              '合成县交通运输局' || county, '责任人', funded, make_date(gp.year, 3, 1), make_date(gp.year, 12, 31),
              '带贫机制', 'implementing', funded, paid_each * ${s.payments}, gp.by
       FROM gen_projects, gen_params gp`,
    );
    // ---- budget lines: a central line per province, allocated to its cities, then to its counties --
    await step(
      'county needs',
      `CREATE TEMP TABLE gen_counties AS
       SELECT county AS code, sum(funded) AS assigned, sum(paid_each * ${s.payments}) AS paid,
              sum(funded) + sum(funded) / 10 AS amount
       FROM gen_projects GROUP BY county`,
    );
    await step(
      'lines',
      `CREATE TEMP TABLE gen_lines AS
       WITH pc AS (
         SELECT left(code, 2) || '0000' AS province, left(code, 4) || '00' AS city, code AS county, amount, assigned, paid
         FROM gen_counties)
       SELECT pg_temp.gid(gp.seed || ':line:' || province) AS id, province AS holder, NULL::text AS parent_holder,
              sum(amount) AS amount, sum(amount) AS allocated_down, 0::bigint AS assigned, 0::bigint AS paid, 1 AS depth,
              make_date(gp.year, 2, 1) + (pg_temp.h(gp.seed || ':d:' || province) % 20)::int AS received_on
       FROM pc, gen_params gp GROUP BY province, gp.seed, gp.year
       UNION ALL
       SELECT pg_temp.gid(gp.seed || ':line:' || city), city, province, sum(amount), sum(amount), 0, 0, 2, NULL
       FROM pc, gen_params gp GROUP BY city, province, gp.seed
       UNION ALL
       SELECT pg_temp.gid(gp.seed || ':line:' || county), county, city, amount, 0, assigned, paid, 3, NULL
       FROM pc, gen_params gp`,
    );
    // dates: a city receives 10 days after its province, a county 10–70 days after its city
    await client.query(`
      UPDATE gen_lines c SET received_on = p.received_on + 10 FROM gen_lines p WHERE c.depth = 2 AND p.holder = c.parent_holder;
      UPDATE gen_lines c SET received_on = p.received_on + 10 + (pg_temp.h((SELECT seed FROM gen_params) || ':d:' || c.holder) % 60)::int
        FROM gen_lines p WHERE c.depth = 3 AND p.holder = c.parent_holder;
    `);
    await client.query(`
      ALTER TABLE gen_projects ADD COLUMN received date;
      UPDATE gen_projects p SET received = l.received_on FROM gen_lines l WHERE l.holder = p.county;
    `);
    await step(
      'budget lines insert',
      `INSERT INTO budget_lines (id, year, source_code, jurisdiction_code, holder_department, document_no, title, amount,
         allocated_down, assigned_to_projects, paid, received_on, parent_line_id, origin_allocation_id, created_by)
       SELECT l.id, gp.year, 'CN-FIN', l.holder, '合成财政局' || l.holder, '合成〔' || gp.year || '〕' || l.holder || '号',
              '合成中央财政专项扶贫资金', l.amount, l.allocated_down, l.assigned, l.paid, l.received_on,
              CASE WHEN l.parent_holder IS NULL THEN NULL ELSE pg_temp.gid(gp.seed || ':line:' || l.parent_holder) END,
              CASE WHEN l.parent_holder IS NULL THEN NULL ELSE pg_temp.gid(gp.seed || ':alloc:' || l.holder) END, gp.by
       FROM gen_lines l, gen_params gp ORDER BY l.depth`,
    );
    await step(
      'allocations insert',
      `INSERT INTO allocations (id, parent_line_id, child_line_id, from_jurisdiction_code, to_jurisdiction_code, amount,
         document_no, issued_on, received_on, created_by)
       SELECT pg_temp.gid(gp.seed || ':alloc:' || l.holder), pg_temp.gid(gp.seed || ':line:' || l.parent_holder), l.id,
              l.parent_holder, l.holder, l.amount, '合成分〔' || gp.year || '〕' || l.holder || '号', l.received_on, l.received_on, gp.by
       FROM gen_lines l, gen_params gp WHERE l.parent_holder IS NOT NULL`,
    );
    await step(
      'fundings insert',
      `INSERT INTO project_fundings (id, project_id, line_id, amount, paid, created_by)
       SELECT pg_temp.gid(gp.seed || ':funding:' || p.id), p.id, pg_temp.gid(gp.seed || ':line:' || p.county), p.funded,
              p.paid_each * ${s.payments}, gp.by
       FROM gen_projects p, gen_params gp`,
    );
    await step(
      'payments insert',
      `INSERT INTO payments (id, project_id, funding_id, line_id, county_code, year, amount, payee, purpose_code, invoice_no,
         paid_on, created_by)
       SELECT pg_temp.gid(gp.seed || ':payment:' || p.id || ':' || n), p.id, pg_temp.gid(gp.seed || ':funding:' || p.id),
              pg_temp.gid(gp.seed || ':line:' || p.county), p.county, gp.year, p.paid_each,
              '合成工程公司' || p.county, 'construction_works', 'SYN-' || p.id || '-' || n,
              p.received + 7 + (pg_temp.h(gp.seed || ':paid:' || p.id || ':' || n) % 200)::int, gp.by
       FROM gen_projects p, gen_params gp, generate_series(1, ${s.payments}) n`,
    );
    // ---- ledger entries backing every balance ----------------------------------------------------
    await step(
      'ledger entries: lines and allocations',
      `INSERT INTO ledger_entries (line_id, bucket, delta, entry_type, ref_type, ref_id, effective_on, counterpart_jurisdiction_code, created_by)
       SELECT l.id, 'amount', l.amount, CASE WHEN l.parent_holder IS NULL THEN 'budget' ELSE 'allocation_in' END,
              CASE WHEN l.parent_holder IS NULL THEN 'budget_line' ELSE 'allocation' END,
              CASE WHEN l.parent_holder IS NULL THEN l.id ELSE pg_temp.gid(gp.seed || ':alloc:' || l.holder) END,
              l.received_on, l.parent_holder, gp.by
       FROM gen_lines l, gen_params gp
       UNION ALL
       SELECT pg_temp.gid(gp.seed || ':line:' || l.parent_holder), 'allocated_down', l.amount, 'allocation_out', 'allocation',
              pg_temp.gid(gp.seed || ':alloc:' || l.holder), l.received_on, l.holder, gp.by
       FROM gen_lines l, gen_params gp WHERE l.parent_holder IS NOT NULL`,
    );
    await step(
      'ledger entries: fundings',
      `INSERT INTO ledger_entries (line_id, bucket, delta, entry_type, ref_type, ref_id, effective_on, counterpart_jurisdiction_code, created_by)
       SELECT pg_temp.gid(gp.seed || ':line:' || p.county), 'assigned_to_projects', p.funded, 'funding', 'funding',
              pg_temp.gid(gp.seed || ':funding:' || p.id), p.received + 5, p.village, gp.by
       FROM gen_projects p, gen_params gp`,
    );
    await step(
      'ledger entries: payments',
      `INSERT INTO ledger_entries (line_id, bucket, delta, entry_type, ref_type, ref_id, effective_on, counterpart_jurisdiction_code, created_by)
       SELECT line_id, 'paid', amount, 'payment', 'payment', id, paid_on, county_code, created_by
       FROM payments WHERE left(county_code, 2)::int BETWEEN 60 AND 90`,
    );
    await client.query('COMMIT');
    // the spending-progress read model: fold the queued entries (what the worker does every few seconds)
    const t0 = Date.now();
    let folded = 0;
    for (;;) {
      const r = await client.query<{ n: string }>(FOLD_ROLLUP_SQL, [2_000_000]);
      folded += Number(r.rows[0].n);
      if (Number(r.rows[0].n) < 2_000_000) break;
    }
    seconds['progress read model'] = (Date.now() - t0) / 1000;
    log(`progress read model: ${folded} entries folded in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    await step('vacuum queue', `VACUUM (ANALYZE) progress_rollup_pending`);
    await step('analyze', `ANALYZE`);
    const counts: Record<string, number> = {};
    for (const [name, sql] of Object.entries({
      counties: `SELECT count(*) FROM jurisdictions WHERE level = 'county' AND left(code, 2)::int BETWEEN 60 AND 90`,
      villages: `SELECT count(*) FROM poor_villages`,
      projects: `SELECT count(*) FROM projects WHERE code LIKE 'SYN-%'`,
      payments: `SELECT count(*) FROM payments WHERE left(county_code, 2)::int BETWEEN 60 AND 90`,
      ledgerEntries: `SELECT count(*) FROM ledger_entries`,
    })) {
      counts[name] = Number((await client.query<{ count: string }>(sql)).rows[0].count);
    }
    return { scale, seed, year, counts, seconds };
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    await client.end();
  }
}
