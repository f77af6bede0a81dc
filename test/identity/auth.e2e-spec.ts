import { startTestApi, TestApi } from '../support/api';

describe('identity: login, roles, admin user management', () => {
  let api: TestApi;
  let admin: string;
  beforeAll(async () => {
    api = await startTestApi();
    admin = await api.token('admin');
  });
  afterAll(async () => {
    await api.close();
  });

  it('logs in a demo user and answers with the API.md shape', async () => {
    const res = await api
      .http()
      .post('/api/auth/login')
      .send({ username: 'owner.county', password: 'demo-password' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      accessToken: expect.any(String),
      user: {
        username: 'owner.county',
        role: 'project_owner',
        jurisdiction: { code: '450124', name: '马山县', level: 'county' },
        unit: '马山县交通运输局',
      },
    });
    const adminLogin = await api
      .http()
      .post('/api/auth/login')
      .send({ username: 'admin', password: 'demo-password' });
    expect(adminLogin.body).toMatchObject({
      user: { jurisdiction: { code: '000000', name: '全国', level: 'nation' } },
    });
  });

  it('limits failed logins per username (10 in 15 minutes → 429), not successful ones', async () => {
    const created = await api.http().post('/api/users').set('Authorization', `Bearer ${admin}`).send({
      username: 'ratelimit.test',
      password: 'correct-horse-1',
      role: 'finance',
      jurisdictionCode: '450125',
    });
    expect(created.status).toBe(201);
    for (let i = 0; i < 12; i++) {
      const ok = await api
        .http()
        .post('/api/auth/login')
        .send({ username: 'ratelimit.test', password: 'correct-horse-1' });
      expect(ok.status).toBe(200);
    }
    for (let i = 0; i < 10; i++) {
      const bad = await api
        .http()
        .post('/api/auth/login')
        .send({ username: 'ratelimit.test', password: 'wrong' });
      expect(bad.status).toBe(401);
      expect(bad.body).toMatchObject({ code: 'UNAUTHENTICATED' });
    }
    const limited = await api
      .http()
      .post('/api/auth/login')
      .send({ username: 'ratelimit.test', password: 'correct-horse-1' });
    expect(limited.status).toBe(429);
    expect(limited.body).toMatchObject({ code: 'RATE_LIMITED' });
    // other users are not affected
    const other = await api
      .http()
      .post('/api/auth/login')
      .send({ username: 'finance.city', password: 'demo-password' });
    expect(other.status).toBe(200);
    // an admin password reset clears the lock
    const reset = await api
      .http()
      .post('/api/users/ratelimit.test/password')
      .set('Authorization', `Bearer ${admin}`)
      .send({ password: 'battery-staple-2' });
    expect(reset.status).toBe(204);
    const after = await api
      .http()
      .post('/api/auth/login')
      .send({ username: 'ratelimit.test', password: 'battery-staple-2' });
    expect(after.status).toBe(200);
  });

  it('a password reset invalidates tokens issued before it', async () => {
    await api.http().post('/api/users').set('Authorization', `Bearer ${admin}`).send({
      username: 'reset.test',
      password: 'first-password',
      role: 'auditor',
      jurisdictionCode: '450100',
    });
    const login = await api
      .http()
      .post('/api/auth/login')
      .send({ username: 'reset.test', password: 'first-password' });
    const token = (login.body as { accessToken: string }).accessToken;
    expect((await api.http().get('/api/users/me').set('Authorization', `Bearer ${token}`)).status).toBe(200);
    await api
      .http()
      .post('/api/users/reset.test/password')
      .set('Authorization', `Bearer ${admin}`)
      .send({ password: 'second-password' });
    const stale = await api.http().get('/api/users/me').set('Authorization', `Bearer ${token}`);
    expect(stale.status).toBe(401);
  });

  it('only admin manages users, and only inside its jurisdiction', async () => {
    const finance = await api.token('finance.city');
    const res = await api
      .http()
      .post('/api/users')
      .set('Authorization', `Bearer ${finance}`)
      .send({ username: 'x.test', password: 'long-enough-1', role: 'finance', jurisdictionCode: '450100' });
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ code: 'FORBIDDEN_ROLE' });
    const noUnit = await api.http().post('/api/users').set('Authorization', `Bearer ${admin}`).send({
      username: 'owner.test',
      password: 'long-enough-1',
      role: 'project_owner',
      jurisdictionCode: '450124',
    });
    expect(noUnit.status).toBe(400);
    expect(noUnit.body).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ field: 'unit' }] });
    const badRole = await api
      .http()
      .post('/api/users')
      .set('Authorization', `Bearer ${admin}`)
      .send({ username: 'bad.test', password: 'long-enough-1', role: 'king', jurisdictionCode: '450124' });
    expect(badRole.status).toBe(400);
  });

  it('serves the jurisdiction tree rooted at the caller and the reference lists', async () => {
    const county = await api.token('finance.county');
    const tree = await api.http().get('/api/jurisdictions').set('Authorization', `Bearer ${county}`);
    expect(tree.status).toBe(200);
    const root = (tree.body as { code: string; level: string; children: { level: string }[] }[])[0];
    expect(root).toMatchObject({ code: '450124', level: 'county' });
    expect(root.children.length).toBeGreaterThan(0);
    expect(root.children.every((c) => c.level === 'township')).toBe(true);
    const purposes = await api.http().get('/api/payment-purposes').set('Authorization', `Bearer ${county}`);
    const list = purposes.body as { code: string; prohibited: boolean }[];
    expect(list.find((p) => p.code === 'management_fee')).toMatchObject({ prohibited: false });
    expect(list.filter((p) => p.prohibited).length).toBeGreaterThanOrEqual(9);
    const sources = await api.http().get('/api/fund-sources').set('Authorization', `Bearer ${county}`);
    expect((sources.body as { channel: string }[]).some((s) => s.channel === 'pairing')).toBe(true);
  });
});
