import { createLine } from '../factories/ledger';
import { approvedProject, createProject, fund, ProjectView } from '../factories/projects';
import { DEMO_PASSWORD, startTestApi, TestApi } from '../support/api';
import { withDb } from '../support/database';

interface ChangeView {
  id: string;
  projectId: string;
  fields: string[];
  before: Record<string, string | null>;
  after: Record<string, string | null>;
  status: string;
  requestedBy: string;
  decidedBy: string | null;
  decisionComment: string | null;
}

describe('project changes (项目变更) after approval: request with before/after, decision, history', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi();
    // a second county poverty-office clerk, so that one requests and the other decides
    const created = await api
      .http()
      .post('/api/users')
      .set('Authorization', `Bearer ${await api.token('admin')}`)
      .send({
        username: 'poverty2.county',
        password: DEMO_PASSWORD,
        role: 'poverty_office',
        jurisdictionCode: '450124',
      });
    expect(created.status).toBe(201);
  });
  afterAll(async () => {
    await api.close();
  });

  const post = async (path: string, user: string, body: object) =>
    api
      .http()
      .post(path)
      .set('Authorization', `Bearer ${await api.token(user)}`)
      .send(body);
  const project = async (id: string) =>
    (
      await api
        .http()
        .get(`/api/projects/${id}`)
        .set('Authorization', `Bearer ${await api.token('poverty.county')}`)
    ).body as ProjectView & { name: string; plannedBudget: string; endOn: string; location: string | null };

  it('requests a change, leaves the project as it is until approval, then applies it in one step', async () => {
    const p = await approvedProject(api);
    const before = await project(p.id);
    const req = await post(`/api/projects/${p.id}/changes`, 'owner.county', {
      reason: '村民会议决定延长硬化路线 1.2 公里',
      changes: {
        plannedBudget: '1350000',
        endOn: '2026-12-31',
        location: '古零镇某村至某屯',
        name: before.name,
      },
    });
    expect(req.status).toBe(201);
    const change = req.body as ChangeView;
    expect(change).toMatchObject({
      status: 'requested',
      requestedBy: 'owner.county',
      fields: ['location', 'plannedBudget', 'endOn'], // the unchanged name is not a change
      before: { plannedBudget: '1200000.00', endOn: '2026-11-30', location: null },
      after: { plannedBudget: '1350000.00', endOn: '2026-12-31', location: '古零镇某村至某屯' },
    });
    expect(await project(p.id)).toMatchObject({ plannedBudget: '1200000.00', endOn: '2026-11-30' });

    // one open request per project
    const second = await post(`/api/projects/${p.id}/changes`, 'poverty.county', {
      reason: '再次调整',
      changes: { endOn: '2027-01-31' },
    });
    expect(second.status).toBe(409);
    expect(second.body.code).toBe('CHANGE_PENDING');

    // the owner cannot decide; the county poverty office can
    expect(
      (await post(`/api/project-changes/${change.id}/approve`, 'owner.county', { comment: '同意' })).status,
    ).toBe(403);
    const ok = await post(`/api/project-changes/${change.id}/approve`, 'poverty.county', {
      comment: '经县领导小组审议同意',
    });
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({ status: 'approved', decidedBy: 'poverty.county' });
    expect(await project(p.id)).toMatchObject({
      plannedBudget: '1350000.00',
      endOn: '2026-12-31',
      location: '古零镇某村至某屯',
      name: before.name,
    });
    // decided once only
    expect(
      (await post(`/api/project-changes/${change.id}/reject`, 'poverty2.county', { comment: '不同意' }))
        .status,
    ).toBe(409);

    const history = await api
      .http()
      .get(`/api/projects/${p.id}/changes`)
      .set('Authorization', `Bearer ${await api.token('auditor.city')}`);
    expect((history.body as ChangeView[]).map((c) => c.status)).toEqual(['approved']);
    const audit = await withDb((c) =>
      c.query<{ action: string }>(
        `SELECT action FROM audit_log WHERE entity_id = $1 AND action LIKE 'project.change%' ORDER BY id`,
        [p.id],
      ),
    );
    expect(audit.rows.map((r) => r.action)).toEqual(['project.change_requested', 'project.change_approved']);
    const events = await withDb((c) =>
      c.query(`SELECT 1 FROM domain_events WHERE type = 'ProjectChanged' AND aggregate_id = $1`, [p.id]),
    );
    expect(events.rowCount).toBe(1);
  });

  it('keeps four eyes: the requester cannot decide its own change', async () => {
    const p = await approvedProject(api);
    const req = await post(`/api/projects/${p.id}/changes`, 'poverty.county', {
      reason: '调整责任人',
      changes: { responsiblePerson: '黄某某' },
    });
    expect(req.status).toBe(201);
    const own = await post(`/api/project-changes/${(req.body as ChangeView).id}/approve`, 'poverty.county', {
      comment: '同意',
    });
    expect(own.status).toBe(403);
    expect(own.body.code).toBe('FORBIDDEN_ROLE');
    const other = await post(
      `/api/project-changes/${(req.body as ChangeView).id}/approve`,
      'poverty2.county',
      {
        comment: '同意',
      },
    );
    expect(other.status).toBe(201);
    expect((await project(p.id)) as unknown).toMatchObject({ responsiblePerson: '黄某某' });
  });

  it('refuses a budget below the assigned funds (BUDGET_BELOW_FUNDED) and keeps a rejected change in the history', async () => {
    const line = await createLine(api, 'finance.county', { amount: '100000.00' });
    const p = await approvedProject(api);
    expect((await fund(api, p.id, line.id, '10000.00')).status).toBe(201);
    const req = await post(`/api/projects/${p.id}/changes`, 'owner.county', {
      reason: '压缩规模',
      changes: { plannedBudget: '5000.00' },
    });
    expect(req.status).toBe(201);
    const id = (req.body as ChangeView).id;
    const refused = await post(`/api/project-changes/${id}/approve`, 'poverty.county', { comment: '同意' });
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe('BUDGET_BELOW_FUNDED');
    expect(await project(p.id)).toMatchObject({ plannedBudget: '1200000.00' });
    const rejected = await post(`/api/project-changes/${id}/reject`, 'poverty.county', {
      comment: '已安排资金超过变更后预算',
    });
    expect(rejected.status).toBe(201);
    expect(rejected.body).toMatchObject({ status: 'rejected', decisionComment: '已安排资金超过变更后预算' });
    expect(await project(p.id)).toMatchObject({ plannedBudget: '1200000.00' });
    // the rejection frees the project for a new request
    expect(
      (
        await post(`/api/projects/${p.id}/changes`, 'owner.county', {
          reason: '调整工期',
          changes: { endOn: '2026-12-15' },
        })
      ).status,
    ).toBe(201);
  });

  it('refuses changes before approval, empty changes, bad values and other units', async () => {
    const draft = await createProject(api, 'poverty.county');
    const r1 = await post(`/api/projects/${draft.id}/changes`, 'poverty.county', {
      reason: '草稿直接修改即可',
      changes: { endOn: '2026-12-31' },
    });
    expect(r1.status).toBe(409);
    expect(r1.body.code).toBe('INVALID_TRANSITION');
    const p = await approvedProject(api);
    const r2 = await post(`/api/projects/${p.id}/changes`, 'owner.county', { reason: '无变化', changes: {} });
    expect(r2.status).toBe(400);
    const r3 = await post(`/api/projects/${p.id}/changes`, 'owner.county', {
      reason: '错误金额',
      changes: { plannedBudget: '1.234' },
    });
    expect(r3.status).toBe(400);
    expect(r3.body.details).toEqual([expect.objectContaining({ field: 'changes.plannedBudget' })]);
    const r4 = await post(`/api/projects/${p.id}/changes`, 'owner.county', {
      reason: '工期倒置',
      changes: { startOn: '2027-01-01' },
    });
    expect(r4.status).toBe(400);
    expect(r4.body.details).toEqual([expect.objectContaining({ field: 'changes.endOn' })]);
    const r5 = await post(`/api/projects/${p.id}/changes`, 'finance.shanglin', {
      reason: 'x',
      changes: { endOn: '2026-12-31' },
    });
    expect(r5.status).toBe(403);
    const n = await withDb(
      async (c) =>
        (
          await c.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM project_change_requests WHERE project_id = ANY($1)`,
            [[draft.id, p.id]],
          )
        ).rows[0].n,
    );
    expect(n).toBe(0);
  });
});
