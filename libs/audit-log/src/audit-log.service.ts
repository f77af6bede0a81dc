import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Actor, canonicalJson, clampLimit, decodeCursor, Page, toPage } from '@sunshine/common';
import { auditHash, AuditRecordMaterial, GENESIS_HASH } from './audit-chain';

export interface AuditEntry {
  action: string;
  entityType: string;
  entityId: string;
  jurisdictionCode: string | null;
  before?: unknown;
  after?: unknown;
}

export interface AuditRecordView {
  id: string;
  chain: string;
  seq: string;
  at: string;
  actor: { username: string; role: string };
  action: string;
  entityType: string;
  entityId: string;
  jurisdictionCode: string | null;
  before: unknown;
  after: unknown;
  prevHash: string;
  hash: string;
}

export interface AuditVerification {
  valid: boolean;
  checked: number;
  chains: number;
  firstBrokenAt: null | { chain: string; seq: string; id: string | null; problem: string };
}

interface AuditRow {
  id: string;
  chain: string;
  seq: string;
  at: Date;
  actor_id: string | null;
  actor_username: string;
  actor_role: string;
  action: string;
  entity_type: string;
  entity_id: string;
  jurisdiction_code: string | null;
  before: unknown;
  after: unknown;
  prev_hash: string;
  hash: string;
}

/** A chain is the jurisdiction of the writer; the nation-level admin writes to chain 000000. */
export const chainOf = (actor: Actor): string => actor.jurisdictionCode;

/**
 * Append-only audit log, one SHA-256 chain per jurisdiction so writes in different jurisdictions
 * do not wait for each other. Appends run inside the caller's transaction (same commit as the change).
 */
/** Rows per INSERT statement when a batch is large (14 parameters a row, PostgreSQL allows 65,535). */
const AUDIT_INSERT_CHUNK = 2000;

@Injectable()
export class AuditLogService {
  constructor(private readonly dataSource: DataSource) {}

  async append(m: EntityManager, actor: Actor, entries: AuditEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const chain = chainOf(actor);
    // locks the chain head row until commit; returns the new last seq and the previous hash
    const head = await m.query<{ last_seq: string; last_hash: string }[]>(
      `INSERT INTO audit_chain_heads AS h (chain, last_seq, last_hash) VALUES ($1, $2, $3)
       ON CONFLICT (chain) DO UPDATE SET last_seq = h.last_seq + $2
       RETURNING last_seq::text AS last_seq, last_hash`,
      [chain, entries.length, GENESIS_HASH],
    );
    let seq = BigInt(head[0].last_seq) - BigInt(entries.length);
    let prev = head[0].last_hash;
    const at = new Date().toISOString();
    let values: unknown[] = [];
    let tuples: string[] = [];
    const insert = (sql: string) =>
      `INSERT INTO audit_log (chain, seq, at, actor_id, actor_username, actor_role, action, entity_type, entity_id,
                              jurisdiction_code, before, after, prev_hash, hash) VALUES ${sql}`;
    for (const e of entries) {
      if (tuples.length === AUDIT_INSERT_CHUNK) {
        // a large batch (an import) goes in several statements: PostgreSQL takes at most 65,535 parameters
        await m.query(insert(tuples.join(', ')), values);
        values = [];
        tuples = [];
      }
      seq += 1n;
      const material: AuditRecordMaterial = {
        chain,
        seq: seq.toString(),
        at,
        actorId: actor.id,
        actorUsername: actor.username,
        actorRole: actor.role,
        action: e.action,
        entityType: e.entityType,
        entityId: e.entityId,
        jurisdictionCode: e.jurisdictionCode,
        before: e.before ?? null,
        after: e.after ?? null,
      };
      const hash = auditHash(prev, material);
      const b = values.length;
      values.push(
        chain,
        material.seq,
        at,
        actor.id,
        actor.username,
        actor.role,
        e.action,
        e.entityType,
        e.entityId,
        e.jurisdictionCode,
        canonicalJson(material.before),
        canonicalJson(material.after),
        prev,
        hash,
      );
      tuples.push(`(${Array.from({ length: 14 }, (_, i) => `$${b + i + 1}`).join(', ')})`);
      prev = hash;
    }
    values.push(prev);
    await m.query(
      `WITH ins AS (${insert(tuples.join(', '))} RETURNING 1)
       UPDATE audit_chain_heads SET last_hash = $${values.length} WHERE chain = $1 AND (SELECT count(*) FROM ins) > 0`,
      values,
    );
  }

