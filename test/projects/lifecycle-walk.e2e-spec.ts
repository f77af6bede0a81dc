import { createProject, transition } from '../factories/projects';
import { DEMO_PASSWORD, startTestApi, TestApi } from '../support/api';
import { withDb } from '../support/database';

const STATES = [
  'draft',
  'village_applied',
  'township_reviewed',
  'county_appraised',
  'approved',
  'tendering',
  'implementing',
  'completed',
  'accepted',
  'audited',
  'closed',
  'rejected',
  'withdrawn',
] as const;
type State = (typeof STATES)[number];

/** The users the walk tries: every role, two levels of poverty office, the owning unit and another unit. */
const USERS = [
  'admin',
  'finance.county',
  'poverty.county', // county poverty office; also the creator of every project here
  'poverty.township', // township poverty office above the project's village
  'owner.county', // project owner of the project's unit (马山县交通运输局)
  'owner.water', // project owner of another unit in the same county
  'auditor.city',
] as const;
type User = (typeof USERS)[number];

const BEFORE_APPROVAL: State[] = ['draft', 'village_applied', 'township_reviewed', 'county_appraised'];

/**
 * The expected table, written out by hand from DOMAIN §4 and the issue (not derived from the code's table):
 * [from, to, the users who may make that move].
 */
const EXPECTED: [State, State, User[]][] = [
  ['draft', 'village_applied', ['poverty.county', 'poverty.township', 'owner.county']],
  ['village_applied', 'township_reviewed', ['poverty.county', 'poverty.township']],
  ['township_reviewed', 'county_appraised', ['poverty.county']],
  ['county_appraised', 'approved', ['poverty.county']],
  ['approved', 'tendering', ['poverty.county', 'poverty.township', 'owner.county']],
  ['tendering', 'implementing', ['poverty.county', 'poverty.township', 'owner.county']],
  ['implementing', 'completed', ['poverty.county', 'poverty.township', 'owner.county']],
  ['completed', 'accepted', ['poverty.county']],
  ['accepted', 'audited', ['auditor.city']],
  ['audited', 'closed', ['poverty.county', 'poverty.township']],
  ...BEFORE_APPROVAL.map((s): [State, State, User[]] => [
    s,
    'rejected',
    ['poverty.county', 'poverty.township'],
  ]),
  ...BEFORE_APPROVAL.map((s): [State, State, User[]] => [s, 'withdrawn', ['poverty.county']]),
];

const allowed = (from: State, to: State, user: User): boolean =>
  EXPECTED.some(([f, t, users]) => f === from && t === to && users.includes(user));

/** How a fresh project gets to each state (the county poverty office drives, the auditor audits). */
const PATH: Record<State, State[]> = {
  draft: [],
  village_applied: ['village_applied'],
  township_reviewed: ['village_applied', 'township_reviewed'],
  county_appraised: ['village_applied', 'township_reviewed', 'county_appraised'],
  approved: ['village_applied', 'township_reviewed', 'county_appraised', 'approved'],
  tendering: ['village_applied', 'township_reviewed', 'county_appraised', 'approved', 'tendering'],
  implementing: [
    'village_applied',
    'township_reviewed',
    'county_appraised',
    'approved',
    'tendering',
    'implementing',
  ],
  completed: [
    'village_applied',
    'township_reviewed',
    'county_appraised',
    'approved',
    'tendering',
    'implementing',
    'completed',
  ],
  accepted: [
    'village_applied',
    'township_reviewed',
    'county_appraised',
    'approved',
    'tendering',
    'implementing',
    'completed',
    'accepted',
  ],
  audited: [
    'village_applied',
    'township_reviewed',
    'county_appraised',
    'approved',
    'tendering',
    'implementing',
    'completed',
    'accepted',
    'audited',
  ],
  closed: [
    'village_applied',
    'township_reviewed',
    'county_appraised',
    'approved',
    'tendering',
    'implementing',
    'completed',
    'accepted',
    'audited',
    'closed',
  ],
  rejected: ['rejected'],
  withdrawn: ['withdrawn'],
};

