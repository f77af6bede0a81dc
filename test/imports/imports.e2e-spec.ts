import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { randomUUID } from 'node:crypto';
import { createLine, LineView } from '../factories/ledger';
import { approvedProject, fund, ProjectView } from '../factories/projects';
import { startTestApi, TestApi } from '../support/api';
import { withDb } from '../support/database';

interface ImportError {
  row: number;
  column: string | null;
  code: string;
  message: string;
}
interface Report {
  id: string;
  status: 'applied' | 'rejected';
  rows: number;
  applied: number;
  errorCount: number;
  errors: ImportError[];
  reportUrl: string | null;
  durationMs: number;
  encoding: string | null;
  format: string;
}

const ALLOC_HEADER = ['来源指标ID', '接收区划代码', '金额（元）', '文号', '下达日期'];
const PAY_HEADER = ['项目编号', '指标ID', '金额（元）', '收款人', '用途代码', '发票号', '支付日期'];
const MASHAN_TARGETS = [
  '450124101',
  '450124102',
  '450124103',
  '450124101001',
  '450124101002',
  '450124102001',
  '450124102002',
  '450124103001',
  '450124103002',
];

const csv = (rows: string[][]): string => rows.map((r) => r.join(',')).join('\r\n') + '\r\n';
const bom = (text: string): Buffer => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]);

