import { MigrationInterface, QueryRunner } from 'typeorm';

/** 因素法分配: a plan keeps the factors, the values, the computed proposal and the final (adjusted) figures. */
export class FactorPlans1764200000000 implements MigrationInterface {
  name = 'FactorPlans1764200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE factor_allocation_plans (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        line_id uuid NOT NULL REFERENCES budget_lines(id),
        total bigint NOT NULL CHECK (total > 0),
        factors jsonb NOT NULL,
        recipients jsonb NOT NULL,
        proposal jsonb NOT NULL,
        status text NOT NULL DEFAULT 'proposed' CHECK (status IN ('proposed','committed')),
        final jsonb,
        document_no text,
        created_by uuid NOT NULL REFERENCES users(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        committed_by uuid REFERENCES users(id),
        committed_at timestamptz
      );
      CREATE INDEX factor_plans_line_idx ON factor_allocation_plans (line_id);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE factor_allocation_plans`);
  }
}
