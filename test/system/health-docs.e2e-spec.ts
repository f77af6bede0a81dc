import { startTestApi, TestApi } from '../support/api';

describe('health and OpenAPI', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(async () => {
    await api.close();
  });

  it('reports database and queue readiness', async () => {
    const res = await api.http().get('/api/health');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: 'ok',
      info: { database: { status: 'up' }, queue: { status: 'up' } },
    });
  });

  it('serves the OpenAPI document with the public contract’s paths', async () => {
    const ui = await api.http().get('/api/docs/');
    expect(ui.status).toBe(200);
    expect(ui.text).toContain('swagger');
    const json = await api.http().get('/api/docs-json');
    const paths = Object.keys((json.body as { paths: Record<string, unknown> }).paths);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/api/auth/login',
        '/api/budget-lines',
        '/api/budget-lines/{id}',
        '/api/budget-lines/{id}/allocations',
        '/api/allocations/{id}/reversal',
        '/api/periods/close',
        '/api/periods/reopen',
        '/api/audit-log',
        '/api/audit-log/verify',
        '/api/users',
        '/api/users/{username}/password',
        '/api/jurisdictions',
        '/api/fund-sources',
        '/api/health',
      ]),
    );
  });

  it('answers an unknown route and a broken JSON body in the API.md error shape', async () => {
    const token = await api.token('finance.city');
    const missing = await api.http().get('/api/nothing-here').set('Authorization', `Bearer ${token}`);
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ statusCode: 404, code: 'NOT_FOUND' });
    const broken = await api
      .http()
      .post('/api/budget-lines')
      .set('Authorization', `Bearer ${token}`)
      .set('Content-Type', 'application/json')
      .send('{"year": 20');
    expect(broken.status).toBe(400);
    expect(broken.body).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED' });
  });
});
