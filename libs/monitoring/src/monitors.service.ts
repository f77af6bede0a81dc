import { Finding, MonitorRegistry } from './monitor-registry';

export type { Finding };
import { Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Actor, notFound, todayInChina } from '@sunshine/common';
import { AuditLogService } from '@sunshine/audit-log';
import { CalendarNotCovered, CalendarService } from '@sunshine/calendar';
import { JurisdictionsService } from '@sunshine/jurisdictions';
import { DEFAULT_IDLE_DAYS, IdleFundsService } from './idle-funds.service';
import { REPORT_GAP_DAYS, ReportingDisciplineService } from './reporting-discipline.service';
import { SpendingProgressService } from './spending-progress.service';

/** The monitors act as this pseudo-user in the audit log (chain of the nation). */
export const MONITOR_ACTOR: Actor = {
  id: '00000000-0000-0000-0000-000000000000',
  username: 'system:monitors',
  role: 'admin',
  jurisdictionCode: '000000',
  jurisdictionPath: '/000000/',
  unit: null,
};

/** Working days a jurisdiction has to act on a new alert before it escalates to the level above. */
export const ALERT_RESPONSE_WORKING_DAYS = 10;

export interface MonitorRunView {
  runKey: string;
  asOf: string;
  status: 'running' | 'done';
  attempts: number;
  raised: number;
  seen: number;
  escalated: number;
  warnings: string[];
}

/**
 * Runs every monitor for a date and turns findings into alerts: one open alert per (rule, subject), so a
 * second run raises nothing new; overdue alerts escalate to the parent jurisdiction. A run is keyed (by
 * default the date): run again after a crash, it completes the same run once; run when done, it does nothing.
 */
@Injectable()
export class MonitorsService {
  private readonly logger = new Logger(MonitorsService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly progress: SpendingProgressService,
    private readonly idleFunds: IdleFundsService,
    private readonly reporting: ReportingDisciplineService,
    private readonly calendar: CalendarService,
    private readonly jurisdictions: JurisdictionsService,
    private readonly audit: AuditLogService,
    private readonly registry: MonitorRegistry,
  ) {}

  async run(asOf: string = todayInChina(), runKey = `monitors-${asOf}`): Promise<MonitorRunView> {
    const started = await this.dataSource.query<{ status: string }[]>(
      `INSERT INTO monitor_runs (run_key, as_of, status) VALUES ($1, $2, 'running')
       ON CONFLICT (run_key) DO UPDATE SET attempts = monitor_runs.attempts + 1
         WHERE monitor_runs.status = 'running'
       RETURNING status`,
      [runKey, asOf],
    );
    if (started.length === 0) return this.view(runKey); // done already
    const warnings: string[] = [];
    const findings = await this.findings(asOf, warnings);
    const dueOn = await this.responseDue(asOf, warnings);
    let raised = 0;
    let seen = 0;
    for (const f of findings) {
      const inserted = await this.raise(f, asOf, dueOn);
      if (inserted) raised += 1;
      else seen += 1;
    }
    const escalated = await this.escalateOverdue(asOf);
    await this.dataSource.query(
      `UPDATE monitor_runs SET status = 'done', raised = raised + $2, seen = $3, escalated = escalated + $4,
         warnings = $5, finished_at = now() WHERE run_key = $1`,
      [runKey, raised, seen, escalated, JSON.stringify([...new Set(warnings)])],
    );
    this.logger.log(`monitor run ${runKey}: ${raised} raised, ${seen} still open, ${escalated} escalated`);
    return this.view(runKey);
  }

  async view(runKey: string): Promise<MonitorRunView> {
    const rows = await this.dataSource.query<
      {
        run_key: string;
        as_of: string;
        status: 'running' | 'done';
        attempts: number;
        raised: number;
        seen: number;
        escalated: number;
        warnings: string[];
      }[]
    >(`SELECT *, to_char(as_of, 'YYYY-MM-DD') AS as_of FROM monitor_runs WHERE run_key = $1`, [runKey]);
    const r = rows[0];
    if (!r) throw notFound('monitor run', runKey);
    return {
      runKey: r.run_key,
      asOf: r.as_of,
      status: r.status,
      attempts: r.attempts,
      raised: r.raised,
      seen: r.seen,
      escalated: r.escalated,
      warnings: r.warnings,
    };
  }

