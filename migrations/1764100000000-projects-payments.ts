import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Step 2 schema: the project library (项目库) with its life cycle, performance targets and progress reports;
 * project fundings (项目安排: part of a budget line assigned to a project); payments (拨付/报账) with the
 * dedicated-use controls. Money is bigint fen.
 */
export class ProjectsPayments1764100000000 implements MigrationInterface {
  name = 'ProjectsPayments1764100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE SEQUENCE project_code_seq;
      CREATE TABLE projects (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        code text NOT NULL UNIQUE,
        name text NOT NULL,
        category_code text NOT NULL REFERENCES project_categories(code),
        jurisdiction_code varchar(12) NOT NULL REFERENCES jurisdictions(code),
        location text,
        content_scale text,
        owner_unit text NOT NULL,
        responsible_person text NOT NULL,
        planned_budget bigint NOT NULL CHECK (planned_budget >= 0),
        start_on date NOT NULL,
        end_on date NOT NULL,
        benefit_mechanism text,
        poor_households integer CHECK (poor_households >= 0),
        poor_people integer CHECK (poor_people >= 0),
        state text NOT NULL DEFAULT 'draft' CHECK (state IN ('draft','village_applied','township_reviewed','county_appraised',
          'approved','tendering','implementing','completed','accepted','audited','closed','rejected','withdrawn')),
        funded bigint NOT NULL DEFAULT 0 CHECK (funded >= 0),
        paid bigint NOT NULL DEFAULT 0 CHECK (paid >= 0),
        created_by uuid NOT NULL REFERENCES users(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK (end_on >= start_on),
        CHECK (paid <= funded)
      );
      CREATE INDEX projects_jurisdiction_idx ON projects (jurisdiction_code, state);
      CREATE INDEX projects_owner_unit_idx ON projects (owner_unit);
      CREATE INDEX projects_created_idx ON projects (created_at, id);

      -- 绩效目标
      CREATE TABLE project_performance_targets (
        id bigserial PRIMARY KEY,
        project_id uuid NOT NULL REFERENCES projects(id),
        indicator text NOT NULL,
        unit text NOT NULL,
        target_value numeric NOT NULL,
        deadline date
      );
      CREATE INDEX project_targets_project_idx ON project_performance_targets (project_id);

      CREATE TABLE project_transitions (
        id bigserial PRIMARY KEY,
        project_id uuid NOT NULL REFERENCES projects(id),
        from_state text NOT NULL,
        to_state text NOT NULL,
        actor_id uuid NOT NULL REFERENCES users(id),
        actor_username text NOT NULL,
        actor_role text NOT NULL,
        comment text,
        at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX project_transitions_project_idx ON project_transitions (project_id, id);

      CREATE TABLE project_progress_reports (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        project_id uuid NOT NULL REFERENCES projects(id),
        as_of date NOT NULL,
        percent_complete smallint NOT NULL CHECK (percent_complete BETWEEN 0 AND 100),
        narrative text NOT NULL,
        correction_reason text,
        created_by uuid NOT NULL REFERENCES users(id),
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX project_progress_project_idx ON project_progress_reports (project_id, as_of, created_at);

      -- 项目安排: part of a budget line assigned to a project; payments draw on it
      CREATE TABLE project_fundings (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        project_id uuid NOT NULL REFERENCES projects(id),
        line_id uuid NOT NULL REFERENCES budget_lines(id),
        amount bigint NOT NULL CHECK (amount >= 0),
        paid bigint NOT NULL DEFAULT 0 CHECK (paid >= 0),
        created_by uuid NOT NULL REFERENCES users(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (project_id, line_id),
        CONSTRAINT project_fundings_conservation CHECK (paid <= amount)
      );

      -- 拨付/报账
      CREATE TABLE payments (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        project_id uuid NOT NULL REFERENCES projects(id),
        funding_id uuid NOT NULL REFERENCES project_fundings(id),
        line_id uuid NOT NULL REFERENCES budget_lines(id),
        county_code varchar(12) NOT NULL REFERENCES jurisdictions(code),
        year smallint NOT NULL,
        amount bigint NOT NULL CHECK (amount > 0),
        payee text NOT NULL,
        purpose_code text NOT NULL REFERENCES payment_purposes(code),
        invoice_no text NOT NULL,
        paid_on date NOT NULL,
        status text NOT NULL DEFAULT 'active' CHECK (status IN ('active','reversed')),
        reversed_on date,
        reversed_at timestamptz,
        reversed_by uuid REFERENCES users(id),
        reversal_reason text,
        created_by uuid NOT NULL REFERENCES users(id),
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX payments_project_idx ON payments (project_id, created_at);
      CREATE INDEX payments_county_year_purpose_idx ON payments (county_code, year, purpose_code) WHERE status = 'active';
      -- the same invoice for the same payee is paid once (a reversed payment frees it)
      CREATE UNIQUE INDEX payments_invoice_uq ON payments (payee, invoice_no) WHERE status = 'active';
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE payments;
      DROP TABLE project_fundings;
      DROP TABLE project_progress_reports;
      DROP TABLE project_transitions;
      DROP TABLE project_performance_targets;
      DROP TABLE projects;
      DROP SEQUENCE project_code_seq;
    `);
  }
}
