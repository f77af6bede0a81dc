import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Actor, assertCovers, assertRole, DomainError, todayInChina, yearMonthOf } from '@sunshine/common';
import { AuditLogService } from '@sunshine/audit-log';
import { DomainEvents } from '@sunshine/events';
import { Jurisdiction, JurisdictionsService } from '@sunshine/jurisdictions';

export interface PeriodView {
  jurisdictionCode: string;
  year: number;
  month: number;
  status: 'closed' | 'reopened';
  closedAt: string;
  reopenedAt: string | null;
  reopenReason: string | null;
}

interface Row {
  id: string;
  jurisdiction_code: string;
  year: number;
  month: number;
  status: 'closed' | 'reopened';
  closed_at: Date;
  reopened_at: Date | null;
  reopen_reason: string | null;
}

const toView = (r: Row): PeriodView => ({
  jurisdictionCode: r.jurisdiction_code,
  year: r.year,
  month: r.month,
  status: r.status,
  closedAt: r.closed_at.toISOString(),
  reopenedAt: r.reopened_at ? r.reopened_at.toISOString() : null,
  reopenReason: r.reopen_reason,
});

/**
 * Period closing (结账): finance closes a month for its subtree; a write dated in a closed month of the
 * written jurisdiction or of any ancestor is refused with PERIOD_CLOSED; only admin reopens, with a reason.
 */
@Injectable()
export class PeriodsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly jurisdictions: JurisdictionsService,
    private readonly audit: AuditLogService,
    private readonly events: DomainEvents,
  ) {}

  async assertOpen(m: EntityManager, target: Jurisdiction, date: string, field: string): Promise<void> {
    await this.assertAllOpen(m, [{ target, date, field }]);
  }

  /** One query for several dated writes (e.g. an allocation's issue date at the sender, arrival at the receiver). */
  async assertAllOpen(
    m: EntityManager,
    checks: { target: Jurisdiction; date: string; field: string }[],
  ): Promise<void> {
    const values: unknown[] = [];
    const tuples = checks.map((c, i) => {
      const { year, month } = yearMonthOf(c.date);
      values.push(
        i,
        year,
        month,
        c.target.path.split('/').filter((code) => code.length > 0),
      );
      const b = i * 4;
      return `($${b + 1}::int, $${b + 2}::int, $${b + 3}::int, $${b + 4}::text[])`;
    });
    const rows = await m.query<{ i: number; jurisdiction_code: string; year: number; month: number }[]>(
      `SELECT v.i, p.jurisdiction_code, p.year, p.month FROM (VALUES ${tuples.join(', ')}) AS v(i, y, mo, ancestors)
       JOIN period_closures p ON p.status = 'closed' AND p.year = v.y AND p.month = v.mo AND p.jurisdiction_code = ANY(v.ancestors)
       ORDER BY v.i LIMIT 1`,
      values,
    );
    if (rows.length > 0) {
      const r = rows[0];
      const ym = `${r.year}-${String(r.month).padStart(2, '0')}`;
      throw new DomainError('PERIOD_CLOSED', `${ym} is closed for ${r.jurisdiction_code}`, [
        { field: checks[r.i].field, problem: `period ${ym} is closed` },
      ]);
    }
  }

  async close(
    actor: Actor,
    input: { jurisdictionCode: string; year: number; month: number },
  ): Promise<PeriodView> {
    assertRole(actor, ['finance', 'admin']);
    const j = await this.jurisdictions.get(input.jurisdictionCode);
    assertCovers(actor, j.path);
    const { year: thisYear, month: thisMonth } = yearMonthOf(todayInChina());
    if (input.year * 12 + input.month > thisYear * 12 + thisMonth) {
      throw new DomainError('VALIDATION_FAILED', 'a future month cannot be closed', [
        { field: 'month', problem: 'in the future' },
      ]);
    }
    return this.dataSource.transaction(async (m) => {
      const rows = await m.query<Row[]>(
        `INSERT INTO period_closures (jurisdiction_code, year, month, status, closed_by) VALUES ($1, $2, $3, 'closed', $4)
         ON CONFLICT (jurisdiction_code, year, month) WHERE status = 'closed' DO NOTHING RETURNING *`,
        [j.code, input.year, input.month, actor.id],
      );
      if (rows.length === 0) {
        throw new DomainError('CONFLICT', 'this period is already closed', [
          { field: 'month', problem: 'already closed' },
        ]);
      }
      const view = toView(rows[0]);
      await this.audit.append(m, actor, [
        {
          action: 'period.close',
          entityType: 'period',
          entityId: rows[0].id,
          jurisdictionCode: j.code,
          after: view,
        },
      ]);
      await this.events.publish(m, [
        {
          type: 'PeriodClosed',
          aggregateType: 'period',
          aggregateId: rows[0].id,
          jurisdictionCode: j.code,
          payload: { ...view },
        },
      ]);
      return view;
    });
  }

  async reopen(
    actor: Actor,
    input: { jurisdictionCode: string; year: number; month: number; reason: string },
  ): Promise<PeriodView> {
    assertRole(actor, ['admin']);
    const j = await this.jurisdictions.get(input.jurisdictionCode);
    assertCovers(actor, j.path);
    return this.dataSource.transaction(async (m) => {
      const rows = await m.query<[Row[], number]>(
        `UPDATE period_closures SET status = 'reopened', reopened_by = $4, reopened_at = now(), reopen_reason = $5
         WHERE jurisdiction_code = $1 AND year = $2 AND month = $3 AND status = 'closed' RETURNING *`,
        [j.code, input.year, input.month, actor.id, input.reason],
      );
      const row = rows[0][0];
      if (!row) {
        throw new DomainError('PERIOD_NOT_CLOSED', 'this period is not closed', [
          { field: 'month', problem: 'not closed' },
        ]);
      }
      const view = toView(row);
      await this.audit.append(m, actor, [
        {
          action: 'period.reopen',
          entityType: 'period',
          entityId: row.id,
          jurisdictionCode: j.code,
          before: { status: 'closed' },
          after: view,
        },
      ]);
      await this.events.publish(m, [
        {
          type: 'PeriodReopened',
          aggregateType: 'period',
          aggregateId: row.id,
          jurisdictionCode: j.code,
          payload: { ...view },
        },
      ]);
      return view;
    });
  }

  async list(actor: Actor, year?: number): Promise<PeriodView[]> {
    const params: unknown[] = [`${actor.jurisdictionPath}%`];
    let yearFilter = '';
    if (year !== undefined) {
      params.push(year);
      yearFilter = 'AND p.year = $2';
    }
    const rows = await this.dataSource.query<Row[]>(
      `SELECT p.* FROM period_closures p JOIN jurisdictions j ON j.code = p.jurisdiction_code
       WHERE j.path LIKE $1 ${yearFilter} ORDER BY p.year DESC, p.month DESC, p.closed_at DESC LIMIT 500`,
      params,
    );
    return rows.map(toView);
  }
}
