import { Injectable } from '@nestjs/common';
import * as argon2 from 'argon2';
import { DataSource, EntityManager } from 'typeorm';
import { Actor, DomainError, Role, ROLES, assertCovers } from '@sunshine/common';
import { AuditLogService } from '@sunshine/audit-log';
import { JurisdictionsService } from '@sunshine/jurisdictions';

export interface UserRecord {
  id: string;
  username: string;
  passwordHash: string;
  role: Role;
  jurisdictionCode: string;
  unit: string | null;
  active: boolean;
  passwordChangedAt: Date;
}

export interface UserView {
  username: string;
  role: Role;
  jurisdiction: { code: string; name: string; level: string };
  unit: string | null;
}

interface Row {
  id: string;
  username: string;
  password_hash: string;
  role: Role;
  jurisdiction_code: string;
  unit: string | null;
  active: boolean;
  password_changed_at: Date;
}

const toRecord = (r: Row): UserRecord => ({
  id: r.id,
  username: r.username,
  passwordHash: r.password_hash,
  role: r.role,
  jurisdictionCode: r.jurisdiction_code,
  unit: r.unit,
  active: r.active,
  passwordChangedAt: r.password_changed_at,
});

export const MIN_PASSWORD_LENGTH = 10;

/** Staff users: argon2id password hashes, a role and a jurisdiction (project owners also a unit). */
@Injectable()
export class UsersService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly jurisdictions: JurisdictionsService,
    private readonly audit: AuditLogService,
  ) {}

  async findByUsername(username: string): Promise<UserRecord | null> {
    const rows = await this.dataSource.query<Row[]>('SELECT * FROM users WHERE username = $1', [username]);
    return rows.length > 0 ? toRecord(rows[0]) : null;
  }

  /** Users seen recently, for token checks (10 s; this process forgets a user at once when its password changes). */
  private readonly recent = new Map<string, { user: UserRecord; until: number }>();

  async findByIdCached(id: string): Promise<UserRecord | null> {
    const hit = this.recent.get(id);
    if (hit && hit.until > Date.now()) return hit.user;
    const user = await this.findById(id);
    if (user) this.recent.set(id, { user, until: Date.now() + 10_000 });
    return user;
  }

  async findById(id: string): Promise<UserRecord | null> {
    const rows = await this.dataSource.query<Row[]>('SELECT * FROM users WHERE id = $1', [id]);
    return rows.length > 0 ? toRecord(rows[0]) : null;
  }

  async view(user: UserRecord): Promise<UserView> {
    const j = await this.jurisdictions.get(user.jurisdictionCode);
    return {
      username: user.username,
      role: user.role,
      jurisdiction: { code: j.code, name: j.name, level: j.level },
      unit: user.unit,
    };
  }

  /** Admin creates a user; an admin below the nation level only inside its own subtree. */
  async create(
    actor: Actor,
    input: { username: string; password: string; role: Role; jurisdictionCode: string; unit?: string },
  ): Promise<UserView> {
    if (!ROLES.includes(input.role)) {
      throw new DomainError('VALIDATION_FAILED', 'unknown role', [
        { field: 'role', problem: 'unknown role' },
      ]);
    }
    if (input.role === 'project_owner' && !input.unit) {
      throw new DomainError('VALIDATION_FAILED', 'a project owner belongs to a unit', [
        { field: 'unit', problem: 'required for project_owner' },
      ]);
    }
    const j = await this.jurisdictions.get(input.jurisdictionCode);
    assertCovers(actor, j.path);
    const hash = await hashPassword(input.password);
    return this.dataSource.transaction(async (m) => {
      const rows = await m.query<Row[]>(
        `INSERT INTO users (username, password_hash, role, jurisdiction_code, unit) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (username) DO NOTHING RETURNING *`,
        [input.username, hash, input.role, input.jurisdictionCode, input.unit ?? null],
      );
      if (rows.length === 0) {
        throw new DomainError('CONFLICT', `user ${input.username} exists`, [
          { field: 'username', problem: 'already taken' },
        ]);
      }
      const user = toRecord(rows[0]);
      const view = await this.view(user);
      await this.audit.append(m, actor, [
        {
          action: 'user.create',
          entityType: 'user',
          entityId: user.id,
          jurisdictionCode: j.code,
          after: view,
        },
      ]);
      return view;
    });
  }

  async resetPassword(actor: Actor, username: string, password: string): Promise<void> {
    const user = await this.findByUsername(username);
    if (!user) throw new DomainError('NOT_FOUND', `user ${username} not found`);
    const j = await this.jurisdictions.get(user.jurisdictionCode);
    assertCovers(actor, j.path, 'username');
    const hash = await hashPassword(password);
    await this.dataSource.transaction(async (m) => {
      await m.query('UPDATE users SET password_hash = $2, password_changed_at = now() WHERE id = $1', [
        user.id,
        hash,
      ]);
      await m.query('DELETE FROM login_failures WHERE username = $1', [username]);
      await this.audit.append(m, actor, [
        { action: 'user.password_reset', entityType: 'user', entityId: user.id, jurisdictionCode: j.code },
      ]);
    });
    this.recent.delete(user.id); // again after commit: a request in between may have cached the old row
  }

  /** Used by the demo-data loader: create or leave as is. */
  async ensure(
    m: EntityManager,
    input: { username: string; password: string; role: Role; jurisdictionCode: string; unit?: string | null },
  ): Promise<void> {
    const exists = await m.query<unknown[]>('SELECT 1 FROM users WHERE username = $1', [input.username]);
    if (exists.length > 0) return;
    await m.query(
      `INSERT INTO users (username, password_hash, role, jurisdiction_code, unit) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (username) DO NOTHING`,
      [
        input.username,
        await hashPassword(input.password),
        input.role,
        input.jurisdictionCode,
        input.unit ?? null,
      ],
    );
  }
}

export async function hashPassword(password: string): Promise<string> {
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new DomainError(
      'VALIDATION_FAILED',
      `password must have at least ${MIN_PASSWORD_LENGTH} characters`,
      [{ field: 'password', problem: 'too short' }],
    );
  }
  return argon2.hash(password, { type: argon2.argon2id });
}
