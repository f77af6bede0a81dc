import { approvedProject } from '../factories/projects';
import { startTestApi, TestApi } from '../support/api';

const TARGETS = [
  { indicator: '硬化道路里程', unit: '公里', targetValue: '12.5', deadline: '2023-12-31' },
  { indicator: '受益贫困户', unit: '户', targetValue: '120', deadline: '2023-12-31' },
];

describe('performance attainment (绩效评价): met, partly met and not met, per project and per county', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(async () => {
    await api.close();
  });

  const report = async (id: string, asOf: string, actuals: { indicator: string; actualValue: string }[]) =>
    api
      .http()
      .post(`/api/projects/${id}/progress-reports`)
      .set('Authorization', `Bearer ${await api.token('owner.county')}`)
      .send({ asOf, percentComplete: 50, narrative: '进度', indicatorActuals: actuals });

  it('classifies a met, a partly met and an unmet project from the actuals reported by year end', async () => {
    const project = () =>
      approvedProject(api, { startOn: '2023-03-01', endOn: '2023-12-31', performanceTargets: TARGETS });
    const met = await project();
    const partly = await project();
    const unmet = await project();
    expect(
      (
        await report(met.id, '2023-12-20', [
          { indicator: '硬化道路里程', actualValue: '12.5' },
          { indicator: '受益贫困户', actualValue: '126' },
        ])
      ).status,
    ).toBe(201);
    expect(
      (await report(partly.id, '2023-12-20', [{ indicator: '硬化道路里程', actualValue: '6.0' }])).status,
    ).toBe(201);
    // reported after the year end: does not count for 2023
    expect(
      (await report(unmet.id, '2024-01-15', [{ indicator: '硬化道路里程', actualValue: '12.5' }])).status,
    ).toBe(201);
    const bad = await report(met.id, '2023-12-21', [{ indicator: '植树造林', actualValue: '1' }]);
    expect(bad.status).toBe(400);
    expect(bad.body.details).toEqual([expect.objectContaining({ field: 'indicatorActuals[0].indicator' })]);

    const res = await api
      .http()
      .get('/api/monitoring/performance')
      .query({ year: 2023, jurisdictionCode: '450124' })
      .set('Authorization', `Bearer ${await api.token('auditor.city')}`);
    expect(res.status).toBe(200);
    const body = res.body as {
      projects: {
        projectId: string;
        attainment: string;
        indicators: { indicator: string; actualValue: string | null; attainment: string }[];
      }[];
      byCounty: { countyCode: string; met: number; partly: number; notMet: number }[];
    };
    const of = (id: string) => body.projects.find((p) => p.projectId === id);
    expect(of(met.id)).toMatchObject({ attainment: 'met' });
    expect(of(partly.id)).toMatchObject({
      attainment: 'partly',
      indicators: [
        { indicator: '硬化道路里程', actualValue: '6.0', attainment: 'partly' },
        { indicator: '受益贫困户', actualValue: null, attainment: 'not_met' },
      ],
    });
    expect(of(unmet.id)).toMatchObject({ attainment: 'not_met' });
    expect(body.byCounty).toEqual([{ countyCode: '450124', met: 1, partly: 1, notMet: 1 }]);

    // another county cannot read 马山's evaluation
    const next = await api
      .http()
      .get('/api/monitoring/performance')
      .query({ year: 2023, jurisdictionCode: '450124' })
      .set('Authorization', `Bearer ${await api.token('finance.shanglin')}`);
    expect(next.status).toBe(403);
  });
});
