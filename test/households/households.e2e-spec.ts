import { ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { freePort } from '@sunshine/runtime';
import { createLine } from '../factories/ledger';
import { approvedProject, fund, paymentBody } from '../factories/projects';
import { DEMO_PASSWORD, startTestApi, TestApi } from '../support/api';
import { withDb } from '../support/database';

/** A valid GB 11643 ID number (check character computed) for a person born on `birth` (YYYYMMDD). */
function idNumber(area: string, birth: string, seq: number): string {
  const body = `${area}${birth}${String(seq).padStart(3, '0')}`;
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = weights.reduce((s, w, i) => s + w * Number(body[i]), 0);
  return body + '10X98765432'[sum % 11];
}

/** Every way an ID number could sit in a text: as typed, and the 17 digits without the check character. */
const leaks = (text: string, id: string) => text.includes(id) || text.includes(id.slice(0, 17));

describe('beneficiary households (受益户): ID numbers encrypted at rest, masked in answers, never logged', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(async () => {
    await api.close();
  });

  const create = async (body: Record<string, unknown>, user = 'poverty.county') =>
    api
      .http()
      .post('/api/households')
      .set('Authorization', `Bearer ${await api.token(user)}`)
      .send({
        jurisdictionCode: '450124101001',
        headName: '韦某某',
        householdSize: 4,
        povertyStatus: 'registered',
        ...body,
      });

  it('stores the ID number encrypted (no plain text anywhere in the database) and answers it masked', async () => {
    const id = idNumber('450124', '19780512', 101);
    const res = await create({ idNumber: id });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      jurisdictionCode: '450124101001',
      idNumber: `${id.slice(0, 6)}********${id.slice(-4)}`,
    });
    expect(JSON.stringify(res.body)).not.toContain(id.slice(6, 14));

    // no table, no column holds it in clear: dump every row of every table as text and search
    const dump = await withDb(async (c) => {
      const tables = await c.query<{ tablename: string }>(
        `SELECT tablename FROM pg_tables WHERE schemaname = 'public'`,
      );
      const parts: string[] = [];
      for (const t of tables.rows) {
        const rows = await c.query(`SELECT t::text AS row FROM ${c.escapeIdentifier(t.tablename)} t`);
        parts.push(...rows.rows.map((r: { row: string }) => r.row));
      }
      return parts.join('\n');
    });
    expect(dump).toContain(`${id.slice(0, 6)}********${id.slice(-4)}`); // the masked form is there…
    expect(leaks(dump, id)).toBe(false); // …the number itself is not
    // and the encrypted column is not the number in another encoding
    const enc = await withDb(async (c) => {
      const r = await c.query<{ enc: Buffer }>(
        `SELECT id_number_enc AS enc FROM beneficiary_households WHERE id = $1`,
        [(res.body as { id: string }).id],
      );
      return r.rows[0].enc;
    });
    expect(enc.includes(Buffer.from(id.slice(6, 14)))).toBe(false);
    expect(enc.length).toBeGreaterThan(id.length);
  });

  it('finds a household by its ID number through the keyed hash, answers masked', async () => {
    const id = idNumber('450124', '19850101', 202);
    const created = await create({ idNumber: id, headName: '蓝某某' });
    expect(created.status).toBe(201);
    const found = await api
      .http()
      .post('/api/households/lookup')
      .set('Authorization', `Bearer ${await api.token('finance.county')}`)
      .send({ idNumber: id.toLowerCase() });
    expect(found.status).toBe(200);
    expect(found.body).toEqual([expect.objectContaining({ id: created.body.id, headName: '蓝某某' })]);
    expect(JSON.stringify(found.body)).not.toContain(id.slice(6, 14));
    // outside the caller's subtree: nothing
    const other = await api
      .http()
      .post('/api/households/lookup')
      .set('Authorization', `Bearer ${await api.token('finance.shanglin')}`)
      .send({ idNumber: id });
    expect(other.body).toEqual([]);
  });

  it('reveals the number only to the poverty office and auditors, and records each read in the audit log', async () => {
    const id = idNumber('450124', '19901224', 303);
    const created = await create({ idNumber: id });
    const hid = (created.body as { id: string }).id;
    const reveal = async (user: string) =>
      api
        .http()
        .get(`/api/households/${hid}/id-number`)
        .set('Authorization', `Bearer ${await api.token(user)}`);
    expect((await reveal('owner.county')).body.code).toBe('FORBIDDEN_ROLE');
    expect((await reveal('finance.county')).body.code).toBe('FORBIDDEN_ROLE');
    expect((await reveal('finance.shanglin')).status).toBe(403);
    const ok = await reveal('poverty.county');
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ id: hid, idNumber: id });
    const auditor = await reveal('auditor.city');
    expect(auditor.body.idNumber).toBe(id);
    const reads = await withDb((c) =>
      c.query(
        `SELECT actor_username FROM audit_log WHERE action = 'household.reveal_id_number' AND entity_id = $1 ORDER BY seq`,
        [hid],
      ),
    );
    expect(reads.rows.map((r: { actor_username: string }) => r.actor_username).sort()).toEqual([
      'auditor.city',
      'poverty.county',
    ]);
    // every ordinary read stays masked, whoever asks
    const plain = await api
      .http()
      .get(`/api/households/${hid}`)
      .set('Authorization', `Bearer ${await api.token('poverty.county')}`);
    expect(plain.body.idNumber).toBe(`${id.slice(0, 6)}********${id.slice(-4)}`);
  });

  it('refuses an invalid ID number, a duplicate, and a village outside the caller, writing nothing', async () => {
    const count = () =>
      withDb(
        async (c) =>
          (await c.query<{ n: number }>('SELECT count(*)::int AS n FROM beneficiary_households')).rows[0].n,
      );
    const before = await count();
    const bad = idNumber('450124', '19780512', 404).slice(0, 17) + 'Z';
    const r1 = await create({ idNumber: bad });
    expect(r1.status).toBe(400);
    expect(r1.body.details).toEqual([expect.objectContaining({ field: 'idNumber' })]);
    expect(JSON.stringify(r1.body)).not.toContain(bad.slice(6, 14));
    const wrongCheck = idNumber('450124', '19780512', 405).slice(0, 17) + '0';
    if (wrongCheck !== idNumber('450124', '19780512', 405)) {
      expect((await create({ idNumber: wrongCheck })).status).toBe(400);
    }
    const dup = idNumber('450124', '19700101', 406);
    expect((await create({ idNumber: dup })).status).toBe(201);
    const again = await create({ idNumber: dup });
    expect(again.status).toBe(409);
    const elsewhere = await create({
      idNumber: idNumber('450125', '19700101', 407),
      jurisdictionCode: '450125',
    });
    expect(elsewhere.body.code).toBe('FORBIDDEN_JURISDICTION');
    expect(await count()).toBe(before + 1);
  });

  it('links a payment to households in the project’s area (到户补助) and refuses one outside it', async () => {
    const inside = await create({ idNumber: idNumber('450124', '19660606', 501) });
    const line = await createLine(api, 'finance.county', { amount: '100000.00' });
    const project = await approvedProject(api);
    expect((await fund(api, project.id, line.id, '5000.00')).status).toBe(201);
    const owner = await api.token('owner.county');
    const ok = await api
      .http()
      .post('/api/payments')
      .set('Authorization', `Bearer ${owner}`)
      .set('Idempotency-Key', randomUUID())
      .send(
        paymentBody(project.id, line.id, { amount: '800.00', beneficiaryHouseholdIds: [inside.body.id] }),
      );
    expect(ok.status).toBe(201);
    const links = await withDb((c) =>
      c.query('SELECT household_id FROM payment_beneficiaries WHERE payment_id = $1', [ok.body.id]),
    );
    expect(links.rows).toEqual([{ household_id: inside.body.id }]);

    // a household of another township's village is outside this village project
    const villageElsewhere = await withDb(async (c) => {
      const r = await c.query<{ code: string }>(
        `SELECT code FROM jurisdictions WHERE level = 'village' AND code LIKE '450124%' AND code <> '450124101001' LIMIT 1`,
      );
      return r.rows[0]?.code;
    });
    expect(villageElsewhere).toBeDefined();
    const outside = await create({
      idNumber: idNumber('450124', '19660606', 502),
      jurisdictionCode: villageElsewhere,
    });
    expect(outside.status).toBe(201);
    const paidBefore = await withDb(
      async (c) =>
        (await c.query<{ paid: string }>('SELECT paid::text FROM projects WHERE id = $1', [project.id]))
          .rows[0].paid,
    );
    const refused = await api
      .http()
      .post('/api/payments')
      .set('Authorization', `Bearer ${owner}`)
      .set('Idempotency-Key', randomUUID())
      .send(
        paymentBody(project.id, line.id, { amount: '800.00', beneficiaryHouseholdIds: [outside.body.id] }),
      );
    expect(refused.status).toBe(400);
    expect(refused.body.details).toEqual([expect.objectContaining({ field: 'beneficiaryHouseholdIds[0]' })]);
    const paidAfter = await withDb(
      async (c) =>
        (await c.query<{ paid: string }>('SELECT paid::text FROM projects WHERE id = $1', [project.id]))
          .rows[0].paid,
    );
    expect(paidAfter).toBe(paidBefore);
  });
});

