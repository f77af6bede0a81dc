import { DomainError } from './errors';

export const ROLES = ['admin', 'finance', 'poverty_office', 'project_owner', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

/** The authenticated user a service acts for (from the JWT, with the jurisdiction's materialised path). */
export interface Actor {
  id: string;
  username: string;
  role: Role;
  jurisdictionCode: string;
  /** e.g. /000000/450000/450100/ */
  jurisdictionPath: string;
  unit: string | null;
}

/** The target lies in the actor's jurisdiction subtree. */
export function coversPath(actor: Actor, targetPath: string): boolean {
  return targetPath.startsWith(actor.jurisdictionPath);
}

export function assertCovers(actor: Actor, targetPath: string, field = 'jurisdictionCode'): void {
  if (!coversPath(actor, targetPath)) {
    throw new DomainError('FORBIDDEN_JURISDICTION', 'the target lies outside your jurisdiction', [
      { field, problem: 'outside your jurisdiction' },
    ]);
  }
}

export function assertRole(actor: Actor, roles: readonly Role[]): void {
  if (!roles.includes(actor.role)) {
    throw new DomainError('FORBIDDEN_ROLE', `role ${actor.role} may not do this`, [
      { field: 'role', problem: `needs one of ${roles.join(', ')}` },
    ]);
  }
}
