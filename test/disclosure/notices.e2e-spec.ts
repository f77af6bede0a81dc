import { randomUUID } from 'node:crypto';
import { NoticeGeneratorService } from '@sunshine/disclosure';
import { MonitorsService } from '@sunshine/monitoring';
import { allocationBody, createLine } from '../factories/ledger';
import { createProject, fund, transition } from '../factories/projects';
import { DEMO_PASSWORD, startTestApi, TestApi } from '../support/api';
import { withDb } from '../support/database';

interface Field {
  key: string;
  label: string;
  value: string;
}
interface Notice {
  id: string;
  type: string;
  status: string;
  subjectId: string;
  jurisdictionCode: string;
  ownerUnit: string | null;
  triggeredOn: string;
  deadline: string;
  title: string;
  currentVersion: number;
  publishedAt: string | null;
  withdrawalReason: string | null;
  allowedActions: string[];
  versions: {
    version: number;
    title: string;
    fields: Field[];
    body: string;
    reason: string | null;
    changes: unknown;
  }[];
}

const COUNTY = '450127'; // 横县: no other suite works here
const TOWNSHIP = '450127101';

describe('公告公示: notices drafted from events, one life cycle, immutable versions', () => {
  let api: TestApi;
  let generator: NoticeGeneratorService;

  const as = async (user: string) => `Bearer ${await api.token(user)}`;
  const noticesOf = async (subjectId: string, user = 'admin'): Promise<Notice[]> => {
    const res = await api
      .http()
      .get('/api/notices')
      .query({ subjectId, limit: 50 })
      .set('Authorization', await as(user));
    expect(res.status).toBe(200);
    return (res.body as { items: Notice[] }).items.sort((a, b) => a.type.localeCompare(b.type));
  };
  const act = async (user: string, id: string, action: string, body: Record<string, unknown> = {}) =>
    api
      .http()
      .post(`/api/notices/${id}/${action}`)
      .set('Authorization', await as(user))
      .send(body);
  const field = (n: Notice, key: string) =>
    n.versions[n.versions.length - 1].fields.find((f) => f.key === key)?.value;

  beforeAll(async () => {
    api = await startTestApi();
    generator = api.app.get(NoticeGeneratorService);
    const admin = await as('admin');
    for (const u of [
      { username: 'finance.heng', role: 'finance' },
      { username: 'poverty.heng', role: 'poverty_office' },
      { username: 'owner.heng', role: 'project_owner', unit: '横县农业农村局' },
      { username: 'owner2.heng', role: 'project_owner', unit: '横县交通运输局' },
    ]) {
      const res = await api
        .http()
        .post('/api/users')
        .set('Authorization', admin)
        .send({ ...u, password: DEMO_PASSWORD, jurisdictionCode: COUNTY });
      expect(res.status).toBe(201);
    }
  });
  afterAll(async () => {
    await api.close();
  });

  it('drafts one D2 per allocation, due 15 working days later with 调休, whoever runs the generator how often', async () => {
    const line = await createLine(api, 'finance.heng', {
      year: 2025,
      jurisdictionCode: COUNTY,
      amount: '3000000.00',
      receivedOn: '2025-09-01',
    });
    const alloc = await api
      .http()
      .post(`/api/budget-lines/${line.id}/allocations`)
      .set('Authorization', await as('finance.heng'))
      .set('Idempotency-Key', randomUUID())
      .send(allocationBody(TOWNSHIP, '1234567.89', '2025-09-26'));
    expect(alloc.status).toBe(201);
    const allocationId = (alloc.body as { id: string }).id;
    expect(await noticesOf(allocationId)).toEqual([]); // nothing until the generator has read the event

    await Promise.all([generator.processPending(), generator.processPending()]); // two at once: SKIP LOCKED
    await generator.processPending();
    const [d2, ...more] = await noticesOf(allocationId);
    expect(more).toEqual([]);
    // 2025-09-26 (Fri) + 15 working days: 28 Sep (Sunday, 调休) 29, 30; 1–8 Oct off; 9, 10, 11 (Saturday, 调休),
    // 13–17, 20–23 → 23 October
    expect(d2).toMatchObject({
      type: 'D2',
      status: 'draft',
      jurisdictionCode: COUNTY,
      triggeredOn: '2025-09-26',
      deadline: '2025-10-23',
      currentVersion: 1,
    });
    expect(field(d2, 'amount')).toBe('1,234,567.89 元');
    expect(field(d2, 'to')).toBe('六景镇');
    expect(field(d2, 'hotline')).toContain('12317');
    expect(d2.title).toContain('横县2025年');
  });

  it('lets only the allocating finance bureau approve and publish a D2, in the order the table gives', async () => {
    const all = await api
      .http()
      .get('/api/notices')
      .query({ type: 'D2', jurisdictionCode: COUNTY, limit: 50 })
      .set('Authorization', await as('finance.heng'));
    const notice = (all.body as { items: Notice[] }).items.find((n) => n.triggeredOn === '2025-09-26');
    if (!notice) throw new Error('no D2');
    expect(notice.allowedActions.sort()).toEqual(['approve', 'correct', 'withdraw']);

    expect((await act('poverty.heng', notice.id, 'approve')).body).toMatchObject({ code: 'FORBIDDEN_ROLE' });
    // the city's finance bureau covers 横县 but did not make this allocation (谁分配谁公开)
    expect((await act('finance.city', notice.id, 'approve')).body).toMatchObject({
      code: 'FORBIDDEN_JURISDICTION',
    });
    expect((await act('finance.shanglin', notice.id, 'approve')).status).toBe(403);
    const early = await act('finance.heng', notice.id, 'publish');
    expect(early.status).toBe(409);
    expect(early.body).toMatchObject({ code: 'INVALID_TRANSITION' });

    expect((await act('finance.heng', notice.id, 'approve')).status).toBe(201);
    const pub = await act('finance.heng', notice.id, 'publish');
    expect(pub.status).toBe(201);
    expect(pub.body).toMatchObject({ status: 'published', allowedActions: ['correct', 'withdraw'] });
    expect((pub.body as Notice).publishedAt).not.toBeNull();
    expect((await act('finance.heng', notice.id, 'publish')).status).toBe(409);

    // a correction is a new version; the first stays as it was, and the change is listed
    const noReason = await act('finance.heng', notice.id, 'corrections', { body: '更正' });
    expect(noReason.status).toBe(400);
    const corr = await act('finance.heng', notice.id, 'corrections', {
      reason: '到账日期录入有误',
      fields: [{ key: 'receivedOn', label: '到账日期', value: '2025-09-29' }],
    });
    expect(corr.status).toBe(201);
    const c = corr.body as Notice;
    expect(c).toMatchObject({ status: 'published', currentVersion: 2 });
    expect(c.versions.map((v) => field({ ...c, versions: [v] }, 'receivedOn'))).toEqual([
      '2025-09-26',
      '2025-09-29',
    ]);
    expect(c.versions[1]).toMatchObject({
      reason: '到账日期录入有误',
      changes: {
        title: null,
        body: null,
        fields: [
          {
            kind: 'changed',
            key: 'receivedOn',
            label: '到账日期',
            before: '2025-09-26',
            after: '2025-09-29',
          },
        ],
      },
    });
    // versions cannot be edited or deleted, even in SQL
    await withDb(async (db) => {
      await expect(
        db.query(`UPDATE notice_versions SET title = 'x' WHERE notice_id = $1`, [notice.id]),
      ).rejects.toThrow(/append-only/);
      await expect(db.query(`DELETE FROM notice_versions WHERE notice_id = $1`, [notice.id])).rejects.toThrow(
        /append-only/,
      );
    });

    const nothing = await act('finance.heng', notice.id, 'withdrawal', { reason: ' ' });
    expect(nothing.status).toBe(400);
    const w = await act('finance.heng', notice.id, 'withdrawal', { reason: '重复公告' });
    expect(w.body).toMatchObject({ status: 'withdrawn', withdrawalReason: '重复公告', allowedActions: [] });
    expect((await act('finance.heng', notice.id, 'corrections', { reason: 'x', body: 'y' })).status).toBe(
      409,
    );
    const audit = await api
      .http()
      .get('/api/audit-log')
      .query({ entityType: 'notice', entityId: notice.id })
      .set('Authorization', await as('admin'));
    expect((audit.body as { items: { action: string }[] }).items.map((a) => a.action).reverse()).toEqual([
      'notice.create',
      'notice.approve',
      'notice.publish',
      'notice.correct',
      'notice.withdraw',
    ]);
  });

  it('finds notices past their deadline as of a date (NOTICE_OVERDUE), for the county that must publish', async () => {
    const monitors = api.app.get(MonitorsService);
    const d2 = (
      (
        await api
          .http()
          .get('/api/notices')
          .query({ type: 'D2', jurisdictionCode: COUNTY, limit: 50 })
          .set('Authorization', await as('finance.heng'))
      ).body as { items: Notice[] }
    ).items.find((n) => n.triggeredOn === '2025-09-26');
    if (!d2) throw new Error('no D2');
    const overdue = async (asOf: string) =>
      (await monitors.findings(asOf, [])).filter((f) => f.rule === 'NOTICE_OVERDUE' && f.subjectId === d2.id);
    expect(await overdue('2025-10-23')).toEqual([]); // due that day: not late yet
    expect(await overdue('2025-10-24')).toEqual([
      expect.objectContaining({
        jurisdictionCode: COUNTY,
        severity: 'yellow',
        details: expect.objectContaining({ daysLate: 1, deadline: '2025-10-23' }) as unknown,
      }),
    ]);
    expect((await overdue('2025-11-10'))[0]).toMatchObject({ severity: 'red', details: { daysLate: 18 } });
    expect(await overdue('2025-09-30')).toEqual([]); // before its deadline
    // it was published (late) in this run: from today on it is no longer overdue
    expect(await overdue(new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10))).toEqual([]);
  });

  it('withdraws the draft D2 of a reversed allocation', async () => {
    const line = await createLine(api, 'finance.heng', {
      year: 2025,
      jurisdictionCode: COUNTY,
      receivedOn: '2025-05-06',
    });
    const alloc = await api
      .http()
      .post(`/api/budget-lines/${line.id}/allocations`)
      .set('Authorization', await as('finance.heng'))
      .set('Idempotency-Key', randomUUID())
      .send(allocationBody(TOWNSHIP, '1000.00', '2025-05-08'));
    const id = (alloc.body as { id: string }).id;
    await generator.processPending();
    const rev = await api
      .http()
      .post(`/api/allocations/${id}/reversal`)
      .set('Authorization', await as('finance.heng'))
      .set('Idempotency-Key', randomUUID())
      .send({ reason: '下达对象有误' });
    expect(rev.status).toBe(201);
    await generator.processPending();
    const [d2] = await noticesOf(id);
    expect(d2).toMatchObject({ status: 'withdrawn', withdrawalReason: '资金分配已撤销：下达对象有误' });
  });

  it('drafts D4 and D8 on approval, D5 before the start, D9 on a change (which corrects the published D4)', async () => {
    const line = await createLine(api, 'finance.heng', {
      year: 2026,
      jurisdictionCode: COUNTY,
      amount: '900000.00',
    });
    const p = await createProject(api, 'poverty.heng', {
      jurisdictionCode: TOWNSHIP,
      ownerUnit: '横县农业农村局',
      categoryCode: 'INFRA_ROAD',
      plannedBudget: '800000.00',
      startOn: '2026-12-15',
      endOn: '2027-06-30',
      location: '六景镇良圻村',
      contentScale: '硬化村道 3.2 公里',
      poorHouseholds: 45,
      poorPeople: 168,
      responsiblePerson: '黄某某（13812345678）',
    });
    for (const to of ['village_applied', 'township_reviewed', 'county_appraised', 'approved']) {
      expect((await transition(api, 'poverty.heng', p.id, to)).status).toBe(201);
    }
    await generator.processPending();
    const failed = await withDb((db) =>
      db.query<{ type: string; last_error: string }>(
        `SELECT type, last_error FROM domain_events WHERE last_error IS NOT NULL`,
      ),
    );
    expect(failed.rows).toEqual([]); // every event so far was turned into its notices
    const afterApproval = await noticesOf(p.id);
    expect(afterApproval.map((n) => n.type)).toEqual(['D4', 'D8']);
    const [d4, d8] = afterApproval;
    expect(d4.deadline).toBe(d4.triggeredOn); // before the entry takes effect
    expect(d8.deadline).toBe(d4.deadline); // with D4
    expect(field(d4, 'benefit')).toContain('带动贫困户 45 户、贫困人口 168 人');
    expect(field(d4, 'responsiblePerson')).toBe('黄某某（138****5678）'); // the privacy scan masks the phone
    expect(field(d8, 'targets')).toContain('硬化道路里程：12.5 公里');
    expect(d4.ownerUnit).toBe('横县农业农村局');
    expect(d4.title).toMatch(/^横县扶贫项目库入库公示：/); // a township's project, published by the county's office

    expect((await fund(api, p.id, line.id, '600000.00', 'finance.heng')).status).toBe(201);
    expect((await transition(api, 'poverty.heng', p.id, 'tendering')).status).toBe(201);
    await generator.processPending();
    const d5 = (await noticesOf(p.id)).find((n) => n.type === 'D5');
    if (!d5) throw new Error('no D5');
    expect(d5.deadline).toBe('2026-12-15'); // before the planned start
    expect(field(d5, 'funding')).toMatch(/（测财〔2026〕.+号）：600,000\.00 元/);
    expect(field(d5, 'fundedTotal')).toBe('600,000.00 元');
    // 谁使用谁公开: the owner unit may publish its D5; another unit of the county may not
    expect((await act('owner2.heng', d5.id, 'approve')).body).toMatchObject({
      code: 'FORBIDDEN_JURISDICTION',
    });
    expect((await act('owner.heng', d5.id, 'approve')).status).toBe(201);
    expect((await act('owner.heng', d5.id, 'publish')).status).toBe(201);

    expect((await act('poverty.heng', d4.id, 'approve')).status).toBe(201);
    expect((await act('poverty.heng', d4.id, 'publish')).status).toBe(201);
    const req = await api
      .http()
      .post(`/api/projects/${p.id}/changes`)
      .set('Authorization', await as('owner.heng'))
      .send({ reason: '村民会议决定路面加宽', changes: { plannedBudget: '850000.00' } });
    expect(req.status).toBe(201);
    const ok = await api
      .http()
      .post(`/api/project-changes/${(req.body as { id: string }).id}/approve`)
      .set('Authorization', await as('poverty.heng'))
      .send({ comment: '同意' });
    expect(ok.status).toBe(201);
    await generator.processPending();

    const d9 = (await noticesOf((req.body as { id: string }).id))[0];
    expect(d9).toMatchObject({ type: 'D9', status: 'draft', ownerUnit: '横县农业农村局' });
    expect(field(d9, 'change.plannedBudget')).toBe('800,000.00 元 → 850,000.00 元');
    // the published D4 and D5 now show the old budget: each got a correction, the old version kept
    const [d4now, d5now, d8now] = await noticesOf(p.id);
    expect(d8now).toMatchObject({ type: 'D8', currentVersion: 1 }); // the budget is not on it: nothing to correct
    for (const n of [d4now, d5now]) {
      expect(n).toMatchObject({ status: 'published', currentVersion: 2 });
      expect(n.versions.map((v) => v.fields.find((f) => f.key === 'plannedBudget')?.value)).toEqual([
        '800,000.00 元',
        '850,000.00 元',
      ]);
      expect(n.versions[1].reason).toMatch(/^项目变更已批准/);
    }
  });

  it('takes D1/D3/D6 from the poverty office by hand, once per document, masking personal data', async () => {
    const body = {
      type: 'D1',
      jurisdictionCode: COUNTY,
      documentNo: `横政办发〔2026〕${Date.now() % 1000}号`,
      issuedOn: '2026-03-02',
      title: '横县统筹整合使用财政涉农资金管理办法',
      body: '联系人：李某，电话 13912345678，身份证 450127199001011234。',
    };
    const post = async (user: string, b: Record<string, unknown>) =>
      api
        .http()
        .post('/api/notices')
        .set('Authorization', await as(user))
        .send(b);
    expect((await post('finance.heng', body)).body).toMatchObject({ code: 'FORBIDDEN_ROLE' });
    expect((await post('poverty.heng', { ...body, type: 'D2' })).status).toBe(400);
    expect((await post('poverty.heng', { ...body, amount: 1 })).status).toBe(400);
    const res = await post('poverty.heng', body);
    expect(res.status).toBe(201);
    const n = res.body as Notice;
    // 2026-03-02 (Mon) + 20 working days (no holiday in March 2026) → 30 March
    expect(n).toMatchObject({
      type: 'D1',
      status: 'draft',
      subjectId: body.documentNo,
      deadline: '2026-03-30',
    });
    expect(n.versions[0].body).toBe('联系人：李某，电话 139****5678，身份证 450127********1234。');
    expect((await post('poverty.heng', body)).status).toBe(409);
    await withDb(async (db) => {
      const raw = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM notice_versions WHERE body LIKE '%13912345678%' OR body LIKE '%450127199001011234%'`,
      );
      expect(raw.rows[0].n).toBe(0);
    });
  });
});
