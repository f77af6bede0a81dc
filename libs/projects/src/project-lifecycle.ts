import type { Actor } from '@sunshine/common';

/** 项目库 life cycle (DOMAIN.md §4). */
export const PROJECT_STATES = [
  'draft',
  'village_applied', // 村申报
  'township_reviewed', // 乡镇审核
  'county_appraised', // 县级论证
  'approved', // 审定入库
  'tendering', // 招标
  'implementing', // 实施
  'completed', // 竣工
  'accepted', // 验收
  'audited', // 审计
  'closed',
  'rejected',
  'withdrawn',
] as const;
export type ProjectState = (typeof PROJECT_STATES)[number];

/** What a transition needs to know about the project besides its state. */
export interface ProjectFacts {
  state: ProjectState;
  ownerUnit: string;
  createdBy: string;
  performanceTargets: number;
  latestPercentComplete: number | null;
}

/** The actor as the rules see it: role, level of its jurisdiction, unit (its jurisdiction covers the project). */
export type TransitionActor = Pick<Actor, 'id' | 'role' | 'unit'> & { level: string };

export interface TransitionRule {
  from: readonly ProjectState[];
  to: ProjectState;
  /** who may make it */
  allowed: (a: TransitionActor, p: ProjectFacts) => boolean;
  /** a precondition beyond who: returns the reason it fails, or null */
  precondition?: (p: ProjectFacts) => string | null;
  who: string;
}

const COUNTY_OR_ABOVE = new Set(['nation', 'province', 'city', 'county']);
const TOWNSHIP_OR_ABOVE = new Set([...COUNTY_OR_ABOVE, 'township']);
const BEFORE_APPROVAL: readonly ProjectState[] = [
  'draft',
  'village_applied',
  'township_reviewed',
  'county_appraised',
];

const owner = (a: TransitionActor, p: ProjectFacts): boolean =>
  a.role === 'project_owner' && a.unit === p.ownerUnit;
const povertyOffice = (a: TransitionActor): boolean => a.role === 'poverty_office';
const povertyOfficeAt = (levels: Set<string>) => (a: TransitionActor) =>
  a.role === 'poverty_office' && levels.has(a.level);

/** The one table of allowed transitions; everything else is INVALID_TRANSITION. */
export const PROJECT_TRANSITIONS: readonly TransitionRule[] = [
  {
    from: ['draft'],
    to: 'village_applied',
    allowed: (a, p) => owner(a, p) || povertyOffice(a),
    who: 'project owner or poverty office',
  },
  {
    from: ['village_applied'],
    to: 'township_reviewed',
    allowed: povertyOfficeAt(TOWNSHIP_OR_ABOVE),
    who: 'poverty office at township level or above',
  },
  {
    from: ['township_reviewed'],
    to: 'county_appraised',
    allowed: povertyOfficeAt(COUNTY_OR_ABOVE),
    who: 'poverty office at county level or above',
  },
  {
    from: ['county_appraised'],
    to: 'approved',
    allowed: povertyOfficeAt(COUNTY_OR_ABOVE),
    precondition: (p) =>
      p.performanceTargets > 0 ? null : 'approval into the library needs performance targets (绩效目标)',
    who: 'poverty office at county level or above',
  },
  {
    from: ['approved'],
    to: 'tendering',
    allowed: (a, p) => owner(a, p) || povertyOffice(a),
    who: 'project owner or poverty office',
  },
  {
    from: ['tendering'],
    to: 'implementing',
    allowed: (a, p) => owner(a, p) || povertyOffice(a),
    who: 'project owner or poverty office',
  },
  {
    from: ['implementing'],
    to: 'completed',
    allowed: (a, p) => owner(a, p) || povertyOffice(a),
    who: 'project owner or poverty office',
  },
  {
    from: ['completed'],
    to: 'accepted',
    allowed: povertyOfficeAt(COUNTY_OR_ABOVE),
    precondition: (p) =>
      p.latestPercentComplete === 100 ? null : 'acceptance (验收) needs a progress report at 100%',
    who: 'poverty office at county level or above',
  },
  { from: ['accepted'], to: 'audited', allowed: (a) => a.role === 'auditor', who: 'auditor' },
  { from: ['audited'], to: 'closed', allowed: povertyOffice, who: 'poverty office' },
  { from: BEFORE_APPROVAL, to: 'rejected', allowed: povertyOffice, who: 'poverty office' },
  { from: BEFORE_APPROVAL, to: 'withdrawn', allowed: (a, p) => a.id === p.createdBy, who: 'the creator' },
];

export type TransitionCheck =
  | { ok: true; rule: TransitionRule }
  | { ok: false; reason: 'not_allowed_from_state' | 'not_your_role' | 'precondition'; message: string };

export function checkTransition(
  actor: TransitionActor,
  project: ProjectFacts,
  to: ProjectState,
): TransitionCheck {
  const rule = PROJECT_TRANSITIONS.find((r) => r.to === to && r.from.includes(project.state));
  if (!rule)
    return {
      ok: false,
      reason: 'not_allowed_from_state',
      message: `${project.state} → ${to} is not a transition`,
    };
  if (!rule.allowed(actor, project)) {
    return { ok: false, reason: 'not_your_role', message: `${project.state} → ${to} is for the ${rule.who}` };
  }
  const failed = rule.precondition?.(project) ?? null;
  if (failed) return { ok: false, reason: 'precondition', message: failed };
  return { ok: true, rule };
}

/** The states the actor could move the project to now. */
export function allowedTransitions(actor: TransitionActor, project: ProjectFacts): ProjectState[] {
  return PROJECT_TRANSITIONS.filter(
    (r) => r.from.includes(project.state) && r.allowed(actor, project) && !r.precondition?.(project),
  ).map((r) => r.to);
}

/** Payments are possible from approval (入库) until acceptance; not before, not once audited or closed. */
export const PAYABLE_STATES: readonly ProjectState[] = [
  'approved',
  'tendering',
  'implementing',
  'completed',
  'accepted',
];
