import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Actor, assertCovers, assertRole, canonicalJson, DomainError, notFound } from '@sunshine/common';
import { AuditLogService } from '@sunshine/audit-log';
import { IdempotencyContext, StoredAnswer, TransactionRunner } from '@sunshine/database';
import { DomainEvents } from '@sunshine/events';
import { JurisdictionsService } from '@sunshine/jurisdictions';
import {
  Factor,
  fenFromDb,
  formatBasisPoints,
  formatYuan,
  parseYuan,
  splitByFactors,
  sumFen,
} from '@sunshine/money';
import { AllocationsService, AllocationView } from './allocations.service';
import { availableOf } from './budget-line.view';
import { WRITER_ROLES } from './budget-lines.service';
import { LedgerRepository } from './ledger.repository';

export interface FactorPlanInput {
  amount?: string;
  factors: { code: string; name: string; weightBp: number }[];
  recipients: { jurisdictionCode: string; values: Record<string, string> }[];
}

export interface FactorPlanView {
  id: string;
  budgetLineId: string;
  total: string;
  status: 'proposed' | 'committed';
  factors: { code: string; name: string; weightBp: number; weight: string }[];
  recipients: { jurisdictionCode: string; name: string; values: Record<string, string> }[];
  proposal: { jurisdictionCode: string; amount: string; share: string }[];
  final: { jurisdictionCode: string; amount: string; allocationId: string }[] | null;
}

interface PlanRow {
  id: string;
  line_id: string;
  total: string;
  status: 'proposed' | 'committed';
  factors: FactorPlanView['factors'];
  recipients: FactorPlanView['recipients'];
  proposal: FactorPlanView['proposal'];
  final: FactorPlanView['final'];
}

/**
 * 因素法分配 (seeds 000/003: allocation tied to poverty incidence, poor population, poverty reduction and
 * performance). Finance proposes a split from factors and weights (exact to the fen, largest remainder), may
 * adjust it, and commits all the allocations in one transaction; the plan keeps factors, proposal and final
 * figures for the audit trail and the D2 notice.
 */