  /** Every rule's findings as of the date. */
  async findings(asOf: string, warnings: string[]): Promise<Finding[]> {
    const out: Finding[] = [];
    const year = Number(asOf.slice(0, 4));
    // 支出进度: every county-or-above jurisdiction with funds of this or last year
    const subjects = await this.dataSource.query<{ code: string; year: number }[]>(
      `SELECT DISTINCT a.code, l.year FROM budget_lines l
       JOIN jurisdictions j ON j.code = l.jurisdiction_code
       JOIN jurisdictions a ON j.path LIKE a.path || '%' AND a.level IN ('province', 'city', 'county')
       WHERE l.year BETWEEN $1 AND $2 AND l.received_on <= $3::date ORDER BY a.code, l.year`,
      [year - 1, year, asOf],
    );
    for (const s of subjects) {
      const p = await this.progress.of(s.code, s.year, asOf);
      if (p.status === 'green') continue;
      out.push({
        rule: 'PROGRESS_BEHIND',
        subjectType: 'jurisdiction_year',
        subjectId: `${s.code}/${s.year}`,
        jurisdictionCode: s.code,
        severity: p.status,
        title: `${p.jurisdictionName} ${s.year}年资金支出进度 ${p.progress}%，低于序时进度 ${p.milestone?.targetPercent ?? '-'}%`,
        details: {
          year: s.year,
          asOf,
          progress: p.progress,
          received: p.received,
          paid: p.paid,
          milestone: p.milestone,
        },
      });
    }
    const report = await this.idleFunds.report(MONITOR_ACTOR, {
      jurisdictionCode: '000000',
      asOf,
      limit: null,
    });
    for (const i of report.idle) {
      out.push({
        rule: 'IDLE_FUNDS',
        subjectType: 'budget_line',
        subjectId: i.lineId,
        jurisdictionCode: i.jurisdictionCode,
        severity: i.daysHeld >= 2 * DEFAULT_IDLE_DAYS ? 'red' : 'yellow',
        title: `${i.holderDepartment} 资金滞留 ${i.daysHeld} 天，金额 ${i.idleAmount} 元`,
        details: { ...i, asOf },
      });
    }
    for (const l of report.lateIssuance) {
      out.push({
        rule: 'LATE_ISSUANCE',
        subjectType: l.allocationId ? 'allocation' : 'budget_line',
        subjectId: l.allocationId ?? l.lineId,
        jurisdictionCode: l.fromJurisdictionCode,
        severity: 'red',
        title: l.allocationId
          ? `${l.holderDepartment} 资金到位后 ${l.days} 天才下达`
          : `${l.holderDepartment} 资金到位 ${l.days} 天仍未下达 ${l.amount} 元`,
        details: { ...l, asOf },
      });
    }
    for (const c of report.carryOver) {
      out.push({
        rule: 'CARRY_OVER',
        subjectType: 'budget_line',
        subjectId: c.lineId,
        jurisdictionCode: c.jurisdictionCode,
        severity: 'red',
        title: `${c.holderDepartment} ${c.year}年结转资金 ${c.balance} 元已满 ${c.ageYears} 年，应收回统筹`,
        details: { ...c, asOf },
      });
    }
    // 项目进度报告: implementing projects with no report (or none since they started) for 30 days
    for (const s of await this.reporting.overdue('/000000/', asOf)) {
      out.push({
        rule: 'NO_PROGRESS_REPORT',
        subjectType: 'project',
        subjectId: s.id,
        jurisdictionCode: s.countyCode,
        severity: s.daysSince > 2 * REPORT_GAP_DAYS ? 'red' : 'yellow',
        title: `项目 ${s.code} ${s.name} 自 ${s.lastReport} 起 ${s.daysSince} 天未报进度`,
        details: { ...s, asOf },
      });
    }
    // rules registered by other contexts (disclosure: notices past their deadline)
    for (const finder of this.registry.all()) out.push(...(await finder.findings(asOf)));
    if (out.length === 0) warnings.push('no findings');
    return out;
  }

