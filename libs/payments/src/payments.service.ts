import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import { Actor, assertCovers, assertRole, DomainError, notFound, todayInChina } from '@sunshine/common';
import { AuditLogService } from '@sunshine/audit-log';
import { IdempotencyContext, StoredAnswer, TransactionRunner } from '@sunshine/database';
import { DomainEvents } from '@sunshine/events';
import { FundingsService, PeriodsService } from '@sunshine/funds';
import { HouseholdsService } from '@sunshine/households';
import { Jurisdiction, JurisdictionsService } from '@sunshine/jurisdictions';
import { Fen, fenFromDb, formatYuan, parseYuan } from '@sunshine/money';
import { ProjectForMoney, ProjectsService } from '@sunshine/projects';
import { ReferenceService } from '@sunshine/reference';

export interface CreatePaymentInput {
  projectId: string;
  budgetLineId: string;
  amount: string;
  payee: string;
  purposeCode: string;
  invoiceNo: string;
  paidOn: string;
  /** 到户补助: the households this payment reaches (in the project's area) */
  beneficiaryHouseholdIds?: string[];
}

export interface PaymentView {
  id: string;
  projectId: string;
  budgetLineId: string;
  fundingId: string;
  amount: string;
  payee: string;
  purposeCode: string;
  invoiceNo: string;
  paidOn: string;
  status: 'active' | 'reversed';
  reversedOn: string | null;
  reversalReason: string | null;
  funding: { amount: string; paid: string; available: string };
}

/** 项目管理费 may not exceed 1 % of a county's funds of that year (basis points of the county total). */
export const MANAGEMENT_FEE_PURPOSE = 'management_fee';
export const MANAGEMENT_FEE_LIMIT_BP = 100n;

interface PaymentRow {
  id: string;
  project_id: string;
  funding_id: string;
  line_id: string;
  amount: string;
  payee: string;
  purpose_code: string;
  invoice_no: string;
  paid_on: string;
  status: 'active' | 'reversed';
  reversed_on: string | null;
  reversal_reason: string | null;
  county_code: string;
  f_amount: string;
  f_paid: string;
}

/**
 * 拨付/报账 with the write-time dedicated-use controls (专款专用). Every control refuses with its code and
 * changes nothing: PROJECT_NOT_APPROVED, NEGATIVE_LIST, SOURCE_NOT_PERMITTED, PERIOD_CLOSED,
 * MANAGEMENT_FEE_LIMIT, DUPLICATE_INVOICE, INSUFFICIENT_BALANCE; idempotent with an Idempotency-Key.
 */
