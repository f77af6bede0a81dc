import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditLogService, AuditVerification } from '@sunshine/audit-log';
import { ProgressRollupService } from '@sunshine/monitoring';

export interface IntegrityFinding {
  kind:
    | 'balance_mismatch'
    | 'allocation_mismatch'
    | 'funding_mismatch'
    | 'project_mismatch'
    | 'read_model_mismatch'
    | 'audit_chain_broken';
  subjectType: string;
  subjectId: string;
  expected: Record<string, unknown>;
  actual: Record<string, unknown>;
}

export interface IntegrityReport {
  linesChecked: number;
  auditRowsChecked: number;
  findings: IntegrityFinding[];
  audit: AuditVerification;
}

/**
 * The ledger integrity check: recomputes every stored balance from the append-only ledger entries,
 * checks that each line's allocated_down equals its active allocations, compares the spending-progress read
 * model with the entries it was folded from, and verifies the audit chains.
 */
@Injectable()
export class LedgerIntegrityService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditLogService,
    private readonly rollup: ProgressRollupService,
  ) {}

  async check(): Promise<IntegrityReport> {
    const findings: IntegrityFinding[] = [];
    const mismatches = await this.dataSource.query<Record<string, string>[]>(`
      WITH sums AS (
        SELECT line_id,
               coalesce(sum(delta) FILTER (WHERE bucket = 'amount'), 0) AS amount,
               coalesce(sum(delta) FILTER (WHERE bucket = 'allocated_down'), 0) AS allocated_down,
               coalesce(sum(delta) FILTER (WHERE bucket = 'assigned_to_projects'), 0) AS assigned_to_projects,
               coalesce(sum(delta) FILTER (WHERE bucket = 'paid'), 0) AS paid
        FROM ledger_entries GROUP BY line_id)
      SELECT l.id,
             l.amount::text AS amount, l.allocated_down::text AS allocated_down,
             l.assigned_to_projects::text AS assigned_to_projects, l.paid::text AS paid,
             coalesce(s.amount, 0)::text AS e_amount, coalesce(s.allocated_down, 0)::text AS e_allocated_down,
             coalesce(s.assigned_to_projects, 0)::text AS e_assigned_to_projects, coalesce(s.paid, 0)::text AS e_paid
      FROM budget_lines l LEFT JOIN sums s ON s.line_id = l.id
      WHERE l.amount <> coalesce(s.amount, 0) OR l.allocated_down <> coalesce(s.allocated_down, 0)
         OR l.assigned_to_projects <> coalesce(s.assigned_to_projects, 0) OR l.paid <> coalesce(s.paid, 0)
      ORDER BY l.id LIMIT 1000`);
    for (const r of mismatches) {
      findings.push({
        kind: 'balance_mismatch',
        subjectType: 'budget_line',
        subjectId: r.id,
        expected: {
          amount: r.e_amount,
          allocatedDown: r.e_allocated_down,
          assignedToProjects: r.e_assigned_to_projects,
          paid: r.e_paid,
        },
        actual: {
          amount: r.amount,
          allocatedDown: r.allocated_down,
          assignedToProjects: r.assigned_to_projects,
          paid: r.paid,
        },
      });
    }
    const allocationMismatches = await this.dataSource.query<Record<string, string>[]>(`
      SELECT l.id, l.allocated_down::text AS allocated_down, coalesce(a.total, 0)::text AS total
      FROM budget_lines l
      LEFT JOIN (SELECT parent_line_id, sum(amount) AS total FROM allocations WHERE status = 'active' GROUP BY parent_line_id) a
        ON a.parent_line_id = l.id
      WHERE l.allocated_down <> coalesce(a.total, 0) ORDER BY l.id LIMIT 1000`);
    for (const r of allocationMismatches) {
      findings.push({
        kind: 'allocation_mismatch',
        subjectType: 'budget_line',
        subjectId: r.id,
        expected: { allocatedDown: r.total },
        actual: { allocatedDown: r.allocated_down },
      });
    }
    // a line's assigned_to_projects equals its fundings; a funding's paid equals its active payments
    const fundingMismatches = await this.dataSource.query<Record<string, string>[]>(`
      SELECT 'budget_line' AS subject_type, l.id::text AS id, l.assigned_to_projects::text AS actual, coalesce(f.total, 0)::text AS expected
      FROM budget_lines l LEFT JOIN (SELECT line_id, sum(amount) AS total FROM project_fundings GROUP BY line_id) f ON f.line_id = l.id
      WHERE l.assigned_to_projects <> coalesce(f.total, 0)
      UNION ALL
      SELECT 'funding', f.id::text, f.paid::text, coalesce(p.total, 0)::text
      FROM project_fundings f
      LEFT JOIN (SELECT funding_id, sum(amount) AS total FROM payments WHERE status = 'active' GROUP BY funding_id) p ON p.funding_id = f.id
      WHERE f.paid <> coalesce(p.total, 0)
      LIMIT 1000`);
    for (const r of fundingMismatches) {
      findings.push({
        kind: 'funding_mismatch',
        subjectType: r.subject_type,
        subjectId: r.id,
        expected: { amount: r.expected },
        actual: { amount: r.actual },
      });
    }
    const projectMismatches = await this.dataSource.query<Record<string, string>[]>(`
      SELECT p.id::text AS id, p.funded::text AS funded, p.paid::text AS paid,
             coalesce(f.amount, 0)::text AS e_funded, coalesce(f.paid, 0)::text AS e_paid
      FROM projects p LEFT JOIN (SELECT project_id, sum(amount) AS amount, sum(paid) AS paid FROM project_fundings GROUP BY project_id) f
        ON f.project_id = p.id
      WHERE p.funded <> coalesce(f.amount, 0) OR p.paid <> coalesce(f.paid, 0) LIMIT 1000`);
    for (const r of projectMismatches) {
      findings.push({
        kind: 'project_mismatch',
        subjectType: 'project',
        subjectId: r.id,
        expected: { funded: r.e_funded, paid: r.e_paid },
        actual: { funded: r.funded, paid: r.paid },
      });
    }
    // the spending-progress read model against the ledger it was folded from
    for (const r of await this.rollup.verify()) {
      findings.push({
        kind: 'read_model_mismatch',
        subjectType: `progress_rollup:${r.scope}`,
        subjectId: r.key,
        expected: { total: r.expected },
        actual: { total: r.actual },
      });
    }
    const counted = await this.dataSource.query<{ n: number }[]>(
      'SELECT count(*)::int AS n FROM budget_lines',
    );
    const audit = await this.audit.verify();
    if (!audit.valid && audit.firstBrokenAt) {
      findings.push({
        kind: 'audit_chain_broken',
        subjectType: 'audit_chain',
        subjectId: audit.firstBrokenAt.chain,
        expected: { valid: true },
        actual: { ...audit.firstBrokenAt },
      });
    }
    return { linesChecked: counted[0].n, auditRowsChecked: audit.checked, findings, audit };
  }
}
