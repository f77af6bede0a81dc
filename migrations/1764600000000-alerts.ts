import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Alerts raised by the monitors (one open alert per rule and subject, however often the monitors run) and
 * the monitor runs themselves (one row per run key, so a run restarted after a crash completes once).
 */
export class Alerts1764600000000 implements MigrationInterface {
  name = 'Alerts1764600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE alerts (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        rule text NOT NULL CHECK (rule IN ('PROGRESS_BEHIND','IDLE_FUNDS','CARRY_OVER','LATE_ISSUANCE','NO_PROGRESS_REPORT','NOTICE_OVERDUE')),
        subject_type text NOT NULL,
        subject_id text NOT NULL,
        jurisdiction_code varchar(12) NOT NULL REFERENCES jurisdictions(code),
        severity text NOT NULL CHECK (severity IN ('yellow','red')),
        status text NOT NULL DEFAULT 'raised' CHECK (status IN ('raised','acknowledged','rectifying','resolved','escalated')),
        title text NOT NULL,
        details jsonb NOT NULL DEFAULT '{}',
        raised_on date NOT NULL,
        due_on date NOT NULL,
        last_seen_on date NOT NULL,
        acknowledged_by uuid REFERENCES users(id),
        acknowledged_at timestamptz,
        plan text,
        plan_due_on date,
        planned_by uuid REFERENCES users(id),
        planned_at timestamptz,
        resolved_by uuid REFERENCES users(id),
        resolved_at timestamptz,
        evidence text,
        escalated_to varchar(12) REFERENCES jurisdictions(code),
        escalated_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      -- one open alert per (rule, subject): monitors run again and again without duplicates
      CREATE UNIQUE INDEX alerts_open_uq ON alerts (rule, subject_id) WHERE status <> 'resolved';
      CREATE INDEX alerts_jurisdiction_idx ON alerts (jurisdiction_code, status);
      CREATE INDEX alerts_escalated_idx ON alerts (escalated_to, status);

      CREATE TABLE monitor_runs (
        run_key text PRIMARY KEY,
        as_of date NOT NULL,
        status text NOT NULL CHECK (status IN ('running','done')),
        attempts integer NOT NULL DEFAULT 1,
        raised integer NOT NULL DEFAULT 0,
        seen integer NOT NULL DEFAULT 0,
        escalated integer NOT NULL DEFAULT 0,
        warnings jsonb NOT NULL DEFAULT '[]',
        started_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz
      );
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE monitor_runs; DROP TABLE alerts;`);
  }
}
