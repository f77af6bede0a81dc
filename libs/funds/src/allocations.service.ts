import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { Actor, assertCovers, assertRole, DomainError, notFound, todayInChina } from '@sunshine/common';
import { AuditEntry, AuditLogService } from '@sunshine/audit-log';
import { IdempotencyContext, StoredAnswer, TransactionRunner } from '@sunshine/database';
import { DomainEvent, DomainEvents } from '@sunshine/events';
import { Jurisdiction, JurisdictionsService } from '@sunshine/jurisdictions';
import { Fen, fenFromDb, formatYuan, parseYuan } from '@sunshine/money';
import { ReferenceService } from '@sunshine/reference';
import {
  availableOf,
  balancesOf,
  BudgetLineRecord,
  BudgetLineView,
  toBudgetLineView,
} from './budget-line.view';
import { WRITER_ROLES } from './budget-lines.service';
import { LedgerRepository, UUID } from './ledger.repository';
import { PeriodsService } from './periods.service';

export interface CreateAllocationInput {
  toJurisdictionCode: string;
  amount: string;
  documentNo: string;
  issuedOn: string;
  receivedOn?: string;
  holderDepartment?: string;
  title?: string;
}

export interface AllocationView {
  id: string;
  parentLineId: string;
  fromJurisdictionCode: string;
  toJurisdictionCode: string;
  amount: string;
  documentNo: string;
  issuedOn: string;
  receivedOn: string;
  viaPairing: boolean;
  status: 'active' | 'reversed';
  reversedOn: string | null;
  reversalReason: string | null;
  childLine: BudgetLineView;
}

interface AllocationRow {
  id: string;
  parent_line_id: string;
  child_line_id: string;
  from_jurisdiction_code: string;
  to_jurisdiction_code: string;
  amount: string;
  document_no: string;
  issued_on: string;
  received_on: string;
  via_pairing: boolean;
  status: 'active' | 'reversed';
  reversed_on: string | null;
  reversal_reason: string | null;
}

/**
 * 切块下达 / 分配: passes part of a line to a descendant jurisdiction (or, for pairing-channel lines, to a
 * paired one) as a child line held there, and reverses such allocations. Balances change in the same
 * transaction, under the parent line's row lock, with ledger entries, audit rows and a domain event.
 */
interface AllocationContext {
  parent: BudgetLineRecord;
  holder: Jurisdiction;
  target: Jurisdiction;
  viaPairing: boolean;
  sourceCode: string;
}

/** Audit rows and events an allocation leaves for its batch to write at once (the line is updated by the batch). */
interface Deferred {
  audit: AuditEntry[];
  events: DomainEvent[];
}

@Injectable()
export class AllocationsService {
  constructor(
    private readonly dataSource: DataSource,
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
    parentLineId: string,
    input: CreateAllocationInput,
    idempotency?: IdempotencyContext,
  ): Promise<StoredAnswer<AllocationView>> {
    const prepared = await this.prepare(actor, parentLineId, input);
    return this.tx.run(idempotency, 201, (m) => this.allocateIn(m, actor, prepared.ctx, prepared.input));
  }

  /** The same checks and write as `create`, inside the caller's transaction (imports: all rows or none). */
  async createIn(
    m: EntityManager,
    actor: Actor,
    parentLineId: string,
    input: CreateAllocationInput,
  ): Promise<AllocationView> {
    const prepared = await this.prepare(actor, parentLineId, input, m);
    return this.allocateIn(m, actor, prepared.ctx, prepared.input);
  }

  /** Checks that need no lock: role, amount, dates, the line and the target jurisdiction. */
  private async prepare(
    actor: Actor,
    parentLineId: string,
    input: CreateAllocationInput,
    m?: EntityManager,
  ): Promise<{
    ctx: AllocationContext;
    input: CreateAllocationInput & { receivedOn: string };
  }> {
    assertRole(actor, WRITER_ROLES);
    const parent = await this.repo.findLine(parentLineId, m);
    if (!parent) throw notFound('budget line', parentLineId);
    assertCovers(actor, parent.jurisdictionPath, 'id');
    return this.checkItem(parent, input);
  }