@Injectable()
export class PaymentsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly tx: TransactionRunner,
    private readonly projects: ProjectsService,
    private readonly fundings: FundingsService,
    private readonly periods: PeriodsService,
    private readonly jurisdictions: JurisdictionsService,
    private readonly reference: ReferenceService,
    private readonly households: HouseholdsService,
    private readonly audit: AuditLogService,
    private readonly events: DomainEvents,
  ) {}

  async create(
    actor: Actor,
    input: CreatePaymentInput,
    idempotency?: IdempotencyContext,
  ): Promise<StoredAnswer<PaymentView>> {
    const prepared = await this.prepare(actor, input);
    return this.tx.run(idempotency, 201, (m) => this.payIn(m, actor, input, prepared));
  }

  /** The same controls and write as `create`, inside the caller's transaction (imports: all rows or none). */
  async createIn(m: EntityManager, actor: Actor, input: CreatePaymentInput): Promise<PaymentView> {
    const prepared = await this.prepare(actor, input, m);
    return this.payIn(m, actor, input, prepared);
  }

  /** Checks that need no lock: role, amount, the project and who may pay from it, the purpose. */
  private async prepare(
    actor: Actor,
    input: CreatePaymentInput,
    m?: EntityManager,
  ): Promise<{
    amount: Fen;
    project: ProjectForMoney;
    purpose: { code: string; name: string; prohibited: boolean; basis: string | null };
    projectJurisdiction: Jurisdiction;
    county: Jurisdiction;
  }> {
    assertRole(actor, ['project_owner', 'finance', 'admin']);
    const amount = parseYuan(input.amount);
    if (amount === 0n)
      throw new DomainError('VALIDATION_FAILED', 'amount must be positive', [
        { field: 'amount', problem: 'zero' },
      ]);
    const project = await this.projects.forMoney(input.projectId, m);
    if (!project) throw notFound('project', input.projectId);
    this.assertMayPay(actor, project);
    const purpose = (await this.reference.paymentPurposes()).find((p) => p.code === input.purposeCode);
    if (!purpose) {
      throw new DomainError('VALIDATION_FAILED', `unknown purpose ${input.purposeCode}`, [
        { field: 'purposeCode', problem: 'unknown payment purpose' },
      ]);
    }
    const projectJurisdiction = await this.jurisdictions.get(project.jurisdictionCode);
    const county = await this.jurisdictions.countyOf(projectJurisdiction);
    if (!county) throw new Error(`project ${project.code} lies in no county`);
    return { amount, project, purpose, projectJurisdiction, county };
  }

  private async payIn(
    m: EntityManager,
    actor: Actor,
    input: CreatePaymentInput,
    prepared: Awaited<ReturnType<PaymentsService['prepare']>>,
  ): Promise<PaymentView> {
    const { amount, project, purpose, projectJurisdiction, county } = prepared;
    // lock order everywhere: project, funding, budget line, audit chain head
    const locked = await this.projects.forMoney(project.id, m, true);
    if (!locked) throw notFound('project', project.id);
    const line = await this.fundings.findLine(input.budgetLineId, m);
    if (!line) throw notFound('budget line', input.budgetLineId);
    await this.fundings.assertFundable(locked, line); // PROJECT_NOT_APPROVED, SOURCE_NOT_PERMITTED
    if (purpose.prohibited) {
      throw new DomainError(
        'NEGATIVE_LIST',
        `${purpose.name} may never be paid from poverty funds (${purpose.basis ?? '负面清单'})`,
        [{ field: 'purposeCode', problem: 'on the negative list' }],
      );
    }
    await this.periods.assertOpen(m, projectJurisdiction, input.paidOn, 'paidOn');
    const funding = await this.fundings.findFunding(m, project.id, line.id);
    if (!funding) {
      throw new DomainError('INSUFFICIENT_BALANCE', 'the project has no funding from this budget line', [
        { field: 'budgetLineId', problem: 'no funding from this line' },
      ]);
    }
    if (purpose.code === MANAGEMENT_FEE_PURPOSE)
      await this.assertManagementFee(m, county.path, county.code, line.year, amount);
    const duplicate = await m.query<unknown[]>(
      `SELECT 1 FROM payments WHERE payee = $1 AND invoice_no = $2 AND status = 'active' LIMIT 1`,
      [input.payee, input.invoiceNo],
    );
    if (duplicate.length > 0) throw duplicateInvoice();
    const id = randomUUID();
    const debited = await this.fundings.debit(m, {
      fundingId: funding.id,
      lineId: line.id,
      amount,
      paymentId: id,
      paidOn: input.paidOn,
      projectJurisdictionCode: project.jurisdictionCode,
      createdBy: actor.id,
    });
    if (!debited) {
      const now = await this.fundings.findFunding(m, project.id, line.id);
      throw new DomainError(
        'INSUFFICIENT_BALANCE',
        'the project funding from this line does not cover the payment',
        [{ field: 'amount', problem: `available ${formatYuan(now ? now.amount - now.paid : 0n)}` }],
      );
    }
    try {
      await m.query(
        `INSERT INTO payments (id, project_id, funding_id, line_id, county_code, year, amount, payee, purpose_code, invoice_no,
           paid_on, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
        [
          id,
          project.id,
          funding.id,
          line.id,
          county.code,
          line.year,
          amount.toString(),
          input.payee,
          purpose.code,
          input.invoiceNo,
          input.paidOn,
          actor.id,
        ],
      );
    } catch (e) {
      // a concurrent payment of the same invoice committed between the check and the insert
      const constraint =
        e instanceof QueryFailedError ? (e.driverError as { constraint?: string }).constraint : undefined;
      if (constraint === 'payments_invoice_uq') {
        throw duplicateInvoice();
      }
      throw e;
    }
    await this.households.linkToPayment(m, id, input.beneficiaryHouseholdIds ?? [], project.jurisdictionPath);
    await this.projects.addMoney(m, project.id, { paid: amount });
    const view = await this.mustView(id, m);
    await this.audit.append(m, actor, [
      {
        action: 'payment.create',
        entityType: 'payment',
        entityId: id,
        jurisdictionCode: project.jurisdictionCode,
        after: view,
      },
    ]);
    await this.events.publish(m, [
      {
        type: 'PaymentMade',
        aggregateType: 'payment',
        aggregateId: id,
        jurisdictionCode: project.jurisdictionCode,
        payload: {
          paymentId: id,
          projectId: project.id,
          budgetLineId: line.id,
          amount: formatYuan(amount),
          paidOn: input.paidOn,
          purposeCode: purpose.code,
        },
      },
    ]);
    return view;
  }

  async reverse(
    actor: Actor,
    id: string,
    reason: string,
    idempotency?: IdempotencyContext,
  ): Promise<StoredAnswer<PaymentView>> {
    assertRole(actor, ['finance', 'project_owner', 'admin']);
    const current = await this.findRow(id);
    if (!current) throw notFound('payment', id);
    const project = await this.projects.forMoney(current.project_id);
    if (!project) throw notFound('project', current.project_id);
    this.assertMayPay(actor, project);
    const on = todayInChina();
    const projectJurisdiction = await this.jurisdictions.get(project.jurisdictionCode);
    return this.tx.run(idempotency, 201, async (m) => {
      await this.projects.forMoney(project.id, m, true); // lock order: project first
      await this.periods.assertOpen(m, projectJurisdiction, on, 'reversedOn');
      const marked = await m.query<[unknown[], number]>(
        `UPDATE payments SET status = 'reversed', reversed_on = $2, reversed_at = now(), reversed_by = $3, reversal_reason = $4
         WHERE id = $1 AND status = 'active' RETURNING id`,
        [id, on, actor.id, reason],
      );
      if (marked[1] === 0) {
        throw new DomainError('INVALID_TRANSITION', 'this payment is already reversed', [
          { field: 'id', problem: 'reversed' },
        ]);
      }
      const amount = fenFromDb(current.amount);
      await this.fundings.credit(m, {
        fundingId: current.funding_id,
        lineId: current.line_id,
        amount,
        paymentId: id,
        on,
        projectJurisdictionCode: project.jurisdictionCode,
        createdBy: actor.id,
      });
      await this.projects.addMoney(m, project.id, { paid: -amount });
      const view = await this.mustView(id, m);
      await this.audit.append(m, actor, [
        {
          action: 'payment.reverse',
          entityType: 'payment',
          entityId: id,
          jurisdictionCode: project.jurisdictionCode,
          before: { status: 'active' },
          after: { status: 'reversed', reversedOn: on, reason },
        },
      ]);
      await this.events.publish(m, [
        {
          type: 'PaymentReversed',
          aggregateType: 'payment',
          aggregateId: id,
          jurisdictionCode: project.jurisdictionCode,
          payload: { paymentId: id, amount: formatYuan(amount), reason },
        },
      ]);
      return view;
    });
  }

  async get(actor: Actor, id: string): Promise<PaymentView> {
    const row = await this.findRow(id);
    if (!row) throw notFound('payment', id);
    const project = await this.projects.forMoney(row.project_id);
    if (!project) throw notFound('project', row.project_id);
    assertCovers(actor, project.jurisdictionPath, 'id');
    return toView(row);
  }

  private assertMayPay(actor: Actor, project: ProjectForMoney): void {
    assertCovers(actor, project.jurisdictionPath, 'projectId');
    if (actor.role === 'project_owner' && actor.unit !== project.ownerUnit) {
      throw new DomainError(
        'FORBIDDEN_JURISDICTION',
        'a project owner pays only for its own unit’s projects',
        [{ field: 'projectId', problem: 'not your unit' }],
      );
    }
  }

  /** Serialised per county and year (advisory lock), so two fees paid at once cannot both squeeze under the limit. */
  private async assertManagementFee(
    m: EntityManager,
    countyPath: string,
    countyCode: string,
    year: number,
    amount: Fen,
  ): Promise<void> {
    await m.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`management_fee:${countyCode}:${year}`]);
    const funds = await this.fundings.countyFundsOfYear(m, countyPath, year);
    const limit = (funds * MANAGEMENT_FEE_LIMIT_BP) / 10_000n;
    const used = await m.query<{ total: string }[]>(
      `SELECT coalesce(sum(amount), 0)::text AS total FROM payments
       WHERE county_code = $1 AND year = $2 AND purpose_code = $3 AND status = 'active'`,
      [countyCode, year, MANAGEMENT_FEE_PURPOSE],
    );
    const usedFen = fenFromDb(used[0].total);
    if (usedFen + amount > limit) {
      throw new DomainError(
        'MANAGEMENT_FEE_LIMIT',
        `project management fees would reach ${formatYuan(usedFen + amount)} yuan, above 1% of the county's ${year} funds (${formatYuan(limit)} yuan)`,
        [
          {
            field: 'amount',
            problem: `at most ${formatYuan(limit - usedFen > 0n ? limit - usedFen : 0n)} more this year`,
          },
        ],
      );
    }
  }

  private async findRow(id: string, m?: EntityManager): Promise<PaymentRow | null> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
    const rows = await (m ?? this.dataSource).query<PaymentRow[]>(
      `SELECT p.id, p.project_id, p.funding_id, p.line_id, p.amount::text AS amount, p.payee, p.purpose_code, p.invoice_no,
              p.paid_on, p.status, p.reversed_on, p.reversal_reason, p.county_code,
              f.amount::text AS f_amount, f.paid::text AS f_paid
       FROM payments p JOIN project_fundings f ON f.id = p.funding_id WHERE p.id = $1`,
      [id],
    );
    return rows[0] ?? null;
  }

  private async mustView(id: string, m: EntityManager): Promise<PaymentView> {
    const row = await this.findRow(id, m);
    if (!row) throw notFound('payment', id);
    return toView(row);
  }
}

const duplicateInvoice = (): DomainError =>
  new DomainError('DUPLICATE_INVOICE', 'this invoice has already been paid to this payee', [
    { field: 'invoiceNo', problem: 'already paid to this payee' },
  ]);

function toView(r: PaymentRow): PaymentView {
  const fAmount = fenFromDb(r.f_amount);
  const fPaid = fenFromDb(r.f_paid);
  return {
    id: r.id,
    projectId: r.project_id,
    budgetLineId: r.line_id,
    fundingId: r.funding_id,
    amount: formatYuan(fenFromDb(r.amount)),
    payee: r.payee,
    purposeCode: r.purpose_code,
    invoiceNo: r.invoice_no,
    paidOn: r.paid_on,
    status: r.status,
    reversedOn: r.reversed_on,
    reversalReason: r.reversal_reason,
    funding: { amount: formatYuan(fAmount), paid: formatYuan(fPaid), available: formatYuan(fAmount - fPaid) },
  };
}
