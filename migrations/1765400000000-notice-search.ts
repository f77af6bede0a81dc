import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Searching a million notices: each notice keeps the text of its current version (title, project code and
 * field values) in `search_text`, set by a trigger when a version is added, with a trigram index (pg_trgm)
 * so that `ILIKE '%words%'` does not read every row; and an index for the newest-first public list.
 */
export class NoticeSearch1765400000000 implements MigrationInterface {
  name = 'NoticeSearch1765400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE EXTENSION IF NOT EXISTS pg_trgm;
      ALTER TABLE notices ADD COLUMN search_text text NOT NULL DEFAULT '';
      CREATE FUNCTION notice_search_text() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE notices n SET search_text = NEW.title || ' ' || coalesce(n.project_code, '') || ' ' ||
          coalesce((SELECT string_agg(f->>'value', ' ') FROM jsonb_array_elements(NEW.fields) f), '')
        WHERE n.id = NEW.notice_id;
        RETURN NEW;
      END $$;
      CREATE TRIGGER notice_versions_search AFTER INSERT ON notice_versions
        FOR EACH ROW EXECUTE FUNCTION notice_search_text();
      UPDATE notices n SET search_text = v.title || ' ' || coalesce(n.project_code, '') || ' ' ||
          coalesce((SELECT string_agg(f->>'value', ' ') FROM jsonb_array_elements(v.fields) f), '')
        FROM notice_versions v WHERE v.notice_id = n.id AND v.version = n.current_version;
      CREATE INDEX notices_search_trgm_idx ON notices USING gin (search_text gin_trgm_ops)
        WHERE first_public_version IS NOT NULL;
      CREATE INDEX notices_published_at_idx ON notices (published_at DESC, id DESC)
        WHERE first_public_version IS NOT NULL;
      CREATE OR REPLACE VIEW public_notices AS
        SELECT n.id, n.type, CASE WHEN n.status = 'withdrawn' THEN 'withdrawn' ELSE 'published' END AS status,
          n.jurisdiction_code, j.name AS jurisdiction_name, j.path AS jurisdiction_path, n.project_code, n.year,
          n.current_version AS version, v.title, v.fields, v.body, n.published_at, n.public_updated_at, n.public_seq,
          n.withdrawn_at, n.withdrawal_reason, n.search_text
        FROM notices n JOIN jurisdictions j ON j.code = n.jurisdiction_code
        JOIN notice_versions v ON v.notice_id = n.id AND v.version = n.current_version
        WHERE n.first_public_version IS NOT NULL;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    // a view cannot lose a column in place: drop and recreate it (the portal grants itself again at start)
    await q.query(`
      DROP VIEW public_notices;
      CREATE VIEW public_notices AS
        SELECT n.id, n.type, CASE WHEN n.status = 'withdrawn' THEN 'withdrawn' ELSE 'published' END AS status,
          n.jurisdiction_code, j.name AS jurisdiction_name, j.path AS jurisdiction_path, n.project_code, n.year,
          n.current_version AS version, v.title, v.fields, v.body, n.published_at, n.public_updated_at, n.public_seq,
          n.withdrawn_at, n.withdrawal_reason
        FROM notices n JOIN jurisdictions j ON j.code = n.jurisdiction_code
        JOIN notice_versions v ON v.notice_id = n.id AND v.version = n.current_version
        WHERE n.first_public_version IS NOT NULL;
      DROP INDEX notices_published_at_idx;
      DROP INDEX notices_search_trgm_idx;
      DROP TRIGGER notice_versions_search ON notice_versions;
      DROP FUNCTION notice_search_text();
      ALTER TABLE notices DROP COLUMN search_text;
    `);
  }
}
