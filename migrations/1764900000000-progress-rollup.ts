import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Read model for spending progress at national scale: ledger entry totals per day, bucket, year and source,
 * folded into every ancestor-or-self jurisdiction of the holder, with whether the money enters that
 * jurisdiction's subtree (the line's parent is held outside it) and whether the holder is the jurisdiction
 * itself. A trigger queues every new entry in progress_rollup_pending; a worker job folds the queue
 * (DELETE … RETURNING under SKIP LOCKED and the upsert in one transaction). Readers add the still-pending
 * entries, so answers are exact whether or not the fold has run.
 */
export class ProgressRollup1764900000000 implements MigrationInterface {
  name = 'ProgressRollup1764900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE progress_rollup (
        jurisdiction_code varchar(12) NOT NULL,
        year smallint NOT NULL,
        source_code text NOT NULL,
        bucket text NOT NULL,
        entering boolean NOT NULL,
        own boolean NOT NULL,
        day date NOT NULL,
        total bigint NOT NULL,
        PRIMARY KEY (jurisdiction_code, year, source_code, bucket, entering, own, day)
      );
      CREATE TABLE progress_rollup_pending (entry_id bigint PRIMARY KEY);
      CREATE FUNCTION ledger_entries_queue_rollup() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO progress_rollup_pending (entry_id) SELECT id FROM new_entries;
        RETURN NULL;
      END $$;
      CREATE TRIGGER ledger_entries_rollup AFTER INSERT ON ledger_entries
        REFERENCING NEW TABLE AS new_entries FOR EACH STATEMENT EXECUTE FUNCTION ledger_entries_queue_rollup();
      INSERT INTO progress_rollup_pending (entry_id) SELECT id FROM ledger_entries;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TRIGGER ledger_entries_rollup ON ledger_entries;
      DROP FUNCTION ledger_entries_queue_rollup();
      DROP TABLE progress_rollup_pending;
      DROP TABLE progress_rollup;
    `);
  }
}