@Injectable()
export class FactorAllocationsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly tx: TransactionRunner,
    private readonly repo: LedgerRepository,
    private readonly allocations: AllocationsService,
    private readonly jurisdictions: JurisdictionsService,
    private readonly audit: AuditLogService,
    private readonly events: DomainEvents,
  ) {}

  async propose(actor: Actor, lineId: string, input: FactorPlanInput): Promise<FactorPlanView> {
    assertRole(actor, WRITER_ROLES);
    const line = await this.repo.findLine(lineId);
    if (!line) throw notFound('budget line', lineId);
    assertCovers(actor, line.jurisdictionPath, 'id');
    const total = input.amount !== undefined ? parseYuan(input.amount) : availableOf(line);
    if (total <= 0n || total > availableOf(line)) {
      throw new DomainError(
        'INSUFFICIENT_BALANCE',
        'the plan’s amount must be positive and available on the line',
        [{ field: 'amount', problem: `available ${formatYuan(availableOf(line))}` }],
      );
    }
    const codes = new Set<string>();
    for (const [i, r] of input.recipients.entries()) {
      if (codes.has(r.jurisdictionCode)) {
        throw new DomainError('VALIDATION_FAILED', 'a recipient appears twice', [
          { field: `recipients[${i}].jurisdictionCode`, problem: 'duplicate' },
        ]);
      }
      codes.add(r.jurisdictionCode);
    }
    const factors: Factor[] = input.factors.map((f) => ({ code: f.code, weightBp: f.weightBp }));
    let shares;
    try {
      shares = splitByFactors(
        total,
        factors,
        input.recipients.map((r) => ({ key: r.jurisdictionCode, values: r.values })),
      );
    } catch (e) {
      throw new DomainError('VALIDATION_FAILED', e instanceof Error ? e.message : String(e), [
        { field: 'factors', problem: e instanceof Error ? e.message : String(e) },
      ]);
    }
    const recipients: FactorPlanView['recipients'] = [];
    for (const r of input.recipients) {
      const j = await this.jurisdictions.get(r.jurisdictionCode, 'recipients.jurisdictionCode');
      recipients.push({ jurisdictionCode: j.code, name: j.name, values: r.values });
    }
    const proposal = shares.map((s) => ({
      jurisdictionCode: s.key,
      amount: formatYuan(s.amount),
      share: `${(s.sharePpm / 10_000).toFixed(4)}%`,
    }));
    const factorViews = input.factors.map((f) => ({ ...f, weight: `${formatBasisPoints(f.weightBp)}%` }));
    const rows = await this.dataSource.query<{ id: string }[]>(
      `INSERT INTO factor_allocation_plans (line_id, total, factors, recipients, proposal, created_by)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
      [
        line.id,
        total.toString(),
        canonicalJson(factorViews),
        canonicalJson(recipients),
        canonicalJson(proposal),
        actor.id,
      ],
    );
    return this.get(actor, rows[0].id);
  }

  /** Records the final figures (the proposal, or finance's adjustment of it) as allocations, all or none. */
  async commit(
    actor: Actor,
    planId: string,
    input: {
      documentNo: string;
      issuedOn: string;
      receivedOn?: string;
      allocations?: { jurisdictionCode: string; amount: string }[];
    },
    idempotency?: IdempotencyContext,
  ): Promise<StoredAnswer<FactorPlanView>> {
    assertRole(actor, WRITER_ROLES);
    const plan = await this.findRow(planId);
    if (!plan) throw notFound('factor allocation plan', planId);
    const line = await this.repo.findLine(plan.line_id);
    if (!line) throw notFound('budget line', plan.line_id);
    assertCovers(actor, line.jurisdictionPath, 'id');
    const finalFigures =
      input.allocations ??
      plan.proposal.map((p) => ({ jurisdictionCode: p.jurisdictionCode, amount: p.amount }));
    const finalTotal = sumFen(finalFigures.map((f) => parseYuan(f.amount)));
    if (finalTotal > fenFromDb(plan.total)) {
      throw new DomainError('VALIDATION_FAILED', 'the final figures exceed the plan’s amount', [
        { field: 'allocations', problem: `${formatYuan(finalTotal)} > ${formatYuan(fenFromDb(plan.total))}` },
      ]);
    }
    return this.tx.run(idempotency, 201, async (m) => {
      const claimed = await m.query<[unknown[], number]>(
        `UPDATE factor_allocation_plans SET status = 'committed', committed_by = $2, committed_at = now(), document_no = $3
         WHERE id = $1 AND status = 'proposed' RETURNING id`,
        [planId, actor.id, input.documentNo],
      );
      if (claimed[1] === 0) {
        throw new DomainError('INVALID_TRANSITION', 'this plan has been committed already', [
          { field: 'id', problem: 'committed' },
        ]);
      }
      const made: AllocationView[] = await this.allocations.createMany(
        actor,
        line.id,
        finalFigures.map((f) => ({
          toJurisdictionCode: f.jurisdictionCode,
          amount: f.amount,
          documentNo: input.documentNo,
          issuedOn: input.issuedOn,
          receivedOn: input.receivedOn,
        })),
        m,
      );
      const final = made.map((a) => ({
        jurisdictionCode: a.toJurisdictionCode,
        amount: a.amount,
        allocationId: a.id,
      }));
      await m.query(`UPDATE factor_allocation_plans SET final = $2 WHERE id = $1`, [
        planId,
        canonicalJson(final),
      ]);
      await this.audit.append(m, actor, [
        {
          action: 'factor_plan.commit',
          entityType: 'factor_plan',
          entityId: planId,
          jurisdictionCode: line.jurisdictionCode,
          before: { proposal: plan.proposal },
          after: { final, factors: plan.factors },
        },
      ]);
      await this.events.publish(m, [
        {
          type: 'FactorPlanCommitted', // the D2 notice shows factors, proposal and final figures (step 4)
          aggregateType: 'factor_plan',
          aggregateId: planId,
          jurisdictionCode: line.jurisdictionCode,
          payload: { planId, budgetLineId: line.id, allocationIds: final.map((f) => f.allocationId) },
        },
      ]);
      const row = await this.findRow(planId, m);
      if (!row) throw notFound('factor allocation plan', planId);
      return toView(row);
    });
  }

  async get(actor: Actor, planId: string): Promise<FactorPlanView> {
    const plan = await this.findRow(planId);
    if (!plan) throw notFound('factor allocation plan', planId);
    const line = await this.repo.findLine(plan.line_id);
    if (!line) throw notFound('budget line', plan.line_id);
    assertCovers(actor, line.jurisdictionPath, 'id');
    return toView(plan);
  }

  private async findRow(id: string, m?: { query: DataSource['query'] }): Promise<PlanRow | null> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
    const rows = await (m ?? this.dataSource).query<PlanRow[]>(
      `SELECT id, line_id, total::text AS total, status, factors, recipients, proposal, final
       FROM factor_allocation_plans WHERE id = $1`,
      [id],
    );
    return rows[0] ?? null;
  }
}

function toView(r: PlanRow): FactorPlanView {
  return {
    id: r.id,
    budgetLineId: r.line_id,
    total: formatYuan(fenFromDb(r.total)),
    status: r.status,
    factors: r.factors,
    recipients: r.recipients,
    proposal: r.proposal,
    final: r.final,
  };
}
