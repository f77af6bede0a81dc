import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * 挂图作战: targets per jurisdiction and year (people, households and villages to exit poverty, projects
 * to complete, funds to spend) with deadline and responsible unit; the dates households and villages
 * exited, from which the actuals are counted.
 */
export class Targets1764800000000 implements MigrationInterface {
  name = 'Targets1764800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE jurisdiction_targets (
        jurisdiction_code varchar(12) NOT NULL REFERENCES jurisdictions(code),
        year smallint NOT NULL CHECK (year BETWEEN 2000 AND 2100),
        kind text NOT NULL CHECK (kind IN ('poor_people_exit','poor_households_exit','poor_villages_exit','projects_completed','funds_spent')),
        target_value numeric NOT NULL CHECK (target_value >= 0),
        deadline date NOT NULL,
        responsible_unit text NOT NULL,
        note text,
        created_by uuid NOT NULL REFERENCES users(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (jurisdiction_code, year, kind)
      );

      ALTER TABLE beneficiary_households ADD COLUMN exited_on date;
      ALTER TABLE beneficiary_households ADD CONSTRAINT beneficiary_exit_ck
        CHECK (exited_on IS NULL OR poverty_status = 'exited');

      CREATE TABLE poor_villages (
        village_code varchar(12) PRIMARY KEY REFERENCES jurisdictions(code),
        registered_on date NOT NULL,
        exited_on date,
        updated_by uuid NOT NULL REFERENCES users(id),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK (exited_on IS NULL OR exited_on >= registered_on)
      );
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE poor_villages;
      ALTER TABLE beneficiary_households DROP CONSTRAINT beneficiary_exit_ck;
      ALTER TABLE beneficiary_households DROP COLUMN exited_on;
      DROP TABLE jurisdiction_targets;
    `);
  }
}
