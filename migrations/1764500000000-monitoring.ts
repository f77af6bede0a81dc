import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Monitoring, first part: milestone schedules (序时进度, per jurisdiction, year and optionally source;
 * multi-year plans are schedules whose milestones span years), working-day calendar overrides (years the
 * holiday package does not cover yet, local decisions), and an index for as-of queries on the ledger.
 */
export class Monitoring1764500000000 implements MigrationInterface {
  name = 'Monitoring1764500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE milestone_schedules (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        jurisdiction_code varchar(12) NOT NULL REFERENCES jurisdictions(code),
        year smallint NOT NULL CHECK (year BETWEEN 2000 AND 2100),
        source_code text REFERENCES fund_sources(code),
        milestones jsonb NOT NULL CHECK (jsonb_typeof(milestones) = 'array' AND jsonb_array_length(milestones) > 0),
        note text,
        created_by uuid NOT NULL REFERENCES users(id),
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE UNIQUE INDEX milestone_schedules_uq ON milestone_schedules (jurisdiction_code, year, coalesce(source_code, ''));

      CREATE TABLE calendar_overrides (
        day date PRIMARY KEY,
        working boolean NOT NULL,
        note text NOT NULL,
        created_by uuid NOT NULL REFERENCES users(id),
        created_at timestamptz NOT NULL DEFAULT now()
      );

      CREATE INDEX ledger_entries_bucket_date_idx ON ledger_entries (line_id, bucket, effective_on);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP INDEX ledger_entries_bucket_date_idx;
      DROP TABLE calendar_overrides;
      DROP TABLE milestone_schedules;
    `);
  }
}
