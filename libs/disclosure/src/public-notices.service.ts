import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { clampLimit, decodeCursor, DomainError, encodeCursor, Page } from '@sunshine/common';
import { diffNoticeContent, NoticeField, withChanges } from './notice-diff';
import { NOTICE_SPECS, NoticeType } from './notice-types';

/** A notice as anyone may read it (public_notices view): the current public version. */
export interface PublicNotice {
  id: string;
  type: NoticeType;
  typeName: string;
  status: 'published' | 'withdrawn';
  jurisdictionCode: string;
  jurisdictionName: string;
  projectCode: string | null;
  year: number;
  version: number;
  title: string;
  fields: NoticeField[];
  body: string;
  publishedAt: string;
  updatedAt: string;
  withdrawnAt: string | null;
  withdrawalReason: string | null;
}

export interface PublicNoticeVersion {
  version: number;
  title: string;
  fields: NoticeField[];
  body: string;
  reason: string | null;
  createdAt: string;
  sha256: string;
  changes: ReturnType<typeof diffNoticeContent> | null;
}

interface Row {
  id: string;
  type: NoticeType;
  status: 'published' | 'withdrawn';
  jurisdiction_code: string;
  jurisdiction_name: string;
  project_code: string | null;
  year: number;
  version: number;
  title: string;
  fields: NoticeField[];
  body: string;
  published_at: Date;
  public_updated_at: Date;
  public_seq: string;
  withdrawn_at: Date | null;
  withdrawal_reason: string | null;
}

export interface PublicNoticeQuery {
  type?: NoticeType;
  jurisdictionCode?: string;
  year?: number;
  q?: string;
  limit?: number;
  cursor?: string;
}

const toPublic = (r: Row): PublicNotice => ({
  id: r.id,
  type: r.type,
  typeName: NOTICE_SPECS[r.type].name,
  status: r.status,
  jurisdictionCode: r.jurisdiction_code,
  jurisdictionName: r.jurisdiction_name,
  projectCode: r.project_code,
  year: r.year,
  version: r.version,
  title: r.title,
  fields: r.fields,
  body: r.body,
  publishedAt: r.published_at.toISOString(),
  updatedAt: r.public_updated_at.toISOString(),
  withdrawnAt: r.withdrawn_at?.toISOString() ?? null,
  withdrawalReason: r.withdrawal_reason,
});

/** Matches counted exactly up to this many; beyond it the page says "more than". */
export const SEARCH_COUNT_CAP = 10_000;

const COLUMNS = `id, type, status, jurisdiction_code, jurisdiction_name, project_code, year, version, title, fields, body,
  published_at, public_updated_at, public_seq, withdrawn_at, withdrawal_reason`;

/** The public read path: only the public_notices / public_notice_versions views (the portal's role reads no more). */
@Injectable()
export class PublicNoticesService {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Changes since a moment, oldest first (keyset on the public sequence): each publication, correction and
   * withdrawal moves the notice to the end, so a reader that resumes from its cursor misses nothing.
   */
  async feed(q: {
    since?: string;
    cursor?: string;
    limit?: number;
    jurisdictionCode?: string;
  }): Promise<Page<PublicNotice>> {
    const limit = clampLimit(q.limit);
    const after = decodeCursor<{ s: string }>(q.cursor);
    const params: unknown[] = [];
    const where: string[] = [];
    if (q.since) {
      if (Number.isNaN(Date.parse(q.since))) {
        throw new DomainError('VALIDATION_FAILED', 'since is not an ISO timestamp', [
          { field: 'since', problem: 'expected an ISO 8601 timestamp' },
        ]);
      }
      params.push(q.since);
      where.push(`public_updated_at >= $${params.length}::timestamptz`);
    }
    if (after) {
      params.push(after.s);
      where.push(`public_seq > $${params.length}::bigint`);
    }
    if (q.jurisdictionCode) {
      params.push(`%/${q.jurisdictionCode}/%`);
      where.push(`jurisdiction_path LIKE $${params.length}`);
    }
    params.push(limit + 1);
    const rows = await this.dataSource.query<Row[]>(
      `SELECT ${COLUMNS} FROM public_notices ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY public_seq LIMIT $${params.length}`,
      params,
    );
    const more = rows.length > limit;
    const page = more ? rows.slice(0, limit) : rows;
    const last = page[page.length - 1];
    return {
      items: page.map(toPublic),
      nextCursor: more && last ? encodeCursor({ s: last.public_seq }) : null,
    };
  }

  /** Every public notice of a project (by its code), in the order they were published. */
  async forProject(projectCode: string): Promise<PublicNotice[]> {
    const rows = await this.dataSource.query<Row[]>(
      `SELECT ${COLUMNS} FROM public_notices WHERE project_code = $1 ORDER BY published_at, id`,
      [projectCode],
    );
    return rows.map(toPublic);
  }

