import { Injectable } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validate, ValidationError } from 'class-validator';
import { createHash, randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { Actor, assertRole, DomainError, notFound, ReplayedError } from '@sunshine/common';
import { IdempotencyContext, TransactionRunner } from '@sunshine/database';
import { AllocationsService } from '@sunshine/funds';
import {
  errorReportXlsx,
  ImportColumn,
  ImportError,
  readTable,
  TableRow,
  templateCsv,
  templateXlsx,
} from '@sunshine/imports';
import { PaymentsService } from '@sunshine/payments';
import { ProjectsService } from '@sunshine/projects';
import { uploadedFilename } from '@sunshine/storage';
import {
  AllocationImportRow,
  IMPORT_COLUMNS,
  IMPORT_TITLES,
  ImportKind,
  PaymentImportRow,
} from './import-specs';

export interface ImportReport {
  id: string;
  kind: ImportKind;
  filename: string;
  sha256: string;
  format: 'xlsx' | 'csv';
  encoding: 'utf-8' | 'gbk' | null;
  status: 'applied' | 'rejected';
  rows: number;
  applied: number;
  errorCount: number;
  /** the first 1,000 row-level errors (all of them are in the XLSX report) */
  errors: ImportError[];
  reportUrl: string | null;
  durationMs: number;
}

const WRITERS: Record<ImportKind, Actor['role'][]> = {
  allocations: ['finance', 'admin'],
  payments: ['project_owner', 'finance', 'admin'],
};
const MAX_ERRORS_IN_ANSWER = 1000;
const IMPORT_CHUNK = 250;

interface PreparedRow {
  row: number;
  body: AllocationImportRow | PaymentImportRow;
}

/**
 * 批量导入: a sheet of allocations or payments, every row checked with the API's own validators and
 * written through the same domain services, all in one transaction: every row or none. A refused import
 * answers 422 IMPORT_REJECTED with the row-level report (row, column, code, message) and keeps it as an
 * XLSX for download.
 */
@Injectable()
export class ImportsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly tx: TransactionRunner,
    private readonly allocations: AllocationsService,
    private readonly payments: PaymentsService,
    private readonly projects: ProjectsService,
  ) {}

  async run(
    actor: Actor,
    kind: ImportKind,
    file: { buffer: Buffer; originalname: string },
    idempotency?: IdempotencyContext,
  ): Promise<ImportReport> {
    assertRole(actor, WRITERS[kind]);
    const started = Date.now();
    const columns = IMPORT_COLUMNS[kind];
    const sha256 = createHash('sha256').update(file.buffer).digest('hex');
    const filename = uploadedFilename(file.originalname).normalize('NFC').slice(0, 255);
    const table = await readTable(file.buffer, columns);
    const errors: ImportError[] = [];
    const rows = await this.validateRows(kind, table.rows, errors);
    const id = randomUUID();
    const base = {
      id,
      kind,
      filename,
      sha256,
      format: table.format,
      encoding: table.encoding,
      rows: table.rows.length,
    };
    const idem = idempotency ? { ...idempotency, body: { kind, sha256 } } : undefined;
    try {
      const answer = await this.tx.run(idem, 201, async (m) => {
        await this.applyRows(m, actor, kind, rows, errors);
        errors.sort((a, b) => a.row - b.row);
        const durationMs = Date.now() - started;
        if (errors.length > 0) {
          throw new DomainError(
            'IMPORT_REJECTED',
            `${errors.length} problem(s) in ${new Set(errors.map((e) => e.row)).size} row(s): nothing was imported`,
            errors.slice(0, 20).map((e) => ({
              field: `row ${e.row}${e.column ? ` ${e.column}` : ''}`,
              problem: `${e.code}: ${e.message}`,
            })),
            {
              report: {
                ...base,
                status: 'rejected',
                applied: 0,
                errorCount: errors.length,
                errors: errors.slice(0, MAX_ERRORS_IN_ANSWER),
                reportUrl: `/api/imports/${id}/report.xlsx`,
                durationMs,
              } satisfies ImportReport,
            },
          );
        }
        const report: ImportReport = {
          ...base,
          status: 'applied',
          applied: rows.length,
          errorCount: 0,
          errors: [],
          reportUrl: null,
          durationMs,
        };
        await this.record(m, actor, report, []);
        return report;
      });
      return answer.body;
    } catch (e) {
      // a refused import is kept (outside the rolled-back transaction) so its XLSX report can be fetched
      const body = e instanceof DomainError ? e.toBody() : e instanceof ReplayedError ? e.body : null;
      const report = body?.code === 'IMPORT_REJECTED' ? (body.report as ImportReport | undefined) : undefined;
      if (report && report.id === id) {
        await this.record(this.dataSource.manager, actor, report, errors);
      }
      throw e;
    }
  }

  async reportXlsx(actor: Actor, id: string): Promise<{ filename: string; bytes: Buffer }> {
    const run = await this.findRun(actor, id);
    const bytes = await errorReportXlsx(
      {
        filename: run.filename,
        kind: IMPORT_TITLES[run.kind],
        rows: run.row_count,
        createdAt: run.created_at.toISOString(),
      },
      run.errors,
    );
    return { filename: `import-${id}-errors.xlsx`, bytes };
  }

  async get(actor: Actor, id: string): Promise<Omit<ImportReport, 'errors'> & { errors: ImportError[] }> {
    const run = await this.findRun(actor, id);
    return {
      id: run.id,
      kind: run.kind,
      filename: run.filename,
      sha256: run.sha256,
      format: run.format,
      encoding: run.encoding,
      status: run.status,
      rows: run.row_count,
      applied: run.status === 'applied' ? run.row_count : 0,
      errorCount: run.errors.length,
      errors: run.errors.slice(0, MAX_ERRORS_IN_ANSWER),
      reportUrl: run.status === 'rejected' ? `/api/imports/${run.id}/report.xlsx` : null,
      durationMs: run.duration_ms,
    };
  }

  template(kind: ImportKind, format: 'xlsx' | 'csv'): Promise<Buffer> {
    return format === 'xlsx'
      ? templateXlsx(IMPORT_TITLES[kind], IMPORT_COLUMNS[kind])
      : Promise.resolve(templateCsv(IMPORT_COLUMNS[kind]));
  }

  /** Cell problems and the API's DTO validators, row by row; rows that pass go on to the domain checks. */
  private async validateRows(
    kind: ImportKind,
    rows: TableRow[],
    errors: ImportError[],
  ): Promise<PreparedRow[]> {
    const columns = IMPORT_COLUMNS[kind];
    const codes =
      kind === 'payments'
        ? await this.projects.idsByCode([
            ...new Set(rows.map((r) => r.cells.projectCode).filter((c): c is string => !!c)),
          ])
        : new Map<string, string>();
    const out: PreparedRow[] = [];
    for (const r of rows) {
      const before = errors.length;
      for (const p of r.problems) {
        errors.push({
          row: r.row,
          column: headerOf(columns, p.field),
          code: 'VALIDATION_FAILED',
          message: p.message,
        });
      }
      let plain: Record<string, unknown> = { ...r.cells };
      if (kind === 'payments') {
        const { projectCode, ...rest } = r.cells;
        const projectId = projectCode
          ? (codes.get(projectCode) ?? (isUuid(projectCode) ? projectCode : undefined))
          : undefined;
        if (projectCode && !projectId) {
          errors.push({
            row: r.row,
            column: headerOf(columns, 'projectCode'),
            code: 'NOT_FOUND',
            message: `no project with code ${projectCode}`,
          });
        }
        plain = { ...rest, projectId: projectId ?? '' };
      }
      const body =
        kind === 'allocations'
          ? plainToInstance(AllocationImportRow, plain)
          : plainToInstance(PaymentImportRow, plain);
      const problems = await validate(body, { whitelist: true, forbidNonWhitelisted: true });
      // one report line per cell, with every problem of that cell
      const byField = new Map<string, string[]>();
      for (const { field, problem } of flatten(problems)) {
        byField.set(field, [...(byField.get(field) ?? []), problem]);
      }
      for (const [field, list] of byField) {
        const problem = list.join('; ');
        if (field === 'projectId' && errors.length > before) continue; // already reported as an unknown code
        errors.push({
          row: r.row,
          column: headerOf(columns, field === 'projectId' ? 'projectCode' : field),
          code: 'VALIDATION_FAILED',
          message: problem,
        });
      }
      if (errors.length === before) out.push({ row: r.row, body });
    }
    return out;
  }

  /**
   * Applies the rows in chunks under one savepoint each (a savepoint per row would make PostgreSQL track
   * thousands of subtransactions and slow every row down). When a row is refused, its chunk is rolled
   * back and replayed row by row, and from then on every row runs under its own savepoint so that the
   * report names every refused row; the whole transaction is rolled back in the end anyway.
   */
  private async applyRows(
    m: EntityManager,
    actor: Actor,
    kind: ImportKind,
    rows: PreparedRow[],
    errors: ImportError[],
  ): Promise<void> {
    const columns = IMPORT_COLUMNS[kind];
    if (kind === 'allocations') {
      // per source line, in sheet order: the line is locked once and checked against a running balance
      const byLine = new Map<string, PreparedRow[]>();
      for (const r of rows) {
        const lineId = (r.body as AllocationImportRow).budgetLineId;
        const group = byLine.get(lineId);
        if (group) group.push(r);
        else byLine.set(lineId, [r]);
      }
      for (const [lineId, group] of byLine) {
        let results: unknown[];
        try {
          results = await this.allocations.createBatchIn(
            m,
            actor,
            lineId,
            group.map((r) => {
              const { budgetLineId: _line, ...input } = r.body as AllocationImportRow;
              return input;
            }),
          );
        } catch (e) {
          if (!(e instanceof DomainError)) throw e;
          results = group.map(() => e); // the line itself is refused (not the caller's): every row of it
        }
        results.forEach((res, i) => {
          if (res instanceof DomainError) errors.push(...domainErrorToRows(group[i].row, res, columns, kind));
        });
      }
      return;
    }
    let perRow = false;
    const one = async (r: PreparedRow) => {
      await m.query('SAVEPOINT import_row');
      try {
        await this.applyRow(m, actor, kind, r.body);
        await m.query('RELEASE SAVEPOINT import_row');
      } catch (e) {
        if (!(e instanceof DomainError)) throw e;
        await m.query('ROLLBACK TO SAVEPOINT import_row');
        errors.push(...domainErrorToRows(r.row, e, columns, kind));
      }
    };
    for (let start = 0; start < rows.length; start += IMPORT_CHUNK) {
      const chunk = rows.slice(start, start + IMPORT_CHUNK);
      if (perRow) {
        for (const r of chunk) await one(r);
        continue;
      }
      await m.query('SAVEPOINT import_chunk');
      try {
        for (const r of chunk) await this.applyRow(m, actor, kind, r.body);
        await m.query('RELEASE SAVEPOINT import_chunk');
      } catch (e) {
        if (!(e instanceof DomainError)) throw e;
        await m.query('ROLLBACK TO SAVEPOINT import_chunk');
        perRow = true;
        for (const r of chunk) await one(r);
      }
    }
  }

  private async applyRow(
    m: EntityManager,
    actor: Actor,
    kind: ImportKind,
    body: AllocationImportRow | PaymentImportRow,
  ): Promise<void> {
    if (kind === 'allocations') {
      const { budgetLineId, ...input } = body as AllocationImportRow;
      await this.allocations.createIn(m, actor, budgetLineId, input);
    } else {
      await this.payments.createIn(m, actor, body as PaymentImportRow);
    }
  }

  private async record(
    m: EntityManager,
    actor: Actor,
    report: ImportReport,
    errors: ImportError[],
  ): Promise<void> {
    await m.query(
      `INSERT INTO import_runs (id, kind, filename, sha256, format, encoding, status, row_count, errors, duration_ms, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (id) DO NOTHING`,
      [
        report.id,
        report.kind,
        report.filename,
        report.sha256,
        report.format,
        report.encoding,
        report.status,
        report.rows,
        JSON.stringify(errors),
        report.durationMs,
        actor.id,
      ],
    );
  }

  private async findRun(actor: Actor, id: string): Promise<RunRow> {
    const rows = isUuid(id)
      ? await this.dataSource.query<RunRow[]>(`SELECT * FROM import_runs WHERE id = $1`, [id])
      : [];
    const run = rows[0];
    // an import run is its uploader's (and the admin's) to read
    if (!run || (run.created_by !== actor.id && actor.role !== 'admin')) throw notFound('import', id);
    return run;
  }
}