  /** Inserts a new alert or, when one is open for the rule and subject, refreshes it (severity only rises). */
  /** When an alert raised on `asOf` must have been acted on: 10 working days later. */
  private async responseDue(asOf: string, warnings: string[]): Promise<string> {
    try {
      return (await this.calendar.calendar()).addWorkingDays(asOf, ALERT_RESPONSE_WORKING_DAYS);
    } catch (e) {
      if (!(e instanceof CalendarNotCovered)) throw e;
      warnings.push(e.message);
      return addDays(asOf, 14); // calendar days instead, and the run says why
    }
  }

  private async raise(f: Finding, asOf: string, dueOn: string): Promise<boolean> {
    return this.dataSource.transaction(async (m: EntityManager) => {
      const rows = await m.query<{ id: string; inserted: boolean }[]>(
        `INSERT INTO alerts (rule, subject_type, subject_id, jurisdiction_code, severity, title, details, raised_on, due_on, last_seen_on)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $8)
         ON CONFLICT (rule, subject_id) WHERE status <> 'resolved' DO UPDATE
           SET last_seen_on = EXCLUDED.last_seen_on, details = EXCLUDED.details, title = EXCLUDED.title,
               severity = CASE WHEN alerts.severity = 'red' THEN 'red' ELSE EXCLUDED.severity END
         RETURNING id, (xmax = 0) AS inserted`,
        [
          f.rule,
          f.subjectType,
          f.subjectId,
          f.jurisdictionCode,
          f.severity,
          f.title,
          JSON.stringify(f.details),
          asOf,
          dueOn,
        ],
      );
      const row = rows[0];
      if (row.inserted) {
        await this.audit.append(m, MONITOR_ACTOR, [
          {
            action: 'alert.raised',
            entityType: 'alert',
            entityId: row.id,
            jurisdictionCode: f.jurisdictionCode,
            after: { rule: f.rule, subject: `${f.subjectType}:${f.subjectId}`, severity: f.severity, dueOn },
          },
        ]);
      }
      return row.inserted;
    });
  }

  /** Alerts past their due date and not yet escalated or resolved go to the parent jurisdiction. */
  private async escalateOverdue(asOf: string): Promise<number> {
    return this.dataSource.transaction(async (m) => {
      const rows = await m.query<
        { id: string; jurisdiction_code: string; escalated_to: string | null; status: string }[]
      >(
        `SELECT id, jurisdiction_code, escalated_to, status FROM alerts
         WHERE status IN ('raised', 'acknowledged', 'rectifying') AND due_on < $1::date FOR UPDATE`,
        [asOf],
      );
      let n = 0;
      for (const r of rows) {
        const from = r.escalated_to ?? r.jurisdiction_code;
        const j = await this.jurisdictions.get(from);
        if (!j.parentCode) continue;
        await m.query(
          `UPDATE alerts SET status = 'escalated', escalated_to = $2, escalated_at = now(),
             due_on = $3::date + 14 WHERE id = $1`,
          [r.id, j.parentCode, asOf],
        );
        await this.audit.append(m, MONITOR_ACTOR, [
          {
            action: 'alert.escalated',
            entityType: 'alert',
            entityId: r.id,
            jurisdictionCode: r.jurisdiction_code,
            before: { status: r.status, handledBy: from },
            after: { status: 'escalated', handledBy: j.parentCode, overdueSince: asOf },
          },
        ]);
        n += 1;
      }
      return n;
    });
  }
}

function addDays(date: string, n: number): string {
  return new Date(new Date(`${date}T00:00:00Z`).getTime() + n * 86_400_000).toISOString().slice(0, 10);
}
