import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Actor, assertCovers, todayInChina } from '@sunshine/common';
import { JurisdictionsService } from '@sunshine/jurisdictions';
import { fenFromDb, formatYuan } from '@sunshine/money';

/** Days after which received money that was neither passed on nor paid counts as idle (滞留), by default. */
export const DEFAULT_IDLE_DAYS = 30;
/** A higher level passes funds on to counties within this many days of receiving them (issuance timeliness). */
export const DEFAULT_ISSUANCE_DAYS = 30;
/** Balances of lines this many years old or more are flagged for recovery (结转结余 → 收回统筹). */
export const CARRY_OVER_YEARS = 2;

export interface IdleFundsItem {
  lineId: string;
  year: number;
  sourceCode: string;
  jurisdictionCode: string;
  jurisdictionName: string;
  /** the department holding the money (the line's holder) */
  holderDepartment: string;
  /** money that arrived more than `days` days ago and has been neither passed on nor paid */
  idleAmount: string;
  /** everything the holder still has (received − passed on − paid) */
  balance: string;
  /** arrival date of the oldest money still held (first in, first out) */
  heldSince: string;
  daysHeld: number;
}

export interface LateIssuanceItem {
  allocationId: string | null;
  lineId: string;
  fromJurisdictionCode: string;
  holderDepartment: string;
  toJurisdictionCode: string | null;
  receivedOn: string;
  issuedOn: string | null;
  amount: string;
  days: number;
}

export interface CarryOverItem {
  lineId: string;
  year: number;
  sourceCode: string;
  jurisdictionCode: string;
  holderDepartment: string;
  balance: string;
  ageYears: number;
}

/**
 * 滞留 / 下达及时性 / 结转结余, all as of a date from the dated ledger entries: idle money per holder with the
 * days it has been held (first in, first out), allocations from above-county lines issued later than the
 * limit after the money arrived (and money still not passed on past it), and old balances to recover.
 */
