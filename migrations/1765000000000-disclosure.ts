import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Disclosure (公告公示, DOMAIN §5): notices D1–D9 with immutable versions, and citizens' objections.
 * A notice is generated once per (type, subject) from the outbox or entered by staff (D1, D3, D6);
 * a correction never overwrites: it adds a version (append-only by trigger).
 */
export class Disclosure1765000000000 implements MigrationInterface {
  name = 'Disclosure1765000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      -- an event the notice generator could not handle is retried a few times, then left for a person
      ALTER TABLE domain_events ADD COLUMN attempts integer NOT NULL DEFAULT 0, ADD COLUMN last_error text;

      CREATE TABLE notices (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        type text NOT NULL CHECK (type IN ('D1','D2','D3','D4','D5','D6','D7','D8','D9')),
        status text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft','approved','published','withdrawn')),
        subject_type text NOT NULL,
        subject_id text NOT NULL,
        -- the publisher (谁分配谁公开、谁使用谁公开): its jurisdiction, and for D5/D7 the owner unit too
        jurisdiction_code varchar(12) NOT NULL REFERENCES jurisdictions(code),
        owner_unit text,
        project_code text,
        year integer NOT NULL,
        triggered_on date NOT NULL,
        deadline date NOT NULL,
        source_event_id bigint REFERENCES domain_events(id), -- one event may call for several notices (D4 + D8)
        current_version integer NOT NULL DEFAULT 1,
        first_public_version integer,
        approved_by uuid REFERENCES users(id),
        approved_at timestamptz,
        published_by uuid REFERENCES users(id),
        published_at timestamptz,
        withdrawn_by uuid,
        withdrawn_at timestamptz,
        withdrawal_reason text,
        -- every public change (publication, correction of a published notice, withdrawal) takes the next
        -- number: the public feed is ordered by it, so a reader resuming from a cursor sees corrections too
        public_seq bigint UNIQUE,
        public_updated_at timestamptz,
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (type, subject_type, subject_id),
        CHECK (status <> 'published' OR (published_at IS NOT NULL AND first_public_version IS NOT NULL))
      );
      CREATE INDEX notices_jurisdiction_idx ON notices (jurisdiction_code, status, created_at);
      CREATE INDEX notices_subject_idx ON notices (subject_id);
      CREATE INDEX notices_due_idx ON notices (deadline) WHERE status IN ('draft','approved');
      -- the public feed: published notices in publication order (keyset on published_at, id)
      CREATE SEQUENCE notice_public_seq;
      CREATE INDEX notices_public_updated_idx ON notices (public_updated_at) WHERE public_seq IS NOT NULL;

      CREATE TABLE notice_versions (
        notice_id uuid NOT NULL REFERENCES notices(id),
        version integer NOT NULL,
        title text NOT NULL,
        fields jsonb NOT NULL,
        body text NOT NULL DEFAULT '',
        reason text,
        created_by uuid,
        created_by_username text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        sha256 char(64) NOT NULL,
        PRIMARY KEY (notice_id, version)
      );
      CREATE TRIGGER notice_versions_append_only BEFORE UPDATE OR DELETE ON notice_versions
        FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
      CREATE TRIGGER notice_versions_no_truncate BEFORE TRUNCATE ON notice_versions
        FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

      -- citizens' objections (异议): the only table the public site writes to
      CREATE TABLE objections (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tracking_no text NOT NULL UNIQUE,
        notice_id uuid NOT NULL REFERENCES notices(id),
        name text,
        contact text NOT NULL,
        text text NOT NULL,
        status text NOT NULL DEFAULT 'received' CHECK (status IN ('received','answered')),
        received_at timestamptz NOT NULL DEFAULT now(),
        due_on date NOT NULL,
        answer text,
        answered_by uuid REFERENCES users(id),
        answered_at timestamptz
      );
      -- what the public site may read: published notices (and withdrawn ones once published), public versions
      CREATE VIEW public_notices AS
        SELECT n.id, n.type, CASE WHEN n.status = 'withdrawn' THEN 'withdrawn' ELSE 'published' END AS status,
          n.jurisdiction_code, j.name AS jurisdiction_name, j.path AS jurisdiction_path, n.project_code, n.year,
          n.current_version AS version, v.title, v.fields, v.body, n.published_at, n.public_updated_at, n.public_seq,
          n.withdrawn_at, n.withdrawal_reason
        FROM notices n JOIN jurisdictions j ON j.code = n.jurisdiction_code
        JOIN notice_versions v ON v.notice_id = n.id AND v.version = n.current_version
        WHERE n.first_public_version IS NOT NULL;
      CREATE VIEW public_notice_versions AS
        SELECT v.notice_id, v.version, v.title, v.fields, v.body, v.reason, v.created_at, v.sha256
        FROM notice_versions v JOIN notices n ON n.id = v.notice_id
        WHERE n.first_public_version IS NOT NULL AND v.version >= n.first_public_version;

      -- what anyone may read of an objection by its tracking number: never the name, the contact or the text
      CREATE VIEW public_objections AS
        SELECT o.tracking_no, o.notice_id, v.title AS notice_title, o.received_at, o.due_on, o.status, o.answer,
          o.answered_at
        FROM objections o JOIN notices n ON n.id = o.notice_id
        JOIN notice_versions v ON v.notice_id = n.id AND v.version = n.current_version;

      CREATE INDEX objections_notice_idx ON objections (notice_id, received_at);
      CREATE INDEX objections_open_idx ON objections (due_on) WHERE status = 'received';
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP VIEW public_objections; DROP VIEW public_notice_versions; DROP VIEW public_notices; DROP TABLE objections; DROP TABLE notice_versions; DROP TABLE notices; DROP SEQUENCE notice_public_seq;
      ALTER TABLE domain_events DROP COLUMN attempts, DROP COLUMN last_error;`);
  }
}
