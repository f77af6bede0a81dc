import { randomUUID } from 'node:crypto';
import Ajv04 from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { parse } from 'csv-parse/sync';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { NoticeGeneratorService } from '@sunshine/disclosure';
import { allocationBody, createLine } from '../factories/ledger';
import { createProject, transition } from '../factories/projects';
import { DEMO_PASSWORD, startTestApi, startTestPortal, TestApi, TestPortal } from '../support/api';

interface PublicNotice {
  id: string;
  type: string;
  status: string;
  version: number;
  title: string;
  fields: { key: string; value: string }[];
}
interface FeedPage {
  items: PublicNotice[];
  nextCursor: string | null;
}

const COUNTY = '450123'; // 隆安县

describe('the public site: notices, versions, the JSON feed and objections', () => {
  let api: TestApi;
  let portal: TestPortal;
  let generator: NoticeGeneratorService;
  let published: PublicNotice;
  let draftId: string;
  let objectionPosts = 0;

  const as = async (user: string) => `Bearer ${await api.token(user)}`;
  const allocate = async (lineId: string, amount: string) => {
    const res = await api
      .http()
      .post(`/api/budget-lines/${lineId}/allocations`)
      .set('Authorization', await as('finance.longan'))
      .set('Idempotency-Key', randomUUID())
      .send(allocationBody('450123101', amount, '2026-03-10'));
    expect(res.status).toBe(201);
    return (res.body as { id: string }).id;
  };
  const d2Of = async (allocationId: string) => {
    const res = await api
      .http()
      .get('/api/notices')
      .query({ subjectId: allocationId })
      .set('Authorization', await as('finance.longan'));
    return (res.body as { items: { id: string }[] }).items[0];
  };
  const act = async (id: string, action: string, body: Record<string, unknown> = {}) => {
    const res = await api
      .http()
      .post(`/api/notices/${id}/${action}`)
      .set('Authorization', await as('finance.longan'))
      .send(body);
    expect(res.status).toBe(201);
  };
  const objectJson = (id: string, body: Record<string, unknown>) => {
    objectionPosts += 1;
    return portal.http().post(`/notices/${id}/objections`).send(body);
  };
  let since: string;

  beforeAll(async () => {
    api = await startTestApi();
    portal = await startTestPortal();
    generator = api.app.get(NoticeGeneratorService);
    const res = await api
      .http()
      .post('/api/users')
      .set('Authorization', await as('admin'))
      .send({
        username: 'finance.longan',
        role: 'finance',
        password: DEMO_PASSWORD,
        jurisdictionCode: COUNTY,
      });
    expect(res.status).toBe(201);
    since = new Date().toISOString();
    const line = await createLine(api, 'finance.longan', { jurisdictionCode: COUNTY, amount: '500000.00' });
    const published1 = await allocate(line.id, '123456.78');
    const draft = await allocate(line.id, '1000.00');
    await generator.processPending();
    const n = await d2Of(published1);
    await act(n.id, 'approve');
    await act(n.id, 'publish');
    draftId = (await d2Of(draft)).id;
    const page = await portal.http().get('/api/public/notices').query({ since });
    published = (page.body as FeedPage).items.find((i) => i.id === n.id) as PublicNotice;
  });
  afterAll(async () => {
    await portal.close();
    await api.close();
  });

  it('feeds published notices only, oldest first, in keyset pages; a correction comes round again', async () => {
    expect(published).toMatchObject({ type: 'D2', status: 'published', version: 1 });
    const all = (await portal.http().get('/api/public/notices').query({ since, limit: 500 }))
      .body as FeedPage;
    expect(all.items.map((i) => i.id)).not.toContain(draftId);

    // one page at a time: every item once, in order
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await portal
        .http()
        .get('/api/public/notices')
        .query({ since, limit: 1, ...(cursor ? { cursor } : {}) });
      expect(res.status).toBe(200);
      const page = res.body as FeedPage;
      seen.push(...page.items.map((i) => i.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all.items.map((i) => i.id));

    const last = await portal.http().get('/api/public/notices').query({ since, limit: 500 });
    const resumeAfter = (last.body as FeedPage).items.length;
    await act(published.id, 'corrections', {
      reason: '接收单位名称更正',
      fields: [{ key: 'to', label: '接收地区', value: '那桐镇（含定典村）' }],
    });
    const after = (
      (await portal.http().get('/api/public/notices').query({ since, limit: 500 })).body as FeedPage
    ).items;
    expect(after.length).toBe(resumeAfter); // the same notice, moved to the end with its new version
    expect(after[after.length - 1]).toMatchObject({ id: published.id, version: 2 });
    expect((await portal.http().get('/api/public/notices').query({ since: 'yesterday' })).status).toBe(400);
    expect((await portal.http().get('/api/public/notices').query({ cursor: '%%%' })).status).toBe(400);
  });

  it('shows a notice page with every version and what changed, and searches', async () => {
    const page = await portal.http().get(`/notices/${published.id}`);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.text).toContain(published.title);
    expect(page.text).toContain('第 2 版');
    expect(page.text).toContain('第 1 版');
    expect(page.text).toContain('<del>那桐镇</del>');
    expect(page.text).toContain('<ins>那桐镇（含定典村）</ins>');
    expect(page.text).toContain('接收单位名称更正');
    expect(page.text).toContain('12317');
    expect((await portal.http().get(`/notices/${draftId}`)).status).toBe(404); // drafts are not public
    expect((await portal.http().get('/notices/not-an-id')).status).toBe(404);

    const found = await portal.http().get('/notices').query({ q: '那桐镇（含定典村）', type: 'D2' });
    expect(found.status).toBe(200);
    expect(found.text).toContain(`/notices/${published.id}`);
    const none = await portal.http().get('/notices').query({ q: '没有这样的公告xyz' });
    expect(none.text).toContain('没有符合条件的公告');
  });

  it('publishes an Atom feed (all, or one region) and a CSV with BOM that Excel opens', async () => {
    const atom = await portal
      .http()
      .get('/feed.atom')
      .buffer(true)
      .parse((res, cb) => {
        let data = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (data += c));
        res.on('end', () => cb(null, data));
      });
    expect(atom.status).toBe(200);
    expect(atom.headers['content-type']).toMatch(/^application\/atom\+xml/);
    const xml = atom.body as string;
    expect(xml.startsWith('<?xml version="1.0" encoding="utf-8"?>')).toBe(true);
    expect(xml).toContain(`<id>urn:uuid:${published.id}</id>`);
    expect(xml).toContain('【第2版】'); // corrected in the first test
    expect(xml).not.toContain(draftId);
    const regional = async (code: string) =>
      (await portal.http().get('/feed.atom').query({ jurisdiction: code }).buffer(true)).text;
    expect(await regional(COUNTY)).toContain(published.id);
    expect(await regional('450125')).not.toContain(published.id);

    const csv = await portal
      .http()
      .get('/api/public/notices.csv')
      .query({ type: 'D2', jurisdiction: COUNTY })
      .buffer(true);
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv; charset=utf-8/);
    expect(csv.text.charCodeAt(0)).toBe(0xfeff);
    const rows: string[][] = parse(csv.text.slice(1));
    expect(rows[0].slice(0, 4)).toEqual(['公告编号', '类型', '类型名称', '状态']);
    expect(rows.every((r) => r.length === rows[0].length)).toBe(true);
    const row = rows.find((r) => r[0] === published.id);
    expect(row?.slice(1, 5)).toEqual(['D2', '资金分配结果', '已发布', COUNTY]);
    expect(row?.[12]).toContain('接收地区：那桐镇（含定典村）');
    expect(rows.map((r) => r[0])).not.toContain(draftId);
  });

  it('takes an objection (JSON or form), tracks it, shows the answer, never the contact', async () => {
    const bad = await objectJson(published.id, { contact: '1', text: '' });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect((bad.body as { details: { field: string }[] }).details.map((d) => d.field).sort()).toEqual([
      'contact',
      'text',
    ]);
    expect(
      (await objectJson(published.id, { contact: '13812345678', text: '金额与文件不符', extra: 1 })).status,
    ).toBe(400);
    expect((await objectJson(draftId, { contact: '13812345678', text: '草稿不能提异议' })).status).toBe(404);

    const ok = await objectJson(published.id, {
      name: '张三',
      contact: '13812345678',
      text: '分配金额与下达文件不符，请核实。',
    });
    expect(ok.status).toBe(201);
    const { trackingNo } = ok.body as { trackingNo: string; dueOn: string };
    expect(trackingNo).toMatch(/^YY\d{8}[2-9A-HJKMNP-Z]{6}$/);

    objectionPosts += 1;
    const form = await portal
      .http()
      .post(`/notices/${published.id}/objections`)
      .type('form')
      .send({ contact: 'citizen@example.cn', text: '请公开分配依据。' });
    expect(form.status).toBe(201);
    expect(form.text).toContain('受理编号');

    const tracked = await portal.http().get(`/objections/${trackingNo}`);
    expect(tracked.status).toBe(200);
    expect(tracked.text).toContain('办理中');
    expect(tracked.text).not.toContain('13812345678');
    expect(tracked.text).not.toContain('张三');

    const list = await api
      .http()
      .get(`/api/notices/${published.id}/objections`)
      .set('Authorization', await as('finance.longan'));
    const mine = (list.body as { id: string; trackingNo: string; contact: string }[]).find(
      (o) => o.trackingNo === trackingNo,
    );
    expect(mine?.contact).toBe('13812345678'); // the office sees how to reach the citizen
    const answer = await api
      .http()
      .post(`/api/objections/${mine?.id}/answer`)
      .set('Authorization', await as('finance.longan'))
      .send({ answer: '经核实，金额与隆财〔2026〕文件一致，已在公告中补充文号。' });
    expect(answer.status).toBe(201);
    const again = await api
      .http()
      .post(`/api/objections/${mine?.id}/answer`)
      .set('Authorization', await as('finance.longan'))
      .send({ answer: '再次答复' });
    expect(again.status).toBe(409);
    const answered = await portal.http().get(`/objections/${trackingNo}`);
    expect(answered.text).toContain('已答复');
    expect(answered.text).toContain('金额与隆财〔2026〕文件一致');
  });

  it('shows a project page from its public notices, and the latest notices on the home page', async () => {
    const res = await api
      .http()
      .post('/api/users')
      .set('Authorization', await as('admin'))
      .send({
        username: 'poverty.longan',
        role: 'poverty_office',
        password: DEMO_PASSWORD,
        jurisdictionCode: COUNTY,
      });
    expect(res.status).toBe(201);
    const p = await createProject(api, 'poverty.longan', {
      jurisdictionCode: '450123101',
      ownerUnit: '隆安县水利局',
      name: `那桐镇饮水安全巩固提升-${randomUUID().slice(0, 4)}`,
      contentScale: '新建蓄水池 2 座，铺设管网 6.5 公里',
    });
    expect((await portal.http().get(`/projects/${p.code}`)).status).toBe(404); // nothing published yet
    for (const to of ['village_applied', 'township_reviewed', 'county_appraised', 'approved']) {
      expect((await transition(api, 'poverty.longan', p.id, to)).status).toBe(201);
    }
    await generator.processPending();
    const list = await api
      .http()
      .get('/api/notices')
      .query({ subjectId: p.id, type: 'D4' })
      .set('Authorization', await as('poverty.longan'));
    const d4 = (list.body as { items: { id: string }[] }).items[0];
    for (const action of ['approve', 'publish']) {
      const r = await api
        .http()
        .post(`/api/notices/${d4.id}/${action}`)
        .set('Authorization', await as('poverty.longan'))
        .send({});
      expect(r.status).toBe(201);
    }
    const page = await portal.http().get(`/projects/${p.code}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('新建蓄水池 2 座，铺设管网 6.5 公里');
    expect(page.text).toContain(`/notices/${d4.id}`);
    expect(page.text).toContain('项目库入库公示');
    const home = await portal.http().get('/');
    expect(home.status).toBe(200);
    expect(home.text).toContain('最新公告');
    expect(home.text).toContain(`/notices/${d4.id}`); // the newest public change comes first
  });

  it('shows where a jurisdiction’s money went (/funds), with links down the tree', async () => {
    const page = await portal.http().get('/funds').query({ jurisdiction: COUNTY, year: 2026 });
    expect(page.status).toBe(200);
    expect(page.text).toContain('隆安县 2026年资金去向');
    expect(page.text).toContain('500,000.00'); // the county's line
    expect(page.text).toContain('123,456.78'); // passed down to 那桐镇
    expect(page.text).toContain('124,456.78'); // total passed down (123,456.78 + 1,000.00)
    expect(page.text).toContain('/funds?jurisdiction=450123101&amp;year=2026');
    const township = await portal.http().get('/funds').query({ jurisdiction: '450123101', year: 2026 });
    expect(township.text).toContain('那桐镇 2026年资金去向');
    expect(township.text).toContain('/funds?jurisdiction=450123&amp;year=2026'); // where it came from
    const start = await portal.http().get('/funds').query({ year: 2016 });
    expect(start.text).toContain('/funds?jurisdiction=450000&amp;year=2016'); // 广西 holds 2016 lines
    const none = await portal.http().get('/funds').query({ jurisdiction: '411523101', year: 2026 });
    expect(none.text).toContain('暂无公开的资金记录');
  });

  it('publishes announced projects as an OC4IDS 0.9 package valid against the standard’s schema', async () => {
    const res = await portal
      .http()
      .get('/api/public/oc4ids/projects.json')
      .query({ jurisdiction: COUNTY })
      .buffer(true);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const pkg = JSON.parse(res.text) as { version: string; projects: Record<string, unknown>[] };
    const dir = path.join(__dirname, '..', 'fixtures', 'oc4ids-0.9.5');
    const ajv = new Ajv04({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addSchema(JSON.parse(readFileSync(path.join(dir, 'project-schema.json'), 'utf8')) as object);
    const validate = ajv.compile(
      JSON.parse(readFileSync(path.join(dir, 'project-package-schema.json'), 'utf8')) as object,
    );
    expect([validate(pkg), validate.errors ?? []]).toEqual([true, []]);
    expect(pkg.version).toBe('0.9');
    const project = pkg.projects.find((p) => String(p.title).startsWith('那桐镇饮水安全巩固提升'));
    expect(project).toMatchObject({
      status: 'preparation', // approved into the library
      sector: ['transport', 'transport.road'],
      type: 'construction',
      budget: { amount: { amount: 1200000, currency: 'CNY' } },
      language: 'zh',
      publicAuthority: { name: '隆安县水利局' },
    });
    expect(res.text).toContain('"amount":1200000.00'); // the digits as they are, not a float
    expect((project?.documents as { documentType: string; url: string }[])[0]).toMatchObject({
      documentType: 'projectScope',
      url: expect.stringMatching(/\/notices\/[0-9a-f-]{36}$/) as unknown,
    });
    expect(
      (await portal.http().get('/api/public/oc4ids/projects.json').query({ jurisdiction: '411523' })).status,
    ).toBe(404);
  });

  it('offers bulk files per year and documents every download on /open-data', async () => {
    const jsonl = await portal.http().get('/api/public/bulk/notices-2026.jsonl').buffer(true);
    expect(jsonl.status).toBe(200);
    expect(jsonl.headers['content-type']).toMatch(/^application\/x-ndjson/);
    const lines = jsonl.text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: string; year: number; url: string });
    expect(lines.every((l) => l.year === 2026)).toBe(true);
    expect(lines.find((l) => l.id === published.id)?.url).toMatch(new RegExp(`/notices/${published.id}$`));
    expect(lines.map((l) => l.id)).not.toContain(draftId);
    const csv = await portal.http().get('/api/public/bulk/notices-2026.csv').buffer(true);
    expect(csv.text.charCodeAt(0)).toBe(0xfeff);
    expect(parse(csv.text.slice(1)).length).toBe(lines.length + 1); // a header and the same notices
    expect((await portal.http().get('/api/public/bulk/secrets.txt')).status).toBe(404);

    const page = await portal.http().get('/open-data');
    expect(page.status).toBe(200);
    for (const link of [
      '/feed.atom',
      '/api/public/notices.csv',
      '/api/public/oc4ids/projects.json',
      '/api/public/bulk/notices-2026.jsonl',
    ]) {
      expect(page.text).toContain(`href="${link}"`);
    }
    expect(page.text).toContain('CC BY 4.0');
  });

  it('runs as its own database role: the public views and the objection intake, nothing else', async () => {
    const url = process.env.PORTAL_DATABASE_URL;
    if (!url) throw new Error('no portal role');
    expect(new URL(url).username).toBe('sunshine_portal');
    const c = new Client({ connectionString: url });
    await c.connect();
    try {
      const n = await c.query<{ n: number }>(`SELECT count(*)::int AS n FROM public_notices`);
      expect(n.rows[0].n).toBeGreaterThan(0);
      for (const sql of [
        'SELECT 1 FROM notices LIMIT 1',
        'SELECT 1 FROM users LIMIT 1',
        'SELECT 1 FROM beneficiary_households LIMIT 1',
        'SELECT contact FROM objections LIMIT 1',
        'SELECT 1 FROM budget_lines LIMIT 1',
        `UPDATE objections SET answer = 'x'`,
        'DELETE FROM objections',
        `INSERT INTO notices (type) VALUES ('D1')`,
        `UPDATE notice_versions SET title = 'x'`,
      ]) {
        await expect(c.query(sql)).rejects.toThrow(/permission denied/);
      }
    } finally {
      await c.end();
    }
  });

  it('takes at most 10 objections a minute from one address (then 429 RATE_LIMITED)', async () => {
    let refused: { status: number; body: unknown } | null = null;
    while (refused === null && objectionPosts < 30) {
      const res = await objectJson(published.id, {
        contact: 'a@example.cn',
        text: `第 ${objectionPosts} 条异议内容`,
      });
      if (res.status === 429) refused = res;
      else expect(res.status).toBe(201);
    }
    expect(objectionPosts).toBe(11); // ten taken in the minute, the eleventh refused
    expect(refused?.body).toMatchObject({ statusCode: 429, code: 'RATE_LIMITED' });
  });
});
