import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Actor, assertCovers, assertRole, DomainError, notFound, todayInChina } from '@sunshine/common';
import { AuditLogService } from '@sunshine/audit-log';
import { IdempotencyContext, StoredAnswer, TransactionRunner } from '@sunshine/database';
import { DomainEvents } from '@sunshine/events';
import { JurisdictionsService } from '@sunshine/jurisdictions';
import { Fen, fenFromDb, formatYuan, parseYuan } from '@sunshine/money';
import { PAYABLE_STATES, ProjectForMoney, ProjectsService } from '@sunshine/projects';
import { ReferenceService } from '@sunshine/reference';
import { availableOf, balancesOf, BalancesView, BudgetLineRecord } from './budget-line.view';
import { LedgerRepository } from './ledger.repository';
import { PeriodsService } from './periods.service';

export interface FundingView {
  id: string;
  projectId: string;
  budgetLineId: string;
  amount: string;
  paid: string;
  available: string;
  line: BalancesView;
}

interface FundingRow {
  id: string;
  project_id: string;
  line_id: string;
  amount: string;
  paid: string;
}

/**
 * 项目安排: assigns part of a budget line to an approved project. The line must be held by the project's
 * jurisdiction or an ancestor, and its source must permit the project's category (SOURCE_NOT_PERMITTED).
 * Also the funding side of a payment (debit and credit in the payment's transaction).
 */
