import { randomUUID } from 'node:crypto';
import { createLine } from '../factories/ledger';
import { startTestApi, TestApi } from '../support/api';
import { withDb } from '../support/database';

interface PlanView {
  id: string;
  status: string;
  total: string;
  proposal: { jurisdictionCode: string; amount: string; share: string }[];
  final: { jurisdictionCode: string; amount: string; allocationId: string }[] | null;
}

/** The four poor counties of Nanning with figures of seed 003 (2015 poor people in 万, incidence %) — demo factors. */
const COUNTIES = [
  { jurisdictionCode: '450124', values: { poor_people: '11.47', incidence: '7.73', performance: '90' } },
  { jurisdictionCode: '450125', values: { poor_people: '9.21', incidence: '6.50', performance: '85' } },
  { jurisdictionCode: '450123', values: { poor_people: '10.05', incidence: '8.10', performance: '80' } },
  { jurisdictionCode: '450109', values: { poor_people: '3.27', incidence: '4.20', performance: '95' } },
];
const FACTORS = [
  { code: 'poor_people', name: '建档立卡贫困人口', weightBp: 5000 },
  { code: 'incidence', name: '贫困发生率', weightBp: 3000 },
  { code: 'performance', name: '扶贫绩效考核得分', weightBp: 2000 },
];

/** The same split worked out by hand in exact rational arithmetic (independent of the service). */
function handSplit(totalFen: bigint): bigint[] {
  const shares = COUNTIES.map(() => ({ num: 0n, den: 1n }));
  for (const f of FACTORS) {
    const scaled = COUNTIES.map((c) =>
      BigInt(Math.round(Number(c.values[f.code as keyof typeof c.values]) * 100)),
    );
    const sum = scaled.reduce((a, b) => a + b, 0n);
    scaled.forEach((v, i) => {
      // share_i += w · v / sum, as fractions over a common denominator
      const num = BigInt(f.weightBp) * v;
      const den = 10_000n * sum;
      shares[i] = { num: shares[i].num * den + num * shares[i].den, den: shares[i].den * den };
    });
  }
  const exact = shares.map((s) => ({
    floor: (totalFen * s.num) / s.den,
    rem: (totalFen * s.num) % s.den,
    den: s.den,
  }));
  const out = exact.map((e) => e.floor);
  let left = totalFen - out.reduce((a, b) => a + b, 0n);
  const order = exact
    .map((e, i) => ({ i, frac: Number((e.rem * 1_000_000n) / e.den) }))
    .sort((a, b) => b.frac - a.frac || a.i - b.i);
  for (const o of order) {
    if (left === 0n) break;
    out[o.i] += 1n;
    left -= 1n;
  }
  return out;
}

