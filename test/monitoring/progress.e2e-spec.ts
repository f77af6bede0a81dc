import { randomUUID } from 'node:crypto';
import { ProgressRollupService } from '@sunshine/monitoring';
import { withDb } from '../support/database';
import { createLine, LineView } from '../factories/ledger';
import { createProject, fund, paymentBody, transition } from '../factories/projects';
import { DEMO_PASSWORD, startTestApi, TestApi } from '../support/api';

interface Item {
  jurisdictionCode: string;
  received: string;
  passedDown: string;
  assigned: string;
  paid: string;
  progress: string;
  progressBp: number;
  milestone: { dueOn: string; targetPercent: string } | null;
  status: string;
}

/**
 * 上林县 (450125) receives 10,000,000.00 yuan on 1 March 2025 and pays it out over the year; progress is read
 * as of fixed dates and compared with the hand computation from the payments' dates.
 */
describe('spending progress (支出进度) as of any date, milestones and status', () => {
  let api: TestApi;
  let line: LineView;
  let paymentProjectId: string;
  const paymentIds: string[] = [];

  beforeAll(async () => {
    api = await startTestApi();
    const admin = await api.token('admin');
    for (const u of [
      { username: 'poverty.shanglin', role: 'poverty_office' },
      { username: 'owner.shanglin', role: 'project_owner', unit: '上林县交通运输局' },
    ]) {
      const res = await api
        .http()
        .post('/api/users')
        .set('Authorization', `Bearer ${admin}`)
        .send({ ...u, password: DEMO_PASSWORD, jurisdictionCode: '450125' });
      expect(res.status).toBe(201);
    }
    line = await createLine(api, 'finance.shanglin', {
      year: 2025,
      jurisdictionCode: '450125',
      amount: '10000000.00',
      receivedOn: '2025-03-01',
      title: '2025年中央财政专项扶贫资金',
    });
    const p = await createProject(api, 'poverty.shanglin', {
      jurisdictionCode: '450125',
      ownerUnit: '上林县交通运输局',
      plannedBudget: '10000000.00',
      startOn: '2025-03-15',
      endOn: '2025-12-31',
    });
    paymentProjectId = p.id;
    for (const to of ['village_applied', 'township_reviewed', 'county_appraised', 'approved']) {
      expect((await transition(api, 'poverty.shanglin', p.id, to)).status).toBe(201);
    }
    expect((await fund(api, p.id, line.id, '10000000.00', 'finance.shanglin')).status).toBe(201);
    for (const [amount, paidOn] of [
      ['1000000.00', '2025-05-15'],
      ['1000000.00', '2025-06-20'],
      ['4000000.00', '2025-09-10'],
      ['2500000.00', '2025-10-20'],
    ]) {
      const res = await api
        .http()
        .post('/api/payments')
        .set('Authorization', `Bearer ${await api.token('owner.shanglin')}`)
        .set('Idempotency-Key', randomUUID())
        .send(paymentBody(p.id, line.id, { amount, paidOn, payee: '上林县路桥公司' }));
      expect(res.status).toBe(201);
      paymentIds.push((res.body as { id: string }).id);
    }
  });
  afterAll(async () => {
    await api.close();
  });

  const progress = async (
    asOf: string,
    jurisdictionCode = '450125',
    user = 'finance.shanglin',
    year = 2025,
  ) => {
    const res = await api
      .http()
      .get('/api/monitoring/progress')
      .query({ year, jurisdictionCode, asOf })
      .set('Authorization', `Bearer ${await api.token(user)}`);
    expect(res.status).toBe(200);
    return (res.body as { items: Item[] }).items.find((i) => i.jurisdictionCode === '450125') as Item;
  };

  it('is nothing before the money arrives and green before the first milestone', async () => {
    expect(await progress('2025-02-28')).toMatchObject({
      received: '0.00',
      paid: '0.00',
      progressBp: 0,
      status: 'green',
    });
    expect(await progress('2025-06-29')).toMatchObject({
      received: '10000000.00',
      paid: '2000000.00',
      progress: '20.00',
      milestone: null,
      status: 'green',
    });
  });

  it('is yellow at 20 % on 30 June (milestone 30 %), green at 60 % on 30 September, red at 85 % on 31 December', async () => {
    expect(await progress('2025-06-30')).toMatchObject({
      paid: '2000000.00',
      progressBp: 2000,
      milestone: { dueOn: '2025-06-30', targetPercent: '30.00' },
      status: 'yellow',
    });
    expect(await progress('2025-09-30')).toMatchObject({
      paid: '6000000.00',
      progress: '60.00',
      status: 'green',
    });
    expect(await progress('2025-12-31')).toMatchObject({
      paid: '8500000.00',
      progress: '85.00',
      milestone: { dueOn: '2025-12-31', targetPercent: '90.00' },
      status: 'red',
    });
  });

  it('reads the past as it was: a later reversal changes today, not 31 December', async () => {
    const rev = await api
      .http()
      .post(`/api/payments/${paymentIds[1]}/reversal`)
      .set('Authorization', `Bearer ${await api.token('finance.shanglin')}`)
      .set('Idempotency-Key', randomUUID())
      .send({ reason: '重复报账，冲回' });
    expect(rev.status).toBe(201);
    expect((await progress('2025-12-31')).paid).toBe('8500000.00');
    const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
    expect(await progress(today)).toMatchObject({ paid: '7500000.00', progress: '75.00', status: 'red' });
  });

  it('shows the county inside its city with the same figures, and is passing money down not spending', async () => {
    const city = await progress('2025-12-31', '450100', 'finance.city');
    expect(city).toMatchObject({ received: '10000000.00', paid: '8500000.00', status: 'red' });

    // the city passes a whole 2022 line down to the county: the city has spent nothing, and neither has the county
    const cityLine = await createLine(api, 'finance.city', {
      year: 2022,
      jurisdictionCode: '450100',
      amount: '1000000.00',
      receivedOn: '2022-03-01',
    });
    const alloc = await api
      .http()
      .post(`/api/budget-lines/${cityLine.id}/allocations`)
      .set('Authorization', `Bearer ${await api.token('finance.city')}`)
      .set('Idempotency-Key', randomUUID())
      .send({
        toJurisdictionCode: '450125',
        amount: '1000000.00',
        documentNo: '南财〔2022〕1号',
        issuedOn: '2022-03-20',
      });
    expect(alloc.status).toBe(201);
    const res2022 = await api
      .http()
      .get('/api/monitoring/progress')
      .query({ year: 2022, jurisdictionCode: '450100', asOf: '2022-12-31' })
      .set('Authorization', `Bearer ${await api.token('finance.city')}`);
    const items = (res2022.body as { items: Item[] }).items;
    expect(items[0]).toMatchObject({
      jurisdictionCode: '450100',
      received: '1000000.00',
      passedDown: '1000000.00',
      paid: '0.00',
      progress: '0.00',
      status: 'red',
    });
    expect(items.find((i) => i.jurisdictionCode === '450125')).toMatchObject({
      received: '1000000.00',
      paid: '0.00',
    });
    // before the county received it (20 March), the county had nothing
    const early = await api
      .http()
      .get('/api/monitoring/progress')
      .query({ year: 2022, jurisdictionCode: '450125', asOf: '2022-03-19' })
      .set('Authorization', `Bearer ${await api.token('finance.shanglin')}`);
    expect((early.body as { items: Item[] }).items[0]).toMatchObject({ received: '0.00' });

    const res = await api
      .http()
      .get('/api/monitoring/progress')
      .query({ year: 2025, jurisdictionCode: '450125', asOf: '2025-12-31' })
      .set('Authorization', `Bearer ${await api.token('finance.county')}`);
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('FORBIDDEN_JURISDICTION');
  });

  it('uses a configured schedule (own, inherited, multi-year) instead of the default', async () => {
    const put = async (body: object, user = 'finance.shanglin') =>
      api
        .http()
        .put('/api/monitoring/milestones')
        .set('Authorization', `Bearer ${await api.token(user)}`)
        .send(body);
    const set = await put({
      jurisdictionCode: '450125',
      year: 2025,
      milestones: [
        { dueOn: '2025-06-30', targetPercent: '45' },
        { dueOn: '2025-12-31', targetPercent: '95' },
      ],
    });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({
      origin: 'own',
      milestones: [{ targetPercent: '45.00' }, { targetPercent: '95.00' }],
    });
    // 20 % against 45 %: more than 20 points behind → red
    expect(await progress('2025-06-30')).toMatchObject({
      milestone: { targetPercent: '45.00' },
      status: 'red',
    });
    expect(
      (
        await put({
          jurisdictionCode: '450125',
          year: 2025,
          milestones: [{ dueOn: '2025-06-30', targetPercent: '120' }],
        })
      ).status,
    ).toBe(400);
    expect(
      (
        await put({
          jurisdictionCode: '450125',
          year: 2025,
          milestones: [
            { dueOn: '2025-06-30', targetPercent: '60' },
            { dueOn: '2025-09-30', targetPercent: '50' },
          ],
        })
      ).status,
    ).toBe(400);
    expect(
      (
        await put({
          jurisdictionCode: '450124',
          year: 2025,
          milestones: [{ dueOn: '2025-06-30', targetPercent: '30' }],
        })
      ).status,
    ).toBe(403);

    // seed 004's pairing plan: 30 % / 80 % / 100 % by the end of 2016 / 2017 / 2018, for the whole city
    const plan = await put(
      {
        jurisdictionCode: '450100',
        year: 2016,
        milestones: [
          { dueOn: '2016-12-31', targetPercent: '30' },
          { dueOn: '2017-12-31', targetPercent: '80' },
          { dueOn: '2018-12-31', targetPercent: '100' },
        ],
        note: '三年计划',
      },
      'finance.city',
    );
    expect(plan.status).toBe(200);
    const inherited = await api
      .http()
      .get('/api/monitoring/milestones')
      .query({ jurisdictionCode: '450125', year: 2016 })
      .set('Authorization', `Bearer ${await api.token('finance.shanglin')}`);
    expect(inherited.body).toMatchObject({ origin: 'inherited', definedAt: '450100' });
    expect((inherited.body as { milestones: unknown[] }).milestones).toHaveLength(3);
  });

  it('finds money idle at its holder (45 days), late issuance above county, and carry-over after two years', async () => {
    const idle = async (q: Record<string, string>, user = 'finance.shanglin') => {
      const res = await api
        .http()
        .get('/api/monitoring/idle-funds')
        .query(q)
        .set('Authorization', `Bearer ${await api.token(user)}`);
      expect(res.status).toBe(200);
      return res.body as {
        idle: {
          lineId: string;
          idleAmount: string;
          daysHeld: number;
          heldSince: string;
          holderDepartment: string;
        }[];
        lateIssuance: { lineId: string; issuedOn: string | null; days: number; amount: string }[];
        carryOver: { lineId: string; ageYears: number; balance: string }[];
      };
    };
    // 1 March → 15 April: 45 days, nothing passed on or paid yet, attributed to the holding department
    const april = await idle({ jurisdictionCode: '450125', asOf: '2025-04-15' });
    expect(april.idle.find((i) => i.lineId === line.id)).toEqual(
      expect.objectContaining({
        idleAmount: '10000000.00',
        daysHeld: 45,
        heldSince: '2025-03-01',
        holderDepartment: '上林县财政局',
      }),
    );
    expect(
      (await idle({ jurisdictionCode: '450125', asOf: '2025-03-30' })).idle.find((i) => i.lineId === line.id),
    ).toBeUndefined();
    // after the first payment (15 May) the rest is still idle, held since 1 March
    const june = await idle({ jurisdictionCode: '450125', asOf: '2025-06-01' });
    expect(june.idle.find((i) => i.lineId === line.id)).toEqual(
      expect.objectContaining({ idleAmount: '9000000.00', daysHeld: 92 }),
    );

    // the city receives a 2022 line on 10 January, passes 200,000 on 1 March (50 days) and keeps the rest
    const cityLine = await createLine(api, 'finance.city', {
      year: 2022,
      jurisdictionCode: '450100',
      amount: '500000.00',
      receivedOn: '2022-01-10',
    });
    const late = await api
      .http()
      .post(`/api/budget-lines/${cityLine.id}/allocations`)
      .set('Authorization', `Bearer ${await api.token('finance.city')}`)
      .set('Idempotency-Key', randomUUID())
      .send({
        toJurisdictionCode: '450125',
        amount: '200000.00',
        documentNo: '南财〔2022〕9号',
        issuedOn: '2022-03-01',
      });
    expect(late.status).toBe(201);
    const city = await idle({ jurisdictionCode: '450100', asOf: '2022-12-31' }, 'finance.city');
    const mine = city.lateIssuance.filter((i) => i.lineId === cityLine.id);
    expect(mine).toEqual([
      expect.objectContaining({ issuedOn: null, days: 355, amount: '300000.00' }),
      expect.objectContaining({ issuedOn: '2022-03-01', days: 50, amount: '200000.00' }),
    ]);

    // carry-over: the 2025 balance is flagged from 2027 on, not in 2026
    const y2026 = await idle({ jurisdictionCode: '450125', asOf: '2026-12-31' });
    expect(y2026.carryOver.find((c) => c.lineId === line.id)).toBeUndefined();
    const y2027 = await idle({ jurisdictionCode: '450125', asOf: '2027-01-01' });
    expect(y2027.carryOver.find((c) => c.lineId === line.id)).toEqual(
      expect.objectContaining({ ageYears: 2, balance: '2500000.00' }),
    );
  });

  it('reads the same figures from the read model once folded; concurrent folds count every entry once', async () => {
    const dates = ['2025-02-28', '2025-06-30', '2025-09-30', '2025-12-31'];
    const before = await Promise.all(dates.map((d) => progress(d)));
    const cityBefore = await progress('2025-12-31', '450100', 'finance.city');
    const rollup = api.app.get(ProgressRollupService);
    expect(await rollup.foldAll()).toBeGreaterThan(0);
    expect(await Promise.all(dates.map((d) => progress(d)))).toEqual(before);
    expect(await progress('2025-12-31', '450100', 'finance.city')).toEqual(cityBefore);

    // a new payment is seen at once (still queued), and again after two folds racing each other
    const res = await api
      .http()
      .post('/api/payments')
      .set('Authorization', `Bearer ${await api.token('owner.shanglin')}`)
      .set('Idempotency-Key', randomUUID())
      .send(
        paymentBody(paymentProjectId, line.id, {
          amount: '100.00',
          paidOn: '2025-10-21',
          payee: '上林县路桥公司',
        }),
      );
    expect(res.status).toBe(201);
    expect((await progress('2025-12-31')).paid).toBe('8500100.00');
    await Promise.all([rollup.fold(1), rollup.fold(50_000), rollup.fold(50_000)]);
    expect((await progress('2025-12-31')).paid).toBe('8500100.00');
    // the folded totals of the whole nation equal the ledger
    const [folded, ledger] = await withDb(async (c) => [
      (
        await c.query<{ t: string }>(
          `SELECT coalesce(sum(total), 0)::text AS t FROM progress_rollup WHERE jurisdiction_code = '000000' AND bucket = 'paid'`,
        )
      ).rows[0].t,
      (
        await c.query<{ t: string }>(
          `SELECT coalesce(sum(delta), 0)::text AS t FROM ledger_entries
           WHERE bucket = 'paid' AND id NOT IN (SELECT entry_id FROM progress_rollup_pending)`,
        )
      ).rows[0].t,
    ]);
    expect(folded).toBe(ledger);
  });

  it('reports which years have a working-day calendar', async () => {
    const res = await api
      .http()
      .get('/api/calendar/coverage')
      .query({ from: 2025, to: 2027 })
      .set('Authorization', `Bearer ${await api.token('finance.shanglin')}`);
    expect(res.body).toEqual([
      { year: 2025, covered: true, source: 'chinese-days' },
      { year: 2026, covered: true, source: 'chinese-days' },
      { year: 2027, covered: false, source: 'none' },
    ]);
  });
});
