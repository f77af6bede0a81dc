import { randomInt } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Actor, assertCovers, DomainError, notFound, todayInChina } from '@sunshine/common';
import { AuditLogService } from '@sunshine/audit-log';
import { NoticesService } from './notices.service';
import { OBJECTION_ANSWER_DAYS } from './notice-types';
import { maskPersonalData } from './privacy';

export interface ObjectionInput {
  name?: string;
  contact: string;
  text: string;
}

/** What the public sees of an objection (by its tracking number): never the name or the contact. */
export interface PublicObjectionView {
  trackingNo: string;
  noticeId: string;
  noticeTitle: string;
  receivedAt: string;
  dueOn: string;
  status: 'received' | 'answered';
  answer: string | null;
  answeredAt: string | null;
}

/** What the publishing office sees: who objected and how to reach them, to answer. */
export interface ObjectionView extends PublicObjectionView {
  id: string;
  name: string | null;
  contact: string;
  text: string;
  overdue: boolean;
}

interface Row {
  id: string;
  tracking_no: string;
  notice_id: string;
  notice_title: string;
  name: string | null;
  contact: string;
  text: string;
  status: 'received' | 'answered';
  received_at: Date;
  due_on: string;
  answer: string | null;
  answered_at: Date | null;
}

type PublicRow = Pick<
  Row,
  | 'tracking_no'
  | 'notice_id'
  | 'notice_title'
  | 'received_at'
  | 'due_on'
  | 'status'
  | 'answer'
  | 'answered_at'
>;

const SELECT = `SELECT o.id, o.tracking_no, o.notice_id, v.title AS notice_title, o.name, o.contact, o.text, o.status,
  o.received_at, to_char(o.due_on, 'YYYY-MM-DD') AS due_on, o.answer, o.answered_at
  FROM objections o JOIN notices n ON n.id = o.notice_id
  JOIN notice_versions v ON v.notice_id = n.id AND v.version = n.current_version`;

// no 0/O, 1/I/L: a tracking number read out over the telephone
const ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';

const addDays = (date: string, n: number): string => {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
};

/**
 * The public intake of objections (异议): reads only the public views and writes only the objections table,
 * which is all the portal's database role may do.
 */
@Injectable()
export class ObjectionIntakeService {
  constructor(private readonly dataSource: DataSource) {}

  async file(noticeId: string, input: ObjectionInput): Promise<{ trackingNo: string; dueOn: string }> {
    // through the public view only: the public site may object to what it can see, and to nothing else
    const visible = /^[0-9a-f-]{36}$/i.test(noticeId)
      ? await this.dataSource.query<{ status: string }[]>(`SELECT status FROM public_notices WHERE id = $1`, [
          noticeId,
        ])
      : [];
    if (visible[0]?.status !== 'published') throw notFound('notice', noticeId);
    const today = todayInChina();
    const dueOn = addDays(today, OBJECTION_ANSWER_DAYS);
    for (let attempt = 0; attempt < 5; attempt++) {
      let suffix = '';
      for (let i = 0; i < 6; i++) suffix += ALPHABET[randomInt(ALPHABET.length)];
      const trackingNo = `YY${today.replaceAll('-', '')}${suffix}`;
      try {
        // a plain INSERT: the portal's role may insert objections but not read them (no RETURNING, no ON CONFLICT)
        await this.dataSource.query(
          `INSERT INTO objections (tracking_no, notice_id, name, contact, text, due_on) VALUES ($1, $2, $3, $4, $5, $6)`,
          [trackingNo, noticeId, input.name?.trim() || null, input.contact.trim(), input.text.trim(), dueOn],
        );
        return { trackingNo, dueOn };
      } catch (e) {
        // 23505: the random tracking number is taken (about 1 in 887 million a day): draw another
        if ((e as { driverError?: { code?: string } }).driverError?.code !== '23505') throw e;
      }
    }
    throw new DomainError('CONFLICT', 'could not assign a tracking number, please try again');
  }

  async byTrackingNo(trackingNo: string): Promise<PublicObjectionView> {
    // the public view: never the name, the contact or the text
    const rows = await this.dataSource.query<PublicRow[]>(
      `SELECT tracking_no, notice_id, notice_title, received_at, to_char(due_on, 'YYYY-MM-DD') AS due_on, status,
         answer, answered_at FROM public_objections WHERE tracking_no = $1`,
      [trackingNo.toUpperCase()],
    );
    const r = rows[0];
    if (!r) throw notFound('objection', trackingNo);
    return publicView(r);
  }
}

/** The publishing office's side: the objections to its notices, each answered once (due in 20 days). */
@Injectable()
export class ObjectionsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly notices: NoticesService,
    private readonly audit: AuditLogService,
  ) {}

  async listForNotice(actor: Actor, noticeId: string): Promise<ObjectionView[]> {
    const n = await this.notices.findRow(noticeId);
    if (!n) throw notFound('notice', noticeId);
    assertCovers(actor, n.jurisdiction_path, 'id');
    const rows = await this.dataSource.query<Row[]>(
      `${SELECT} WHERE o.notice_id = $1 ORDER BY o.received_at`,
      [noticeId],
    );
    return rows.map(staffView);
  }

  /** The notice's publisher answers; the answer is public under the tracking number (masked). */
  async answer(actor: Actor, id: string, answer: string): Promise<ObjectionView> {
    await this.dataSource.transaction(async (m) => {
      const rows = await m.query<Row[]>(`${SELECT} WHERE o.id = $1 FOR UPDATE OF o`, [id]);
      const o = rows[0];
      if (!o) throw notFound('objection', id);
      const n = await this.notices.findRow(o.notice_id, m);
      if (!n) throw notFound('notice', o.notice_id);
      assertCovers(actor, n.jurisdiction_path, 'id');
      this.notices.assertPublisher(actor, n);
      if (o.status === 'answered') {
        throw new DomainError('INVALID_TRANSITION', 'the objection is already answered', [
          { field: 'status', problem: 'answered' },
        ]);
      }
      const text = maskPersonalData(answer.trim()).text;
      await m.query(
        `UPDATE objections SET status = 'answered', answer = $2, answered_by = $3, answered_at = now() WHERE id = $1`,
        [id, text, actor.id],
      );
      await this.audit.append(m, actor, [
        {
          action: 'objection.answer',
          entityType: 'objection',
          entityId: id,
          jurisdictionCode: n.jurisdiction_code,
          before: { status: 'received' },
          after: { status: 'answered', trackingNo: o.tracking_no },
        },
      ]);
    });
    const rows = await this.dataSource.query<Row[]>(`${SELECT} WHERE o.id = $1`, [id]);
    return staffView(rows[0]);
  }
}

function publicView(r: PublicRow): PublicObjectionView {
  return {
    trackingNo: r.tracking_no,
    noticeId: r.notice_id,
    noticeTitle: r.notice_title,
    receivedAt: r.received_at.toISOString(),
    dueOn: r.due_on,
    status: r.status,
    answer: r.answer,
    answeredAt: r.answered_at?.toISOString() ?? null,
  };
}

function staffView(r: Row): ObjectionView {
  return {
    ...publicView(r),
    id: r.id,
    name: r.name,
    contact: r.contact,
    text: r.text,
    overdue: r.status === 'received' && r.due_on < todayInChina(),
  };
}
