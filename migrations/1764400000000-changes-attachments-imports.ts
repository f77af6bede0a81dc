import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * 项目变更 (change requests after approval, with before/after and decision), progress-report attachments
 * (content-addressed files, SHA-256 kept), and import runs (file hash, outcome, row-level errors).
 */
export class ChangesAttachmentsImports1764400000000 implements MigrationInterface {
  name = 'ChangesAttachmentsImports1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE project_change_requests (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        project_id uuid NOT NULL REFERENCES projects(id),
        fields text[] NOT NULL CHECK (cardinality(fields) > 0),
        before jsonb NOT NULL,
        after jsonb NOT NULL,
        reason text NOT NULL,
        status text NOT NULL DEFAULT 'requested' CHECK (status IN ('requested','approved','rejected','withdrawn')),
        requested_by uuid NOT NULL REFERENCES users(id),
        requested_at timestamptz NOT NULL DEFAULT now(),
        decided_by uuid REFERENCES users(id),
        decided_at timestamptz,
        decision_comment text,
        CHECK ((status = 'requested') = (decided_at IS NULL))
      );
      -- at most one open change request per project
      CREATE UNIQUE INDEX project_change_open_uq ON project_change_requests (project_id) WHERE status = 'requested';

      CREATE TABLE progress_report_attachments (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        report_id uuid NOT NULL REFERENCES project_progress_reports(id),
        project_id uuid NOT NULL REFERENCES projects(id),
        filename text NOT NULL,
        content_type text NOT NULL,
        size_bytes integer NOT NULL CHECK (size_bytes > 0),
        sha256 char(64) NOT NULL,
        storage_key text NOT NULL,
        uploaded_by uuid NOT NULL REFERENCES users(id),
        uploaded_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX progress_attachments_report_idx ON progress_report_attachments (report_id);

      CREATE TABLE import_runs (
        id uuid PRIMARY KEY,
        kind text NOT NULL CHECK (kind IN ('allocations','payments')),
        filename text NOT NULL,
        sha256 char(64) NOT NULL,
        format text NOT NULL,
        encoding text,
        status text NOT NULL CHECK (status IN ('applied','rejected')),
        row_count integer NOT NULL,
        errors jsonb NOT NULL DEFAULT '[]',
        duration_ms integer NOT NULL,
        created_by uuid NOT NULL REFERENCES users(id),
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX import_runs_user_idx ON import_runs (created_by, created_at);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `DROP TABLE import_runs; DROP TABLE progress_report_attachments; DROP TABLE project_change_requests;`,
    );
  }
}
