import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/**
 * The rows an entry contributes: one per ancestor-or-self `a` of the line's holder (from the materialised
 * path), `entering` when the line's parent is held outside a's subtree (or the line has no parent), `own`
 * when a is the holder itself. Used by the fold (over taken entries) and by readers (over pending ones).
 */
const CONTRIBUTIONS = (entries: string) => `
  SELECT a.code AS jurisdiction_code, l.year, l.source_code, e.bucket,
         (pj.path IS NULL OR position('/' || a.code || '/' IN pj.path) = 0) AS entering,
         (a.code = l.jurisdiction_code) AS own, e.effective_on AS day, e.delta
  FROM ${entries} e
  JOIN budget_lines l ON l.id = e.line_id
  JOIN jurisdictions j ON j.code = l.jurisdiction_code
  CROSS JOIN LATERAL unnest(string_to_array(trim(BOTH '/' FROM j.path), '/')) AS a(code)
  LEFT JOIN budget_lines p ON p.id = l.parent_line_id
  LEFT JOIN jurisdictions pj ON pj.code = p.jurisdiction_code`;

/** Folds up to $1 queued entries into progress_rollup in one statement (and so one transaction); returns n. */
export const FOLD_ROLLUP_SQL = `WITH taken AS (
         DELETE FROM progress_rollup_pending WHERE entry_id IN (
           SELECT entry_id FROM progress_rollup_pending ORDER BY entry_id LIMIT $1 FOR UPDATE SKIP LOCKED)
         RETURNING entry_id),
       entries AS (SELECT e.* FROM taken t JOIN ledger_entries e ON e.id = t.entry_id),
       sums AS (
         SELECT jurisdiction_code, year, source_code, bucket, entering, own, day, sum(delta) AS total
         FROM (${CONTRIBUTIONS('entries')}) c GROUP BY 1, 2, 3, 4, 5, 6, 7),
       upsert AS (
         INSERT INTO progress_rollup AS r (jurisdiction_code, year, source_code, bucket, entering, own, day, total)
         SELECT * FROM sums
         ON CONFLICT (jurisdiction_code, year, source_code, bucket, entering, own, day)
         DO UPDATE SET total = r.total + EXCLUDED.total
         RETURNING 1)
       SELECT (SELECT count(*) FROM taken)::text AS n`;

export interface ProgressSums {
  received: bigint;
  passedDown: bigint;
  assigned: bigint;
  paid: bigint;
}

/** The spending-progress read model: folding the queue of new ledger entries, and exact reads. */
@Injectable()
export class ProgressRollupService {
  constructor(private readonly dataSource: DataSource) {}

  /** Folds up to `batch` queued entries in one transaction; returns how many were folded. */
  async fold(batch = 50_000): Promise<number> {
    const rows = await this.dataSource.query<{ n: string }[]>(FOLD_ROLLUP_SQL, [batch]);
    return Number(rows[0].n);
  }