  /** The checks of one allocation against its (already found and covered) parent line. */
  private async checkItem(
    parent: BudgetLineRecord,
    input: CreateAllocationInput,
  ): Promise<{
    ctx: AllocationContext;
    input: CreateAllocationInput & { receivedOn: string };
  }> {
    const amount = parseYuan(input.amount);
    if (amount === 0n) {
      throw new DomainError('VALIDATION_FAILED', 'amount must be positive', [
        { field: 'amount', problem: 'zero' },
      ]);
    }
    const receivedOn = input.receivedOn ?? input.issuedOn;
    if (receivedOn < input.issuedOn) {
      throw new DomainError('VALIDATION_FAILED', 'receivedOn is before issuedOn', [
        { field: 'receivedOn', problem: 'before issuedOn' },
      ]);
    }
    if (parent.status !== 'active') {
      throw new DomainError('INVALID_TARGET', 'this budget line has been reversed', [
        { field: 'id', problem: 'reversed' },
      ]);
    }
    if (input.issuedOn < parent.receivedOn) {
      throw new DomainError('VALIDATION_FAILED', 'funds cannot be passed on before they were received', [
        { field: 'issuedOn', problem: `before the line's receivedOn ${parent.receivedOn}` },
      ]);
    }
    const target = await this.jurisdictions.find(input.toJurisdictionCode);
    if (!target) {
      throw new DomainError('INVALID_TARGET', `unknown jurisdiction ${input.toJurisdictionCode}`, [
        { field: 'toJurisdictionCode', problem: 'unknown jurisdiction' },
      ]);
    }
    const viaPairing = await this.checkTarget(parent, target);
    const source = await this.reference.fundSource(parent.sourceCode);
    const holder = await this.jurisdictions.get(parent.jurisdictionCode);
    return {
      ctx: { parent, holder, target, viaPairing, sourceCode: source.code },
      input: { ...input, receivedOn },
    };
  }

  /**
   * Many allocations of one line inside the caller's transaction (imports). Each item passes the same
   * checks as `create`, against a running balance kept under the line's row lock; the line row is updated
   * once at the end, so thousands of rows do not leave thousands of row versions behind in one
   * transaction. A refused item writes nothing and comes back as its error; the caller decides what to do
   * (an import rolls everything back when any item is refused).
   */
  async createBatchIn(
    m: EntityManager,
    actor: Actor,
    parentLineId: string,
    items: CreateAllocationInput[],
  ): Promise<(AllocationView | DomainError)[]> {
    assertRole(actor, WRITER_ROLES);
    await this.repo.lockLine(m, parentLineId);
    const parent = await this.repo.findLine(parentLineId, m);
    if (!parent) return items.map(() => notFound('budget line', parentLineId));
    assertCovers(actor, parent.jurisdictionPath, 'id');
    let available = availableOf(parent);
    let taken = 0n;
    const deferred: Deferred = { audit: [], events: [] };
    const out: (AllocationView | DomainError)[] = [];
    for (const item of items) {
      try {
        const checked = await this.checkItem(parent, item);
        const amount = parseYuan(item.amount);
        if (amount > available) {
          throw new DomainError(
            'INSUFFICIENT_BALANCE',
            'the budget line does not have this amount available',
            [{ field: 'amount', problem: `available ${formatYuan(available)}` }],
          );
        }
        out.push(await this.allocateIn(m, actor, checked.ctx, checked.input, deferred));
        available -= amount;
        taken += amount;
      } catch (e) {
        if (!(e instanceof DomainError)) throw e;
        out.push(e);
      }
    }
    if (taken > 0n) {
      const after = await this.repo.takeForAllocation(m, parent.id, taken);
      if (!after) throw new Error(`budget line ${parent.id} lost its balance under its own row lock`);
      deferred.audit.push({
        action: 'budget_line.allocate',
        entityType: 'budget_line',
        entityId: parent.id,
        jurisdictionCode: parent.jurisdictionCode,
        after: { ...balancesOf(after), allocations: out.filter((o) => !(o instanceof DomainError)).length },
      });
    }
    await this.audit.append(m, actor, deferred.audit);
    await this.events.publish(m, deferred.events);
    return out;
  }

