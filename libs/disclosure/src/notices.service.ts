import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import {
  Actor,
  assertCovers,
  assertRole,
  clampLimit,
  coversPath,
  decodeCursor,
  DomainError,
  notFound,
  Page,
  sha256Hex,
  canonicalJson,
  toPage,
  todayInChina,
} from '@sunshine/common';
import { AuditLogService } from '@sunshine/audit-log';
import { CalendarNotCovered, CalendarService, WorkingDayCalendar } from '@sunshine/calendar';
import { DomainEvents } from '@sunshine/events';
import { JurisdictionsService } from '@sunshine/jurisdictions';
import {
  applyCorrection,
  diffNoticeContent,
  FieldChange,
  NoticeContent,
  NoticeField,
  withChanges,
} from './notice-diff';
import { NoticeAction, nextNoticeStatus, NOTICE_TRANSITIONS } from './notice-lifecycle';
import { NOTICE_SPECS, NoticeStatus, NoticeType } from './notice-types';
import { maskNoticeContent } from './privacy';

/** The disclosure context's own actor for notices it generates from events (recorded as system:disclosure). */
export const DISCLOSURE_ACTOR: Actor = {
  id: '00000000-0000-0000-0000-000000000000',
  username: 'system:disclosure',
  role: 'admin',
  jurisdictionCode: '000000',
  jurisdictionPath: '/000000/',
  unit: null,
};

export interface NoticeVersionView {
  version: number;
  title: string;
  fields: NoticeField[];
  body: string;
  reason: string | null;
  createdBy: string;
  createdAt: string;
  sha256: string;
  /** what changed from the version before (null for the first) */
  changes: ReturnType<typeof diffNoticeContent> | null;
}

export interface NoticeView {
  id: string;
  type: NoticeType;
  typeName: string;
  status: NoticeStatus;
  subjectType: string;
  subjectId: string;
  jurisdictionCode: string;
  jurisdictionName: string;
  ownerUnit: string | null;
  projectCode: string | null;
  year: number;
  title: string;
  triggeredOn: string;
  deadline: string;
  deadlineRule: string;
  overdue: boolean;
  approvedAt: string | null;
  publishedAt: string | null;
  withdrawnAt: string | null;
  withdrawalReason: string | null;
  currentVersion: number;
  firstPublicVersion: number | null;
  versions: NoticeVersionView[];
  allowedActions: NoticeAction[];
}

export interface NewNotice {
  type: NoticeType;
  subjectType: string;
  subjectId: string;
  jurisdictionCode: string;
  ownerUnit: string | null;
  projectCode: string | null;
  year: number;
  triggeredOn: string;
  /** for `before` deadlines: the date it must be out by (defaults to the trigger date) */
  dueBy?: string;
  sourceEventId: string | null;
  content: NoticeContent;
}

export interface NoticeRow {
  id: string;
  type: NoticeType;
  status: NoticeStatus;
  subject_type: string;
  subject_id: string;
  jurisdiction_code: string;
  jurisdiction_name: string;
  jurisdiction_path: string;
  owner_unit: string | null;
  project_code: string | null;
  year: number;
  triggered_on: string;
  deadline: string;
  current_version: number;
  first_public_version: number | null;
  approved_at: Date | null;
  published_at: Date | null;
  withdrawn_at: Date | null;
  withdrawal_reason: string | null;
  created_key: string;
  title: string;
}

interface VersionRow {
  version: number;
  title: string;
  fields: NoticeField[];
  body: string;
  reason: string | null;
  created_by_username: string;
  created_at: Date;
  sha256: string;
}

export const NOTICE_SELECT = `SELECT n.id, n.type, n.status, n.subject_type, n.subject_id, n.jurisdiction_code,
  j.name AS jurisdiction_name, j.path AS jurisdiction_path, n.owner_unit, n.project_code, n.year,
  to_char(n.triggered_on, 'YYYY-MM-DD') AS triggered_on, to_char(n.deadline, 'YYYY-MM-DD') AS deadline,
  n.current_version, n.first_public_version, n.approved_at, n.published_at, n.withdrawn_at, n.withdrawal_reason,
  n.created_at::text AS created_key, v.title
  FROM notices n JOIN jurisdictions j ON j.code = n.jurisdiction_code
  JOIN notice_versions v ON v.notice_id = n.id AND v.version = n.current_version`;