  async list(
    actor: Actor,
    filter: { entityType?: string; entityId?: string; limit?: number; cursor?: string },
  ): Promise<Page<AuditRecordView>> {
    const limit = clampLimit(filter.limit);
    const after = decodeCursor<{ id: string }>(filter.cursor);
    const params: unknown[] = [`${actor.jurisdictionPath}%`];
    const where = [
      `(a.chain IN (SELECT code FROM jurisdictions WHERE path LIKE $1)
        OR a.jurisdiction_code IN (SELECT code FROM jurisdictions WHERE path LIKE $1))`,
    ];
    if (filter.entityType) {
      params.push(filter.entityType);
      where.push(`a.entity_type = $${params.length}`);
    }
    if (filter.entityId) {
      params.push(filter.entityId);
      where.push(`a.entity_id = $${params.length}`);
    }
    if (after) {
      params.push(after.id);
      where.push(`a.id < $${params.length}`);
    }
    params.push(limit + 1);
    const rows = await this.dataSource.query<AuditRow[]>(
      `SELECT a.*, a.id::text AS id, a.seq::text AS seq FROM audit_log a WHERE ${where.join(' AND ')}
       ORDER BY a.id DESC LIMIT $${params.length}`,
      params,
    );
    return toPage(rows, limit, toView, (r) => ({ id: r.id }));
  }

  /** Recomputes every chain: detects an edited, deleted or reordered row and a cut-off tail. */
  async verify(): Promise<AuditVerification> {
    const heads = await this.dataSource.query<{ chain: string; last_seq: string; last_hash: string }[]>(
      `SELECT chain, last_seq::text AS last_seq, last_hash FROM audit_chain_heads ORDER BY chain`,
    );
    let checked = 0;
    const batch = 5000;
    for (const head of heads) {
      let expectedSeq = 1n;
      let prev = GENESIS_HASH;
      let lastId: string | null = null;
      for (;;) {
        const rows = await this.dataSource.query<AuditRow[]>(
          `SELECT a.*, a.id::text AS id, a.seq::text AS seq FROM audit_log a
           WHERE a.chain = $1 AND a.seq >= $2 ORDER BY a.seq LIMIT $3`,
          [head.chain, expectedSeq.toString(), batch],
        );
        for (const r of rows) {
          checked += 1;
          const broken = (problem: string): AuditVerification => ({
            valid: false,
            checked,
            chains: heads.length,
            firstBrokenAt: { chain: r.chain, seq: r.seq, id: r.id, problem },
          });
          if (BigInt(r.seq) !== expectedSeq) {
            return {
              valid: false,
              checked,
              chains: heads.length,
              firstBrokenAt: {
                chain: head.chain,
                seq: expectedSeq.toString(),
                id: null,
                problem: 'row missing',
              },
            };
          }
          if (lastId !== null && BigInt(r.id) < BigInt(lastId)) return broken('rows reordered');
          if (r.prev_hash !== prev) return broken('previous hash does not match');
          const recomputed = auditHash(prev, materialOf(r));
          if (recomputed !== r.hash) return broken('row content does not match its hash');
          prev = r.hash;
          lastId = r.id;
          expectedSeq += 1n;
        }
        if (rows.length < batch) break;
      }
      const lastSeq = expectedSeq - 1n;
      if (lastSeq.toString() !== head.last_seq || prev !== head.last_hash) {
        return {
          valid: false,
          checked,
          chains: heads.length,
          firstBrokenAt: {
            chain: head.chain,
            seq: (lastSeq + 1n).toString(),
            id: null,
            problem: 'chain tail missing',
          },
        };
      }
    }
    return { valid: true, checked, chains: heads.length, firstBrokenAt: null };
  }
}

function materialOf(r: AuditRow): AuditRecordMaterial {
  return {
    chain: r.chain,
    seq: r.seq,
    at: new Date(r.at).toISOString(),
    actorId: r.actor_id,
    actorUsername: r.actor_username,
    actorRole: r.actor_role,
    action: r.action,
    entityType: r.entity_type,
    entityId: r.entity_id,
    jurisdictionCode: r.jurisdiction_code,
    before: r.before,
    after: r.after,
  };
}

function toView(r: AuditRow): AuditRecordView {
  return {
    id: r.id,
    chain: r.chain,
    seq: r.seq,
    at: new Date(r.at).toISOString(),
    actor: { username: r.actor_username, role: r.actor_role },
    action: r.action,
    entityType: r.entity_type,
    entityId: r.entity_id,
    jurisdictionCode: r.jurisdiction_code,
    before: r.before,
    after: r.after,
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}