  /**
   * Several allocations of one line in one transaction (因素法: the final figures of a factor-method plan):
   * all are recorded or none.
   */
  async createMany(
    actor: Actor,
    parentLineId: string,
    items: CreateAllocationInput[],
    m: EntityManager,
  ): Promise<AllocationView[]> {
    assertRole(actor, WRITER_ROLES);
    const parent = await this.repo.findLine(parentLineId, m);
    if (!parent) throw notFound('budget line', parentLineId);
    assertCovers(actor, parent.jurisdictionPath, 'id');
    const holder = await this.jurisdictions.get(parent.jurisdictionCode);
    const out: AllocationView[] = [];
    for (const [i, input] of items.entries()) {
      const amount = parseYuan(input.amount);
      if (amount === 0n) continue;
      const target = await this.jurisdictions.find(input.toJurisdictionCode);
      if (!target) {
        throw new DomainError('INVALID_TARGET', `unknown jurisdiction ${input.toJurisdictionCode}`, [
          { field: `allocations[${i}].jurisdictionCode`, problem: 'unknown jurisdiction' },
        ]);
      }
      if (input.issuedOn < parent.receivedOn) {
        throw new DomainError('VALIDATION_FAILED', 'funds cannot be passed on before they were received', [
          { field: 'issuedOn', problem: `before the line's receivedOn ${parent.receivedOn}` },
        ]);
      }
      const viaPairing = await this.checkTarget(parent, target);
      const receivedOn = input.receivedOn ?? input.issuedOn;
      out.push(
        await this.allocateIn(
          m,
          actor,
          { parent, holder, target, viaPairing, sourceCode: parent.sourceCode },
          { ...input, receivedOn },
        ),
      );
    }
    return out;
  }

  private async allocateIn(
    m: EntityManager,
    actor: Actor,
    ctx: AllocationContext,
    input: CreateAllocationInput & { receivedOn: string },
    deferred?: Deferred,
  ): Promise<AllocationView> {
    const { parent, holder, target, viaPairing } = ctx;
    const source = { code: ctx.sourceCode };
    const amount = parseYuan(input.amount);
    const receivedOn = input.receivedOn;
    const holderDepartment = input.holderDepartment ?? `${target.name}财政局`;
    const title = input.title ?? parent.title;
    await this.periods.assertAllOpen(m, [
      { target: holder, date: input.issuedOn, field: 'issuedOn' },
      { target, date: receivedOn, field: 'receivedOn' },
    ]);
    // in a batch the caller checks a running balance under the line's lock and takes the total once
    const parentAfter = deferred ? null : await this.repo.takeForAllocation(m, parent.id, amount);
    if (!deferred && !parentAfter) {
      const now = await this.repo.findLine(parent.id, m);
      throw new DomainError('INSUFFICIENT_BALANCE', 'the budget line does not have this amount available', [
        { field: 'amount', problem: `available ${formatYuan(now ? availableOf(now) : 0n)}` },
      ]);
    }
    const allocationId = randomUUID();
    const childId = randomUUID();
    const createdAt = new Date();
    await this.repo.insertAllocation(m, {
      id: allocationId,
      parent: {
        id: parent.id,
        jurisdictionCode: parent.jurisdictionCode,
        year: parent.year,
        sourceCode: source.code,
      },
      child: { id: childId, jurisdictionCode: target.code, holderDepartment, title },
      amount,
      documentNo: input.documentNo,
      issuedOn: input.issuedOn,
      receivedOn,
      viaPairing,
      createdBy: actor.id,
      createdAt,
    });
    const childLine: BudgetLineView = {
      id: childId,
      year: parent.year,
      sourceCode: source.code,
      jurisdictionCode: target.code,
      jurisdictionName: target.name,
      holderDepartment,
      documentNo: input.documentNo,
      title,
      ...balancesOf({ amount, allocatedDown: 0n, assignedToProjects: 0n, paid: 0n }),
      receivedOn,
      parentLineId: parent.id,
      originAllocationId: allocationId,
      status: 'active',
      createdAt: createdAt.toISOString(),
    };
    const view: AllocationView = {
      id: allocationId,
      parentLineId: parent.id,
      fromJurisdictionCode: parent.jurisdictionCode,
      toJurisdictionCode: target.code,
      amount: formatYuan(amount),
      documentNo: input.documentNo,
      issuedOn: input.issuedOn,
      receivedOn,
      viaPairing,
      status: 'active',
      reversedOn: null,
      reversalReason: null,
      childLine,
    };
    const created: AuditEntry = {
      action: 'allocation.create',
      entityType: 'allocation',
      entityId: allocationId,
      jurisdictionCode: parent.jurisdictionCode,
      after: view,
    };
    const event: DomainEvent = {
      type: 'AllocationRecorded', // triggers the D2 fund-allocation notice (step 4)
      aggregateType: 'allocation',
      aggregateId: allocationId,
      jurisdictionCode: parent.jurisdictionCode,
      payload: {
        allocationId,
        parentLineId: parent.id,
        childLineId: childId,
        fromJurisdictionCode: parent.jurisdictionCode,
        toJurisdictionCode: target.code,
        amount: formatYuan(amount),
        issuedOn: input.issuedOn,
        receivedOn,
        documentNo: input.documentNo,
      },
    };
    if (deferred || !parentAfter) {
      deferred?.audit.push(created);
      deferred?.events.push(event);
      return view;
    }
    await this.audit.append(m, actor, [
      created,
      {
        action: 'budget_line.allocate',
        entityType: 'budget_line',
        entityId: parent.id,
        jurisdictionCode: parent.jurisdictionCode,
        after: { ...balancesOf(parentAfter), allocationId },
      },
    ]);
    await this.events.publish(m, [event]);
    return view;
  }

