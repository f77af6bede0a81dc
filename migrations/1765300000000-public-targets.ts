import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * 挂图作战 for the public: each target with its actual as last computed (by the worker hourly and whenever a
 * target is set), so the portal shows the battle map without reading households, payments or the ledger.
 */
export class PublicTargets1765300000000 implements MigrationInterface {
  name = 'PublicTargets1765300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE public_target_figures (
        jurisdiction_code varchar(12) NOT NULL REFERENCES jurisdictions(code),
        year integer NOT NULL,
        kind text NOT NULL,
        label text NOT NULL,
        unit text NOT NULL,
        target text NOT NULL,
        actual text NOT NULL,
        percent_bp integer NOT NULL,
        deadline date NOT NULL,
        responsible_unit text NOT NULL,
        status text NOT NULL CHECK (status IN ('done','on_track','behind')),
        as_of date NOT NULL,
        computed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (jurisdiction_code, year, kind)
      );
      CREATE VIEW public_targets AS
        SELECT f.jurisdiction_code, j.name AS jurisdiction_name, j.path AS jurisdiction_path, f.year, f.kind, f.label,
          f.unit, f.target, f.actual, f.percent_bp, f.deadline, f.responsible_unit, f.status, f.as_of, f.computed_at
        FROM public_target_figures f JOIN jurisdictions j ON j.code = f.jurisdiction_code;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP VIEW public_targets; DROP TABLE public_target_figures;`);
  }
}
