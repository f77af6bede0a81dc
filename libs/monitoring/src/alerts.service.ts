import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import {
  Actor,
  assertCovers,
  assertRole,
  clampLimit,
  decodeCursor,
  DomainError,
  notFound,
  Page,
  Role,
  toPage,
} from '@sunshine/common';
import { AuditLogService } from '@sunshine/audit-log';
import { JurisdictionsService } from '@sunshine/jurisdictions';

export const ALERT_RULES = [
  'PROGRESS_BEHIND',
  'IDLE_FUNDS',
  'CARRY_OVER',
  'LATE_ISSUANCE',
  'NO_PROGRESS_REPORT',
  'NOTICE_OVERDUE',
] as const;
export type AlertRule = (typeof ALERT_RULES)[number];
export const ALERT_STATES = ['raised', 'acknowledged', 'rectifying', 'resolved', 'escalated'] as const;
export type AlertState = (typeof ALERT_STATES)[number];

/** Who acts on an alert of each rule (in the alert's jurisdiction, or the one it was escalated to). */
export const RESPONSIBLE_ROLES: Record<AlertRule, readonly Role[]> = {
  PROGRESS_BEHIND: ['finance'],
  IDLE_FUNDS: ['finance'],
  CARRY_OVER: ['finance'],
  LATE_ISSUANCE: ['finance'],
  NO_PROGRESS_REPORT: ['poverty_office', 'project_owner'],
  NOTICE_OVERDUE: ['finance', 'poverty_office'],
};

export interface AlertView {
  id: string;
  rule: AlertRule;
  subjectType: string;
  subjectId: string;
  jurisdictionCode: string;
  severity: 'yellow' | 'red';
  status: AlertState;
  title: string;
  details: Record<string, unknown>;
  raisedOn: string;
  dueOn: string;
  lastSeenOn: string;
  acknowledged: { by: string; at: string } | null;
  plan: { text: string; dueOn: string; by: string; at: string } | null;
  resolution: { evidence: string; by: string; at: string } | null;
  escalatedTo: string | null;
  escalatedAt: string | null;
}

interface AlertRow {
  id: string;
  rule: AlertRule;
  subject_type: string;
  subject_id: string;
  jurisdiction_code: string;
  jurisdiction_path: string;
  escalated_path: string | null;
  severity: 'yellow' | 'red';
  status: AlertState;
  title: string;
  details: Record<string, unknown>;
  raised_on: string;
  due_on: string;
  last_seen_on: string;
  ack_user: string | null;
  acknowledged_at: Date | null;
  plan: string | null;
  plan_due_on: string | null;
  plan_user: string | null;
  planned_at: Date | null;
  resolve_user: string | null;
  resolved_at: Date | null;
  evidence: string | null;
  escalated_to: string | null;
  escalated_at: Date | null;
  created_at: Date;
  created_key: string;
}

const SELECT = `SELECT a.*, to_char(a.raised_on, 'YYYY-MM-DD') AS raised_on, to_char(a.due_on, 'YYYY-MM-DD') AS due_on,
  to_char(a.last_seen_on, 'YYYY-MM-DD') AS last_seen_on, to_char(a.plan_due_on, 'YYYY-MM-DD') AS plan_due_on,
  a.created_at::text AS created_key, j.path AS jurisdiction_path, ej.path AS escalated_path,
  ua.username AS ack_user, up.username AS plan_user, ur.username AS resolve_user
  FROM alerts a JOIN jurisdictions j ON j.code = a.jurisdiction_code
  LEFT JOIN jurisdictions ej ON ej.code = a.escalated_to
  LEFT JOIN users ua ON ua.id = a.acknowledged_by LEFT JOIN users up ON up.id = a.planned_by
  LEFT JOIN users ur ON ur.id = a.resolved_by`;

