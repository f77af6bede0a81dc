import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Step 1 schema: jurisdictions and reference data, identity, fund ledger (budget lines, allocations,
 * append-only ledger entries), period closing, hash-chained audit log, domain-event outbox,
 * idempotency keys and the ledger integrity check. Money columns are bigint fen.
 */
export class Foundation1764000000000 implements MigrationInterface {
  name = 'Foundation1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE jurisdictions (
        code varchar(12) PRIMARY KEY CHECK (code ~ '^[0-9]{6}([0-9]{3}){0,2}$'),
        name text NOT NULL,
        level text NOT NULL CHECK (level IN ('nation','province','city','county','township','village')),
        parent_code varchar(12) REFERENCES jurisdictions(code),
        path text NOT NULL UNIQUE,
        depth smallint NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CHECK ((parent_code IS NULL) = (level = 'nation'))
      );
      COMMENT ON COLUMN jurisdictions.path IS 'materialised ancestry, e.g. /000000/450000/450100/ ; subtree = path LIKE prefix%';
      CREATE INDEX jurisdictions_path_idx ON jurisdictions (path text_pattern_ops);
      CREATE INDEX jurisdictions_parent_idx ON jurisdictions (parent_code);

      -- 对口帮扶: donor jurisdiction assists recipient jurisdiction
      CREATE TABLE pairing_relations (
        donor_code varchar(12) NOT NULL REFERENCES jurisdictions(code),
        recipient_code varchar(12) NOT NULL REFERENCES jurisdictions(code),
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (donor_code, recipient_code),
        CHECK (donor_code <> recipient_code)
      );

      CREATE TABLE project_categories (
        code text PRIMARY KEY,
        name text NOT NULL,
        parent_code text REFERENCES project_categories(code)
      );

      CREATE TABLE fund_sources (
        code text PRIMARY KEY,
        name text NOT NULL,
        level text NOT NULL CHECK (level IN ('central','province','city','county','other')),
        channel text NOT NULL CHECK (channel IN ('special','integrated','work_relief','ethnic','pairing','donation','microcredit'))
      );
      CREATE TABLE fund_source_categories (
        source_code text NOT NULL REFERENCES fund_sources(code),
        category_code text NOT NULL REFERENCES project_categories(code),
        PRIMARY KEY (source_code, category_code)
      );

      CREATE TABLE payment_purposes (
        code text PRIMARY KEY,
        name text NOT NULL,
        prohibited boolean NOT NULL DEFAULT false,
        basis text
      );

      CREATE TABLE users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        username text NOT NULL UNIQUE CHECK (username ~ '^[a-z0-9][a-z0-9._-]{1,62}$'),
        password_hash text NOT NULL,
        role text NOT NULL CHECK (role IN ('admin','finance','poverty_office','project_owner','auditor')),
        jurisdiction_code varchar(12) NOT NULL REFERENCES jurisdictions(code),
        unit text,
        active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        password_changed_at timestamptz NOT NULL DEFAULT now(),
        CHECK (role <> 'project_owner' OR unit IS NOT NULL)
      );
      CREATE TABLE login_failures (
        id bigserial PRIMARY KEY,
        username text NOT NULL,
        at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX login_failures_username_at_idx ON login_failures (username, at);

      -- 资金指标: a budget line held by a jurisdiction; child lines are created by allocations
      CREATE TABLE budget_lines (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        year smallint NOT NULL CHECK (year BETWEEN 2000 AND 2100),
        source_code text NOT NULL REFERENCES fund_sources(code),
        jurisdiction_code varchar(12) NOT NULL REFERENCES jurisdictions(code),
        holder_department text NOT NULL,
        document_no text NOT NULL,
        title text NOT NULL,
        amount bigint NOT NULL DEFAULT 0 CHECK (amount >= 0),
        allocated_down bigint NOT NULL DEFAULT 0 CHECK (allocated_down >= 0),
        assigned_to_projects bigint NOT NULL DEFAULT 0 CHECK (assigned_to_projects >= 0),
        paid bigint NOT NULL DEFAULT 0 CHECK (paid >= 0),
        received_on date NOT NULL,
        parent_line_id uuid REFERENCES budget_lines(id),
        origin_allocation_id uuid,
        status text NOT NULL DEFAULT 'active' CHECK (status IN ('active','reversed')),
        created_by uuid REFERENCES users(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT budget_lines_conservation CHECK (allocated_down + assigned_to_projects <= amount),
        CONSTRAINT budget_lines_paid_within_assigned CHECK (paid <= assigned_to_projects)
      );
      CREATE INDEX budget_lines_jurisdiction_year_idx ON budget_lines (jurisdiction_code, year);
      CREATE INDEX budget_lines_parent_idx ON budget_lines (parent_line_id);
      CREATE INDEX budget_lines_created_idx ON budget_lines (created_at, id);

      -- 切块下达 / 分配: part of a line passed to another jurisdiction as a child line
      CREATE TABLE allocations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        parent_line_id uuid NOT NULL REFERENCES budget_lines(id),
        child_line_id uuid NOT NULL UNIQUE REFERENCES budget_lines(id),
        from_jurisdiction_code varchar(12) NOT NULL REFERENCES jurisdictions(code),
        to_jurisdiction_code varchar(12) NOT NULL REFERENCES jurisdictions(code),
        amount bigint NOT NULL CHECK (amount > 0),
        document_no text NOT NULL,
        issued_on date NOT NULL,
        received_on date NOT NULL,
        via_pairing boolean NOT NULL DEFAULT false,
        status text NOT NULL DEFAULT 'active' CHECK (status IN ('active','reversed')),
        reversed_on date,
        reversed_at timestamptz,
        reversed_by uuid REFERENCES users(id),
        reversal_reason text,
        created_by uuid REFERENCES users(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        CHECK (received_on >= issued_on),
        CHECK ((status = 'reversed') = (reversed_at IS NOT NULL))
      );
      CREATE INDEX allocations_parent_idx ON allocations (parent_line_id);
      CREATE INDEX allocations_to_idx ON allocations (to_jurisdiction_code);
      ALTER TABLE budget_lines ADD CONSTRAINT budget_lines_origin_fk
        FOREIGN KEY (origin_allocation_id) REFERENCES allocations(id) DEFERRABLE INITIALLY DEFERRED;

      -- every movement of money on a line, append-only; stored balances are the sums of these deltas
      CREATE TABLE ledger_entries (
        id bigserial PRIMARY KEY,
        line_id uuid NOT NULL REFERENCES budget_lines(id),
        bucket text NOT NULL CHECK (bucket IN ('amount','allocated_down','assigned_to_projects','paid')),
        delta bigint NOT NULL CHECK (delta <> 0),
        entry_type text NOT NULL,
        ref_type text NOT NULL,
        ref_id uuid NOT NULL,
        effective_on date NOT NULL,
        counterpart_jurisdiction_code varchar(12),
        created_by uuid REFERENCES users(id),
        created_at timestamptz NOT NULL DEFAULT now()
      );
      COMMENT ON COLUMN ledger_entries.effective_on IS 'when the money arrived at (positive amount) or left (allocated_down, paid) the holder';
      CREATE INDEX ledger_entries_line_idx ON ledger_entries (line_id);
      CREATE INDEX ledger_entries_ref_idx ON ledger_entries (ref_type, ref_id);

      -- 结账: a closed month for a jurisdiction subtree
      CREATE TABLE period_closures (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        jurisdiction_code varchar(12) NOT NULL REFERENCES jurisdictions(code),
        year smallint NOT NULL,
        month smallint NOT NULL CHECK (month BETWEEN 1 AND 12),
        status text NOT NULL CHECK (status IN ('closed','reopened')),
        closed_by uuid NOT NULL REFERENCES users(id),
        closed_at timestamptz NOT NULL DEFAULT now(),
        reopened_by uuid REFERENCES users(id),
        reopened_at timestamptz,
        reopen_reason text
      );
      CREATE UNIQUE INDEX period_closures_open_uq ON period_closures (jurisdiction_code, year, month) WHERE status = 'closed';

      -- audit log: one SHA-256 chain per jurisdiction of the writer
      CREATE TABLE audit_chain_heads (
        chain varchar(12) PRIMARY KEY,
        last_seq bigint NOT NULL,
        last_hash char(64) NOT NULL
      );
      CREATE TABLE audit_log (
        id bigserial PRIMARY KEY,
        chain varchar(12) NOT NULL,
        seq bigint NOT NULL,
        at timestamptz NOT NULL,
        actor_id uuid,
        actor_username text NOT NULL,
        actor_role text NOT NULL,
        action text NOT NULL,
        entity_type text NOT NULL,
        entity_id text NOT NULL,
        jurisdiction_code varchar(12),
        before jsonb,
        after jsonb,
        prev_hash char(64) NOT NULL,
        hash char(64) NOT NULL,
        UNIQUE (chain, seq)
      );
      CREATE INDEX audit_log_entity_idx ON audit_log (entity_type, entity_id, id);
      CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_log is append-only (% refused)', TG_OP;
      END $$;
      CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
        FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
      CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
        FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
      CREATE TRIGGER ledger_entries_no_update BEFORE UPDATE OR DELETE ON ledger_entries
        FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();

      -- outbox of domain events (notices, alerts and reports of later steps read it)
      CREATE TABLE domain_events (
        id bigserial PRIMARY KEY,
        type text NOT NULL,
        aggregate_type text NOT NULL,
        aggregate_id text NOT NULL,
        jurisdiction_code varchar(12),
        occurred_at timestamptz NOT NULL DEFAULT now(),
        payload jsonb NOT NULL,
        processed_at timestamptz
      );
      CREATE INDEX domain_events_unprocessed_idx ON domain_events (id) WHERE processed_at IS NULL;

      CREATE TABLE idempotency_keys (
        user_id uuid NOT NULL,
        route text NOT NULL,
        key text NOT NULL,
        request_hash char(64) NOT NULL,
        response_status smallint,
        response_body jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (user_id, route, key)
      );

      CREATE TABLE integrity_runs (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        trigger text NOT NULL CHECK (trigger IN ('schedule','manual')),
        requested_by text,
        status text NOT NULL CHECK (status IN ('queued','running','passed','failed','error')),
        queued_at timestamptz NOT NULL DEFAULT now(),
        started_at timestamptz,
        finished_at timestamptz,
        lines_checked integer,
        audit_rows_checked integer,
        summary jsonb
      );
      CREATE TABLE integrity_findings (
        id bigserial PRIMARY KEY,
        run_id uuid NOT NULL REFERENCES integrity_runs(id),
        kind text NOT NULL,
        subject_type text NOT NULL,
        subject_id text NOT NULL,
        expected jsonb,
        actual jsonb,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX integrity_findings_run_idx ON integrity_findings (run_id);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE integrity_findings;
      DROP TABLE integrity_runs;
      DROP TABLE idempotency_keys;
      DROP TABLE domain_events;
      DROP TABLE audit_log;
      DROP FUNCTION audit_log_append_only() CASCADE;
      DROP TABLE audit_chain_heads;
      DROP TABLE period_closures;
      DROP TABLE ledger_entries;
      ALTER TABLE budget_lines DROP CONSTRAINT budget_lines_origin_fk;
      DROP TABLE allocations;
      DROP TABLE budget_lines;
      DROP TABLE login_failures;
      DROP TABLE users;
      DROP TABLE payment_purposes;
      DROP TABLE fund_source_categories;
      DROP TABLE fund_sources;
      DROP TABLE project_categories;
      DROP TABLE pairing_relations;
      DROP TABLE jurisdictions;
    `);
  }
}