  /** Years that have public notices, newest first (the bulk files). */
  async years(): Promise<number[]> {
    const rows = await this.dataSource.query<{ year: number }[]>(
      `SELECT DISTINCT year FROM public_notices ORDER BY year DESC`,
    );
    return rows.map((r) => r.year);
  }

  /** The latest public changes, newest first (the Atom feed). */
  async latest(limit: number, jurisdictionCode?: string): Promise<PublicNotice[]> {
    const params: unknown[] = [Math.min(Math.max(1, limit), 200)];
    let where = '';
    if (jurisdictionCode) {
      params.push(`%/${jurisdictionCode}/%`);
      where = `WHERE jurisdiction_path LIKE $2`;
    }
    const rows = await this.dataSource.query<Row[]>(
      `SELECT ${COLUMNS} FROM public_notices ${where} ORDER BY public_seq DESC LIMIT $1`,
      params,
    );
    return rows.map(toPublic);
  }

  /** Every public notice matching a filter, in publication order, a batch at a time (CSV and bulk files). */
  async *all(
    f: { type?: NoticeType; jurisdictionCode?: string; year?: number },
    batch = 2000,
  ): AsyncGenerator<PublicNotice[]> {
    let after = '0';
    for (;;) {
      const params: unknown[] = [after, batch];
      const where = ['public_seq > $1::bigint'];
      if (f.type) {
        params.push(f.type);
        where.push(`type = $${params.length}`);
      }
      if (f.jurisdictionCode) {
        params.push(`%/${f.jurisdictionCode}/%`);
        where.push(`jurisdiction_path LIKE $${params.length}`);
      }
      if (f.year !== undefined) {
        params.push(f.year);
        where.push(`year = $${params.length}`);
      }
      const rows = await this.dataSource.query<Row[]>(
        `SELECT ${COLUMNS} FROM public_notices WHERE ${where.join(' AND ')} ORDER BY public_seq LIMIT $2`,
        params,
      );
      if (rows.length === 0) return;
      yield rows.map(toPublic);
      after = rows[rows.length - 1].public_seq;
      if (rows.length < batch) return;
    }
  }

  /**
   * Search for the public pages, newest publication first, with a page number (pages are small). The total is
   * counted up to SEARCH_COUNT_CAP (then `capped`): counting a million matches costs more than it tells.
   */
  async search(
    q: PublicNoticeQuery & { page?: number },
  ): Promise<{ items: PublicNotice[]; total: number; capped: boolean }> {
    const params: unknown[] = [];
    const where: string[] = [];
    if (q.type) {
      params.push(q.type);
      where.push(`type = $${params.length}`);
    }
    if (q.jurisdictionCode) {
      params.push(`%/${q.jurisdictionCode}/%`);
      where.push(`jurisdiction_path LIKE $${params.length}`);
    }
    if (q.year !== undefined) {
      params.push(q.year);
      where.push(`year = $${params.length}`);
    }
    if (q.q?.trim()) {
      params.push(`%${q.q.trim().replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
      // title, project code and field values of the current version, trigram-indexed (migration NoticeSearch)
      where.push(`search_text ILIKE $${params.length}`);
    }
    const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const limit = clampLimit(q.limit ?? 20);
    const page = Math.max(1, q.page ?? 1);
    const total = await this.dataSource.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM (SELECT 1 FROM public_notices ${w} LIMIT ${SEARCH_COUNT_CAP + 1}) x`,
      params,
    );
    const rows = await this.dataSource.query<Row[]>(
      `SELECT ${COLUMNS} FROM public_notices ${w} ORDER BY published_at DESC, id DESC
       LIMIT ${limit} OFFSET ${(page - 1) * limit}`,
      params,
    );
    const n = total[0]?.n ?? 0;
    return { items: rows.map(toPublic), total: Math.min(n, SEARCH_COUNT_CAP), capped: n > SEARCH_COUNT_CAP };
  }

  async get(id: string): Promise<{ notice: PublicNotice; versions: PublicNoticeVersion[] } | null> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
    const rows = await this.dataSource.query<Row[]>(`SELECT ${COLUMNS} FROM public_notices WHERE id = $1`, [
      id,
    ]);
    const r = rows[0];
    if (!r) return null;
    const vs = await this.dataSource.query<
      {
        version: number;
        title: string;
        fields: NoticeField[];
        body: string;
        reason: string | null;
        created_at: Date;
        sha256: string;
      }[]
    >(`SELECT * FROM public_notice_versions WHERE notice_id = $1 ORDER BY version`, [id]);
    const versions: PublicNoticeVersion[] = withChanges(
      vs.map((v) => ({
        version: v.version,
        title: v.title,
        fields: v.fields,
        body: v.body,
        reason: v.reason,
        createdAt: v.created_at.toISOString(),
        sha256: v.sha256,
      })),
    );
    return { notice: toPublic(r), versions };
  }
}
