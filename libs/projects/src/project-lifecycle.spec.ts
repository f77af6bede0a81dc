import { ROLES } from '@sunshine/common';
import {
  allowedTransitions,
  checkTransition,
  PROJECT_STATES,
  PROJECT_TRANSITIONS,
  ProjectFacts,
  ProjectState,
  TransitionActor,
} from './project-lifecycle';

const LEVELS = ['nation', 'province', 'city', 'county', 'township', 'village'];
const facts = (state: ProjectState, extra: Partial<ProjectFacts> = {}): ProjectFacts => ({
  state,
  ownerUnit: '马山县交通运输局',
  createdBy: 'creator',
  performanceTargets: 1,
  latestPercentComplete: 100,
  ...extra,
});

/** Every (role, level, own unit or not, creator or not) combination. */
const actors: TransitionActor[] = ROLES.flatMap((role) =>
  LEVELS.flatMap((level) =>
    [
      { id: 'creator', role, level, unit: '马山县交通运输局' },
      { id: 'other', role, level, unit: '别的单位' },
    ].map((a) => a as TransitionActor),
  ),
);

/** The expected answer, written out from DOMAIN.md §4 independently of the table. */
function expected(a: TransitionActor, from: ProjectState, to: ProjectState): boolean {
  const countyUp = ['nation', 'province', 'city', 'county'].includes(a.level);
  const townshipUp = countyUp || a.level === 'township';
  const po = a.role === 'poverty_office';
  const ownUnit = a.role === 'project_owner' && a.unit === '马山县交通运输局';
  const beforeApproval = ['draft', 'village_applied', 'township_reviewed', 'county_appraised'].includes(from);
  switch (`${from}>${to}`) {
    case 'draft>village_applied':
      return ownUnit || po;
    case 'village_applied>township_reviewed':
      return po && townshipUp;
    case 'township_reviewed>county_appraised':
    case 'county_appraised>approved':
    case 'completed>accepted':
      return po && countyUp;
    case 'approved>tendering':
    case 'tendering>implementing':
    case 'implementing>completed':
      return ownUnit || po;
    case 'accepted>audited':
      return a.role === 'auditor';
    case 'audited>closed':
      return po;
  }
  if (to === 'rejected') return beforeApproval && po;
  if (to === 'withdrawn') return beforeApproval && a.id === 'creator';
  return false;
}

describe('project life cycle transition table', () => {
  it('allows exactly the (role, from, to) of DOMAIN.md §4 and refuses every other', () => {
    let allowed = 0;
    for (const a of actors) {
      for (const from of PROJECT_STATES) {
        for (const to of PROJECT_STATES) {
          const result = checkTransition(a, facts(from), to);
          expect({ a, from, to, ok: result.ok }).toEqual({ a, from, to, ok: expected(a, from, to) });
          if (result.ok) allowed += 1;
        }
      }
    }
    expect(allowed).toBeGreaterThan(0);
  });

  it('checks preconditions: approval needs performance targets, acceptance a 100% progress report', () => {
    const po: TransitionActor = { id: 'x', role: 'poverty_office', level: 'county', unit: null };
    expect(
      checkTransition(po, facts('county_appraised', { performanceTargets: 0 }), 'approved'),
    ).toMatchObject({
      ok: false,
      reason: 'precondition',
    });
    expect(checkTransition(po, facts('completed', { latestPercentComplete: 90 }), 'accepted')).toMatchObject({
      ok: false,
      reason: 'precondition',
    });
    expect(checkTransition(po, facts('completed', { latestPercentComplete: null }), 'accepted').ok).toBe(
      false,
    );
    expect(checkTransition(po, facts('completed'), 'accepted').ok).toBe(true);
  });

  it('lists the transitions an actor can make now', () => {
    const po: TransitionActor = { id: 'x', role: 'poverty_office', level: 'county', unit: null };
    expect(allowedTransitions(po, facts('draft')).sort()).toEqual(['rejected', 'village_applied']);
    expect(allowedTransitions(po, facts('county_appraised', { performanceTargets: 0 })).sort()).toEqual([
      'rejected',
    ]);
    expect(PROJECT_TRANSITIONS.length).toBe(12);
  });
});
