import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { AuthenticatedRequest } from '@sunshine/identity';
import type { IdempotencyContext } from '@sunshine/database';

/** Builds the idempotency scope (user + method + path) from the optional `Idempotency-Key` header. */
export const Idempotency = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): IdempotencyContext | undefined => {
    const req = ctx.switchToHttp().getRequest<AuthenticatedRequest>();
    const key = req.headers['idempotency-key'];
    if (typeof key !== 'string' || !req.actor) return undefined;
    return {
      userId: req.actor.id,
      route: `${req.method} ${req.originalUrl.split('?')[0]}`,
      key,
      body: req.body as unknown,
    };
  },
);