describe('因素法分配 (factor-method allocation) through HTTP', () => {
  let api: TestApi;
  let city: string;
  beforeAll(async () => {
    api = await startTestApi();
    city = await api.token('finance.city');
  });
  afterAll(async () => {
    await api.close();
  });

  it('splits 10,000,000.00 over the demo poor counties to the fen, as a hand computation, and commits all at once', async () => {
    const line = await createLine(api, 'finance.city', { jurisdictionCode: '450100', amount: '12000000.00' });
    const res = await api
      .http()
      .post(`/api/budget-lines/${line.id}/factor-plans`)
      .set('Authorization', `Bearer ${city}`)
      .send({ amount: '10000000.00', factors: FACTORS, recipients: COUNTIES });
    expect(res.status).toBe(201);
    const plan = res.body as PlanView;
    const fen = plan.proposal.map((p) => BigInt(p.amount.replace('.', '')));
    expect(fen.reduce((a, b) => a + b, 0n)).toBe(1_000_000_000n);
    expect(fen).toEqual(handSplit(1_000_000_000n));
    // nothing has moved yet
    const before = await api
      .http()
      .get(`/api/budget-lines/${line.id}`)
      .set('Authorization', `Bearer ${city}`);
    expect(before.body).toMatchObject({ allocatedDown: '0.00' });

    // finance adjusts: 10,000.00 from the first county to the last, then commits
    const adjusted = plan.proposal.map((p) => ({ jurisdictionCode: p.jurisdictionCode, amount: p.amount }));
    const shift = (a: string, delta: bigint) => {
      const v = BigInt(a.replace('.', '')) + delta;
      return `${v / 100n}.${String(v % 100n).padStart(2, '0')}`;
    };
    adjusted[0].amount = shift(adjusted[0].amount, -1_000_000n);
    adjusted[3].amount = shift(adjusted[3].amount, 1_000_000n);
    const commit = await api
      .http()
      .post(`/api/factor-plans/${plan.id}/commit`)
      .set('Authorization', `Bearer ${city}`)
      .set('Idempotency-Key', randomUUID())
      .send({ documentNo: '南财农〔2026〕88号', issuedOn: '2026-04-15', allocations: adjusted });
    expect(commit.status).toBe(201);
    const committed = commit.body as PlanView;
    expect(committed.status).toBe('committed');
    expect(committed.final?.map((f) => f.amount)).toEqual(adjusted.map((a) => a.amount));
    const after = await api.http().get(`/api/budget-lines/${line.id}`).set('Authorization', `Bearer ${city}`);
    expect(after.body).toMatchObject({ allocatedDown: '10000000.00', available: '2000000.00' });
    const again = await api
      .http()
      .post(`/api/factor-plans/${plan.id}/commit`)
      .set('Authorization', `Bearer ${city}`)
      .send({ documentNo: 'x', issuedOn: '2026-04-15' });
    expect(again.status).toBe(409);
  });

  it('6:3:1 of 17,759,400.00 is a one-factor plan', async () => {
    const line = await createLine(api, 'finance.city', { jurisdictionCode: '450100', amount: '17759400.00' });
    const res = await api
      .http()
      .post(`/api/budget-lines/${line.id}/factor-plans`)
      .set('Authorization', `Bearer ${city}`)
      .send({
        factors: [{ code: 'ratio', name: '分担比例', weightBp: 10_000 }],
        recipients: [
          { jurisdictionCode: '450124', values: { ratio: '6' } },
          { jurisdictionCode: '450125', values: { ratio: '3' } },
          { jurisdictionCode: '450123', values: { ratio: '1' } },
        ],
      });
    expect(res.status).toBe(201);
    expect((res.body as PlanView).proposal.map((p) => p.amount)).toEqual([
      '10655640.00',
      '5327820.00',
      '1775940.00',
    ]);
  });

  it('commits all or nothing: one bad receiver leaves the line untouched', async () => {
    const line = await createLine(api, 'finance.city', { jurisdictionCode: '450100', amount: '1000.00' });
    const plan = (
      await api
        .http()
        .post(`/api/budget-lines/${line.id}/factor-plans`)
        .set('Authorization', `Bearer ${city}`)
        .send({
          factors: [{ code: 'x', name: 'x', weightBp: 10_000 }],
          recipients: [
            { jurisdictionCode: '450124', values: { x: '1' } },
            { jurisdictionCode: '450100', values: { x: '1' } }, // the holder itself: not a valid receiver
          ],
        })
    ).body as PlanView;
    const count = () =>
      withDb((c) =>
        c.query(`SELECT count(*)::int AS n FROM allocations WHERE parent_line_id = $1`, [line.id]),
      );
    const res = await api
      .http()
      .post(`/api/factor-plans/${plan.id}/commit`)
      .set('Authorization', `Bearer ${city}`)
      .send({ documentNo: 'x', issuedOn: '2026-04-15' });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ code: 'INVALID_TARGET' });
    expect((await count()).rows[0].n).toBe(0);
    const status = await api
      .http()
      .get(`/api/factor-plans/${plan.id}`)
      .set('Authorization', `Bearer ${city}`);
    expect(status.body).toMatchObject({ status: 'proposed' });
  });

  it('refuses weights that do not add up to 100%', async () => {
    const line = await createLine(api, 'finance.city', { jurisdictionCode: '450100', amount: '1000.00' });
    const res = await api
      .http()
      .post(`/api/budget-lines/${line.id}/factor-plans`)
      .set('Authorization', `Bearer ${city}`)
      .send({
        factors: [{ code: 'x', name: 'x', weightBp: 9000 }],
        recipients: [{ jurisdictionCode: '450124', values: { x: '1' } }],
      });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'VALIDATION_FAILED' });
  });
});
