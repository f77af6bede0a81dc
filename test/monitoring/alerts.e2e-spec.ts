import { INestApplicationContext } from '@nestjs/common';
import { getQueueToken } from '@nestjs/bullmq';
import { Test } from '@nestjs/testing';
import { Queue } from 'bullmq';
import { randomUUID } from 'node:crypto';
import { MonitorsService } from '@sunshine/monitoring';
import { QUEUES } from '@sunshine/jobs';
import { WorkerModule } from '../../apps/worker/src/worker.module';
import { createLine, LineView } from '../factories/ledger';
import { createProject, fund, paymentBody, transition } from '../factories/projects';
import { DEMO_PASSWORD, startTestApi, TestApi } from '../support/api';
import { withDb } from '../support/database';

interface Alert {
  id: string;
  rule: string;
  subjectId: string;
  jurisdictionCode: string;
  severity: string;
  status: string;
  title: string;
  details: Record<string, unknown>;
  escalatedTo: string | null;
}

/**
 * 宾阳县 (450126) receives 10,000,000.00 yuan on 1 March 2025; the monitors run on fixed dates (through the
 * worker's BullMQ queue and directly) and raise, refresh and escalate alerts, which the county works off.
 */
describe('monitors and alerts: raised once per subject, life cycle, escalation, restartable runs', () => {
  let api: TestApi;
  let worker: INestApplicationContext;
  let monitors: MonitorsService;
  let line: LineView;
  let projectId: string;

  const alertsOf = async (subjectId: string, user = 'admin') => {
    const res = await api
      .http()
      .get('/api/alerts')
      .query({ limit: 500, jurisdictionCode: '450126' })
      .set('Authorization', `Bearer ${await api.token(user)}`);
    return (res.body as { items: Alert[] }).items.filter((a) => a.subjectId === subjectId);
  };
  const pay = async (amount: string, paidOn: string) => {
    const res = await api
      .http()
      .post('/api/payments')
      .set('Authorization', `Bearer ${await api.token('owner.binyang')}`)
      .set('Idempotency-Key', randomUUID())
      .send(paymentBody(projectId, line.id, { amount, paidOn, payee: '宾阳县建设公司' }));
    expect(res.status).toBe(201);
  };

  beforeAll(async () => {
    api = await startTestApi();
    const moduleRef = await Test.createTestingModule({ imports: [WorkerModule] }).compile();
    worker = moduleRef.createNestApplication({ logger: false });
    await worker.init();
    monitors = worker.get(MonitorsService);
    const admin = await api.token('admin');
    for (const u of [
      { username: 'finance.binyang', role: 'finance' },
      { username: 'poverty.binyang', role: 'poverty_office' },
      { username: 'owner.binyang', role: 'project_owner', unit: '宾阳县交通运输局' },
    ]) {
      const res = await api
        .http()
        .post('/api/users')
        .set('Authorization', `Bearer ${admin}`)
        .send({ ...u, password: DEMO_PASSWORD, jurisdictionCode: '450126' });
      expect(res.status).toBe(201);
    }
    line = await createLine(api, 'finance.binyang', {
      year: 2025,
      jurisdictionCode: '450126',
      amount: '10000000.00',
      receivedOn: '2025-03-01',
    });
    const p = await createProject(api, 'poverty.binyang', {
      jurisdictionCode: '450126',
      ownerUnit: '宾阳县交通运输局',
      plannedBudget: '10000000.00',
      startOn: '2025-03-15',
      endOn: '2025-12-31',
    });
    projectId = p.id;
    for (const to of ['village_applied', 'township_reviewed', 'county_appraised', 'approved']) {
      expect((await transition(api, 'poverty.binyang', p.id, to)).status).toBe(201);
    }
    expect((await fund(api, p.id, line.id, '10000000.00', 'finance.binyang')).status).toBe(201);
  });
  afterAll(async () => {
    await worker.close();
    await api.close();
  });

  it('raises an idle-funds alert after 45 days, attributed to the holding department (run through the queue)', async () => {
    const admin = await api.token('admin');
    const queued = await api
      .http()
      .post('/api/monitoring/runs')
      .set('Authorization', `Bearer ${admin}`)
      .send({ asOf: '2025-04-15' });
    expect(queued.status).toBe(202);
    const key = (queued.body as { runKey: string }).runKey;
    let status = '';
    for (let i = 0; i < 300 && status !== 'done'; i++) {
      const res = await api.http().get(`/api/monitoring/runs/${key}`).set('Authorization', `Bearer ${admin}`);
      status = res.status === 200 ? (res.body as { status: string }).status : '';
      if (status !== 'done') await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).toBe('done');
    const idle = await alertsOf(line.id);
    expect(idle).toEqual([
      expect.objectContaining({
        rule: 'IDLE_FUNDS',
        jurisdictionCode: '450126',
        status: 'raised',
        details: expect.objectContaining({
          daysHeld: 45,
          holderDepartment: '宾阳县财政局',
          idleAmount: '10000000.00',
        }) as unknown,
      }),
    ]);
    expect((await alertsOf('450126/2025')).length).toBe(0); // no milestone due yet on 15 April
  });

  it('is yellow at 20 % on 30 June, red at 85 % on 31 December, as one alert; a second run adds nothing', async () => {
    await pay('2000000.00', '2025-06-20');
    const first = await monitors.run('2025-06-30');
    expect(first.status).toBe('done');
    const june = await alertsOf('450126/2025');
    expect(june).toEqual([
      expect.objectContaining({ rule: 'PROGRESS_BEHIND', severity: 'yellow', status: 'raised' }),
    ]);
    // the same run again does nothing; another run for the same day raises nothing new
    const again = await monitors.run('2025-06-30');
    expect(again.attempts).toBe(1);
    const other = await monitors.run('2025-06-30', `monitors-2025-06-30-again-${randomUUID()}`);
    expect(other.raised).toBe(0);
    expect(await alertsOf('450126/2025')).toHaveLength(1);
    expect(await alertsOf(line.id)).toHaveLength(1);

    await pay('4000000.00', '2025-09-10');
    await pay('2500000.00', '2025-10-20');
    await monitors.run('2025-12-31');
    const dec = await alertsOf('450126/2025');
    expect(dec).toEqual([expect.objectContaining({ id: june[0].id, severity: 'red' })]);
    expect(dec[0].title).toContain('85.00%');
  });

  it('escalates an overdue alert to the city, whose inbox then holds it', async () => {
    // the idle-funds alert raised on 15 April was due within 10 working days; by 30 June it was escalated
    const [idle] = await alertsOf(line.id);
    expect(idle).toMatchObject({ status: 'escalated', escalatedTo: '450100' });
    const cityInbox = await api
      .http()
      .get('/api/alerts/inbox')
      .set('Authorization', `Bearer ${await api.token('finance.city')}`);
    expect((cityInbox.body as Alert[]).map((a) => a.id)).toContain(idle.id);
    const countyInbox = await api
      .http()
      .get('/api/alerts/inbox')
      .set('Authorization', `Bearer ${await api.token('finance.binyang')}`);
    expect((countyInbox.body as Alert[]).map((a) => a.id)).not.toContain(idle.id);
    const ack = await api
      .http()
      .post(`/api/alerts/${idle.id}/acknowledge`)
      .set('Authorization', `Bearer ${await api.token('finance.binyang')}`);
    expect(ack.status).toBe(403); // the city handles it now
    const cityAck = await api
      .http()
      .post(`/api/alerts/${idle.id}/acknowledge`)
      .set('Authorization', `Bearer ${await api.token('finance.city')}`);
    expect(cityAck.status).toBe(201);
  });

  it('walks alerts through acknowledged → rectifying → resolved, by the right role and level only, audit-logged', async () => {
    const act = async (id: string, step: string, user: string, body: object = {}) =>
      api
        .http()
        .post(`/api/alerts/${id}/${step}`)
        .set('Authorization', `Bearer ${await api.token(user)}`)
        .send(body);
    // the progress alert of 30 June was overdue by 31 December: the city handles it
    const [escalated] = await alertsOf('450126/2025');
    expect(escalated).toMatchObject({ status: 'escalated', escalatedTo: '450100' });
    expect((await act(escalated.id, 'acknowledge', 'finance.binyang')).status).toBe(403);
    expect((await act(escalated.id, 'acknowledge', 'auditor.city')).status).toBe(403);
    expect((await act(escalated.id, 'acknowledge', 'finance.city')).body).toMatchObject({
      status: 'acknowledged',
    });
    expect(
      (
        await act(escalated.id, 'plan', 'finance.city', {
          plan: '市财政局督导宾阳县一季度完成拨付',
          dueOn: '2026-03-31',
        })
      ).body,
    ).toMatchObject({ status: 'rectifying', plan: { dueOn: '2026-03-31' } });
    expect(
      (await act(escalated.id, 'resolve', 'finance.city', { evidence: '宾阳县已拨付，见督导报告' })).body,
    ).toMatchObject({
      status: 'resolved',
      resolution: { by: 'finance.city' },
    });
    const log = await withDb((c) =>
      c.query<{ action: string }>(
        `SELECT action FROM audit_log WHERE entity_type = 'alert' AND entity_id = $1 ORDER BY id`,
        [escalated.id],
      ),
    );
    expect(log.rows.map((r) => r.action)).toEqual([
      'alert.raised',
      'alert.escalated',
      'alert.acknowledged',
      'alert.rectifying',
      'alert.resolved',
    ]);

    // resolved, but still behind: the next run raises a new alert for the county to work off itself
    await monitors.run('2025-12-31', `after-resolve-${randomUUID()}`);
    const fresh = (await alertsOf('450126/2025')).find((a) => a.status !== 'resolved');
    expect(fresh).toMatchObject({ status: 'raised', severity: 'red', escalatedTo: null });
    const id = fresh?.id ?? '';
    expect((await act(id, 'acknowledge', 'poverty.binyang')).status).toBe(403); // progress is finance's
    expect((await act(id, 'resolve', 'finance.binyang', { evidence: '太早' })).body.code).toBe(
      'INVALID_TRANSITION',
    );
    expect((await act(id, 'acknowledge', 'finance.binyang')).body).toMatchObject({ status: 'acknowledged' });
    expect(
      (await act(id, 'plan', 'finance.binyang', { plan: '一季度内完成剩余拨付', dueOn: '2026-03-31' }))
        .status,
    ).toBe(201);
    expect(
      (await act(id, 'resolve', 'finance.binyang', { evidence: '见宾财农〔2026〕3号拨付文件及银行回单' }))
        .body,
    ).toMatchObject({
      status: 'resolved',
    });
  });

  it('flags carry-over after two years and silent implementing projects, and reports a year without a calendar', async () => {
    expect((await transition(api, 'owner.binyang', projectId, 'tendering')).status).toBe(201);
    expect((await transition(api, 'owner.binyang', projectId, 'implementing')).status).toBe(201);
    const run = await monitors.run('2027-01-10');
    expect(run.warnings.join(' ')).toContain('2027');
    const carry = (await alertsOf(line.id)).filter((a) => a.rule === 'CARRY_OVER');
    expect(carry).toEqual([
      expect.objectContaining({
        jurisdictionCode: '450126',
        details: expect.objectContaining({ ageYears: 2, balance: '1500000.00' }) as unknown,
      }),
    ]);
    expect(await alertsOf(projectId)).toEqual([
      expect.objectContaining({ rule: 'NO_PROGRESS_REPORT', jurisdictionCode: '450126' }),
    ]);
    const discipline = await api
      .http()
      .get('/api/monitoring/reporting')
      .query({ jurisdictionCode: '450126', asOf: '2027-01-10' })
      .set('Authorization', `Bearer ${await api.token('poverty.binyang')}`);
    expect(discipline.status).toBe(200);
    expect((discipline.body as { items: unknown[] }).items).toEqual([
      expect.objectContaining({
        countyCode: '450126',
        implementing: 1,
        overdue: 1,
        projects: [
          expect.objectContaining({ id: projectId, neverReported: true, ownerUnit: '宾阳县交通运输局' }),
        ],
      }),
    ]);
    // the day it started implementing, nothing is overdue yet
    const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
    const fresh = await api
      .http()
      .get('/api/monitoring/reporting')
      .query({ jurisdictionCode: '450126', asOf: today })
      .set('Authorization', `Bearer ${await api.token('poverty.binyang')}`);
    expect((fresh.body as { items: unknown[] }).items).toEqual([
      expect.objectContaining({ implementing: 1, overdue: 0 }),
    ]);
  });

  it('completes a run interrupted mid-way once: the restarted run finishes it without duplicates', async () => {
    // a worker died during this run after raising its alerts: the run row still says running
    const key = `crash-${randomUUID()}`;
    await monitors.run('2025-12-31', `before-crash-${randomUUID()}`);
    await withDb((c) =>
      c.query(`INSERT INTO monitor_runs (run_key, as_of, status) VALUES ($1, '2025-12-31', 'running')`, [
        key,
      ]),
    );
    const before = await withDb(
      async (c) =>
        (await c.query<{ n: number }>(`SELECT count(*)::int AS n FROM alerts WHERE status <> 'resolved'`))
          .rows[0].n,
    );
    const restarted = await monitors.run('2025-12-31', key);
    expect(restarted).toMatchObject({ status: 'done', attempts: 2 });
    const after = await withDb(
      async (c) =>
        (await c.query<{ n: number }>(`SELECT count(*)::int AS n FROM alerts WHERE status <> 'resolved'`))
          .rows[0].n,
    );
    expect(after).toBe(before);
    expect(await monitors.run('2025-12-31', key)).toMatchObject({ status: 'done', attempts: 2 });
    // the queue keeps one job per run key however often it is requested
    const queue = worker.get<Queue>(getQueueToken(QUEUES.monitors));
    const jobKey = `dedupe-${randomUUID()}`;
    await queue.add('run-monitors', { asOf: '2025-12-31', runKey: jobKey }, { jobId: jobKey, delay: 60_000 });
    await queue.add('run-monitors', { asOf: '2025-12-31', runKey: jobKey }, { jobId: jobKey, delay: 60_000 });
    expect(await queue.getDelayedCount()).toBeGreaterThanOrEqual(1);
    const jobs = (await queue.getDelayed()).filter((j) => j.id === jobKey);
    expect(jobs).toHaveLength(1);
    await jobs[0].remove();
  });
});