describe('project life cycle: the whole transition table walked through HTTP', () => {
  let api: TestApi;

  beforeAll(async () => {
    api = await startTestApi();
    const admin = await api.token('admin');
    for (const u of [
      { username: 'poverty.township', role: 'poverty_office', jurisdictionCode: '450124101' },
      { username: 'owner.water', role: 'project_owner', jurisdictionCode: '450124', unit: '马山县水利局' },
    ]) {
      const res = await api
        .http()
        .post('/api/users')
        .set('Authorization', `Bearer ${admin}`)
        .send({ ...u, password: DEMO_PASSWORD });
      expect([201, 409]).toContain(res.status);
    }
  });
  afterAll(async () => {
    await api.close();
  });

  const report100 = async (id: string) => {
    const res = await api
      .http()
      .post(`/api/projects/${id}/progress-reports`)
      .set('Authorization', `Bearer ${await api.token('owner.county')}`)
      .send({ asOf: '2026-10-31', percentComplete: 100, narrative: '全部完工' });
    expect(res.status).toBe(201);
  };

  /** A fresh project (created by the county poverty office) driven to `state`. */
  async function projectIn(state: State, withFullReport = true): Promise<string> {
    const p = await createProject(api, 'poverty.county');
    for (const to of PATH[state]) {
      // acceptance needs a 100 % progress report, filed while the project is implementing
      if (to === 'completed' && withFullReport) await report100(p.id);
      const by = to === 'audited' ? 'auditor.city' : 'poverty.county';
      const res = await transition(api, by, p.id, to);
      if (res.status !== 201) throw new Error(`${p.id} → ${to}: ${res.status} ${JSON.stringify(res.body)}`);
    }
    return p.id;
  }

  const stateOf = (id: string) =>
    withDb(
      async (c) =>
        (await c.query<{ state: string }>('SELECT state FROM projects WHERE id = $1', [id])).rows[0].state,
    );

  it('allows every move of the table to the right user, listed in allowedTransitions, and records it', async () => {
    let moves = 0;
    for (const [from, to, users] of EXPECTED) {
      for (const user of users) {
        const id = await projectIn(from);
        const view = await api
          .http()
          .get(`/api/projects/${id}`)
          .set('Authorization', `Bearer ${await api.token(user)}`);
        expect({
          from,
          to,
          user,
          allowed: (view.body as { allowedTransitions: string[] }).allowedTransitions,
        }).toEqual(expect.objectContaining({ allowed: expect.arrayContaining([to]) as unknown }));
        const res = await transition(api, user, id, to);
        expect({ from, to, user, status: res.status }).toEqual({ from, to, user, status: 201 });
        expect(await stateOf(id)).toBe(to);
        const recorded = await withDb((c) =>
          c.query<{ actor_username: string; comment: string }>(
            `SELECT actor_username, comment FROM project_transitions WHERE project_id = $1 AND from_state = $2 AND to_state = $3`,
            [id, from, to],
          ),
        );
        expect(recorded.rows).toEqual([{ actor_username: user, comment: `→ ${to}` }]);
        moves += 1;
      }
    }
    expect(moves).toBe(EXPECTED.reduce((n, [, , users]) => n + users.length, 0));
  }, 300_000);

  it('refuses every other (user, from, to) and leaves the project where it was', async () => {
    let refused = 0;
    for (const from of STATES) {
      const id = await projectIn(from);
      for (const user of USERS) {
        const allowedNow = (
          (
            await api
              .http()
              .get(`/api/projects/${id}`)
              .set('Authorization', `Bearer ${await api.token(user)}`)
          ).body as { allowedTransitions?: string[] }
        ).allowedTransitions;
        for (const to of STATES) {
          if (allowed(from, to, user)) continue;
          expect(allowedNow ?? []).not.toContain(to);
          const res = await transition(api, user, id, to);
          const code = (res.body as { code: string }).code;
          expect({ from, to, user, status: res.status, code }).toEqual(
            expect.objectContaining({
              status: res.status === 403 ? 403 : 409,
              code: res.status === 403 ? 'FORBIDDEN_ROLE' : 'INVALID_TRANSITION',
            }),
          );
          if (res.status === 403) expect(user).toBe('finance.county'); // the only role the route itself refuses
          refused += 1;
        }
      }
      expect(await stateOf(id)).toBe(from);
    }
    expect(refused).toBe(
      STATES.length * STATES.length * USERS.length - EXPECTED.reduce((n, [, , u]) => n + u.length, 0),
    );
  }, 300_000);

  it('enforces the preconditions: acceptance needs a 100 % report; approval needs performance targets', async () => {
    const noReport = await projectIn('completed', false);
    const res = await transition(api, 'poverty.county', noReport, 'accepted');
    expect(res.status).toBe(409);
    expect((res.body as { code: string }).code).toBe('INVALID_TRANSITION');
    expect(await stateOf(noReport)).toBe('completed');

    const bare = await createProject(api, 'poverty.county', { performanceTargets: [] });
    for (const to of ['village_applied', 'township_reviewed', 'county_appraised']) {
      expect((await transition(api, 'poverty.county', bare.id, to)).status).toBe(201);
    }
    const approve = await transition(api, 'poverty.county', bare.id, 'approved');
    expect(approve.status).toBe(409);
    expect(await stateOf(bare.id)).toBe('county_appraised');
  });
});
