import { allocationBody, createLine } from '../factories/ledger';
import { startTestApi, TestApi } from '../support/api';
import { withDb } from '../support/database';

interface Verification {
  valid: boolean;
  checked: number;
  firstBrokenAt: null | { chain: string; seq: string; id: string | null; problem: string };
}

describe('audit log: append-only, SHA-256 chained per jurisdiction', () => {
  let api: TestApi;
  let admin: string;
  beforeAll(async () => {
    api = await startTestApi();
    admin = await api.token('admin');
  });
  afterAll(async () => {
    await api.close();
  });

  const verify = async (): Promise<Verification> => {
    const res = await api.http().get('/api/audit-log/verify').set('Authorization', `Bearer ${admin}`);
    expect(res.status).toBe(200);
    return res.body as Verification;
  };

  it('records every money write with who, what, before and after, in the writer’s chain', async () => {
    const line = await createLine(api, 'finance.city', { jurisdictionCode: '450100', amount: '5000.00' });
    const token = await api.token('finance.city');
    await api
      .http()
      .post(`/api/budget-lines/${line.id}/allocations`)
      .set('Authorization', `Bearer ${token}`)
      .send(allocationBody('450124', '1200.00'));
    const res = await api
      .http()
      .get(`/api/audit-log?entityType=budget_line&entityId=${line.id}`)
      .set('Authorization', `Bearer ${admin}`);
    expect(res.status).toBe(200);
    const items = (
      res.body as {
        items: {
          action: string;
          chain: string;
          actor: { username: string };
          after: { available?: string };
        }[];
      }
    ).items;
    expect(items.map((i) => i.action)).toEqual(['budget_line.allocate', 'budget_line.create']);
    expect(items[0]).toMatchObject({
      chain: '450100',
      actor: { username: 'finance.city' },
      after: { available: '3800.00' },
    });
    const direct = await withDb((c) =>
      c.query(`UPDATE audit_log SET action = 'x' WHERE entity_id = $1`, [line.id]).catch((e: unknown) => e),
    );
    expect(direct).toBeInstanceOf(Error); // the table refuses UPDATE and DELETE
  });

  it('verify detects an edited row, and where', async () => {
    await createLine(api, 'finance.county', { jurisdictionCode: '450124', amount: '777.00' });
    expect((await verify()).valid).toBe(true);
    const target = await withDb(async (c) => {
      const r = await c.query(
        `SELECT id::text, chain, seq::text, after FROM audit_log WHERE chain = '450124' ORDER BY seq DESC LIMIT 1`,
      );
      return r.rows[0] as { id: string; chain: string; seq: string; after: unknown };
    });
    // someone with database access bypasses the append-only trigger and edits an amount
    await withDb(async (c) => {
      await c.query(`SET session_replication_role = replica`);
      await c.query(`UPDATE audit_log SET after = jsonb_set(after, '{amount}', '"7770.00"') WHERE id = $1`, [
        target.id,
      ]);
    });
    const broken = await verify();
    expect(broken.valid).toBe(false);
    expect(broken.firstBrokenAt).toMatchObject({ chain: '450124', seq: target.seq, id: target.id });
    // restore for the other suites
    await withDb(async (c) => {
      await c.query(`SET session_replication_role = replica`);
      await c.query(`UPDATE audit_log SET after = $2 WHERE id = $1`, [
        target.id,
        JSON.stringify(target.after),
      ]);
    });
    expect((await verify()).valid).toBe(true);
  });

  it('verify detects a deleted row and a reordering', async () => {
    await createLine(api, 'finance.shanglin', { jurisdictionCode: '450125', amount: '1.00' });
    await createLine(api, 'finance.shanglin', { jurisdictionCode: '450125', amount: '2.00' });
    const rows = await withDb(async (c) => {
      const r = await c.query(`SELECT * FROM audit_log WHERE chain = '450125' ORDER BY seq DESC LIMIT 2`);
      return r.rows as Record<string, unknown>[];
    });
    const [last, previous] = rows;
    await withDb(async (c) => {
      await c.query(`SET session_replication_role = replica`);
      await c.query(`DELETE FROM audit_log WHERE id = $1`, [previous.id]);
    });
    const deleted = await verify();
    expect(deleted.valid).toBe(false);
    expect(deleted.firstBrokenAt).toMatchObject({ chain: '450125', seq: String(previous.seq) });
    // put it back, then swap the two rows' sequence numbers
    await withDb(async (c) => {
      await c.query(`SET session_replication_role = replica`);
      const cols = Object.keys(previous);
      await c.query(
        `INSERT INTO audit_log (${cols.join(', ')}) VALUES (${cols.map((_, i) => `$${i + 1}`).join(', ')})`,
        cols.map((k) => (k === 'before' || k === 'after' ? JSON.stringify(previous[k]) : previous[k])),
      );
    });
    expect((await verify()).valid).toBe(true);
    await withDb(async (c) => {
      await c.query(`SET session_replication_role = replica`);
      await c.query(`UPDATE audit_log SET seq = -1 WHERE id = $1`, [last.id]);
      await c.query(`UPDATE audit_log SET seq = $2 WHERE id = $1`, [previous.id, last.seq]);
      await c.query(`UPDATE audit_log SET seq = $2 WHERE id = $1`, [last.id, previous.seq]);
    });
    const reordered = await verify();
    expect(reordered.valid).toBe(false);
    expect(reordered.firstBrokenAt?.chain).toBe('450125');
    await withDb(async (c) => {
      await c.query(`SET session_replication_role = replica`);
      await c.query(`UPDATE audit_log SET seq = -1 WHERE id = $1`, [last.id]);
      await c.query(`UPDATE audit_log SET seq = $2 WHERE id = $1`, [previous.id, previous.seq]);
      await c.query(`UPDATE audit_log SET seq = $2 WHERE id = $1`, [last.id, last.seq]);
    });
    expect((await verify()).valid).toBe(true);
  });
});
