import { randomUUID } from 'node:crypto';
import { createLine, LineView } from '../factories/ledger';
import {
  approvedProject,
  createProject,
  fund,
  paymentBody,
  ProjectView,
  transition,
} from '../factories/projects';
import { startTestApi, TestApi } from '../support/api';
import { withDb } from '../support/database';

interface PaymentView {
  id: string;
  amount: string;
  status: string;
  funding: { amount: string; paid: string; available: string };
}

describe('payments (拨付/报账) and the dedicated-use controls, through HTTP on real PostgreSQL', () => {
  let api: TestApi;
  let owner: string;
  beforeAll(async () => {
    api = await startTestApi();
    owner = await api.token('owner.county');
  });
  afterAll(async () => {
    await api.close();
  });

  const pay = (body: object, key: string = randomUUID(), token = owner) =>
    api
      .http()
      .post('/api/payments')
      .set('Authorization', `Bearer ${token}`)
      .set('Idempotency-Key', key)
      .send(body);

  /** Everything a refused payment must leave untouched. */
  const snapshot = (lineId: string, projectId: string) =>
    withDb(async (c) => {
      const r = await c.query(
        `SELECT (SELECT count(*) FROM payments)::int AS payments, (SELECT count(*) FROM ledger_entries)::int AS entries,
                (SELECT count(*) FROM audit_log)::int AS audit,
                (SELECT paid::text FROM budget_lines WHERE id = $1) AS line_paid,
                (SELECT paid::text FROM projects WHERE id = $2) AS project_paid,
                (SELECT coalesce(sum(paid), 0)::text FROM project_fundings WHERE project_id = $2) AS funding_paid`,
        [lineId, projectId],
      );
      return r.rows[0] as Record<string, unknown>;
    });

  async function fundedProject(
    amount = '10000.00',
    lineOverrides = {},
  ): Promise<{ project: ProjectView; line: LineView }> {
    const line = await createLine(api, 'finance.county', { amount: '1000000.00', ...lineOverrides });
    const project = await approvedProject(api);
    const f = await fund(api, project.id, line.id, amount);
    if (f.status !== 201) throw new Error(`fund: ${f.status} ${JSON.stringify(f.body)}`);
    return { project, line };
  }

  it('pays from an approved, funded project and moves every balance in step', async () => {
    const { project, line } = await fundedProject('10000.00');
    const res = await pay(paymentBody(project.id, line.id, { amount: '2500.50' }));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      amount: '2500.50',
      status: 'active',
      funding: { amount: '10000.00', paid: '2500.50', available: '7499.50' },
    });
    const lineNow = await api
      .http()
      .get(`/api/budget-lines/${line.id}`)
      .set('Authorization', `Bearer ${await api.token('finance.county')}`);
    expect(lineNow.body).toMatchObject({
      amount: '1000000.00',
      assignedToProjects: '10000.00',
      paid: '2500.50',
      available: '990000.00',
    });
    const p = await api.http().get(`/api/projects/${project.id}`).set('Authorization', `Bearer ${owner}`);
    expect(p.body).toMatchObject({ funded: '10000.00', paid: '2500.50' });
  });

  it('PROJECT_NOT_APPROVED: no funding or payment before approval, and none once closed', async () => {
    const line = await createLine(api, 'finance.county');
    const draft = await createProject(api);
    const f = await fund(api, draft.id, line.id, '100.00');
    expect(f.status).toBe(422);
    expect(f.body).toMatchObject({ code: 'PROJECT_NOT_APPROVED' });
    const before = await snapshot(line.id, draft.id);
    const res = await pay(paymentBody(draft.id, line.id));
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ code: 'PROJECT_NOT_APPROVED' });
    expect(await snapshot(line.id, draft.id)).toEqual(before);

    // the whole life cycle to closed, then a payment is refused
    const { project, line: l2 } = await fundedProject('1000.00');
    expect((await pay(paymentBody(project.id, l2.id))).status).toBe(201);
    for (const to of ['tendering', 'implementing', 'completed'])
      expect((await transition(api, 'owner.county', project.id, to)).status).toBe(201);
    const accept = await transition(api, 'poverty.county', project.id, 'accepted');
    expect(accept.status).toBe(409); // no 100% progress report yet
    expect(accept.body).toMatchObject({ code: 'INVALID_TRANSITION' });
    const report = await api
      .http()
      .post(`/api/projects/${project.id}/progress-reports`)
      .set('Authorization', `Bearer ${owner}`)
      .send({ asOf: '2026-11-20', percentComplete: 100, narrative: '竣工' });
    expect(report.status).toBe(201);
    expect((await transition(api, 'poverty.county', project.id, 'accepted')).status).toBe(201);
    expect((await transition(api, 'poverty.county', project.id, 'audited')).status).toBe(409); // auditors audit
    expect((await transition(api, 'auditor.city', project.id, 'audited')).status).toBe(201);
    expect((await transition(api, 'poverty.county', project.id, 'closed')).status).toBe(201);
    const late = await pay(paymentBody(project.id, l2.id));
    expect(late.status).toBe(422);
    expect(late.body).toMatchObject({ code: 'PROJECT_NOT_APPROVED' });
  });

  it('NEGATIVE_LIST: a prohibited purpose is refused and nothing changes; an allowed one passes', async () => {
    const { project, line } = await fundedProject();
    const before = await snapshot(line.id, project.id);
    for (const purposeCode of [
      'vehicles_communication',
      'staff_bonuses_allowances',
      'office_buildings_housing',
    ]) {
      const res = await pay(paymentBody(project.id, line.id, { purposeCode }));
      expect(res.status).toBe(422);
      expect(res.body).toMatchObject({ code: 'NEGATIVE_LIST', details: [{ field: 'purposeCode' }] });
    }
    expect(await snapshot(line.id, project.id)).toEqual(before);
    expect((await pay(paymentBody(project.id, line.id, { purposeCode: 'materials' }))).status).toBe(201);
  });

  it('SOURCE_NOT_PERMITTED: a source that does not permit the project’s category cannot fund it', async () => {
    const credit = await createLine(api, 'finance.county', { sourceCode: 'CREDIT' }); // micro-credit: FINANCE only
    const project = await approvedProject(api);
    const res = await fund(api, project.id, credit.id, '100.00');
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ code: 'SOURCE_NOT_PERMITTED', details: [{ field: 'budgetLineId' }] });
    const after = await api
      .http()
      .get(`/api/budget-lines/${credit.id}`)
      .set('Authorization', `Bearer ${await api.token('finance.county')}`);
    expect(after.body).toMatchObject({ assignedToProjects: '0.00' });
    const finance = await approvedProject(api, { categoryCode: 'FINANCE' });
    expect((await fund(api, finance.id, credit.id, '100.00')).status).toBe(201);
  });

  it('MANAGEMENT_FEE_LIMIT: project management fees stay within 1% of the county’s funds of the year', async () => {
    // 2024 has no other 马山县 money: the county's 2024 funds are this line, so the cap is 10,000.00
    const { project, line } = await fundedProject('50000.00', {
      year: 2024,
      receivedOn: '2024-03-01',
      amount: '1000000.00',
    });
    const fee = (amount: string) =>
      pay(paymentBody(project.id, line.id, { purposeCode: 'management_fee', amount, paidOn: '2024-06-01' }));
    expect((await fee('6000.00')).status).toBe(201);
    const before = await snapshot(line.id, project.id);
    const over = await fee('4000.01');
    expect(over.status).toBe(422);
    expect(over.body).toMatchObject({ code: 'MANAGEMENT_FEE_LIMIT', details: [{ field: 'amount' }] });
    expect(await snapshot(line.id, project.id)).toEqual(before);
    expect((await fee('4000.00')).status).toBe(201);
    // other purposes are not capped by it
    expect(
      (await pay(paymentBody(project.id, line.id, { amount: '1000.00', paidOn: '2024-06-02' }))).status,
    ).toBe(201);
  });

  it('INSUFFICIENT_BALANCE: not more than the funding, not from a line that does not fund the project', async () => {
    const { project, line } = await fundedProject('500.00');
    const other = await createLine(api, 'finance.county');
    const before = await snapshot(line.id, project.id);
    const over = await pay(paymentBody(project.id, line.id, { amount: '500.01' }));
    expect(over.status).toBe(422);
    expect(over.body).toMatchObject({ code: 'INSUFFICIENT_BALANCE' });
    const unfunded = await pay(paymentBody(project.id, other.id));
    expect(unfunded.status).toBe(422);
    expect(unfunded.body).toMatchObject({
      code: 'INSUFFICIENT_BALANCE',
      details: [{ field: 'budgetLineId' }],
    });
    expect(await snapshot(line.id, project.id)).toEqual(before);
    expect((await pay(paymentBody(project.id, line.id, { amount: '500.00' }))).status).toBe(201);
  });

  it('PERIOD_CLOSED: no payment dated in a closed month', async () => {
    const { project, line } = await fundedProject();
    const close = await api
      .http()
      .post('/api/periods/close')
      .set('Authorization', `Bearer ${await api.token('finance.county')}`)
      .send({ jurisdictionCode: '450124', year: 2023, month: 5 }); // a month no other suite writes in
    expect(close.status).toBe(201);
    const before = await snapshot(line.id, project.id);
    const res = await pay(paymentBody(project.id, line.id, { paidOn: '2023-05-15' }));
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ code: 'PERIOD_CLOSED', details: [{ field: 'paidOn' }] });
    expect(await snapshot(line.id, project.id)).toEqual(before);
    expect((await pay(paymentBody(project.id, line.id, { paidOn: '2026-01-15' }))).status).toBe(201);
  });

  it('DUPLICATE_INVOICE: one invoice, one payment to the same payee (until that payment is reversed)', async () => {
    const { project, line } = await fundedProject();
    const body = paymentBody(project.id, line.id, { invoiceNo: `INV-${randomUUID()}` });
    const first = await pay(body);
    expect(first.status).toBe(201);
    const before = await snapshot(line.id, project.id);
    const again = await pay(body); // another Idempotency-Key: a second claim, not a retry
    expect(again.status).toBe(422);
    expect(again.body).toMatchObject({ code: 'DUPLICATE_INVOICE', details: [{ field: 'invoiceNo' }] });
    expect(await snapshot(line.id, project.id)).toEqual(before);
    const otherPayee = await pay({ ...body, payee: '另一家公司' });
    expect(otherPayee.status).toBe(201);
    // racing duplicates: exactly one wins
    const racing = paymentBody(project.id, line.id, { invoiceNo: `INV-${randomUUID()}` });
    const results = await Promise.all(Array.from({ length: 8 }, () => pay(racing)));
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => (r.body as { code?: string }).code === 'DUPLICATE_INVOICE')).toHaveLength(7);
    // a reversed payment frees its invoice
    const rev = await api
      .http()
      .post(`/api/payments/${(first.body as PaymentView).id}/reversal`)
      .set('Authorization', `Bearer ${owner}`)
      .send({ reason: '发票开错' });
    expect(rev.status).toBe(201);
    expect((await pay(body)).status).toBe(201);
  });

  it('a reversal restores every balance, and only once', async () => {
    const { project, line } = await fundedProject('1000.00');
    const before = await snapshot(line.id, project.id);
    const p = await pay(paymentBody(project.id, line.id, { amount: '400.00' }));
    const id = (p.body as PaymentView).id;
    const rev = await api
      .http()
      .post(`/api/payments/${id}/reversal`)
      .set('Authorization', `Bearer ${owner}`)
      .send({ reason: '重复报账' });
    expect(rev.status).toBe(201);
    expect(rev.body).toMatchObject({ status: 'reversed', funding: { paid: '0.00', available: '1000.00' } });
    const after = await snapshot(line.id, project.id);
    expect({ line: after.line_paid, project: after.project_paid, funding: after.funding_paid }).toEqual({
      line: before.line_paid,
      project: before.project_paid,
      funding: before.funding_paid,
    });
    const twice = await api
      .http()
      .post(`/api/payments/${id}/reversal`)
      .set('Authorization', `Bearer ${owner}`)
      .send({ reason: 'x' });
    expect(twice.status).toBe(409);
  });

  it('a project owner of another unit, or of another county, may not pay', async () => {
    const { project, line } = await fundedProject();
    const admin = await api.token('admin');
    await api.http().post('/api/users').set('Authorization', `Bearer ${admin}`).send({
      username: 'owner.other',
      password: 'other-owner-1',
      role: 'project_owner',
      jurisdictionCode: '450124',
      unit: '马山县水利局',
    });
    const login = await api
      .http()
      .post('/api/auth/login')
      .send({ username: 'owner.other', password: 'other-owner-1' });
    const res = await pay(
      paymentBody(project.id, line.id),
      randomUUID(),
      (login.body as { accessToken: string }).accessToken,
    );
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ code: 'FORBIDDEN_JURISDICTION' });
    const shanglin = await pay(
      paymentBody(project.id, line.id),
      randomUUID(),
      await api.token('finance.shanglin'),
    );
    expect(shanglin.status).toBe(403);
  });

  it('64 concurrent payments against a funding that covers 40: exactly 40 succeed, balances exact', async () => {
    const { project, line } = await fundedProject('4000.00');
    const results = await Promise.all(
      Array.from({ length: 64 }, () => pay(paymentBody(project.id, line.id, { amount: '100.00' }))),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(40);
    const refused = results.filter((r) => r.status !== 201);
    expect(refused).toHaveLength(24);
    for (const r of refused) expect(r.body).toMatchObject({ code: 'INSUFFICIENT_BALANCE' });
    const state = await withDb(async (c) => {
      const f = await c.query(`SELECT amount::text, paid::text FROM project_fundings WHERE project_id = $1`, [
        project.id,
      ]);
      const l = await c.query(`SELECT paid::text FROM budget_lines WHERE id = $1`, [line.id]);
      const e = await c.query(
        `SELECT coalesce(sum(delta), 0)::text AS paid FROM ledger_entries WHERE line_id = $1 AND bucket = 'paid'`,
        [line.id],
      );
      const p = await c.query(
        `SELECT count(*)::int AS n, sum(amount)::text AS total FROM payments WHERE project_id = $1 AND status = 'active'`,
        [project.id],
      );
      return { funding: f.rows[0], line: l.rows[0].paid, entries: e.rows[0].paid, payments: p.rows[0] };
    });
    expect(state).toEqual({
      funding: { amount: '400000', paid: '400000' },
      line: '400000',
      entries: '400000',
      payments: { n: 40, total: '400000' },
    });
  });

  it('a retry storm (200 payments, each sent 3 times at once with its key) makes exactly 200 payments', async () => {
    const { project, line } = await fundedProject('100000.00');
    const bodies = Array.from({ length: 200 }, () => ({
      key: randomUUID(),
      body: paymentBody(project.id, line.id, { amount: '1.00' }),
    }));
    for (let i = 0; i < bodies.length; i += 20) {
      const wave = bodies
        .slice(i, i + 20)
        .flatMap((b) => [pay(b.body, b.key), pay(b.body, b.key), pay(b.body, b.key)]);
      const results = await Promise.all(wave);
      for (const r of results) expect(r.status).toBe(201);
      for (let k = 0; k < results.length; k += 3) {
        const ids = new Set(results.slice(k, k + 3).map((r) => (r.body as PaymentView).id));
        expect(ids.size).toBe(1);
      }
    }
    const count = await withDb((c) =>
      c.query(`SELECT count(*)::int AS n, sum(amount)::text AS t FROM payments WHERE project_id = $1`, [
        project.id,
      ]),
    );
    expect(count.rows[0]).toEqual({ n: 200, t: '20000' });
  });
});
