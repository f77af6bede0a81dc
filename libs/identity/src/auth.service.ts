import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import * as argon2 from 'argon2';
import { DataSource } from 'typeorm';
import { Actor, DomainError } from '@sunshine/common';
import { JurisdictionsService } from '@sunshine/jurisdictions';
import { UsersService, UserView } from './users.service';

export const MAX_FAILED_LOGINS = 10;
export const FAILED_LOGIN_WINDOW_MINUTES = 15;

interface TokenClaims {
  sub: string;
  username: string;
  pwdAt: number;
}

/** Login (argon2 verify, failed attempts limited per username) and token → actor resolution. */
@Injectable()
export class AuthService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly users: UsersService,
    private readonly jurisdictions: JurisdictionsService,
    private readonly jwt: JwtService,
  ) {}

  async login(username: string, password: string): Promise<{ accessToken: string; user: UserView }> {
    const failures = await this.dataSource.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM login_failures WHERE username = $1 AND at > now() - make_interval(mins => $2)`,
      [username, FAILED_LOGIN_WINDOW_MINUTES],
    );
    if (failures[0].n >= MAX_FAILED_LOGINS) {
      throw new DomainError('RATE_LIMITED', 'too many failed logins for this user; try again later');
    }
    const user = await this.users.findByUsername(username);
    const ok =
      user !== null && user.active && (await argon2.verify(user.passwordHash, password).catch(() => false));
    if (!user || !ok) {
      await this.dataSource.query('INSERT INTO login_failures (username) VALUES ($1)', [username]);
      throw new DomainError('UNAUTHENTICATED', 'wrong username or password');
    }
    const claims: TokenClaims = {
      sub: user.id,
      username: user.username,
      pwdAt: user.passwordChangedAt.getTime(),
    };
    const accessToken = await this.jwt.signAsync(claims);
    return { accessToken, user: await this.users.view(user) };
  }

  /**
   * Verifies a bearer token and loads the actor. A password reset or deactivation invalidates older tokens
   * (at once in this process; within 10 s in other API processes).
   */
  async actorFromToken(token: string): Promise<Actor> {
    let claims: TokenClaims;
    try {
      claims = await this.jwt.verifyAsync<TokenClaims>(token);
    } catch {
      throw new DomainError('UNAUTHENTICATED', 'invalid or expired token');
    }
    const user = await this.users.findByIdCached(claims.sub);
    if (!user || !user.active || user.passwordChangedAt.getTime() !== claims.pwdAt) {
      throw new DomainError('UNAUTHENTICATED', 'token no longer valid');
    }
    const j = await this.jurisdictions.get(user.jurisdictionCode);
    const actor: Actor = {
      id: user.id,
      username: user.username,
      role: user.role,
      jurisdictionCode: j.code,
      jurisdictionPath: j.path,
      unit: user.unit,
    };
    return actor;
  }
}
