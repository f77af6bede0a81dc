import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * 受益户: beneficiary households. The ID number is stored only encrypted (AES-256-GCM) with a keyed hash for
 * look-up and its masked form (first 6 + last 4) for display; payments may name the households they reach.
 */
export class Beneficiaries1764300000000 implements MigrationInterface {
  name = 'Beneficiaries1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE beneficiary_households (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        jurisdiction_code varchar(12) NOT NULL REFERENCES jurisdictions(code),
        head_name text NOT NULL,
        id_number_enc bytea NOT NULL,
        id_number_hash char(64) NOT NULL UNIQUE,
        id_number_masked text NOT NULL,
        household_size smallint NOT NULL CHECK (household_size BETWEEN 1 AND 50),
        poverty_status text NOT NULL CHECK (poverty_status IN ('registered','exited','monitored','non_poor')),
        created_by uuid NOT NULL REFERENCES users(id),
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX beneficiary_households_jurisdiction_idx ON beneficiary_households (jurisdiction_code);
      COMMENT ON COLUMN beneficiary_households.id_number_enc IS 'AES-256-GCM: version(1) iv(12) tag(16) ciphertext';
      COMMENT ON COLUMN beneficiary_households.id_number_hash IS 'HMAC-SHA256 of the ID number with a configured key';

      CREATE TABLE payment_beneficiaries (
        payment_id uuid NOT NULL REFERENCES payments(id),
        household_id uuid NOT NULL REFERENCES beneficiary_households(id),
        PRIMARY KEY (payment_id, household_id)
      );
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE payment_beneficiaries; DROP TABLE beneficiary_households;`);
  }
}