@Injectable()
export class FundingsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly repo: LedgerRepository,
    private readonly tx: TransactionRunner,
    private readonly jurisdictions: JurisdictionsService,
    private readonly reference: ReferenceService,
    private readonly periods: PeriodsService,
    private readonly projects: ProjectsService,
    private readonly audit: AuditLogService,
    private readonly events: DomainEvents,
  ) {}

  async assign(
    actor: Actor,
    projectId: string,
    input: { budgetLineId: string; amount: string },
    idempotency?: IdempotencyContext,
  ): Promise<StoredAnswer<FundingView>> {
    assertRole(actor, ['finance', 'poverty_office', 'admin']);
    const amount = parseYuan(input.amount);
    if (amount === 0n)
      throw new DomainError('VALIDATION_FAILED', 'amount must be positive', [
        { field: 'amount', problem: 'zero' },
      ]);
    const project = await this.projects.forMoney(projectId);
    if (!project) throw notFound('project', projectId);
    assertCovers(actor, project.jurisdictionPath, 'id');
    const line = await this.repo.findLine(input.budgetLineId);
    if (!line) throw notFound('budget line', input.budgetLineId);
    assertCovers(actor, line.jurisdictionPath, 'budgetLineId');
    await this.assertFundable(project, line);
    const on = todayInChina();
    const projectJurisdiction = await this.jurisdictions.get(project.jurisdictionCode);
    return this.tx.run(idempotency, 201, async (m) => {
      // lock order everywhere: project, funding, budget line, audit chain head
      const current = await this.projects.forMoney(project.id, m, true);
      if (!current) throw notFound('project', project.id);
      await this.assertFundable(current, line);
      await this.periods.assertOpen(m, projectJurisdiction, on, 'assignedOn');
      const funding = await m.query<FundingRow[]>(
        `INSERT INTO project_fundings (project_id, line_id, amount, created_by) VALUES ($1, $2, $3, $4)
         ON CONFLICT (project_id, line_id) DO UPDATE SET amount = project_fundings.amount + EXCLUDED.amount
         RETURNING id, project_id, line_id, amount::text AS amount, paid::text AS paid`,
        [project.id, line.id, amount.toString(), actor.id],
      );
      const taken = await m.query<[unknown[], number]>(
        `UPDATE budget_lines SET assigned_to_projects = assigned_to_projects + $2
         WHERE id = $1 AND status = 'active' AND amount - allocated_down - assigned_to_projects >= $2 RETURNING id`,
        [line.id, amount.toString()],
      );
      if (taken[1] === 0) {
        const now = await this.repo.findLine(line.id, m);
        throw new DomainError('INSUFFICIENT_BALANCE', 'the budget line does not have this amount available', [
          { field: 'amount', problem: `available ${formatYuan(now ? availableOf(now) : 0n)}` },
        ]);
      }
      const f = funding[0];
      await this.repo.appendEntries(m, [
        {
          lineId: line.id,
          bucket: 'assigned_to_projects',
          delta: amount,
          entryType: 'funding',
          refType: 'funding',
          refId: f.id,
          effectiveOn: on,
          counterpartJurisdictionCode: project.jurisdictionCode,
          createdBy: actor.id,
        },
      ]);
      await this.projects.addMoney(m, project.id, { funded: amount });
      const lineAfter = await this.repo.findLine(line.id, m);
      const view = toView(f, lineAfter ?? line);
      await this.audit.append(m, actor, [
        {
          action: 'funding.assign',
          entityType: 'funding',
          entityId: f.id,
          jurisdictionCode: project.jurisdictionCode,
          after: { ...view, added: formatYuan(amount) },
        },
      ]);
      await this.events.publish(m, [
        {
          type: 'ProjectFunded',
          aggregateType: 'funding',
          aggregateId: f.id,
          jurisdictionCode: project.jurisdictionCode,
          payload: {
            fundingId: f.id,
            projectId: project.id,
            budgetLineId: line.id,
            amount: formatYuan(amount),
          },
        },
      ]);
      return view;
    });
  }

  async listForProject(actor: Actor, projectId: string): Promise<FundingView[]> {
    const project = await this.projects.forMoney(projectId);
    if (!project) throw notFound('project', projectId);
    assertCovers(actor, project.jurisdictionPath, 'id');
    const rows = await this.dataSource.query<FundingRow[]>(
      `SELECT id, project_id, line_id, amount::text AS amount, paid::text AS paid FROM project_fundings
       WHERE project_id = $1 ORDER BY created_at`,
      [projectId],
    );
    const out: FundingView[] = [];
    for (const r of rows) {
      const line = await this.repo.findLine(r.line_id);
      if (line) out.push(toView(r, line));
    }
    return out;
  }

  /** A budget line as the payments context needs it (read in its transaction). */
  findLine(id: string, m?: EntityManager): Promise<BudgetLineRecord | null> {
    return this.repo.findLine(id, m);
  }

  /** The dedicated-use checks of a funding (also re-checked by payments). */
  async assertFundable(
    project: ProjectForMoney,
    line: Pick<BudgetLineRecord, 'jurisdictionCode' | 'jurisdictionPath' | 'status' | 'sourceCode'>,
  ): Promise<void> {
    if (!PAYABLE_STATES.includes(project.state) || project.performanceTargets === 0) {
      throw new DomainError(
        'PROJECT_NOT_APPROVED',
        `project ${project.code} is ${project.state}, not approved into the library`,
        [{ field: 'projectId', problem: project.state }],
      );
    }
    if (!project.jurisdictionPath.startsWith(line.jurisdictionPath)) {
      throw new DomainError(
        'INVALID_TARGET',
        'the line must be held by the project’s jurisdiction or one above it',
        [{ field: 'budgetLineId', problem: `held by ${line.jurisdictionCode}` }],
      );
    }
    if (line.status !== 'active') {
      throw new DomainError('INVALID_TARGET', 'the line has been reversed', [
        { field: 'budgetLineId', problem: 'reversed' },
      ]);
    }
    const source = await this.reference.fundSource(line.sourceCode);
    if (!source.permittedCategoryCodes.includes(project.categoryCode)) {
      throw new DomainError(
        'SOURCE_NOT_PERMITTED',
        `${source.name} may not fund ${project.categoryCode} projects (专款专用)`,
        [
          {
            field: 'budgetLineId',
            problem: `source ${source.code} does not permit category ${project.categoryCode}`,
          },
        ],
      );
    }
  }

  // ---- the funding side of payments, inside the payment's transaction; lock order: funding, then line ----

  async findFunding(
    m: EntityManager,
    projectId: string,
    lineId: string,
  ): Promise<{ id: string; amount: Fen; paid: Fen } | null> {
    const rows = await m.query<FundingRow[]>(
      `SELECT id, project_id, line_id, amount::text AS amount, paid::text AS paid FROM project_fundings
       WHERE project_id = $1 AND line_id = $2`,
      [projectId, lineId],
    );
    const r = rows[0];
    return r ? { id: r.id, amount: fenFromDb(r.amount), paid: fenFromDb(r.paid) } : null;
  }

  /** paid += amount if the funding still has it; false otherwise. Then the line's paid, with its ledger entry. */
  async debit(
    m: EntityManager,
    f: {
      fundingId: string;
      lineId: string;
      amount: Fen;
      paymentId: string;
      paidOn: string;
      projectJurisdictionCode: string;
      createdBy: string;
    },
  ): Promise<boolean> {
    const res = await m.query<[unknown[], number]>(
      `UPDATE project_fundings SET paid = paid + $2 WHERE id = $1 AND amount - paid >= $2 RETURNING id`,
      [f.fundingId, f.amount.toString()],
    );
    if (res[1] === 0) return false;
    await m.query(`UPDATE budget_lines SET paid = paid + $2 WHERE id = $1`, [f.lineId, f.amount.toString()]);
    await this.repo.appendEntries(m, [
      {
        lineId: f.lineId,
        bucket: 'paid',
        delta: f.amount,
        entryType: 'payment',
        refType: 'payment',
        refId: f.paymentId,
        effectiveOn: f.paidOn,
        counterpartJurisdictionCode: f.projectJurisdictionCode,
        createdBy: f.createdBy,
      },
    ]);
    return true;
  }

  async credit(
    m: EntityManager,
    f: {
      fundingId: string;
      lineId: string;
      amount: Fen;
      paymentId: string;
      on: string;
      projectJurisdictionCode: string;
      createdBy: string;
    },
  ): Promise<void> {
    await m.query(`UPDATE project_fundings SET paid = paid - $2 WHERE id = $1`, [
      f.fundingId,
      f.amount.toString(),
    ]);
    await m.query(`UPDATE budget_lines SET paid = paid - $2 WHERE id = $1`, [f.lineId, f.amount.toString()]);
    await this.repo.appendEntries(m, [
      {
        lineId: f.lineId,
        bucket: 'paid',
        delta: -f.amount,
        entryType: 'payment_reversal',
        refType: 'payment',
        refId: f.paymentId,
        effectiveOn: f.on,
        counterpartJurisdictionCode: f.projectJurisdictionCode,
        createdBy: f.createdBy,
      },
    ]);
  }

  /** 1 % rule: the funds a county received for a year (lines in its subtree not passed within the subtree). */
  async countyFundsOfYear(m: EntityManager, countyPath: string, year: number): Promise<Fen> {
    const rows = await m.query<{ total: string }[]>(
      `SELECT coalesce(sum(l.amount), 0)::text AS total
       FROM budget_lines l JOIN jurisdictions j ON j.code = l.jurisdiction_code
       LEFT JOIN budget_lines p ON p.id = l.parent_line_id LEFT JOIN jurisdictions pj ON pj.code = p.jurisdiction_code
       WHERE j.path LIKE $1 AND l.year = $2 AND l.status = 'active' AND (p.id IS NULL OR pj.path NOT LIKE $1)`,
      [`${countyPath}%`, year],
    );
    return fenFromDb(rows[0].total);
  }
}

function toView(f: FundingRow, line: BudgetLineRecord): FundingView {
  const amount = fenFromDb(f.amount);
  const paid = fenFromDb(f.paid);
  return {
    id: f.id,
    projectId: f.project_id,
    budgetLineId: f.line_id,
    amount: formatYuan(amount),
    paid: formatYuan(paid),
    available: formatYuan(amount - paid),
    line: balancesOf(line),
  };
}
