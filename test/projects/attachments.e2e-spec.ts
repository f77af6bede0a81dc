import { createHash } from 'node:crypto';
import { approvedProject, ProjectView } from '../factories/projects';
import { DEMO_PASSWORD, startTestApi, TestApi } from '../support/api';
import { withDb } from '../support/database';

// a real 1×1 PNG
const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d4948445200000001000000010806000000' +
    '1f15c4890000000d49444154789c6360f8cfc0f01f0005000201e2' +
    '21bc330000000049454e44ae426082',
  'hex',
);
const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

interface Attachment {
  id: string;
  filename: string;
  contentType: string;
  size: number;
  sha256: string;
  url: string;
}

describe('progress-report attachments: sniffed type, size limit, SHA-256, served only to authorised users', () => {
  let api: TestApi;
  let project: ProjectView;
  let reportId: string;
  beforeAll(async () => {
    api = await startTestApi();
    const created = await api
      .http()
      .post('/api/users')
      .set('Authorization', `Bearer ${await api.token('admin')}`)
      .send({
        username: 'owner.water',
        password: DEMO_PASSWORD,
        role: 'project_owner',
        jurisdictionCode: '450124',
        unit: '马山县水利局',
      });
    expect([201, 409]).toContain(created.status); // the lifecycle walk defines the same user
    project = await approvedProject(api);
    const rep = await api
      .http()
      .post(`/api/projects/${project.id}/progress-reports`)
      .set('Authorization', `Bearer ${await api.token('owner.county')}`)
      .send({ asOf: '2026-06-30', percentComplete: 40, narrative: '路基完成，正在铺设面层' });
    expect(rep.status).toBe(201);
    reportId = (rep.body as { id: string }).id;
  });
  afterAll(async () => {
    await api.close();
  });

  const upload = async (
    bytes: Buffer,
    filename: string,
    contentType: string,
    user = 'owner.county',
    report = reportId,
  ) =>
    api
      .http()
      .post(`/api/projects/${project.id}/progress-reports/${report}/attachments`)
      .set('Authorization', `Bearer ${await api.token(user)}`)
      .attach('file', bytes, { filename, contentType });
  const download = async (url: string, user: string) => {
    const res = await fetch(`${api.url}${url}`, {
      headers: { Authorization: `Bearer ${await api.token(user)}` },
    });
    return { res, bytes: Buffer.from(await res.arrayBuffer()) };
  };
  const count = () =>
    withDb(
      async (c) =>
        (await c.query<{ n: number }>('SELECT count(*)::int AS n FROM progress_report_attachments')).rows[0]
          .n,
    );

  it('stores a photo and a PDF with the type read from their bytes, their SHA-256 and a clean file name', async () => {
    const photo = await upload(PNG, '../../现场照片.png', 'text/html');
    expect(photo.status).toBe(201);
    expect(photo.body).toMatchObject({
      filename: '现场照片.png',
      contentType: 'image/png',
      size: PNG.length,
      sha256: sha(PNG),
    });
    const pdf = await upload(PDF, '验收报告.jpg', 'image/jpeg');
    expect(pdf.status).toBe(201);
    expect(pdf.body).toMatchObject({
      filename: '验收报告.pdf',
      contentType: 'application/pdf',
      sha256: sha(PDF),
    });

    const list = await api
      .http()
      .get(`/api/projects/${project.id}/progress-reports`)
      .set('Authorization', `Bearer ${await api.token('auditor.city')}`);
    expect(list.status).toBe(200);
    const reports = list.body as { id: string; percentComplete: number; attachments: Attachment[] }[];
    expect(reports).toHaveLength(1);
    expect(reports[0].attachments.map((a) => a.contentType)).toEqual(['image/png', 'application/pdf']);

    const got = await download((photo.body as Attachment).url, 'owner.county');
    expect(got.res.status).toBe(200);
    expect(got.bytes.equals(PNG)).toBe(true);
    expect(got.res.headers.get('content-type')).toBe('image/png');
    expect(got.res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(got.res.headers.get('content-disposition')).toContain('attachment');
    expect(got.res.headers.get('x-content-sha256')).toBe(sha(PNG));
    const audit = await withDb((c) =>
      c.query(`SELECT 1 FROM audit_log WHERE action = 'project.progress_attachment' AND entity_id = $1`, [
        project.id,
      ]),
    );
    expect(audit.rowCount).toBe(2);
  });

  it('serves files only to users who may see the project', async () => {
    const up = await upload(PNG, 'p.png', 'image/png');
    const url = (up.body as Attachment).url;
    expect((await download(url, 'auditor.city')).res.status).toBe(200);
    expect((await download(url, 'poverty.county')).res.status).toBe(200);
    expect((await download(url, 'finance.shanglin')).res.status).toBe(403);
    expect((await download(url, 'owner.water')).res.status).toBe(403); // another unit's project
    expect((await fetch(`${api.url}${url}`)).status).toBe(401);
    expect(
      (await download('/api/attachments/00000000-0000-0000-0000-000000000000', 'admin')).res.status,
    ).toBe(404);
  });

  it('refuses other types, oversized files, other units and foreign reports, storing nothing', async () => {
    const before = await count();
    const html = await upload(
      Buffer.from('<html><script>alert(1)</script></html>'),
      'photo.png',
      'image/png',
    );
    expect(html.status).toBe(415);
    expect(html.body).toMatchObject({ code: 'UNSUPPORTED_FILE_TYPE', details: [{ field: 'file' }] });
    const exe = await upload(Buffer.from('MZ\u0090\u0000\u0003'), 'report.pdf', 'application/pdf');
    expect(exe.status).toBe(415);
    const big = Buffer.concat([PDF, Buffer.alloc(10 * 1024 * 1024)]);
    const tooBig = await upload(big, 'big.pdf', 'application/pdf');
    expect(tooBig.status).toBe(413);
    expect(tooBig.body.code).toBe('FILE_TOO_LARGE');
    expect((await upload(PNG, 'p.png', 'image/png', 'owner.water')).status).toBe(403);
    expect((await upload(PNG, 'p.png', 'image/png', 'auditor.city')).status).toBe(403);
    const other = await approvedProject(api);
    const rep = await api
      .http()
      .post(`/api/projects/${other.id}/progress-reports`)
      .set('Authorization', `Bearer ${await api.token('owner.county')}`)
      .send({ asOf: '2026-06-30', percentComplete: 10, narrative: '开工' });
    const foreign = await upload(PNG, 'p.png', 'image/png', 'owner.county', (rep.body as { id: string }).id);
    expect(foreign.status).toBe(404);
    expect(await count()).toBe(before);
  });

  it('keeps progress monotonic unless a correction is explained (PROGRESS_REGRESSION)', async () => {
    const p = await approvedProject(api);
    const post = async (body: object) =>
      api
        .http()
        .post(`/api/projects/${p.id}/progress-reports`)
        .set('Authorization', `Bearer ${await api.token('owner.county')}`)
        .send(body);
    const reports = () =>
      withDb(
        async (c) =>
          (
            await c.query<{ n: number }>(
              'SELECT count(*)::int AS n FROM project_progress_reports WHERE project_id = $1',
              [p.id],
            )
          ).rows[0].n,
      );
    expect((await post({ asOf: '2026-07-31', percentComplete: 60, narrative: '主体完工' })).status).toBe(201);
    const down = await post({ asOf: '2026-08-31', percentComplete: 50, narrative: '复核' });
    expect(down.status).toBe(422);
    expect(down.body).toMatchObject({
      code: 'PROGRESS_REGRESSION',
      details: [{ field: 'correctionReason' }],
    });
    expect(await reports()).toBe(1);
    const explained = await post({
      asOf: '2026-08-31',
      percentComplete: 50,
      narrative: '复核',
      correctionReason: '监理复核：7月报告多计了未验收的路面工程',
    });
    expect(explained.status).toBe(201);
    expect(await reports()).toBe(2);
    const bad = await post({ asOf: '2026-09-30', percentComplete: 101, narrative: 'x' });
    expect(bad.status).toBe(400);
    expect(bad.body.details).toEqual([expect.objectContaining({ field: 'percentComplete' })]);
  });
});
