import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Actor, DomainError, notFound } from '@sunshine/common';
import { canonicalJson } from '@sunshine/common';
import { IntegrityReport, LedgerIntegrityService } from './ledger-integrity.service';

export interface IntegrityRunView {
  id: string;
  trigger: 'schedule' | 'manual';
  status: 'queued' | 'running' | 'passed' | 'failed' | 'error';
  queuedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  linesChecked: number | null;
  auditRowsChecked: number | null;
  findings: { kind: string; subjectType: string; subjectId: string; expected: unknown; actual: unknown }[];
}

interface RunRow {
  id: string;
  trigger: 'schedule' | 'manual';
  status: IntegrityRunView['status'];
  queued_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  lines_checked: number | null;
  audit_rows_checked: number | null;
}

/** Records integrity runs (queued by the API or the schedule, executed by the worker) and their findings. */
@Injectable()
export class IntegrityRunsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly integrity: LedgerIntegrityService,
  ) {}

  async queue(trigger: 'schedule' | 'manual', requestedBy: string | null): Promise<string> {
    const rows = await this.dataSource.query<{ id: string }[]>(
      `INSERT INTO integrity_runs (trigger, requested_by, status) VALUES ($1, $2, 'queued') RETURNING id`,
      [trigger, requestedBy],
    );
    return rows[0].id;
  }

  /** Runs a queued run once (a retried job whose run already finished does nothing). */
  async execute(runId: string): Promise<IntegrityRunView> {
    const claimed = await this.dataSource.query<[unknown[], number]>(
      `UPDATE integrity_runs SET status = 'running', started_at = now()
       WHERE id = $1 AND status IN ('queued', 'running') RETURNING id`,
      [runId],
    );
    if (claimed[1] === 0) return this.view(runId);
    let report: IntegrityReport;
    try {
      report = await this.integrity.check();
    } catch (e) {
      await this.dataSource.query(
        `UPDATE integrity_runs SET status = 'error', finished_at = now(), summary = $2 WHERE id = $1`,
        [runId, canonicalJson({ error: e instanceof Error ? e.message : String(e) })],
      );
      throw e;
    }
    await this.dataSource.transaction(async (m) => {
      await m.query('DELETE FROM integrity_findings WHERE run_id = $1', [runId]);
      for (const f of report.findings) {
        await m.query(
          `INSERT INTO integrity_findings (run_id, kind, subject_type, subject_id, expected, actual)
           VALUES ($1, $2, $3, $4, $5, $6)`,
          [runId, f.kind, f.subjectType, f.subjectId, canonicalJson(f.expected), canonicalJson(f.actual)],
        );
      }
      await m.query(
        `UPDATE integrity_runs SET status = $2, finished_at = now(), lines_checked = $3, audit_rows_checked = $4,
           summary = $5 WHERE id = $1`,
        [
          runId,
          report.findings.length === 0 ? 'passed' : 'failed',
          report.linesChecked,
          report.auditRowsChecked,
          canonicalJson({ findings: report.findings.length, audit: report.audit }),
        ],
      );
    });
    return this.view(runId);
  }

  async get(actor: Actor, id: string): Promise<IntegrityRunView> {
    if (actor.jurisdictionCode !== '000000' && actor.role !== 'auditor') {
      throw new DomainError('FORBIDDEN_ROLE', 'integrity runs are for the admin and auditors');
    }
    return this.view(id);
  }

  async view(id: string): Promise<IntegrityRunView> {
    const rows = await this.dataSource.query<RunRow[]>(`SELECT * FROM integrity_runs WHERE id::text = $1`, [
      id,
    ]);
    const r = rows[0];
    if (!r) throw notFound('integrity run', id);
    const findings = await this.dataSource.query<
      { kind: string; subject_type: string; subject_id: string; expected: unknown; actual: unknown }[]
    >(
      `SELECT kind, subject_type, subject_id, expected, actual FROM integrity_findings WHERE run_id = $1 ORDER BY id`,
      [id],
    );
    return {
      id: r.id,
      trigger: r.trigger,
      status: r.status,
      queuedAt: r.queued_at.toISOString(),
      startedAt: r.started_at ? r.started_at.toISOString() : null,
      finishedAt: r.finished_at ? r.finished_at.toISOString() : null,
      linesChecked: r.lines_checked,
      auditRowsChecked: r.audit_rows_checked,
      findings: findings.map((f) => ({
        kind: f.kind,
        subjectType: f.subject_type,
        subjectId: f.subject_id,
        expected: f.expected,
        actual: f.actual,
      })),
    };
  }
}