export interface NoticeFilter {
  type?: NoticeType;
  status?: NoticeStatus;
  subjectId?: string;
  jurisdictionCode?: string;
  year?: number;
  overdue?: boolean;
  limit?: number;
  cursor?: string;
}

/** 公告公示: notices D1–D9, their life cycle (one table) and their immutable versions. */
@Injectable()
export class NoticesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly jurisdictions: JurisdictionsService,
    private readonly calendars: CalendarService,
    private readonly audit: AuditLogService,
    private readonly events: DomainEvents,
  ) {}

  /** The due date of a notice triggered on a date (working days with 调休; `before` notices by their date). */
  deadlineFor(cal: WorkingDayCalendar, type: NoticeType, triggeredOn: string, dueBy?: string): string {
    const rule = NOTICE_SPECS[type].deadline;
    if (rule.kind === 'before') return dueBy && dueBy > triggeredOn ? dueBy : triggeredOn;
    try {
      return cal.addWorkingDays(triggeredOn, rule.days);
    } catch (e) {
      if (!(e instanceof CalendarNotCovered)) throw e;
      return addWeekdays(triggeredOn, rule.days); // a year nobody has entered yet: Monday–Friday
    }
  }

  /** Inserts a notice with its first version unless one exists for (type, subject); returns its id or null. */
  async insert(
    m: EntityManager,
    actor: Actor,
    n: NewNotice,
    cal: WorkingDayCalendar,
  ): Promise<string | null> {
    const deadline = this.deadlineFor(cal, n.type, n.triggeredOn, n.dueBy);
    const rows = await m.query<{ id: string }[]>(
      `INSERT INTO notices (type, subject_type, subject_id, jurisdiction_code, owner_unit, project_code, year,
         triggered_on, deadline, source_event_id, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
       ON CONFLICT (type, subject_type, subject_id) DO NOTHING RETURNING id`,
      [
        n.type,
        n.subjectType,
        n.subjectId,
        n.jurisdictionCode,
        n.ownerUnit,
        n.projectCode,
        n.year,
        n.triggeredOn,
        deadline,
        n.sourceEventId,
        actor === DISCLOSURE_ACTOR ? null : actor.id,
      ],
    );
    const id = rows[0]?.id;
    if (!id) return null;
    const content = await this.addVersion(m, actor, id, 1, n.content, null);
    await this.audit.append(m, actor, [
      {
        action: 'notice.create',
        entityType: 'notice',
        entityId: id,
        jurisdictionCode: n.jurisdictionCode,
        after: {
          type: n.type,
          subjectType: n.subjectType,
          subjectId: n.subjectId,
          deadline,
          title: content.title,
        },
      },
    ]);
    return id;
  }

  /**
   * A notice staff enter by hand (D1 policy document, D3 annual plan, D6 subsidy list): its subject is the
   * document number, so the same document is announced once.
   */
  async createManual(
    actor: Actor,
    input: {
      type: NoticeType;
      jurisdictionCode: string;
      documentNo: string;
      issuedOn: string;
      title: string;
      body: string;
      fields?: { label: string; value: string }[];
      dueBy?: string;
    },
  ): Promise<NoticeView> {
    const spec = NOTICE_SPECS[input.type];
    if (!spec.manual) {
      throw new DomainError(
        'VALIDATION_FAILED',
        `${input.type} notices are drafted from the ledger and project events`,
        [{ field: 'type', problem: 'one of D1, D3, D6' }],
      );
    }
    assertRole(actor, spec.publishers);
    const j = await this.jurisdictions.get(input.jurisdictionCode);
    assertCovers(actor, j.path);
    const cal = await this.calendar();
    const content: NoticeContent = {
      title: input.title,
      body: input.body,
      fields: [
        { key: 'documentNo', label: '文号', value: input.documentNo },
        { key: 'issuedOn', label: '印发日期', value: input.issuedOn },
        ...(input.fields ?? []).map((f, i) => ({ key: `field${i + 1}`, label: f.label, value: f.value })),
      ],
    };
    const id = await this.dataSource.transaction((m) =>
      this.insert(
        m,
        actor,
        {
          type: input.type,
          subjectType: 'document',
          subjectId: input.documentNo,
          jurisdictionCode: j.code,
          ownerUnit: null,
          projectCode: null,
          year: Number(input.issuedOn.slice(0, 4)),
          triggeredOn: input.issuedOn,
          dueBy: input.dueBy,
          sourceEventId: null,
          content,
        },
        cal,
      ),
    );
    if (!id) {
      throw new DomainError('CONFLICT', `a ${input.type} notice of document ${input.documentNo} exists`, [
        { field: 'documentNo', problem: 'already announced' },
      ]);
    }
    return this.get(actor, id);
  }

  async get(actor: Actor, id: string): Promise<NoticeView> {
    const row = await this.findRow(id);
    if (!row) throw notFound('notice', id);
    assertCovers(actor, row.jurisdiction_path, 'id');
    return this.viewOf(actor, row);
  }

  async list(actor: Actor, f: NoticeFilter): Promise<Page<NoticeView>> {
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
    const add = (sql: string, v: unknown) => {
      params.push(v);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (f.type) add('n.type = ?', f.type);
    if (f.status) add('n.status = ?', f.status);
    if (f.subjectId) add('n.subject_id = ?', f.subjectId);
    if (f.year !== undefined) add('n.year = ?', f.year);
    if (f.overdue) add(`n.status IN ('draft','approved') AND n.deadline < ?::date`, todayInChina());
    if (after) {
      params.push(after.c, after.id);
      where.push(`(n.created_at, n.id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
    }
    params.push(limit + 1);
    const rows = await this.dataSource.query<NoticeRow[]>(
      `${NOTICE_SELECT} WHERE ${where.join(' AND ')} ORDER BY n.created_at DESC, n.id DESC LIMIT $${params.length}`,
      params,
    );
    const page = toPage(
      rows,
      limit,
      (r) => r,
      (r) => ({ c: r.created_key, id: r.id }),
    );
    const items: NoticeView[] = [];
    for (const r of page.items) items.push(await this.viewOf(actor, r));
    return { items, nextCursor: page.nextCursor };
  }

  /** approve / publish / correct / withdraw, by the publisher the type names, as the table allows. */
  async act(
    actor: Actor,
    id: string,
    action: NoticeAction,
    input: { reason?: string; title?: string; body?: string; fields?: NoticeField[] } = {},
  ): Promise<NoticeView> {
    await this.dataSource.transaction(async (m) => {
      const row = await this.findRow(id, m, true);
      if (!row) throw notFound('notice', id);
      assertCovers(actor, row.jurisdiction_path, 'id');
      this.assertPublisher(actor, row);
      await this.apply(m, actor, row, action, input);
    });
    const row = await this.findRow(id);
    if (!row) throw notFound('notice', id);
    return this.viewOf(actor, row);
  }

  /** The same step without the publisher check, for the context's own follow-ups (a reversal, a change). */
  async applyAsSystem(
    m: EntityManager,
    id: string,
    action: NoticeAction,
    input: { reason: string; title?: string; body?: string; fields?: NoticeField[] },
  ): Promise<void> {
    const row = await this.findRow(id, m, true);
    if (row && nextNoticeStatus(row.status, action) !== null) {
      await this.apply(m, DISCLOSURE_ACTOR, row, action, input);
    }
  }

  private async apply(
    m: EntityManager,
    actor: Actor,
    row: NoticeRow,
    action: NoticeAction,
    input: { reason?: string; title?: string; body?: string; fields?: NoticeField[] },
  ): Promise<void> {
    const to = nextNoticeStatus(row.status, action);
    if (to === null) {
      throw new DomainError('INVALID_TRANSITION', `a ${row.status} notice cannot be ${action}d`, [
        { field: 'status', problem: `${action} is not allowed from ${row.status}` },
      ]);
    }
    const needsReason = action === 'correct' || action === 'withdraw';
    if (needsReason && !input.reason?.trim()) {
      throw new DomainError('VALIDATION_FAILED', 'a correction or withdrawal needs a reason', [
        { field: 'reason', problem: 'required' },
      ]);
    }
    const actorId = actor === DISCLOSURE_ACTOR ? null : actor.id;
    let after: Record<string, unknown> = { status: to };
    if (action === 'approve') {
      await m.query(
        `UPDATE notices SET status = 'approved', approved_by = $2, approved_at = now() WHERE id = $1`,
        [row.id, actorId],
      );
    } else if (action === 'publish') {
      await m.query(
        `UPDATE notices SET status = 'published', published_by = $2, published_at = now(),
           first_public_version = COALESCE(first_public_version, current_version),
           public_seq = nextval('notice_public_seq'), public_updated_at = now() WHERE id = $1`,
        [row.id, actorId],
      );
    } else if (action === 'withdraw') {
      await m.query(
        `UPDATE notices SET status = 'withdrawn', withdrawn_by = $2, withdrawn_at = now(), withdrawal_reason = $3
         WHERE id = $1`,
        [row.id, actorId, input.reason],
      );
      after = { status: to, reason: input.reason };
    } else {
      const current = await this.content(m, row.id, row.current_version);
      const next = applyCorrection(current, input);
      const version = row.current_version + 1;
      const stored = await this.addVersion(m, actor, row.id, version, next, input.reason ?? null);
      if (canonicalJson(stored) === canonicalJson(current)) {
        throw new DomainError('VALIDATION_FAILED', 'the correction changes nothing', [
          { field: 'body', problem: 'same as the current version' },
        ]);
      }
      await m.query(
        `UPDATE notices SET current_version = $2, status = $3,
           approved_by = CASE WHEN $3 = 'draft' THEN NULL ELSE approved_by END,
           approved_at = CASE WHEN $3 = 'draft' THEN NULL ELSE approved_at END WHERE id = $1`,
        [row.id, version, to],
      );
      after = { status: to, version, reason: input.reason, changes: diffNoticeContent(current, stored) };
    }
    await this.audit.append(m, actor, [
      {
        action: `notice.${action}`,
        entityType: 'notice',
        entityId: row.id,
        jurisdictionCode: row.jurisdiction_code,
        before: { status: row.status, version: row.current_version },
        after,
      },
    ]);
    if (to === 'published' || (row.status === 'published' && to === 'withdrawn')) {
      if (action !== 'publish') {
        await m.query(
          `UPDATE notices SET public_seq = nextval('notice_public_seq'), public_updated_at = now() WHERE id = $1`,
          [row.id],
        );
      }
      // the public feed, caches and the disclosure-compliance report follow these (steps 4–5)
      await this.events.publish(m, [
        {
          type:
            action === 'publish'
              ? 'NoticePublished'
              : action === 'correct'
                ? 'NoticeCorrected'
                : 'NoticeWithdrawn',
          aggregateType: 'notice',
          aggregateId: row.id,
          jurisdictionCode: row.jurisdiction_code,
          payload: {
            noticeId: row.id,
            type: row.type,
            version: action === 'correct' ? row.current_version + 1 : row.current_version,
          },
        },
      ]);
    }
  }

  /** 谁分配谁公开、谁使用谁公开: the type's publisher roles; a D2 by the allocating jurisdiction itself. */
  assertPublisher(
    actor: Actor,
    row: Pick<NoticeRow, 'type' | 'jurisdiction_code' | 'jurisdiction_path' | 'owner_unit'>,
  ): void {
    assertRole(actor, NOTICE_SPECS[row.type].publishers);
    if (row.type === 'D2' && actor.jurisdictionCode !== row.jurisdiction_code) {
      throw new DomainError(
        'FORBIDDEN_JURISDICTION',
        'a fund-allocation notice is published by the jurisdiction that allocated',
        [{ field: 'jurisdictionCode', problem: `published by ${row.jurisdiction_code}` }],
      );
    }
    if (!coversPath(actor, row.jurisdiction_path)) {
      throw new DomainError('FORBIDDEN_JURISDICTION', 'the notice lies outside your jurisdiction', [
        { field: 'id', problem: 'outside your jurisdiction' },
      ]);
    }
    if (actor.role === 'project_owner' && actor.unit !== row.owner_unit) {
      throw new DomainError('FORBIDDEN_JURISDICTION', 'only the owner unit publishes its project notices', [
        { field: 'ownerUnit', problem: `the project belongs to ${row.owner_unit ?? 'another unit'}` },
      ]);
    }
  }

  async findRow(id: string, m?: EntityManager, lock = false): Promise<NoticeRow | null> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
    const q = m ?? this.dataSource;
    if (lock) await q.query(`SELECT id FROM notices WHERE id = $1 FOR UPDATE`, [id]);
    const rows = await q.query<NoticeRow[]>(`${NOTICE_SELECT} WHERE n.id = $1`, [id]);
    return rows[0] ?? null;
  }

  async findBySubject(
    m: EntityManager,
    subjectId: string,
    types: readonly NoticeType[],
  ): Promise<NoticeRow[]> {
    return m.query<NoticeRow[]>(
      `${NOTICE_SELECT} WHERE n.subject_id = $1 AND n.type = ANY($2) ORDER BY n.type`,
      [subjectId, types],
    );
  }

  async findBySubjects(
    m: EntityManager,
    subjectIds: string[],
    types: readonly NoticeType[],
  ): Promise<NoticeRow[]> {
    return m.query<NoticeRow[]>(
      `${NOTICE_SELECT} WHERE n.subject_id = ANY($1) AND n.type = ANY($2) ORDER BY n.triggered_on, n.id`,
      [subjectIds, types],
    );
  }

  async content(m: EntityManager | DataSource, id: string, version: number): Promise<NoticeContent> {
    const rows = await m.query<VersionRow[]>(
      `SELECT title, fields, body FROM notice_versions WHERE notice_id = $1 AND version = $2`,
      [id, version],
    );
    const r = rows[0];
    if (!r) throw new Error(`notice ${id} has no version ${version}`);
    return { title: r.title, fields: r.fields, body: r.body };
  }

  async versions(id: string, fromVersion = 1): Promise<NoticeVersionView[]> {
    const rows = await this.dataSource.query<VersionRow[]>(
      `SELECT version, title, fields, body, reason, created_by_username, created_at, sha256
       FROM notice_versions WHERE notice_id = $1 AND version >= $2 ORDER BY version`,
      [id, fromVersion],
    );
    return withChanges(
      rows.map((r) => ({
        version: r.version,
        title: r.title,
        fields: r.fields,
        body: r.body,
        reason: r.reason,
        createdBy: r.created_by_username,
        createdAt: r.created_at.toISOString(),
        sha256: r.sha256,
      })),
    );
  }

  private async addVersion(
    m: EntityManager,
    actor: Actor,
    id: string,
    version: number,
    raw: NoticeContent,
    reason: string | null,
  ): Promise<NoticeContent> {
    const { content } = maskNoticeContent(raw); // the privacy scan: nothing unmasked is ever stored
    await m.query(
      `INSERT INTO notice_versions (notice_id, version, title, fields, body, reason, created_by, created_by_username, sha256)
       VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7, $8, $9)`,
      [
        id,
        version,
        content.title,
        JSON.stringify(content.fields),
        content.body,
        reason,
        actor === DISCLOSURE_ACTOR ? null : actor.id,
        actor.username,
        sha256Hex(canonicalJson(content)),
      ],
    );
    return content;
  }

  private allowedActions(actor: Actor, row: NoticeRow): NoticeAction[] {
    try {
      this.assertPublisher(actor, row);
    } catch {
      return [];
    }
    return NOTICE_TRANSITIONS.filter((t) => t.from.includes(row.status)).map((t) => t.action);
  }

  private async viewOf(actor: Actor, r: NoticeRow): Promise<NoticeView> {
    const spec = NOTICE_SPECS[r.type];
    const today = todayInChina();
    return {
      id: r.id,
      type: r.type,
      typeName: spec.name,
      status: r.status,
      subjectType: r.subject_type,
      subjectId: r.subject_id,
      jurisdictionCode: r.jurisdiction_code,
      jurisdictionName: r.jurisdiction_name,
      ownerUnit: r.owner_unit,
      projectCode: r.project_code,
      year: r.year,
      title: r.title,
      triggeredOn: r.triggered_on,
      deadline: r.deadline,
      deadlineRule:
        spec.deadline.kind === 'workingDays'
          ? `${spec.trigger}后 ${spec.deadline.days} 个工作日内`
          : spec.deadline.what,
      overdue: (r.status === 'draft' || r.status === 'approved') && r.deadline < today,
      approvedAt: r.approved_at?.toISOString() ?? null,
      publishedAt: r.published_at?.toISOString() ?? null,
      withdrawnAt: r.withdrawn_at?.toISOString() ?? null,
      withdrawalReason: r.withdrawal_reason,
      currentVersion: r.current_version,
      firstPublicVersion: r.first_public_version,
      versions: await this.versions(r.id),
      allowedActions: this.allowedActions(actor, r),
    };
  }

  /** The calendar for deadlines (admin overrides included). */
  calendar(): Promise<WorkingDayCalendar> {
    return this.calendars.calendar();
  }
}

export type { FieldChange };

/** n weekdays (Monday–Friday) after a date, for a year no holiday calendar covers yet. */
export function addWeekdays(date: string, n: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  let left = n;
  while (left > 0) {
    d.setUTCDate(d.getUTCDate() + 1);
    const wd = d.getUTCDay();
    if (wd !== 0 && wd !== 6) left -= 1;
  }
  return d.toISOString().slice(0, 10);
}
