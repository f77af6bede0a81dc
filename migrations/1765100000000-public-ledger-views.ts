import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the public site shows of the ledger, as views: active budget lines and allocations with names, no
 * user ids, no ledger internals. With the notice views they are all the portal's database role may read.
 */
export class PublicLedgerViews1765100000000 implements MigrationInterface {
  name = 'PublicLedgerViews1765100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE VIEW public_budget_lines AS
        SELECT l.id, l.year, l.parent_line_id, s.name AS source_name, j.name AS holder_name, j.code AS holder_code,
          l.document_no, l.title, l.amount, l.allocated_down, l.assigned_to_projects, l.paid, l.received_on
        FROM budget_lines l JOIN jurisdictions j ON j.code = l.jurisdiction_code
        JOIN fund_sources s ON s.code = l.source_code
        WHERE l.status = 'active';
      CREATE VIEW public_allocations AS
        SELECT a.id, p.year, jf.code AS from_code, jf.name AS from_name, jt.name AS to_name, jt.code AS to_code, a.amount, a.document_no,
          a.issued_on, a.via_pairing, s.name AS source_name
        FROM allocations a JOIN budget_lines p ON p.id = a.parent_line_id
        JOIN fund_sources s ON s.code = p.source_code
        JOIN jurisdictions jf ON jf.code = a.from_jurisdiction_code
        JOIN jurisdictions jt ON jt.code = a.to_jurisdiction_code
        WHERE a.status = 'active';
      -- the public project page lists a project's notices by its code
      CREATE INDEX notices_project_code_idx ON notices (project_code) WHERE project_code IS NOT NULL;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `DROP INDEX notices_project_code_idx; DROP VIEW public_allocations; DROP VIEW public_budget_lines;`,
    );
  }
}