  async reverse(
    actor: Actor,
    allocationId: string,
    reason: string,
    idempotency?: IdempotencyContext,
  ): Promise<StoredAnswer<AllocationView>> {
    assertRole(actor, WRITER_ROLES);
    const current = await this.findRow(allocationId);
    if (!current) throw notFound('allocation', allocationId);
    const from = await this.jurisdictions.get(current.from_jurisdiction_code);
    const to = await this.jurisdictions.get(current.to_jurisdiction_code);
    assertCovers(actor, from.path, 'id');
    const on = todayInChina();
    const amount: Fen = fenFromDb(current.amount);
    return this.tx.run(idempotency, 201, async (m) => {
      await this.periods.assertAllOpen(m, [
        { target: from, date: on, field: 'reversedOn' },
        { target: to, date: on, field: 'reversedOn' },
      ]);
      // lock order everywhere: child line before parent line
      const marked = await m.query<[unknown[], number]>(
        `UPDATE allocations SET status = 'reversed', reversed_on = $2, reversed_at = now(), reversed_by = $3,
           reversal_reason = $4 WHERE id = $1 AND status = 'active' RETURNING id`,
        [allocationId, on, actor.id, reason],
      );
      if (marked[1] === 0) {
        throw new DomainError('INVALID_TRANSITION', 'this allocation is already reversed', [
          { field: 'id', problem: 'reversed' },
        ]);
      }
      const childBefore = await this.repo.findLine(current.child_line_id, m);
      if (!(await this.repo.emptyLine(m, current.child_line_id, amount))) {
        throw new DomainError(
          'INSUFFICIENT_BALANCE',
          'the receiving line no longer holds the whole amount; reverse what it passed on first',
          [
            {
              field: 'amount',
              problem: `child line available ${formatYuan(childBefore ? availableOf(childBefore) : 0n)}`,
            },
          ],
        );
      }
      await this.repo.returnFromAllocation(m, current.parent_line_id, amount);
      await this.repo.appendEntries(m, [
        {
          lineId: current.child_line_id,
          bucket: 'amount',
          delta: -amount,
          entryType: 'allocation_in_reversal',
          refType: 'allocation',
          refId: allocationId,
          effectiveOn: on,
          counterpartJurisdictionCode: current.from_jurisdiction_code,
          createdBy: actor.id,
        },
        {
          lineId: current.parent_line_id,
          bucket: 'allocated_down',
          delta: -amount,
          entryType: 'allocation_out_reversal',
          refType: 'allocation',
          refId: allocationId,
          effectiveOn: on,
          counterpartJurisdictionCode: current.to_jurisdiction_code,
          createdBy: actor.id,
        },
      ]);
      const view = await this.mustView(allocationId, m);
      await this.audit.append(m, actor, [
        {
          action: 'allocation.reverse',
          entityType: 'allocation',
          entityId: allocationId,
          jurisdictionCode: current.from_jurisdiction_code,
          before: { status: 'active' },
          after: { status: 'reversed', reversedOn: on, reason },
        },
      ]);
      await this.events.publish(m, [
        {
          type: 'AllocationReversed',
          aggregateType: 'allocation',
          aggregateId: allocationId,
          jurisdictionCode: current.from_jurisdiction_code,
          payload: { allocationId, amount: formatYuan(amount), reversedOn: on, reason },
        },
      ]);
      return view;
    });
  }

