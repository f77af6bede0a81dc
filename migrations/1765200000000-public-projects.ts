import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Projects the public may see: those with at least one published project notice (入库公示 onwards), with
 * what those notices disclose and no personal data. The OC4IDS package and project pages read it.
 */
export class PublicProjects1765200000000 implements MigrationInterface {
  name = 'PublicProjects1765200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE VIEW public_projects AS
        SELECT p.id, p.code, p.name, p.category_code, c.name AS category_name, p.jurisdiction_code,
          j.name AS jurisdiction_name, j.path AS jurisdiction_path,
          (SELECT a.name FROM jurisdictions a WHERE j.path LIKE a.path || '%' AND a.level = 'county') AS county_name,
          p.location, p.content_scale, p.owner_unit, p.planned_budget, p.start_on, p.end_on, p.benefit_mechanism,
          p.poor_households, p.poor_people, p.state, p.funded, p.paid, pn.updated_at,
          (SELECT n.triggered_on FROM notices n WHERE n.subject_id = p.id::text AND n.type = 'D7') AS accepted_on
        FROM projects p
        JOIN jurisdictions j ON j.code = p.jurisdiction_code
        JOIN project_categories c ON c.code = p.category_code
        JOIN LATERAL (
          SELECT max(n.public_updated_at) AS updated_at FROM notices n
          WHERE n.project_code = p.code AND n.first_public_version IS NOT NULL
        ) pn ON pn.updated_at IS NOT NULL;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP VIEW public_projects;`);
  }
}
