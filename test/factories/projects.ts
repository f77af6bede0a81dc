import { randomUUID } from 'node:crypto';
import { TestApi } from '../support/api';

export interface ProjectView {
  id: string;
  code: string;
  state: string;
  allowedTransitions: string[];
  funded: string;
  paid: string;
}

export function projectBody(overrides: Record<string, unknown> = {}) {
  return {
    name: `通屯道路硬化-${randomUUID().slice(0, 8)}`,
    categoryCode: 'INFRA_ROAD',
    jurisdictionCode: '450124101001',
    ownerUnit: '马山县交通运输局',
    responsiblePerson: '韦某某',
    plannedBudget: '1200000.00',
    startOn: '2026-04-01',
    endOn: '2026-11-30',
    performanceTargets: [
      { indicator: '硬化道路里程', unit: '公里', targetValue: '12.5', deadline: '2026-11-30' },
    ],
    benefitMechanism: '优先聘用贫困户务工，道路通达后带动贫困户产业发展',
    ...overrides,
  };
}

export async function createProject(
  api: TestApi,
  username = 'poverty.county',
  overrides: Record<string, unknown> = {},
) {
  const res = await api
    .http()
    .post('/api/projects')
    .set('Authorization', `Bearer ${await api.token(username)}`)
    .send(projectBody(overrides));
  if (res.status !== 201) throw new Error(`create project: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as ProjectView;
}

export async function transition(api: TestApi, username: string, id: string, to: string) {
  return api
    .http()
    .post(`/api/projects/${id}/transitions`)
    .set('Authorization', `Bearer ${await api.token(username)}`)
    .send({ to, comment: `→ ${to}` });
}

/** draft → village_applied → township_reviewed → county_appraised → approved (入库), by the county poverty office. */
export async function approvedProject(
  api: TestApi,
  overrides: Record<string, unknown> = {},
): Promise<ProjectView> {
  const p = await createProject(api, 'poverty.county', overrides);
  for (const to of ['village_applied', 'township_reviewed', 'county_appraised', 'approved']) {
    const res = await transition(api, 'poverty.county', p.id, to);
    if (res.status !== 201) throw new Error(`${to}: ${res.status} ${JSON.stringify(res.body)}`);
  }
  return { ...p, state: 'approved' };
}

export async function fund(
  api: TestApi,
  projectId: string,
  budgetLineId: string,
  amount: string,
  username = 'finance.county',
) {
  return api
    .http()
    .post(`/api/projects/${projectId}/fundings`)
    .set('Authorization', `Bearer ${await api.token(username)}`)
    .set('Idempotency-Key', randomUUID())
    .send({ budgetLineId, amount });
}

export function paymentBody(
  projectId: string,
  budgetLineId: string,
  overrides: Record<string, unknown> = {},
) {
  return {
    projectId,
    budgetLineId,
    amount: '100.00',
    payee: '马山县路桥工程有限公司',
    purposeCode: 'construction_works',
    invoiceNo: `FP-${randomUUID()}`,
    paidOn: '2026-06-15',
    ...overrides,
  };
}