  async get(actor: Actor, id: string): Promise<AllocationView> {
    const row = await this.findRow(id);
    if (!row) throw notFound('allocation', id);
    const from = await this.jurisdictions.get(row.from_jurisdiction_code);
    const to = await this.jurisdictions.get(row.to_jurisdiction_code);
    if (!from.path.startsWith(actor.jurisdictionPath) && !to.path.startsWith(actor.jurisdictionPath)) {
      assertCovers(actor, from.path, 'id');
    }
    return this.mustView(id);
  }

  async listForLine(actor: Actor, lineId: string): Promise<AllocationView[]> {
    const line = await this.repo.findLine(lineId);
    if (!line) throw notFound('budget line', lineId);
    assertCovers(actor, line.jurisdictionPath, 'id');
    const rows = await this.dataSource.query<{ id: string }[]>(
      `SELECT id FROM allocations WHERE parent_line_id = $1 ORDER BY created_at, id`,
      [lineId],
    );
    const out: AllocationView[] = [];
    for (const r of rows) out.push(await this.mustView(r.id));
    return out;
  }

  /** Down the tree (strict descendant), or sideways to a paired jurisdiction for pairing-channel lines. */
  private async checkTarget(parent: BudgetLineRecord, target: Jurisdiction): Promise<boolean> {
    const source = await this.reference.fundSource(parent.sourceCode);
    if (
      source.channel === 'pairing' &&
      (await this.jurisdictions.isPairedRecipient(parent.jurisdictionCode, target))
    ) {
      return true;
    }
    if (target.path.startsWith(parent.jurisdictionPath) && target.code !== parent.jurisdictionCode)
      return false;
    throw new DomainError(
      'INVALID_TARGET',
      source.channel === 'pairing'
        ? 'pairing funds go to a jurisdiction paired with the holder, or down its own tree'
        : 'funds are allocated to a jurisdiction below the holder',
      [{ field: 'toJurisdictionCode', problem: 'not a valid receiver for this line' }],
    );
  }

  private async findRow(id: string, m?: EntityManager): Promise<AllocationRow | null> {
    if (!UUID.test(id)) return null;
    const rows = await (m ?? this.dataSource).query<AllocationRow[]>(
      `SELECT id, parent_line_id, child_line_id, from_jurisdiction_code, to_jurisdiction_code, amount::text AS amount,
         document_no, issued_on, received_on, via_pairing, status, reversed_on, reversal_reason
       FROM allocations WHERE id = $1`,
      [id],
    );
    return rows[0] ?? null;
  }

  private async mustView(id: string, m?: EntityManager): Promise<AllocationView> {
    const row = await this.findRow(id, m);
    if (!row) throw notFound('allocation', id);
    const child = await this.repo.findLine(row.child_line_id, m);
    if (!child) throw notFound('budget line', row.child_line_id);
    return {
      id: row.id,
      parentLineId: row.parent_line_id,
      fromJurisdictionCode: row.from_jurisdiction_code,
      toJurisdictionCode: row.to_jurisdiction_code,
      amount: formatYuan(fenFromDb(row.amount)),
      documentNo: row.document_no,
      issuedOn: row.issued_on,
      receivedOn: row.received_on,
      viaPairing: row.via_pairing,
      status: row.status,
      reversedOn: row.reversed_on,
      reversalReason: row.reversal_reason,
      childLine: toBudgetLineView(child),
    };
  }
}
