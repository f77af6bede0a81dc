import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import {
  Actor,
  assertCovers,
  assertRole,
  clampLimit,
  decodeCursor,
  DomainError,
  notFound,
  Page,
  todayInChina,
  toPage,
} from '@sunshine/common';
import { AuditLogService } from '@sunshine/audit-log';
import { IdempotencyContext, StoredAnswer, TransactionRunner } from '@sunshine/database';
import { DomainEvents } from '@sunshine/events';
import { JurisdictionsService } from '@sunshine/jurisdictions';
import { formatYuan, parseYuan } from '@sunshine/money';
import { ReferenceService } from '@sunshine/reference';
import { balancesOf, BudgetLineRecord, BudgetLineView, toBudgetLineView } from './budget-line.view';
import { LedgerRepository } from './ledger.repository';
import { PeriodsService } from './periods.service';

export interface CreateBudgetLineInput {
  year: number;
  sourceCode: string;
  jurisdictionCode: string;
  documentNo: string;
  title: string;
  amount: string;
  receivedOn: string;
  holderDepartment?: string;
}

export const WRITER_ROLES = ['finance', 'admin'] as const;

/** 资金指标: budget lines received by a jurisdiction (root lines); child lines come from allocations. */
@Injectable()
export class BudgetLinesService {
  constructor(
    private readonly repo: LedgerRepository,
    private readonly tx: TransactionRunner,
    private readonly jurisdictions: JurisdictionsService,
    private readonly reference: ReferenceService,
    private readonly periods: PeriodsService,
    private readonly audit: AuditLogService,
    private readonly events: DomainEvents,
  ) {}

  async create(
    actor: Actor,
    input: CreateBudgetLineInput,
    idempotency?: IdempotencyContext,
  ): Promise<StoredAnswer<BudgetLineView>> {
    assertRole(actor, WRITER_ROLES);
    const amount = parseYuan(input.amount);
    if (amount === 0n) {
      throw new DomainError('VALIDATION_FAILED', 'amount must be positive', [
        { field: 'amount', problem: 'zero' },
      ]);
    }
    const holder = await this.jurisdictions.get(input.jurisdictionCode);
    assertCovers(actor, holder.path);
    await this.reference.fundSource(input.sourceCode);
    if (
      Number(input.receivedOn.slice(0, 4)) > input.year + 1 ||
      Number(input.receivedOn.slice(0, 4)) < input.year - 1
    ) {
      throw new DomainError('VALIDATION_FAILED', 'receivedOn is far from the budget year', [
        { field: 'receivedOn', problem: 'more than a year away from year' },
      ]);
    }
    return this.tx.run(idempotency, 201, async (m) => {
      await this.periods.assertOpen(m, holder, input.receivedOn, 'receivedOn');
      const id = randomUUID();
      await this.repo.insertLine(m, {
        id,
        year: input.year,
        sourceCode: input.sourceCode,
        jurisdictionCode: holder.code,
        holderDepartment: input.holderDepartment ?? `${holder.name}财政局`,
        documentNo: input.documentNo,
        title: input.title,
        amount,
        receivedOn: input.receivedOn,
        parentLineId: null,
        originAllocationId: null,
        createdBy: actor.id,
      });
      await this.repo.appendEntries(m, [
        {
          lineId: id,
          bucket: 'amount',
          delta: amount,
          entryType: 'budget',
          refType: 'budget_line',
          refId: id,
          effectiveOn: input.receivedOn,
          counterpartJurisdictionCode: null,
          createdBy: actor.id,
        },
      ]);
      const line = await this.mustFind(id, m);
      const view = toBudgetLineView(line);
      await this.audit.append(m, actor, [
        {
          action: 'budget_line.create',
          entityType: 'budget_line',
          entityId: id,
          jurisdictionCode: holder.code,
          after: view,
        },
      ]);
      await this.events.publish(m, [
        {
          type: 'BudgetLineRecorded',
          aggregateType: 'budget_line',
          aggregateId: id,
          jurisdictionCode: holder.code,
          payload: { lineId: id, year: input.year, sourceCode: input.sourceCode, amount: formatYuan(amount) },
        },
      ]);
      return view;
    });
  }

