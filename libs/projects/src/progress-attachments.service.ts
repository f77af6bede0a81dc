import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { Actor, assertCovers, assertRole, DomainError, notFound } from '@sunshine/common';
import { AuditLogService } from '@sunshine/audit-log';
import { FileStorage, sniffContentType, uploadedFilename } from '@sunshine/storage';

/** Largest attachment accepted (a phone photo or a scanned acceptance report). */
export const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;

export interface AttachmentView {
  id: string;
  reportId: string;
  filename: string;
  contentType: string;
  size: number;
  sha256: string;
  url: string;
  uploadedBy: string;
  uploadedAt: string;
}

export interface ProgressReportView {
  id: string;
  asOf: string;
  percentComplete: number;
  narrative: string;
  correctionReason: string | null;
  reportedBy: string;
  createdAt: string;
  attachments: AttachmentView[];
}

interface ProjectAccess {
  id: string;
  path: string;
  jurisdiction_code: string;
  owner_unit: string;
}

interface AttachmentRow {
  id: string;
  report_id: string;
  project_id: string;
  filename: string;
  content_type: string;
  size_bytes: number;
  sha256: string;
  storage_key: string;
  uploader: string;
  uploaded_at: Date;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Photos and PDFs of progress reports (进度佐证材料): type recognised from the bytes (the client's claim is
 * ignored), size-limited, stored content-addressed with the SHA-256 kept, and served only to users who
 * may see the project (a project owner: its own unit's projects).
 */
@Injectable()
export class ProgressAttachmentsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly storage: FileStorage,
    private readonly audit: AuditLogService,
  ) {}