interface RunRow {
  id: string;
  kind: ImportKind;
  filename: string;
  sha256: string;
  format: 'xlsx' | 'csv';
  encoding: 'utf-8' | 'gbk' | null;
  status: 'applied' | 'rejected';
  row_count: number;
  errors: ImportError[];
  duration_ms: number;
  created_by: string;
  created_at: Date;
}

const isUuid = (s: string): boolean =>
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s);

function headerOf(columns: readonly ImportColumn[], field: string): string | null {
  return columns.find((c) => c.field === field)?.header ?? null;
}

function flatten(errors: ValidationError[], prefix = ''): { field: string; problem: string }[] {
  const out: { field: string; problem: string }[] = [];
  for (const e of errors) {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    for (const problem of Object.values(e.constraints ?? {})) out.push({ field, problem });
    if (e.children?.length) out.push(...flatten(e.children, field));
  }
  return out;
}

/** A refusal of the domain services as report rows: the field named in its details becomes the column. */
function domainErrorToRows(
  row: number,
  e: DomainError,
  columns: readonly ImportColumn[],
  kind: ImportKind,
): ImportError[] {
  const details = e.details.length > 0 ? e.details : [{ field: '', problem: '' }];
  return details.map((d) => {
    let field = d.field;
    if (field === 'id') {
      if (kind === 'allocations') field = 'budgetLineId';
      else field = e.message.startsWith('project') ? 'projectCode' : 'budgetLineId';
    }
    if (field === 'projectId') field = 'projectCode';
    const column = headerOf(columns, field);
    return {
      row,
      column,
      code: e.code,
      message: d.problem && column ? `${e.message} (${d.problem})` : e.message,
    };
  });
}