  /** Corrects a mistaken root line whose whole amount is still untouched, by a reversal entry. */
  async reverse(
    actor: Actor,
    id: string,
    reason: string,
    idempotency?: IdempotencyContext,
  ): Promise<StoredAnswer<BudgetLineView>> {
    assertRole(actor, WRITER_ROLES);
    const line = await this.get(actor, id);
    if (line.parentLineId !== null) {
      throw new DomainError('INVALID_TRANSITION', 'a child line is corrected by reversing its allocation', [
        { field: 'id', problem: 'created by an allocation' },
      ]);
    }
    if (line.status !== 'active') {
      throw new DomainError('INVALID_TRANSITION', 'this budget line is already reversed', [
        { field: 'id', problem: 'reversed' },
      ]);
    }
    const holder = await this.jurisdictions.get(line.jurisdictionCode);
    const on = todayInChina();
    return this.tx.run(idempotency, 201, async (m) => {
      await this.periods.assertOpen(m, holder, on, 'reversedOn');
      const before = await this.mustFind(id, m);
      if (!(await this.repo.emptyLine(m, id, before.amount))) {
        throw new DomainError(
          'INSUFFICIENT_BALANCE',
          'part of this line has been allocated or assigned; reverse those first',
          [
            {
              field: 'amount',
              problem: `available ${formatYuan(before.amount - before.allocatedDown - before.assignedToProjects)}`,
            },
          ],
        );
      }
      await this.repo.appendEntries(m, [
        {
          lineId: id,
          bucket: 'amount',
          delta: -before.amount,
          entryType: 'budget_reversal',
          refType: 'budget_line',
          refId: id,
          effectiveOn: on,
          counterpartJurisdictionCode: null,
          createdBy: actor.id,
        },
      ]);
      const after = await this.mustFind(id, m);
      const view = toBudgetLineView(after);
      await this.audit.append(m, actor, [
        {
          action: 'budget_line.reverse',
          entityType: 'budget_line',
          entityId: id,
          jurisdictionCode: holder.code,
          before: balancesOf(before),
          after: { ...balancesOf(after), status: after.status, reason },
        },
      ]);
      await this.events.publish(m, [
        {
          type: 'BudgetLineReversed',
          aggregateType: 'budget_line',
          aggregateId: id,
          jurisdictionCode: holder.code,
          payload: { lineId: id, amount: formatYuan(before.amount), reason },
        },
      ]);
      return view;
    });
  }

  async get(actor: Actor, id: string): Promise<BudgetLineRecord> {
    const line = await this.repo.findLine(id);
    if (!line) throw notFound('budget line', id);
    assertCovers(actor, line.jurisdictionPath, 'id');
    return line;
  }

  async list(
    actor: Actor,
    filter: {
      year?: number;
      jurisdictionCode?: string;
      sourceCode?: string;
      exact?: boolean;
      limit?: number;
      cursor?: string;
    },
  ): Promise<Page<BudgetLineView>> {
    let prefix = actor.jurisdictionPath;
    if (filter.jurisdictionCode) {
      const j = await this.jurisdictions.get(filter.jurisdictionCode);
      assertCovers(actor, j.path);
      prefix = j.path;
    }
    const limit = clampLimit(filter.limit);
    const after = decodeCursor<{ c: string; id: string }>(filter.cursor);
    const rows = await this.repo.listLines({
      pathPrefix: prefix,
      year: filter.year,
      sourceCode: filter.sourceCode,
      exactJurisdiction: filter.exact && filter.jurisdictionCode ? filter.jurisdictionCode : undefined,
      after: after ? { createdAt: after.c, id: after.id } : undefined,
      limit,
    });
    return toPage(rows, limit, toBudgetLineView, (r) => ({ c: r.createdKey, id: r.id }));
  }

  private async mustFind(
    id: string,
    m: Parameters<LedgerRepository['findLine']>[1],
  ): Promise<BudgetLineRecord> {
    const line = await this.repo.findLine(id, m);
    if (!line) throw notFound('budget line', id);
    return line;
  }
}
