import { randomUUID } from 'node:crypto';
import { createLine } from '../factories/ledger';
import { approvedProject, fund, paymentBody, transition } from '../factories/projects';
import { startTestPortal, startTestApi, TestApi } from '../support/api';
import { TargetsService } from '@sunshine/monitoring';

/** A valid GB 11643 ID number. */
function idNumber(seq: number): string {
  const body = `45012419800101${String(seq).padStart(3, '0')}`;
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = weights.reduce((s, w, i) => s + w * Number(body[i]), 0);
  return body + '10X98765432'[sum % 11];
}

interface Target {
  kind: string;
  target: string;
  actual: string;
  percentBp: number;
  status: string;
  responsibleUnit: string;
}

/** 挂图作战 for 马山县's township 450124103 in 2026: targets against a hand count of what the data says. */
describe('targets and the battle map (挂图作战): targets vs actuals', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(async () => {
    await api.close();
  });

  const as = async (user: string) => `Bearer ${await api.token(user)}`;

  it('counts exits, villages, completed projects and spending against the targets', async () => {
    const set = async (kind: string, targetValue: string, user = 'poverty.county') =>
      api
        .http()
        .put('/api/monitoring/targets')
        .set('Authorization', await as(user))
        .send({
          jurisdictionCode: '450124103',
          year: 2026,
          kind,
          targetValue,
          deadline: '2026-12-31',
          responsibleUnit: '马山县乡村振兴局',
        });
    for (const [kind, value] of [
      ['poor_households_exit', '3'],
      ['poor_people_exit', '10'],
      ['poor_villages_exit', '1'],
      ['projects_completed', '2'],
      ['funds_spent', '50000'],
    ]) {
      expect((await set(kind, value)).status).toBe(200);
    }
    expect((await set('poor_households_exit', '1.5')).status).toBe(400);
    expect((await set('poor_households_exit', '3', 'finance.shanglin')).status).toBe(403);

    // households: four registered, three exit — one of them in 2025 (does not count for 2026)
    const exits: [string, number, string | null][] = [
      ['450124103001', 4, '2026-03-10'],
      ['450124103001', 3, '2026-06-01'],
      ['450124103002', 2, '2025-12-20'],
      ['450124103002', 5, null],
    ];
    for (const [i, [village, size, exitedOn]] of exits.entries()) {
      const h = await api
        .http()
        .post('/api/households')
        .set('Authorization', await as('poverty.county'))
        .send({
          jurisdictionCode: village,
          headName: `农户${i}`,
          idNumber: idNumber(700 + i),
          householdSize: size,
          povertyStatus: 'registered',
        });
      expect(h.status).toBe(201);
      if (exitedOn) {
        const exit = await api
          .http()
          .post(`/api/households/${(h.body as { id: string }).id}/exit`)
          .set('Authorization', await as('poverty.county'))
          .send({ exitedOn });
        expect(exit.status).toBe(201);
        expect(exit.body).toMatchObject({ povertyStatus: 'exited' });
      }
    }
    // villages: one exits in 2026, one does not
    const village = async (code: string, body: object) =>
      api
        .http()
        .put(`/api/poor-villages/${code}`)
        .set('Authorization', await as('poverty.county'))
        .send(body);
    expect(
      (await village('450124103001', { registeredOn: '2014-10-17', exitedOn: '2026-10-30' })).status,
    ).toBe(200);
    expect((await village('450124103002', { registeredOn: '2014-10-17' })).status).toBe(200);
    expect((await village('450124103', { registeredOn: '2014-10-17' })).status).toBe(400); // a township

    // money: the county passes 100,000 to the township; a project there spends 30,000; it is completed
    const countyLine = await createLine(api, 'finance.county', { amount: '500000.00' });
    const alloc = await api
      .http()
      .post(`/api/budget-lines/${countyLine.id}/allocations`)
      .set('Authorization', await as('finance.county'))
      .set('Idempotency-Key', randomUUID())
      .send({
        toJurisdictionCode: '450124103',
        amount: '100000.00',
        documentNo: '马财〔2026〕88号',
        issuedOn: '2026-04-01',
      });
    expect(alloc.status).toBe(201);
    const townshipLineId = (alloc.body as { childLine: { id: string } }).childLine.id;
    const project = await approvedProject(api, { jurisdictionCode: '450124103001' });
    expect((await fund(api, project.id, townshipLineId, '60000.00')).status).toBe(201);
    const paid = await api
      .http()
      .post('/api/payments')
      .set('Authorization', await as('owner.county'))
      .set('Idempotency-Key', randomUUID())
      .send(paymentBody(project.id, townshipLineId, { amount: '30000.00', paidOn: '2026-06-15' }));
    expect(paid.status).toBe(201);
    for (const to of ['tendering', 'implementing']) {
      expect((await transition(api, 'owner.county', project.id, to)).status).toBe(201);
    }
    expect(
      (
        await api
          .http()
          .post(`/api/projects/${project.id}/progress-reports`)
          .set('Authorization', await as('owner.county'))
          .send({ asOf: '2026-11-01', percentComplete: 100, narrative: '完工' })
      ).status,
    ).toBe(201);
    expect((await transition(api, 'owner.county', project.id, 'completed')).status).toBe(201);

    const read = async (asOf: string) => {
      const res = await api
        .http()
        .get('/api/monitoring/targets')
        .query({ jurisdictionCode: '450124103', year: 2026, asOf })
        .set('Authorization', await as('auditor.city'));
      expect(res.status).toBe(200);
      return Object.fromEntries((res.body as { items: Target[] }).items.map((t) => [t.kind, t]));
    };
    const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
    const now = await read(today);
    // hand count: households 2 (4 + 3 people), villages 1, projects 1, spending 30,000.00
    expect(now.poor_households_exit).toMatchObject({
      target: '3',
      actual: '2',
      percentBp: 6666,
      status: 'on_track',
    });
    expect(now.poor_people_exit).toMatchObject({
      target: '10',
      actual: '7',
      percentBp: 7000,
      status: 'on_track',
    });
    expect(now.poor_villages_exit).toMatchObject({
      target: '1',
      actual: '1',
      percentBp: 10000,
      status: 'done',
    });
    expect(now.projects_completed).toMatchObject({ target: '2', actual: '1', status: 'on_track' });
    expect(now.funds_spent).toMatchObject({
      target: '50000.00',
      actual: '30000.00',
      percentBp: 6000,
      responsibleUnit: '马山县乡村振兴局',
    });
    // before the first exit nothing had happened; after the deadline, what is not done is behind
    const march = await read('2026-03-01');
    expect(march.poor_households_exit).toMatchObject({ actual: '0' });
    expect(march.funds_spent).toMatchObject({ actual: '0.00' });
    const after = await read('2027-01-05');
    expect(after.poor_households_exit).toMatchObject({ actual: '2', status: 'behind' });
    expect(after.poor_villages_exit).toMatchObject({ status: 'done' });
  });

  it('publishes the battle map to the public site: set targets at once, actuals when the worker refreshes them', async () => {
    const portal = await startTestPortal();
    try {
      const page = async () =>
        (await portal.http().get('/targets').query({ jurisdiction: '450124103', year: 2026 })).text;
      // published when set (before any exit), so the public figures still show nothing done
      expect(await page()).toMatch(
        /贫困户脱贫<\/th>\s*<td class="num">3 户<\/td>\s*<td class="num">0 户<\/td>/,
      );
      await api.app.get(TargetsService).publishAll(); // what the worker does hourly
      const html = await page();
      expect(html).toContain('金钗镇 2026年脱贫攻坚目标');
      expect(html).toMatch(/贫困户脱贫<\/th>\s*<td class="num">3 户<\/td>\s*<td class="num">2 户<\/td>/);
      expect(html).toContain('66.66%');
      expect(html).toContain('马山县乡村振兴局');
      const list = await portal.http().get('/targets').query({ year: 2026 });
      expect(list.text).toContain('/targets?jurisdiction=450124103&amp;year=2026');
      expect(
        (await portal.http().get('/targets').query({ jurisdiction: '450125', year: 2026 })).text,
      ).toContain('暂无公开的目标');
    } finally {
      await portal.close();
    }
  });
});