  /** Folds until the queue is empty (after a bulk load); returns the number of entries folded. */
  async foldAll(batch = 200_000): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.fold(batch);
      total += n;
      if (n < batch) break;
    }
    if (total > 100_000) {
      // after a bulk fold the queue is a heap of dead rows and its statistics are stale: clean both
      await this.dataSource.query('VACUUM (ANALYZE) progress_rollup_pending');
      await this.dataSource.query('ANALYZE progress_rollup');
    }
    return total;
  }

  /**
   * Compares the folded read model with the ledger: each holder's own rows (one per folded entry) per year,
   * source and bucket, and the nation's rows per year, source, bucket and day. Returns the differences.
   */
  async verify(limit = 1000): Promise<{ scope: string; key: string; expected: string; actual: string }[]> {
    const rows = await this.dataSource.query<
      { scope: string; key: string; expected: string; actual: string }[]
    >(
      `WITH folded AS (
         SELECT e.*, l.jurisdiction_code AS holder, l.year, l.source_code FROM ledger_entries e
         JOIN budget_lines l ON l.id = e.line_id
         WHERE NOT EXISTS (SELECT 1 FROM progress_rollup_pending q WHERE q.entry_id = e.id)),
       holder_expected AS (
         SELECT holder || '/' || year || '/' || source_code || '/' || bucket AS key, sum(delta) AS total
         FROM folded GROUP BY holder, year, source_code, bucket),
       holder_actual AS (
         SELECT jurisdiction_code || '/' || year || '/' || source_code || '/' || bucket AS key, sum(total) AS total
         FROM progress_rollup WHERE own GROUP BY jurisdiction_code, year, source_code, bucket),
       nation_expected AS (
         SELECT year || '/' || source_code || '/' || bucket || '/' || effective_on AS key, sum(delta) AS total
         FROM folded GROUP BY year, source_code, bucket, effective_on),
       nation_actual AS (
         SELECT year || '/' || source_code || '/' || bucket || '/' || day AS key, sum(total) AS total
         FROM progress_rollup WHERE jurisdiction_code = '000000' GROUP BY year, source_code, bucket, day)
       SELECT 'holder' AS scope, coalesce(e.key, a.key) AS key, coalesce(e.total, 0)::text AS expected,
              coalesce(a.total, 0)::text AS actual
       FROM holder_expected e FULL JOIN holder_actual a ON a.key = e.key
       WHERE coalesce(e.total, 0) <> coalesce(a.total, 0)
       UNION ALL
       SELECT 'nation', coalesce(e.key, a.key), coalesce(e.total, 0)::text, coalesce(a.total, 0)::text
       FROM nation_expected e FULL JOIN nation_actual a ON a.key = e.key
       WHERE coalesce(e.total, 0) <> coalesce(a.total, 0)
       LIMIT $1`,
      [limit],
    );
    return rows;
  }

  /** Totals per jurisdiction as of a date: the folded rows plus the entries still queued. */
  async sums(
    codes: string[],
    year: number,
    asOf: string,
    sourceCode: string | null,
  ): Promise<Map<string, ProgressSums>> {
    const rows = await this.dataSource.query<
      { jurisdiction_code: string; received: string; passed_down: string; assigned: string; paid: string }[]
    >(
      `WITH pending AS (
         -- entry by entry through the primary key: the queue is short, whatever the statistics say
         SELECT e.* FROM progress_rollup_pending q CROSS JOIN LATERAL (
           SELECT * FROM ledger_entries x WHERE x.id = q.entry_id) e),
       pending_rows AS (
         SELECT * FROM (${CONTRIBUTIONS('pending')}) c WHERE c.jurisdiction_code = ANY($1::text[])),
       all_rows AS (
         SELECT jurisdiction_code, year, source_code, bucket, entering, own, day, total FROM progress_rollup
         WHERE jurisdiction_code = ANY($1::text[]) AND year = $2 AND day <= $3::date
         UNION ALL
         SELECT jurisdiction_code, year, source_code, bucket, entering, own, day, delta FROM pending_rows
         WHERE year = $2 AND day <= $3::date)
       SELECT jurisdiction_code,
         coalesce(sum(total) FILTER (WHERE bucket = 'amount' AND entering), 0)::text AS received,
         coalesce(sum(total) FILTER (WHERE bucket = 'allocated_down' AND own), 0)::text AS passed_down,
         coalesce(sum(total) FILTER (WHERE bucket = 'assigned_to_projects'), 0)::text AS assigned,
         coalesce(sum(total) FILTER (WHERE bucket = 'paid'), 0)::text AS paid
       FROM all_rows WHERE ($4::text IS NULL OR source_code = $4) GROUP BY jurisdiction_code`,
      [codes, year, asOf, sourceCode],
    );
    const out = new Map<string, ProgressSums>();
    for (const r of rows) {
      out.set(r.jurisdiction_code, {
        received: BigInt(r.received),
        passedDown: BigInt(r.passed_down),
        assigned: BigInt(r.assigned),
        paid: BigInt(r.paid),
      });
    }
    return out;
  }
}
