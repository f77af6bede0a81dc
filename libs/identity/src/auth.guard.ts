import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { assertCovers, DomainError, Role } from '@sunshine/common';
import { JurisdictionsService } from '@sunshine/jurisdictions';
import { AuthService } from './auth.service';
import { AuthenticatedRequest, IS_PUBLIC, ROLES_KEY } from './decorators';

// toJurisdictionCode is not here: pairing funds go to jurisdictions outside the allocator's tree; the
// allocation service checks the receiver (descendant of the holder, or paired with it).
const JURISDICTION_FIELDS = ['jurisdictionCode'] as const;

/**
 * Global guard: every route needs a valid token and a role listed by @Roles, unless marked @Public.
 * Jurisdiction codes named in the body or query must lie in the caller's subtree; targets named by id
 * are checked by the services once loaded (FORBIDDEN_JURISDICTION either way).
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
    private readonly jurisdictions: JurisdictionsService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const header = req.headers.authorization;
    if (typeof header !== 'string' || !header.startsWith('Bearer ')) {
      throw new DomainError('UNAUTHENTICATED', 'a bearer token is required');
    }
    const actor = await this.auth.actorFromToken(header.slice('Bearer '.length).trim());
    req.actor = actor;
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    if (!roles || !roles.includes(actor.role)) {
      throw new DomainError('FORBIDDEN_ROLE', `role ${actor.role} may not do this`, [
        { field: 'role', problem: roles ? `needs one of ${roles.join(', ')}` : 'route not open to any role' },
      ]);
    }
    for (const source of [req.body as unknown, req.query as unknown]) {
      if (source === null || typeof source !== 'object') continue;
      for (const field of JURISDICTION_FIELDS) {
        const code = (source as Record<string, unknown>)[field];
        if (typeof code !== 'string') continue;
        const j = await this.jurisdictions.find(code);
        if (j) assertCovers(actor, j.path, field);
      }
    }
    return true;
  }
}
