import { randomUUID } from 'node:crypto';
import { allocationBody, createLine, LineView } from '../factories/ledger';
import { startTestApi, TestApi } from '../support/api';
import { withDb } from '../support/database';

interface AllocationBodyView {
  id: string;
  amount: string;
  parentLineId: string;
  childLine: LineView;
  status: string;
}

/** Stored balances of a line against the sums of its ledger entries (what the integrity check recomputes). */
async function recomputed(
  lineId: string,
): Promise<{ stored: Record<string, string>; fromEntries: Record<string, string> }> {
  return withDb(async (c) => {
    const stored = await c.query(
      `SELECT amount::text, allocated_down::text, assigned_to_projects::text, paid::text FROM budget_lines WHERE id = $1`,
      [lineId],
    );
    const sums = await c.query(
      `SELECT coalesce(sum(delta) FILTER (WHERE bucket = 'amount'), 0)::text AS amount,
              coalesce(sum(delta) FILTER (WHERE bucket = 'allocated_down'), 0)::text AS allocated_down,
              coalesce(sum(delta) FILTER (WHERE bucket = 'assigned_to_projects'), 0)::text AS assigned_to_projects,
              coalesce(sum(delta) FILTER (WHERE bucket = 'paid'), 0)::text AS paid
       FROM ledger_entries WHERE line_id = $1`,
      [lineId],
    );
    return {
      stored: stored.rows[0] as Record<string, string>,
      fromEntries: sums.rows[0] as Record<string, string>,
    };
  });
}

const PAIRING_SOURCE = 'FS-PAIR-FIN';
const PAIRED_COUNTY = '440823'; // 遂溪县 (湛江市), paired with 佛山市 in the demo data
const MASHAN_TOWNSHIP = '450124101';

