import { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { ProgressRollupService } from '@sunshine/monitoring';
import { WorkerModule } from '../../apps/worker/src/worker.module';
import { createLine } from '../factories/ledger';
import { startTestApi, TestApi } from '../support/api';
import { withDb } from '../support/database';

interface RunView {
  id: string;
  status: string;
  linesChecked: number;
  findings: {
    kind: string;
    subjectId: string;
    expected: Record<string, string>;
    actual: Record<string, string>;
  }[];
}

describe('worker: the ledger integrity check (BullMQ, on demand)', () => {
  let api: TestApi;
  let worker: INestApplicationContext;
  let admin: string;

  beforeAll(async () => {
    api = await startTestApi();
    const moduleRef = await Test.createTestingModule({ imports: [WorkerModule] }).compile();
    worker = moduleRef.createNestApplication({ logger: false });
    await worker.init();
    admin = await api.token('admin');
  });
  afterAll(async () => {
    await worker.close();
    await api.close();
  });

  async function runCheck(): Promise<RunView> {
    const queued = await api.http().post('/api/integrity-checks').set('Authorization', `Bearer ${admin}`);
    expect(queued.status).toBe(202);
    const id = (queued.body as { id: string }).id;
    for (let i = 0; i < 200; i++) {
      const res = await api.http().get(`/api/integrity-checks/${id}`).set('Authorization', `Bearer ${admin}`);
      const run = res.body as RunView;
      if (run.status !== 'queued' && run.status !== 'running') return run;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('integrity run did not finish');
  }

  it('passes on a consistent ledger and reports a balance that no longer matches its entries', async () => {
    const line = await createLine(api, 'finance.city', { jurisdictionCode: '450100', amount: '321.00' });
    const clean = await runCheck();
    expect(clean).toMatchObject({ status: 'passed', findings: [] });
    expect(clean.linesChecked).toBeGreaterThan(0);

    await withDb((c) => c.query(`UPDATE budget_lines SET amount = amount + 1 WHERE id = $1`, [line.id]));
    const dirty = await runCheck();
    expect(dirty.status).toBe('failed');
    expect(dirty.findings).toEqual([
      expect.objectContaining({
        kind: 'balance_mismatch',
        subjectId: line.id,
        expected: expect.objectContaining({ amount: '32100' }),
        actual: expect.objectContaining({ amount: '32101' }),
      }),
    ]);
    await withDb((c) => c.query(`UPDATE budget_lines SET amount = amount - 1 WHERE id = $1`, [line.id]));
    expect((await runCheck()).status).toBe('passed');
  });

  it('compares the spending-progress read model with the ledger it was folded from', async () => {
    await createLine(api, 'finance.city', { jurisdictionCode: '450100', amount: '77.00' });
    await api.app.get(ProgressRollupService).foldAll();
    expect((await runCheck()).status).toBe('passed');
    const row = await withDb(
      async (c) =>
        (
          await c.query<{ jurisdiction_code: string; day: string }>(
            `SELECT jurisdiction_code, to_char(day, 'YYYY-MM-DD') AS day FROM progress_rollup WHERE own AND bucket = 'amount' LIMIT 1`,
          )
        ).rows[0],
    );
    const tamper = (d: number) =>
      withDb((c) =>
        c.query(
          `UPDATE progress_rollup SET total = total + $3 WHERE own AND bucket = 'amount' AND jurisdiction_code = $1 AND day = $2`,
          [row.jurisdiction_code, row.day, d],
        ),
      );
    await tamper(5);
    const dirty = await runCheck();
    expect(dirty.status).toBe('failed');
    expect(dirty.findings.map((f) => f.kind)).toContain('read_model_mismatch');
    await tamper(-5);
    expect((await runCheck()).status).toBe('passed');
  });

  it('a county finance user may not start one', async () => {
    const county = await api.token('finance.county');
    const res = await api.http().post('/api/integrity-checks').set('Authorization', `Bearer ${county}`);
    expect(res.status).toBe(403);
  });
});