/** Alerts and their life cycle: raised → acknowledged → rectifying (plan) → resolved (evidence), or escalated. */
@Injectable()
export class AlertsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly jurisdictions: JurisdictionsService,
    private readonly audit: AuditLogService,
  ) {}

  async list(
    actor: Actor,
    f: { status?: AlertState; rule?: AlertRule; jurisdictionCode?: string; limit?: number; cursor?: string },
  ): Promise<Page<AlertView>> {
    let prefix = actor.jurisdictionPath;
    if (f.jurisdictionCode) {
      const j = await this.jurisdictions.get(f.jurisdictionCode);
      assertCovers(actor, j.path);
      prefix = j.path;
    }
    const limit = clampLimit(f.limit);
    const after = decodeCursor<{ c: string; id: string }>(f.cursor);
    const params: unknown[] = [`${prefix}%`];
    const where = ['j.path LIKE $1'];
    if (f.status) {
      params.push(f.status);
      where.push(`a.status = $${params.length}`);
    }
    if (f.rule) {
      params.push(f.rule);
      where.push(`a.rule = $${params.length}`);
    }
    if (after) {
      params.push(after.c, after.id);
      where.push(`(a.created_at, a.id) > ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
    }
    params.push(limit + 1);
    const rows = await this.dataSource.query<AlertRow[]>(
      `${SELECT} WHERE ${where.join(' AND ')} ORDER BY a.created_at, a.id LIMIT $${params.length}`,
      params,
    );
    return toPage(rows, limit, toView, (r) => ({ c: r.created_key, id: r.id }));
  }

  /** The caller's inbox: open alerts of its own jurisdiction (or escalated to it) that its role must act on. */
  async inbox(actor: Actor): Promise<AlertView[]> {
    const rules = ALERT_RULES.filter((r) => RESPONSIBLE_ROLES[r].includes(actor.role));
    if (rules.length === 0) return [];
    const rows = await this.dataSource.query<AlertRow[]>(
      `${SELECT} WHERE a.status <> 'resolved' AND a.rule = ANY($2::text[])
         AND (a.escalated_to = $1 OR (a.escalated_to IS NULL AND a.jurisdiction_code = $1))
       ORDER BY a.severity DESC, a.due_on, a.id LIMIT 500`,
      [actor.jurisdictionCode, rules],
    );
    return rows.map(toView);
  }

  async get(actor: Actor, id: string): Promise<AlertView> {
    const row = await this.find(this.dataSource.manager, id);
    if (!row) throw notFound('alert', id);
    if (!this.sees(actor, row)) throw notFound('alert', id);
    return toView(row);
  }

  acknowledge(actor: Actor, id: string): Promise<AlertView> {
    return this.step(actor, id, ['raised', 'escalated'], 'acknowledged', (m, row) =>
      m.query(
        `UPDATE alerts SET status = 'acknowledged', acknowledged_by = $2, acknowledged_at = now() WHERE id = $1`,
        [row.id, actor.id],
      ),
    );
  }

  plan(actor: Actor, id: string, plan: string, dueOn: string): Promise<AlertView> {
    return this.step(
      actor,
      id,
      ['acknowledged', 'rectifying', 'escalated'],
      'rectifying',
      (m, row) => {
        if (dueOn < row.raised_on) {
          throw new DomainError('VALIDATION_FAILED', 'the plan is due before the alert was raised', [
            { field: 'dueOn', problem: `before ${row.raised_on}` },
          ]);
        }
        return m.query(
          `UPDATE alerts SET status = 'rectifying', plan = $2, plan_due_on = $3, due_on = $3, planned_by = $4, planned_at = now()
         WHERE id = $1`,
          [row.id, plan, dueOn, actor.id],
        );
      },
      { plan, dueOn },
    );
  }

  resolve(actor: Actor, id: string, evidence: string): Promise<AlertView> {
    return this.step(
      actor,
      id,
      ['acknowledged', 'rectifying', 'escalated'],
      'resolved',
      (m, row) =>
        m.query(
          `UPDATE alerts SET status = 'resolved', evidence = $2, resolved_by = $3, resolved_at = now() WHERE id = $1`,
          [row.id, evidence, actor.id],
        ),
      { evidence },
    );
  }

  private async step(
    actor: Actor,
    id: string,
    from: readonly AlertState[],
    to: AlertState,
    write: (m: EntityManager, row: AlertRow) => Promise<unknown>,
    extra: Record<string, unknown> = {},
  ): Promise<AlertView> {
    await this.dataSource.transaction(async (m) => {
      const row = await this.find(m, id, true);
      if (!row || !this.sees(actor, row)) throw notFound('alert', id);
      assertRole(actor, [...RESPONSIBLE_ROLES[row.rule], 'admin']);
      // once escalated, the parent jurisdiction handles the alert
      const actingAt = row.escalated_to ?? row.jurisdiction_code;
      if (actor.role !== 'admin' && actor.jurisdictionCode !== actingAt) {
        throw new DomainError('FORBIDDEN_JURISDICTION', `this alert is handled by ${actingAt ?? '?'}`, [
          { field: 'id', problem: 'not your jurisdiction’s alert' },
        ]);
      }
      if (!from.includes(row.status)) {
        throw new DomainError('INVALID_TRANSITION', `an alert in state ${row.status} cannot become ${to}`, [
          { field: 'status', problem: row.status },
        ]);
      }
      await write(m, row);
      await this.audit.append(m, actor, [
        {
          action: `alert.${to}`,
          entityType: 'alert',
          entityId: row.id,
          jurisdictionCode: row.jurisdiction_code,
          before: { status: row.status },
          after: { status: to, ...extra },
        },
      ]);
    });
    return this.get(actor, id);
  }

  private sees(actor: Actor, row: AlertRow): boolean {
    return (
      row.jurisdiction_path.startsWith(actor.jurisdictionPath) ||
      (row.escalated_path !== null && row.escalated_path.startsWith(actor.jurisdictionPath))
    );
  }

  private async find(m: EntityManager, id: string, lock = false): Promise<AlertRow | null> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
    const rows = await m.query<AlertRow[]>(`${SELECT} WHERE a.id = $1 ${lock ? 'FOR UPDATE OF a' : ''}`, [
      id,
    ]);
    return rows[0] ?? null;
  }
}

const toView = (r: AlertRow): AlertView => ({
  id: r.id,
  rule: r.rule,
  subjectType: r.subject_type,
  subjectId: r.subject_id,
  jurisdictionCode: r.jurisdiction_code,
  severity: r.severity,
  status: r.status,
  title: r.title,
  details: r.details,
  raisedOn: r.raised_on,
  dueOn: r.due_on,
  lastSeenOn: r.last_seen_on,
  acknowledged:
    r.ack_user && r.acknowledged_at ? { by: r.ack_user, at: r.acknowledged_at.toISOString() } : null,
  plan:
    r.plan && r.plan_due_on && r.plan_user && r.planned_at
      ? { text: r.plan, dueOn: r.plan_due_on, by: r.plan_user, at: r.planned_at.toISOString() }
      : null,
  resolution:
    r.evidence && r.resolve_user && r.resolved_at
      ? { evidence: r.evidence, by: r.resolve_user, at: r.resolved_at.toISOString() }
      : null,
  escalatedTo: r.escalated_to,
  escalatedAt: r.escalated_at ? r.escalated_at.toISOString() : null,
});