describe('imports of allocations and payments (XLSX/CSV): every row checked by the API rules, all or none', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(async () => {
    await api.close();
  });

  const upload = async (
    kind: 'allocations' | 'payments',
    bytes: Buffer,
    filename: string,
    user = 'finance.county',
    key: string | null = randomUUID(),
  ) => {
    const req = api
      .http()
      .post(`/api/imports/${kind}`)
      .set('Authorization', `Bearer ${await api.token(user)}`);
    if (key) req.set('Idempotency-Key', key);
    return req.attach('file', bytes, filename);
  };

  const counts = () =>
    withDb(async (c) => {
      const r = await c.query<{
        allocations: number;
        lines: number;
        payments: number;
        entries: number;
        audit: number;
      }>(
        `SELECT (SELECT count(*) FROM allocations)::int AS allocations, (SELECT count(*) FROM budget_lines)::int AS lines,
                (SELECT count(*) FROM payments)::int AS payments, (SELECT count(*) FROM ledger_entries)::int AS entries,
                (SELECT count(*) FROM audit_log)::int AS audit`,
      );
      return r.rows[0];
    });

  const download = async (path: string, user?: string) => {
    const headers: Record<string, string> = user ? { Authorization: `Bearer ${await api.token(user)}` } : {};
    const res = await fetch(`${api.url}${path}`, { headers });
    return {
      status: res.status,
      type: res.headers.get('content-type') ?? '',
      bytes: Buffer.from(await res.arrayBuffer()),
    };
  };
  const loadXlsx = async (bytes: Buffer) => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(bytes as unknown as ArrayBuffer);
    return wb;
  };

  const lineNow = async (id: string) =>
    (
      await api
        .http()
        .get(`/api/budget-lines/${id}`)
        .set('Authorization', `Bearer ${await api.token('finance.county')}`)
    ).body as LineView;

  it('serves templates with Chinese headers as XLSX and as CSV with BOM', async () => {
    const x = await download('/api/imports/templates/allocations.xlsx');
    expect(x.status).toBe(200);
    expect(x.type).toContain('spreadsheetml');
    const wb = await loadXlsx(x.bytes);
    const header = (wb.worksheets[0].getRow(1).values as unknown[]).slice(1);
    expect(header).toEqual([
      '*来源指标ID',
      '*接收区划代码',
      '*金额（元）',
      '*文号',
      '*下达日期',
      '到账日期',
      '接收单位',
      '摘要',
    ]);
    expect(wb.worksheets[1].name).toBe('填写说明');
    const bytes = (await download('/api/imports/templates/payments.csv')).bytes;
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(bytes.subarray(3).toString('utf8').split('\r\n')[0]).toBe(PAY_HEADER.join(','));
    expect((await api.http().get('/api/imports/templates/other.xlsx')).status).toBe(404);
  });

  it('imports a UTF-8 CSV with BOM, a GBK CSV and an XLSX with numeric and date cells', async () => {
    const line = await createLine(api, 'finance.county', { amount: '100000.00' });
    const before = await counts();
    const r1 = await upload(
      'allocations',
      bom(csv([ALLOC_HEADER, [line.id, '450124101', '1000.50', '马财〔2026〕1号', '2026-04-01']])),
      'utf8.csv',
    );
    expect(r1.status).toBe(201);
    expect(r1.body).toMatchObject({
      status: 'applied',
      rows: 1,
      applied: 1,
      encoding: 'utf-8',
      format: 'csv',
    });

    const gbk = iconv.encode(
      csv([ALLOC_HEADER, [line.id, '450124102', '2000', '马财〔2026〕2号', '2026-04-02']]),
      'gbk',
    );
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(gbk)).toThrow(); // really not UTF-8
    const r2 = await upload('allocations', gbk, 'gbk.csv');
    expect(r2.status).toBe(201);
    expect(r2.body).toMatchObject({ status: 'applied', encoding: 'gbk' });

    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('分配');
    ws.addRow(['*来源指标ID', '接收区划代码', '金额(元)', '文号', '下达日期', '到账日期']);
    ws.addRow([
      line.id,
      '450124103',
      3000.25,
      '马财〔2026〕3号',
      new Date(Date.UTC(2026, 3, 3)),
      '2026-04-05',
    ]);
    const r3 = await upload('allocations', Buffer.from(await wb.xlsx.writeBuffer()), 'sheet.xlsx');
    expect(r3.status).toBe(201);
    expect(r3.body).toMatchObject({ status: 'applied', format: 'xlsx' });

    const after = await counts();
    expect(after.allocations - before.allocations).toBe(3);
    expect(await lineNow(line.id)).toMatchObject({ allocatedDown: '6000.75', available: '93999.25' });
    const child = await withDb(
      async (c) =>
        (
          await c.query<{ received_on: string; document_no: string }>(
            `SELECT to_char(received_on, 'YYYY-MM-DD') AS received_on, document_no FROM budget_lines WHERE jurisdiction_code = '450124103'
           AND parent_line_id = $1`,
            [line.id],
          )
        ).rows,
    );
    expect(child).toEqual([{ received_on: '2026-04-05', document_no: '马财〔2026〕3号' }]);
  });

  it('refuses a sheet with bad rows, names each (row, column, code), writes nothing, and offers the XLSX report', async () => {
    const line = await createLine(api, 'finance.county', { amount: '5000.00' });
    const before = await counts();
    const rows = [
      ALLOC_HEADER,
      [line.id, '450124101', '1000.00', '马财〔2026〕10号', '2026-04-01'], // row 2 fine
      [line.id, '450124101', '1.234', '马财〔2026〕11号', '2026-04-01'], // row 3 three decimals
      [line.id, '450125', '100.00', '马财〔2026〕12号', '2026-04-01'], // row 4 sibling county
      [line.id, '450124102', '100.00', '马财〔2026〕13号', '2026/04/01'], // row 5 date format
      [line.id, '450124102', '3999.00', '马财〔2026〕14号', '2026-04-01'], // row 6 fine (1000 + 3999 ≤ 5000)
      [line.id, '450124103', '2.00', '马财〔2026〕15号', '2026-04-01'], // row 7 exceeds the line (4999 used)
      [line.id, '450124103', '１００', '', '2026-04-01'], // row 8 full-width digits, no 文号
    ];
    const res = await upload('allocations', bom(csv(rows)), 'bad.csv');
    expect(res.status).toBe(422);
    const body = res.body as { code: string; report: Report };
    expect(body.code).toBe('IMPORT_REJECTED');
    const errs = body.report.errors.map((e) => [e.row, e.column, e.code]);
    expect(errs).toEqual([
      [3, '金额（元）', 'VALIDATION_FAILED'],
      [4, '接收区划代码', 'INVALID_TARGET'],
      [5, '下达日期', 'VALIDATION_FAILED'],
      [7, '金额（元）', 'INSUFFICIENT_BALANCE'],
      [8, '金额（元）', 'VALIDATION_FAILED'],
      [8, '文号', 'VALIDATION_FAILED'],
    ]);
    expect(await counts()).toEqual(before);
    expect(await lineNow(line.id)).toMatchObject({ allocatedDown: '0.00', available: '5000.00' });

    const x = await download(body.report.reportUrl ?? '', 'finance.county');
    expect(x.status).toBe(200);
    const wb = await loadXlsx(x.bytes);
    const sheet = wb.getWorksheet('错误报告');
    const got: unknown[][] = [];
    sheet?.eachRow((r, n) => {
      if (n > 1) got.push((r.values as unknown[]).slice(1, 4));
    });
    expect(got).toEqual(errs);
    // the report is its uploader's
    const other = await api
      .http()
      .get(body.report.reportUrl ?? '')
      .set('Authorization', `Bearer ${await api.token('finance.shanglin')}`);
    expect(other.status).toBe(404);
  });

  it('is idempotent: the same key and file answer once; the same key with another file is a conflict', async () => {
    const line = await createLine(api, 'finance.county', { amount: '5000.00' });
    const file = bom(csv([ALLOC_HEADER, [line.id, '450124101', '700.00', '马财〔2026〕20号', '2026-04-01']]));
    const key = randomUUID();
    const [a, b] = await Promise.all([
      upload('allocations', file, 'a.csv', undefined, key),
      upload('allocations', file, 'a.csv', undefined, key),
    ]);
    const statuses = [a.status, b.status].sort();
    expect(statuses[0]).toBe(201);
    const again = await upload('allocations', file, 'a.csv', undefined, key);
    expect(again.status).toBe(201);
    expect((again.body as Report).id).toBe((a.status === 201 ? (a.body as Report) : (b.body as Report)).id);
    expect(await lineNow(line.id)).toMatchObject({ allocatedDown: '700.00' });
    const other = bom(
      csv([ALLOC_HEADER, [line.id, '450124101', '800.00', '马财〔2026〕21号', '2026-04-01']]),
    );
    const conflict = await upload('allocations', other, 'a.csv', undefined, key);
    expect(conflict.status).toBe(409);
    expect(conflict.body.code).toBe('IDEMPOTENCY_CONFLICT');
  });

  it('refuses unreadable files and wrong roles with clear errors', async () => {
    const line = await createLine(api, 'finance.county', { amount: '5000.00' });
    const good = bom(csv([ALLOC_HEADER, [line.id, '450124101', '1.00', '马财〔2026〕30号', '2026-04-01']]));
    const unknownColumn = bom(
      csv([
        [...ALLOC_HEADER, '备注X'],
        [line.id, '450124101', '1.00', 'x', '2026-04-01', ''],
      ]),
    );
    const r1 = await upload('allocations', unknownColumn, 'x.csv');
    expect(r1.status).toBe(400);
    expect(r1.body.details).toEqual([expect.objectContaining({ field: 'file' })]);
    const missing = bom(csv([ALLOC_HEADER.slice(1), ['450124101', '1.00', 'x', '2026-04-01']]));
    expect((await upload('allocations', missing, 'm.csv')).body.message).toContain('来源指标ID');
    const noFile = await api
      .http()
      .post('/api/imports/allocations')
      .set('Authorization', `Bearer ${await api.token('finance.county')}`)
      .field('x', 'y');
    expect(noFile.status).toBe(400);
    expect((await upload('allocations', good, 'g.csv', 'auditor.city')).body.code).toBe('FORBIDDEN_ROLE');
    expect((await upload('allocations', good, 'g.csv', 'owner.county')).body.code).toBe('FORBIDDEN_ROLE');
    expect((await upload('allocations', good, 'g.csv', 'finance.shanglin')).status).toBe(422);
    expect(await lineNow(line.id)).toMatchObject({ allocatedDown: '0.00' });
  });

  it('imports payments with every payment control per row (negative list, duplicate invoice in the file)', async () => {
    const line = await createLine(api, 'finance.county', { amount: '100000.00' });
    const project: ProjectView = await approvedProject(api);
    expect((await fund(api, project.id, line.id, '10000.00')).status).toBe(201);
    const row = (amount: string, purpose: string, invoice: string) => [
      project.code,
      line.id,
      amount,
      '马山县路桥工程有限公司',
      purpose,
      invoice,
      '2026-06-15',
    ];
    const before = await counts();
    const bad = await upload(
      'payments',
      bom(
        csv([
          PAY_HEADER,
          row('100.00', 'construction_works', 'INV-1'),
          row('100.00', 'construction_works', 'INV-1'), // same invoice, same payee: DUPLICATE_INVOICE
          row('100.00', 'office_buildings_housing', 'INV-2'), // negative list
          ['XM-NOPE', line.id, '1.00', '某', 'construction_works', 'INV-3', '2026-06-15'],
          row('20000.00', 'construction_works', 'INV-4'), // more than the funding
        ]),
      ),
      'pay.csv',
      'owner.county',
    );
    expect(bad.status).toBe(422);
    expect((bad.body as { report: Report }).report.errors.map((e) => [e.row, e.column, e.code])).toEqual([
      [3, '发票号', 'DUPLICATE_INVOICE'],
      [4, '用途代码', 'NEGATIVE_LIST'],
      [5, '项目编号', 'NOT_FOUND'],
      [6, '金额（元）', 'INSUFFICIENT_BALANCE'],
    ]);
    expect(await counts()).toEqual(before);
    const ok = await upload(
      'payments',
      bom(
        csv([
          PAY_HEADER,
          row('100.00', 'construction_works', 'INV-1'),
          row('250.50', 'construction_works', 'INV-2'),
        ]),
      ),
      'pay.csv',
      'owner.county',
    );
    expect(ok.status).toBe(201);
    const funding = await withDb(
      async (c) =>
        (
          await c.query<{ paid: string }>(`SELECT paid::text FROM project_fundings WHERE project_id = $1`, [
            project.id,
          ])
        ).rows[0],
    );
    expect(funding.paid).toBe('35050');
  });

  it('10,000 rows with one bad row write nothing and name that row; the fixed file imports in one go', async () => {
    const line = await createLine(api, 'finance.county', { amount: '20000000.00' });
    const rows = (badAt: number | null) => {
      const out = [ALLOC_HEADER];
      for (let i = 0; i < 10_000; i++) {
        const target = MASHAN_TARGETS[i % MASHAN_TARGETS.length];
        const amount = i === badAt ? '12.345' : `${100 + (i % 900)}.${String(i % 100).padStart(2, '0')}`;
        out.push([line.id, target, amount, `马财〔2026〕批${i + 1}号`, '2026-05-06']);
      }
      return out;
    };
    const expectedTotal = rows(null)
      .slice(1)
      .reduce((s, r) => s + BigInt(r[2].replace('.', '')), 0n);
    const before = await counts();
    const t0 = Date.now();
    const bad = await upload('allocations', bom(csv(rows(7_499))), 'big.csv');
    const badMs = Date.now() - t0;
    expect(bad.status).toBe(422);
    const report = (bad.body as { report: Report }).report;
    expect(report.rows).toBe(10_000);
    expect(report.errors.map((e) => [e.row, e.column, e.code])).toEqual([
      [7_501, '金额（元）', 'VALIDATION_FAILED'],
    ]);
    expect(await counts()).toEqual(before);

    const t1 = Date.now();
    const good = await upload('allocations', bom(csv(rows(null))), 'big.csv');
    const goodMs = Date.now() - t1;
    expect(good.status).toBe(201);
    expect((good.body as Report).applied).toBe(10_000);
    const after = await counts();
    expect(after.allocations - before.allocations).toBe(10_000);
    expect(after.lines - before.lines).toBe(10_000);
    const total = `${expectedTotal / 100n}.${String(expectedTotal % 100n).padStart(2, '0')}`;
    expect(await lineNow(line.id)).toMatchObject({ allocatedDown: total });
    process.stdout.write(
      `\nimport timing: 10,000 rows with one bad row refused in ${badMs} ms; fixed file applied in ${goodMs} ms (server ${(good.body as Report).durationMs} ms)\n`,
    );
  }, 300_000);
});