describe('allocations (切块下达) through HTTP on real PostgreSQL', () => {
  let api: TestApi;
  let cityToken: string;

  beforeAll(async () => {
    api = await startTestApi();
    cityToken = await api.token('finance.city');
  });
  afterAll(async () => {
    await api.close();
  });

  const allocate = (lineId: string, body: object, token = cityToken, key: string = randomUUID()) =>
    api
      .http()
      .post(`/api/budget-lines/${lineId}/allocations`)
      .set('Authorization', `Bearer ${token}`)
      .set('Idempotency-Key', key)
      .send(body);

  it('50 concurrent allocations racing for one line never over-allocate it', async () => {
    const line = await createLine(api, 'finance.city', { jurisdictionCode: '450100', amount: '1000000.00' });
    // 30,000.00 each: the line covers exactly 33 of them (990,000.00), 10,000.00 stays available
    const results = await Promise.all(
      Array.from({ length: 50 }, () => allocate(line.id, allocationBody('450124', '30000.00'))),
    );
    const created = results.filter((r) => r.status === 201);
    const refused = results.filter((r) => r.status === 422);
    expect(created).toHaveLength(33);
    expect(refused).toHaveLength(17);
    for (const r of refused) expect((r.body as { code: string }).code).toBe('INSUFFICIENT_BALANCE');

    const after = await api
      .http()
      .get(`/api/budget-lines/${line.id}`)
      .set('Authorization', `Bearer ${cityToken}`);
    expect(after.body).toMatchObject({
      amount: '1000000.00',
      allocatedDown: '990000.00',
      assignedToProjects: '0.00',
      paid: '0.00',
      available: '10000.00',
    });
    const { stored, fromEntries } = await recomputed(line.id);
    expect(stored).toEqual(fromEntries);
    const children = await withDb((c) =>
      c.query(
        `SELECT count(*)::int AS n, coalesce(sum(amount), 0)::text AS total FROM budget_lines WHERE parent_line_id = $1`,
        [line.id],
      ),
    );
    expect(children.rows[0]).toEqual({ n: 33, total: '99000000' });
  });

  it('creates a child line held by the receiving county, with arrival and departure dates in the ledger', async () => {
    const line = await createLine(api, 'finance.city', { jurisdictionCode: '450100', amount: '500000.00' });
    const res = await allocate(line.id, {
      ...allocationBody('450124', '123456.78', '2026-04-10'),
      receivedOn: '2026-04-15',
    });
    expect(res.status).toBe(201);
    const body = res.body as AllocationBodyView;
    expect(body).toMatchObject({ amount: '123456.78', parentLineId: line.id, status: 'active' });
    expect(body.childLine).toMatchObject({
      jurisdictionCode: '450124',
      amount: '123456.78',
      available: '123456.78',
    });
    const entries = await withDb((c) =>
      c.query(
        `SELECT line_id, bucket, delta::text, effective_on FROM ledger_entries WHERE ref_id = $1 ORDER BY bucket`,
        [body.id],
      ),
    );
    expect(entries.rows).toEqual([
      { line_id: line.id, bucket: 'allocated_down', delta: '12345678', effective_on: '2026-04-10' },
      { line_id: body.childLine.id, bucket: 'amount', delta: '12345678', effective_on: '2026-04-15' },
    ]);
    // the county sees its line
    const county = await api.token('finance.county');
    const seen = await api
      .http()
      .get(`/api/budget-lines/${body.childLine.id}`)
      .set('Authorization', `Bearer ${county}`);
    expect(seen.status).toBe(200);
  });

  it('replaying an Idempotency-Key does not move money twice; another body with the same key is 409', async () => {
    const line = await createLine(api, 'finance.city', { jurisdictionCode: '450100', amount: '100000.00' });
    const key = randomUUID();
    const body = allocationBody('450124', '1000.00');
    const first = await allocate(line.id, body, cityToken, key);
    const again = await allocate(line.id, body, cityToken, key);
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect((again.body as AllocationBodyView).id).toBe((first.body as AllocationBodyView).id);
    // a storm of concurrent duplicates
    const storm = await Promise.all(
      Array.from({ length: 10 }, () => allocate(line.id, body, cityToken, key)),
    );
    expect(new Set(storm.map((r) => (r.body as AllocationBodyView).id))).toEqual(
      new Set([(first.body as AllocationBodyView).id]),
    );
    const other = await allocate(line.id, { ...body, amount: '2000.00' }, cityToken, key);
    expect(other.status).toBe(409);
    expect(other.body).toMatchObject({ statusCode: 409, code: 'IDEMPOTENCY_CONFLICT' });
    const after = await api
      .http()
      .get(`/api/budget-lines/${line.id}`)
      .set('Authorization', `Bearer ${cityToken}`);
    expect(after.body).toMatchObject({ allocatedDown: '1000.00', available: '99000.00' });
  });

  it('a refused request replays its refusal for the same key', async () => {
    const line = await createLine(api, 'finance.city', { jurisdictionCode: '450100', amount: '100.00' });
    const key = randomUUID();
    const body = allocationBody('450124', '500.00');
    const first = await allocate(line.id, body, cityToken, key);
    const again = await allocate(line.id, body, cityToken, key);
    expect(first.status).toBe(422);
    expect(again.status).toBe(422);
    expect(again.body).toEqual(first.body);
  });

  describe('bad input is refused with VALIDATION_FAILED naming the field, and writes nothing', () => {
    const counts = () =>
      withDb(async (c) => {
        const r = await c.query(
          `SELECT (SELECT count(*) FROM allocations)::int AS allocations, (SELECT count(*) FROM budget_lines)::int AS lines,
                  (SELECT count(*) FROM ledger_entries)::int AS entries, (SELECT count(*) FROM audit_log)::int AS audit,
                  (SELECT count(*) FROM idempotency_keys)::int AS keys`,
        );
        return r.rows[0] as Record<string, number>;
      });
    let line: LineView;
    beforeAll(async () => {
      line = await createLine(api, 'finance.city', { jurisdictionCode: '450100', amount: '100000.00' });
    });

    it.each([
      ['a JSON number', 1200],
      ['three decimals', '1.234'],
      ['a sign', '-5'],
      ['free text', 'abc'],
      ['an exponent', '1e5'],
      ['full-width digits', '１００'],
      ['10^20 yuan', '100000000000000000000'],
      ['blank', ' '],
    ])('amount as %s', async (_label, amount) => {
      const before = await counts();
      const res = await allocate(line.id, { ...allocationBody('450124', '1.00'), amount });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED' });
      expect((res.body as { details: { field: string }[] }).details.map((d) => d.field)).toContain('amount');
      expect(await counts()).toEqual(before);
    });

    it('an unknown field', async () => {
      const before = await counts();
      const res = await allocate(line.id, { ...allocationBody('450124', '1.00'), bonus: 'x' });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code: 'VALIDATION_FAILED' });
      expect((res.body as { details: { field: string }[] }).details.map((d) => d.field)).toContain('bonus');
      expect(await counts()).toEqual(before);
    });

    it('bad amounts on a new budget line too', async () => {
      const before = await counts();
      const token = await api.token('finance.county');
      for (const amount of [1200, '1.234', '-5', 'abc', '1e5', '１００', '100000000000000000000']) {
        const res = await api.http().post('/api/budget-lines').set('Authorization', `Bearer ${token}`).send({
          year: 2026,
          sourceCode: 'CN-FIN',
          jurisdictionCode: '450124',
          documentNo: 'x',
          title: 'x',
          amount,
          receivedOn: '2026-03-01',
        });
        expect(res.status).toBe(400);
        expect((res.body as { details: { field: string }[] }).details.map((d) => d.field)).toEqual([
          'amount',
        ]);
      }
      expect(await counts()).toEqual(before);
    });

    it('a malformed date', async () => {
      const res = await allocate(line.id, { ...allocationBody('450124', '1.00'), issuedOn: '2026-02-30' });
      expect(res.status).toBe(400);
      expect((res.body as { details: { field: string }[] }).details.map((d) => d.field)).toContain(
        'issuedOn',
      );
    });
  });

  describe('jurisdiction and role', () => {
    it('a county user touching another county’s line gets FORBIDDEN_JURISDICTION', async () => {
      const mashanLine = await createLine(api, 'finance.county', { jurisdictionCode: '450124' });
      const shanglin = await api.token('finance.shanglin');
      const read = await api
        .http()
        .get(`/api/budget-lines/${mashanLine.id}`)
        .set('Authorization', `Bearer ${shanglin}`);
      expect(read.status).toBe(403);
      expect(read.body).toMatchObject({ code: 'FORBIDDEN_JURISDICTION' });
      const write = await allocate(mashanLine.id, allocationBody(MASHAN_TOWNSHIP, '1.00'), shanglin);
      expect(write.status).toBe(403);
      expect(write.body).toMatchObject({ code: 'FORBIDDEN_JURISDICTION' });
      const create = await api
        .http()
        .post('/api/budget-lines')
        .set('Authorization', `Bearer ${shanglin}`)
        .send({
          year: 2026,
          sourceCode: 'CN-FIN',
          jurisdictionCode: '450124',
          documentNo: 'x',
          title: 'x',
          amount: '1.00',
          receivedOn: '2026-03-01',
        });
      expect(create.status).toBe(403);
      expect(create.body).toMatchObject({ code: 'FORBIDDEN_JURISDICTION' });
      const list = await api
        .http()
        .get('/api/budget-lines?jurisdictionCode=450124')
        .set('Authorization', `Bearer ${shanglin}`);
      expect(list.status).toBe(403);
    });

    it('an auditor reads but cannot write', async () => {
      const line = await createLine(api, 'finance.city', { jurisdictionCode: '450100' });
      const auditor = await api.token('auditor.city');
      const read = await api
        .http()
        .get(`/api/budget-lines/${line.id}`)
        .set('Authorization', `Bearer ${auditor}`);
      expect(read.status).toBe(200);
      const write = await allocate(line.id, allocationBody('450124', '1.00'), auditor);
      expect(write.status).toBe(403);
      expect(write.body).toMatchObject({ code: 'FORBIDDEN_ROLE' });
    });

    it('funds go down the tree, not sideways (INVALID_TARGET), except pairing funds to paired jurisdictions', async () => {
      const county = await createLine(api, 'finance.county', { jurisdictionCode: '450124' });
      const sideways = await allocate(
        county.id,
        allocationBody('450125', '1.00'),
        await api.token('finance.county'),
      );
      expect(sideways.status).toBe(422); // 上林县 is a sibling, not below 马山县
      expect(sideways.body).toMatchObject({
        code: 'INVALID_TARGET',
        details: [{ field: 'toJurisdictionCode' }],
      });
      const city = await createLine(api, 'finance.city', { jurisdictionCode: '450100' });
      const up = await allocate(city.id, allocationBody('450000', '1.00'));
      expect(up.status).toBe(422);
      expect(up.body).toMatchObject({ code: 'INVALID_TARGET' });
      const self = await allocate(city.id, allocationBody('450100', '1.00'));
      expect(self.status).toBe(422);
      expect(self.body).toMatchObject({ code: 'INVALID_TARGET' });
      // admin sees both counties, but a special-fund line still only goes down its own tree
      const admin = await api.token('admin');
      const across = await allocate(county.id, allocationBody('450125', '1.00'), admin);
      expect(across.status).toBe(422);
      expect(across.body).toMatchObject({
        code: 'INVALID_TARGET',
        details: [{ field: 'toJurisdictionCode' }],
      });
    });

    it('pairing-channel funds (对口帮扶) go sideways to a paired jurisdiction only', async () => {
      const foshan = await api.token('finance.foshan');
      const pairing = await createLine(api, 'finance.foshan', {
        jurisdictionCode: '440600',
        sourceCode: PAIRING_SOURCE,
        amount: '600000.00',
      });
      const toPaired = await allocate(pairing.id, allocationBody(PAIRED_COUNTY, '6000.00'), foshan);
      expect(toPaired.status).toBe(201);
      expect(toPaired.body).toMatchObject({
        toJurisdictionCode: PAIRED_COUNTY,
        childLine: { jurisdictionCode: PAIRED_COUNTY },
      });
      // an unpaired place, even with the admin's reach
      const admin = await api.token('admin');
      const unpaired = await allocate(pairing.id, allocationBody('450124', '1.00'), admin);
      expect(unpaired.status).toBe(422);
      expect(unpaired.body).toMatchObject({ code: 'INVALID_TARGET' });
      // a non-pairing Foshan line cannot go sideways
      const own = await createLine(api, 'finance.foshan', {
        jurisdictionCode: '440600',
        sourceCode: 'CN-FIN',
      });
      const sideways = await allocate(own.id, allocationBody(PAIRED_COUNTY, '1.00'), admin);
      expect(sideways.status).toBe(422);
      expect(sideways.body).toMatchObject({ code: 'INVALID_TARGET' });
    });

    it('without a token: 401 UNAUTHENTICATED', async () => {
      const res = await api.http().get('/api/budget-lines');
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ code: 'UNAUTHENTICATED' });
    });
  });

  describe('reversal', () => {
    it('restores balances, leaves both entries in the history, and cannot be done twice', async () => {
      const line = await createLine(api, 'finance.city', { jurisdictionCode: '450100', amount: '10000.00' });
      const created = await allocate(line.id, allocationBody('450124', '4000.00'));
      const allocation = created.body as AllocationBodyView;
      const rev = await api
        .http()
        .post(`/api/allocations/${allocation.id}/reversal`)
        .set('Authorization', `Bearer ${cityToken}`)
        .set('Idempotency-Key', randomUUID())
        .send({ reason: '文号录入错误' });
      expect(rev.status).toBe(201);
      expect(rev.body).toMatchObject({ status: 'reversed', reversalReason: '文号录入错误' });
      expect((rev.body as AllocationBodyView).childLine).toMatchObject({
        amount: '0.00',
        status: 'reversed',
      });
      const parent = await api
        .http()
        .get(`/api/budget-lines/${line.id}`)
        .set('Authorization', `Bearer ${cityToken}`);
      expect(parent.body).toMatchObject({ allocatedDown: '0.00', available: '10000.00' });
      const entries = await withDb((c) =>
        c.query(`SELECT entry_type FROM ledger_entries WHERE ref_id = $1 ORDER BY id`, [allocation.id]),
      );
      expect(entries.rows.map((r: { entry_type: string }) => r.entry_type)).toEqual([
        'allocation_out',
        'allocation_in',
        'allocation_in_reversal',
        'allocation_out_reversal',
      ]);
      const twice = await api
        .http()
        .post(`/api/allocations/${allocation.id}/reversal`)
        .set('Authorization', `Bearer ${cityToken}`)
        .send({ reason: 'again' });
      expect(twice.status).toBe(409);
      for (const id of [line.id, allocation.childLine.id]) {
        const { stored, fromEntries } = await recomputed(id);
        expect(stored).toEqual(fromEntries);
      }
    });

    it('is refused with INSUFFICIENT_BALANCE when the receiver already passed the money on', async () => {
      const line = await createLine(api, 'finance.city', { jurisdictionCode: '450100', amount: '10000.00' });
      const created = (await allocate(line.id, allocationBody('450124', '4000.00')))
        .body as AllocationBodyView;
      const onward = await allocate(
        created.childLine.id,
        allocationBody(MASHAN_TOWNSHIP, '100.00'),
        await api.token('finance.county'),
      );
      expect(onward.status).toBe(201);
      const rev = await api
        .http()
        .post(`/api/allocations/${created.id}/reversal`)
        .set('Authorization', `Bearer ${cityToken}`)
        .send({ reason: '撤回' });
      expect(rev.status).toBe(422);
      expect(rev.body).toMatchObject({ code: 'INSUFFICIENT_BALANCE' });
      const parent = await api
        .http()
        .get(`/api/budget-lines/${line.id}`)
        .set('Authorization', `Bearer ${cityToken}`);
      expect(parent.body).toMatchObject({ allocatedDown: '4000.00' });
    });
  });

  describe('period closing', () => {
    it('refuses writes dated in a closed month (own or ancestor closure) until admin reopens it', async () => {
      const county = await api.token('finance.county');
      const admin = await api.token('admin');
      const close = await api
        .http()
        .post('/api/periods/close')
        .set('Authorization', `Bearer ${county}`)
        .send({ jurisdictionCode: '450124', year: 2025, month: 11 });
      expect(close.status).toBe(201);
      const refused = await api
        .http()
        .post('/api/budget-lines')
        .set('Authorization', `Bearer ${county}`)
        .send({
          year: 2025,
          sourceCode: 'CN-FIN',
          jurisdictionCode: '450124',
          documentNo: 'x',
          title: 'x',
          amount: '1.00',
          receivedOn: '2025-11-20',
        });
      expect(refused.status).toBe(422);
      expect(refused.body).toMatchObject({ code: 'PERIOD_CLOSED', details: [{ field: 'receivedOn' }] });
      // the city closes December: an allocation by the county dated then is refused too
      const cityClose = await api
        .http()
        .post('/api/periods/close')
        .set('Authorization', `Bearer ${cityToken}`)
        .send({ jurisdictionCode: '450100', year: 2025, month: 12 });
      expect(cityClose.status).toBe(201);
      const line = await createLine(api, 'finance.county', {
        year: 2025,
        receivedOn: '2025-10-01',
        amount: '100.00',
      });
      const inDecember = await allocate(
        line.id,
        allocationBody(MASHAN_TOWNSHIP, '1.00', '2025-12-05'),
        county,
      );
      expect(inDecember.status).toBe(422);
      expect(inDecember.body).toMatchObject({ code: 'PERIOD_CLOSED' });
      // finance cannot reopen; admin can, with a reason
      const notFinance = await api
        .http()
        .post('/api/periods/reopen')
        .set('Authorization', `Bearer ${county}`)
        .send({ jurisdictionCode: '450124', year: 2025, month: 11, reason: 'x' });
      expect(notFinance.status).toBe(403);
      const reopen = await api
        .http()
        .post('/api/periods/reopen')
        .set('Authorization', `Bearer ${admin}`)
        .send({ jurisdictionCode: '450124', year: 2025, month: 11, reason: '补录漏记指标' });
      expect(reopen.status).toBe(201);
      const accepted = await api
        .http()
        .post('/api/budget-lines')
        .set('Authorization', `Bearer ${county}`)
        .send({
          year: 2025,
          sourceCode: 'CN-FIN',
          jurisdictionCode: '450124',
          documentNo: 'x',
          title: 'x',
          amount: '1.00',
          receivedOn: '2025-11-20',
        });
      expect(accepted.status).toBe(201);
      const audit = await api
        .http()
        .get('/api/audit-log?entityType=period')
        .set('Authorization', `Bearer ${admin}`);
      expect((audit.body as { items: { action: string }[] }).items.map((i) => i.action)).toEqual(
        expect.arrayContaining(['period.close', 'period.reopen']),
      );
    });
  });
});