/**
 * The logs of the built API at LOG_LEVEL=trace while households are created, looked up, revealed and
 * refused: the ID numbers never appear (the test first checks that the requests were logged at all).
 */
describe('no ID number in the logs of the running API', () => {
  let child: ChildProcess | undefined;
  afterAll(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
  });

  it('logs every request, and none carries an ID number', async () => {
    const main = path.resolve(__dirname, '..', '..', 'dist', 'apps', 'api', 'src', 'main.js');
    if (!existsSync(main)) throw new Error('run `npm run build` first (npm test does)');
    const port = await freePort();
    let out = '';
    child = spawn(process.execPath, [main], {
      env: { ...process.env, API_PORT: String(port), API_HOST: '127.0.0.1', LOG_LEVEL: 'trace' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    const url = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 60_000;
    for (;;) {
      const up = await fetch(`${url}/api/health`).then(
        (r) => r.ok,
        () => false,
      );
      if (up) break;
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`api did not start:\n${out}`);
      await new Promise((r) => setTimeout(r, 300));
    }
    const login = await request(url)
      .post('/api/auth/login')
      .send({ username: 'poverty.county', password: DEMO_PASSWORD });
    const auth = `Bearer ${(login.body as { accessToken: string }).accessToken}`;
    const ids = [idNumber('450124', '19590303', 601), idNumber('450124', '19590303', 602)];
    const created = await request(url).post('/api/households').set('Authorization', auth).send({
      jurisdictionCode: '450124101001',
      headName: '韦某某',
      idNumber: ids[0],
      householdSize: 3,
      povertyStatus: 'registered',
    });
    expect(created.status).toBe(201);
    await request(url).post('/api/households/lookup').set('Authorization', auth).send({ idNumber: ids[0] });
    await request(url).get(`/api/households/${created.body.id}/id-number`).set('Authorization', auth);
    // a bad request with unknown fields and a bad ID number, and an ID number in a query string
    await request(url)
      .post('/api/households')
      .set('Authorization', auth)
      .send({ idNumber: `${ids[1].slice(0, 17)}Q`, extra: ids[1] });
    await request(url).get(`/api/budget-lines?documentNo=${ids[1]}`).set('Authorization', auth);
    child.kill('SIGTERM');
    await new Promise((r) => child?.once('exit', r));

    expect(out).toContain('/api/households/lookup');
    expect(out).toContain(`/api/households/${created.body.id}/id-number`);
    for (const id of ids) expect(leaks(out, id)).toBe(false);
  }, 120_000);
});