  async attach(
    actor: Actor,
    projectId: string,
    reportId: string,
    file: { buffer: Buffer; originalname: string },
  ): Promise<AttachmentView> {
    assertRole(actor, ['project_owner', 'poverty_office']);
    const project = await this.access(actor, projectId);
    const report = UUID.test(reportId)
      ? await this.dataSource.query<{ id: string }[]>(
          `SELECT id FROM project_progress_reports WHERE id = $1 AND project_id = $2`,
          [reportId, project.id],
        )
      : [];
    if (report.length === 0) throw notFound('progress report', reportId);
    if (file.buffer.length === 0) {
      throw new DomainError('VALIDATION_FAILED', 'the file is empty', [{ field: 'file', problem: 'empty' }]);
    }
    if (file.buffer.length > MAX_ATTACHMENT_BYTES) {
      throw new DomainError('FILE_TOO_LARGE', `at most ${MAX_ATTACHMENT_BYTES / 1024 / 1024} MB per file`, [
        { field: 'file', problem: 'too large' },
      ]);
    }
    const contentType = sniffContentType(file.buffer);
    if (!contentType) {
      throw new DomainError(
        'UNSUPPORTED_FILE_TYPE',
        'attachments are JPEG, PNG or WebP photos, or PDF documents',
        [{ field: 'file', problem: 'not a JPEG, PNG, WebP or PDF file' }],
      );
    }
    const stored = await this.storage.put(file.buffer);
    const id = randomUUID();
    const filename = safeFilename(uploadedFilename(file.originalname), contentType);
    await this.dataSource.transaction(async (m) => {
      await m.query(
        `INSERT INTO progress_report_attachments (id, report_id, project_id, filename, content_type, size_bytes, sha256, storage_key, uploaded_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [id, reportId, project.id, filename, contentType, stored.size, stored.sha256, stored.key, actor.id],
      );
      await this.audit.append(m, actor, [
        {
          action: 'project.progress_attachment',
          entityType: 'project',
          entityId: project.id,
          jurisdictionCode: project.jurisdiction_code,
          after: {
            attachmentId: id,
            reportId,
            filename,
            contentType,
            size: stored.size,
            sha256: stored.sha256,
          },
        },
      ]);
    });
    const rows = await this.rows('a.id = $1', [id]);
    return toView(rows[0]);
  }

  async listReports(actor: Actor, projectId: string): Promise<ProgressReportView[]> {
    const project = await this.access(actor, projectId);
    const reports = await this.dataSource.query<
      {
        id: string;
        as_of: string;
        percent_complete: number;
        narrative: string;
        correction_reason: string | null;
        username: string;
        created_at: Date;
      }[]
    >(
      `SELECT r.id, to_char(r.as_of, 'YYYY-MM-DD') AS as_of, r.percent_complete, r.narrative, r.correction_reason, u.username, r.created_at
       FROM project_progress_reports r JOIN users u ON u.id = r.created_by WHERE r.project_id = $1 ORDER BY r.as_of, r.created_at`,
      [project.id],
    );
    const attachments = (await this.rows('a.project_id = $1', [project.id])).map(toView);
    return reports.map((r) => ({
      id: r.id,
      asOf: r.as_of,
      percentComplete: r.percent_complete,
      narrative: r.narrative,
      correctionReason: r.correction_reason,
      reportedBy: r.username,
      createdAt: r.created_at.toISOString(),
      attachments: attachments.filter((a) => a.reportId === r.id),
    }));
  }

  /** The file itself, for users who may see its project; the bytes are checked against the SHA-256 kept. */
  async download(
    actor: Actor,
    attachmentId: string,
  ): Promise<{ filename: string; contentType: string; sha256: string; bytes: Buffer }> {
    const rows = UUID.test(attachmentId) ? await this.rows('a.id = $1', [attachmentId]) : [];
    const a = rows[0];
    if (!a) throw notFound('attachment', attachmentId);
    await this.access(actor, a.project_id, 'id');
    const bytes = await this.storage.get(a.storage_key);
    return { filename: a.filename, contentType: a.content_type, sha256: a.sha256, bytes };
  }

  private async access(actor: Actor, projectId: string, field = 'id'): Promise<ProjectAccess> {
    const rows = UUID.test(projectId)
      ? await this.dataSource.query<ProjectAccess[]>(
          `SELECT p.id, j.path, p.jurisdiction_code, p.owner_unit FROM projects p JOIN jurisdictions j ON j.code = p.jurisdiction_code
           WHERE p.id = $1`,
          [projectId],
        )
      : [];
    const p = rows[0];
    if (!p) throw notFound('project', projectId);
    assertCovers(actor, p.path, field);
    if (actor.role === 'project_owner' && actor.unit !== p.owner_unit) {
      throw new DomainError('FORBIDDEN_JURISDICTION', 'a project owner sees its own unit’s projects', [
        { field, problem: 'not your unit' },
      ]);
    }
    return p;
  }

  private rows(where: string, params: unknown[]): Promise<AttachmentRow[]> {
    return this.dataSource.query<AttachmentRow[]>(
      `SELECT a.*, u.username AS uploader FROM progress_report_attachments a JOIN users u ON u.id = a.uploaded_by
       WHERE ${where} ORDER BY a.uploaded_at, a.id`,
      params,
    );
  }
}

const EXTENSIONS: Record<string, string> = {
  'image/jpeg': '.jpg',
  'image/png': '.png',
  'image/webp': '.webp',
  'application/pdf': '.pdf',
};

/** The uploader's file name without paths or control characters, with the extension of the real type. */
function safeFilename(name: string, contentType: string): string {
  const base = (name.split(/[\\/]/).pop() ?? '')
    .normalize('NFC')
    // eslint-disable-next-line no-control-regex -- control characters are exactly what is removed
    .replace(/[\u0000-\u001f\u007f"<>|:*?]/g, '')
    .replace(/\.[A-Za-z0-9]{1,5}$/, '')
    .trim()
    .slice(0, 120);
  return `${base || 'attachment'}${EXTENSIONS[contentType] ?? ''}`;
}

const toView = (a: AttachmentRow): AttachmentView => ({
  id: a.id,
  reportId: a.report_id,
  filename: a.filename,
  contentType: a.content_type,
  size: a.size_bytes,
  sha256: a.sha256,
  url: `/api/attachments/${a.id}`,
  uploadedBy: a.uploader,
  uploadedAt: a.uploaded_at.toISOString(),
});