@Injectable()
export class IdleFundsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly jurisdictions: JurisdictionsService,
  ) {}

  async report(
    actor: Actor,
    q: {
      jurisdictionCode?: string;
      asOf?: string;
      days?: number;
      issuanceDays?: number;
      limit?: number | null;
    },
  ): Promise<{
    asOf: string;
    days: number;
    issuanceDays: number;
    idle: IdleFundsItem[];
    lateIssuance: LateIssuanceItem[];
    carryOver: CarryOverItem[];
  }> {
    const root = await this.jurisdictions.get(q.jurisdictionCode ?? actor.jurisdictionCode);
    assertCovers(actor, root.path);
    const asOf = q.asOf ?? todayInChina();
    const days = q.days ?? DEFAULT_IDLE_DAYS;
    const issuanceDays = q.issuanceDays ?? DEFAULT_ISSUANCE_DAYS;
    // the API answers the first 1,000 of each list; the monitors read them all (limit null)
    const limit = q.limit === undefined ? 1000 : q.limit;
    const [idle, lateIssuance, carryOver] = await Promise.all([
      this.idle(root.path, asOf, days, limit),
      this.lateIssuance(root.path, asOf, issuanceDays, limit),
      this.carryOver(root.path, asOf, limit),
    ]);
    return { asOf, days, issuanceDays, idle, lateIssuance, carryOver };
  }

  private async idle(
    path: string,
    asOf: string,
    days: number,
    limit: number | null,
  ): Promise<IdleFundsItem[]> {
    const rows = await this.dataSource.query<
      {
        line_id: string;
        year: number;
        source_code: string;
        jurisdiction_code: string;
        name: string;
        holder_department: string;
        idle: string;
        balance: string;
        held_since: string;
        days_held: number;
      }[]
    >(
      `WITH lines AS (
         SELECT l.id, l.year, l.source_code, l.jurisdiction_code, j.name, l.holder_department
         FROM budget_lines l JOIN jurisdictions j ON j.code = l.jurisdiction_code WHERE j.path LIKE $1
       ),
       flows AS (
         SELECT e.line_id,
           sum(e.delta) FILTER (WHERE e.bucket = 'amount') AS received,
           sum(e.delta) FILTER (WHERE e.bucket = 'amount' AND e.effective_on <= $2::date - $3::int) AS received_old,
           coalesce(sum(e.delta) FILTER (WHERE e.bucket IN ('allocated_down', 'paid')), 0) AS gone
         FROM ledger_entries e JOIN lines x ON x.id = e.line_id
         WHERE e.effective_on <= $2::date
         GROUP BY e.line_id
       ),
       inflows AS (
         SELECT e.line_id, e.effective_on,
           sum(e.delta) OVER (PARTITION BY e.line_id ORDER BY e.effective_on, e.id) AS cumulative
         FROM ledger_entries e JOIN flows f ON f.line_id = e.line_id
         WHERE e.bucket = 'amount' AND e.delta > 0 AND e.effective_on <= $2::date
       )
       SELECT x.id AS line_id, x.year, x.source_code, x.jurisdiction_code, x.name, x.holder_department,
         (f.received_old - f.gone)::text AS idle, (f.received - f.gone)::text AS balance,
         to_char(s.since, 'YYYY-MM-DD') AS held_since, ($2::date - s.since) AS days_held
       FROM flows f JOIN lines x ON x.id = f.line_id
       CROSS JOIN LATERAL (
         SELECT min(i.effective_on) AS since FROM inflows i WHERE i.line_id = f.line_id AND i.cumulative > f.gone
       ) s
       WHERE f.received_old - f.gone > 0
       ORDER BY days_held DESC, f.received_old - f.gone DESC, x.id
       LIMIT $4`,
      [`${path}%`, asOf, days, limit],
    );
    return rows.map((r) => ({
      lineId: r.line_id,
      year: r.year,
      sourceCode: r.source_code,
      jurisdictionCode: r.jurisdiction_code,
      jurisdictionName: r.name,
      holderDepartment: r.holder_department,
      idleAmount: formatYuan(fenFromDb(r.idle)),
      balance: formatYuan(fenFromDb(r.balance)),
      heldSince: r.held_since,
      daysHeld: r.days_held,
    }));
  }

  /** Above-county lines: allocations issued late, and money still not passed on once the limit has passed. */
  private async lateIssuance(
    path: string,
    asOf: string,
    issuanceDays: number,
    limit: number | null,
  ): Promise<LateIssuanceItem[]> {
    const rows = await this.dataSource.query<
      {
        allocation_id: string | null;
        line_id: string;
        from_code: string;
        holder_department: string;
        to_code: string | null;
        received_on: string;
        issued_on: string | null;
        amount: string;
        days: number;
      }[]
    >(
      `SELECT a.id AS allocation_id, l.id AS line_id, l.jurisdiction_code AS from_code, l.holder_department,
              a.to_jurisdiction_code AS to_code, to_char(l.received_on, 'YYYY-MM-DD') AS received_on,
              to_char(a.issued_on, 'YYYY-MM-DD') AS issued_on, a.amount::text AS amount, (a.issued_on - l.received_on) AS days
       FROM allocations a JOIN budget_lines l ON l.id = a.parent_line_id JOIN jurisdictions j ON j.code = l.jurisdiction_code
       WHERE j.path LIKE $1 AND j.level IN ('nation', 'province', 'city') AND a.status = 'active'
         AND a.issued_on <= $2::date AND a.issued_on - l.received_on > $3
       UNION ALL
       SELECT NULL, l.id, l.jurisdiction_code, l.holder_department, NULL, to_char(l.received_on, 'YYYY-MM-DD'), NULL,
              (l.amount - l.allocated_down - l.paid)::text, ($2::date - l.received_on)
       FROM budget_lines l JOIN jurisdictions j ON j.code = l.jurisdiction_code
       WHERE j.path LIKE $1 AND j.level IN ('nation', 'province', 'city') AND l.status = 'active'
         AND l.received_on <= $2::date - $3::int AND l.amount - l.allocated_down - l.paid > 0
       ORDER BY days DESC LIMIT $4`,
      [`${path}%`, asOf, issuanceDays, limit],
    );
    return rows.map((r) => ({
      allocationId: r.allocation_id,
      lineId: r.line_id,
      fromJurisdictionCode: r.from_code,
      holderDepartment: r.holder_department,
      toJurisdictionCode: r.to_code,
      receivedOn: r.received_on,
      issuedOn: r.issued_on,
      amount: formatYuan(fenFromDb(r.amount)),
      days: r.days,
    }));
  }

  private async carryOver(path: string, asOf: string, limit: number | null): Promise<CarryOverItem[]> {
    const year = Number(asOf.slice(0, 4));
    const rows = await this.dataSource.query<
      {
        line_id: string;
        year: number;
        source_code: string;
        jurisdiction_code: string;
        holder_department: string;
        balance: string;
      }[]
    >(
      `SELECT l.id AS line_id, l.year, l.source_code, l.jurisdiction_code, l.holder_department,
              sum(e.delta) FILTER (WHERE e.bucket = 'amount') - coalesce(sum(e.delta) FILTER (WHERE e.bucket IN ('allocated_down','paid')), 0) AS balance
       FROM budget_lines l JOIN jurisdictions j ON j.code = l.jurisdiction_code JOIN ledger_entries e ON e.line_id = l.id
       WHERE j.path LIKE $1 AND l.year <= $2 AND e.effective_on <= $3::date
       GROUP BY l.id
       HAVING sum(e.delta) FILTER (WHERE e.bucket = 'amount') - coalesce(sum(e.delta) FILTER (WHERE e.bucket IN ('allocated_down','paid')), 0) > 0
       ORDER BY l.year, l.id LIMIT $4`,
      [`${path}%`, year - CARRY_OVER_YEARS, asOf, limit],
    );
    return rows.map((r) => ({
      lineId: r.line_id,
      year: r.year,
      sourceCode: r.source_code,
      jurisdictionCode: r.jurisdiction_code,
      holderDepartment: r.holder_department,
      balance: formatYuan(fenFromDb(r.balance)),
      ageYears: year - r.year,
    }));
  }
}
