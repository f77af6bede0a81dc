import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { canonicalJson, DomainError, ErrorBody, ReplayedError, sha256Hex } from '@sunshine/common';

/** What identifies one money-moving request for idempotency: per user and route (API.md). */
export interface IdempotencyContext {
  userId: string;
  route: string;
  key: string;
  body: unknown;
}

export interface StoredAnswer<T> {
  status: number;
  body: T;
}

interface KeyRow {
  request_hash: string;
  response_status: number | null;
  response_body: unknown;
}

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/**
 * Runs a write in one transaction. With an Idempotency-Key, the key row is inserted first in the same
 * transaction: a concurrent duplicate blocks on the unique key until the first commits, then replays
 * its answer; a different body gets 409 IDEMPOTENCY_CONFLICT. A business error is stored as the answer
 * too (its writes rolled back to a savepoint), so a retry sees the same answer.
 */
@Injectable()
export class TransactionRunner {
  constructor(private readonly dataSource: DataSource) {}

  async run<T>(
    idempotency: IdempotencyContext | undefined,
    status: number,
    work: (m: EntityManager) => Promise<T>,
  ): Promise<StoredAnswer<T>> {
    if (!idempotency) {
      const body = await this.dataSource.transaction((m) => work(m));
      return { status, body };
    }
    if (!KEY_PATTERN.test(idempotency.key)) {
      throw new DomainError('VALIDATION_FAILED', 'Idempotency-Key must be 1–255 visible ASCII characters', [
        { field: 'Idempotency-Key', problem: 'not a valid key' },
      ]);
    }
    const requestHash = sha256Hex(canonicalJson(idempotency.body ?? null));
    const outcome = await this.dataSource.transaction(async (m) => {
      const inserted = await m.query<unknown[]>(
        `INSERT INTO idempotency_keys (user_id, route, key, request_hash) VALUES ($1, $2, $3, $4)
         ON CONFLICT DO NOTHING RETURNING key`,
        [idempotency.userId, idempotency.route, idempotency.key, requestHash],
      );
      if (inserted.length === 0) {
        const rows = await m.query<KeyRow[]>(
          `SELECT request_hash, response_status, response_body FROM idempotency_keys
           WHERE user_id = $1 AND route = $2 AND key = $3`,
          [idempotency.userId, idempotency.route, idempotency.key],
        );
        const row = rows[0];
        if (!row || row.response_status === null) {
          throw new DomainError('CONFLICT', 'a request with this Idempotency-Key is still being processed');
        }
        if (row.request_hash !== requestHash) {
          throw new DomainError(
            'IDEMPOTENCY_CONFLICT',
            'this Idempotency-Key was used with a different request body',
            [{ field: 'Idempotency-Key', problem: 'reused with a different body' }],
          );
        }
        return { kind: 'replay' as const, status: row.response_status, body: row.response_body };
      }
      await m.query('SAVEPOINT idempotent_work');
      try {
        const body = await work(m);
        await m.query(
          `UPDATE idempotency_keys SET response_status = $4, response_body = $5
           WHERE user_id = $1 AND route = $2 AND key = $3`,
          [idempotency.userId, idempotency.route, idempotency.key, status, JSON.stringify(body)],
        );
        return { kind: 'done' as const, status, body };
      } catch (e) {
        if (!(e instanceof DomainError)) throw e;
        await m.query('ROLLBACK TO SAVEPOINT idempotent_work');
        const error = e.toBody();
        await m.query(
          `UPDATE idempotency_keys SET response_status = $4, response_body = $5
           WHERE user_id = $1 AND route = $2 AND key = $3`,
          [idempotency.userId, idempotency.route, idempotency.key, error.statusCode, JSON.stringify(error)],
        );
        return { kind: 'error' as const, status: error.statusCode, body: error };
      }
    });
    if (outcome.kind === 'error') throw new ReplayedError(outcome.body);
    if (outcome.kind === 'replay' && outcome.status >= 400)
      throw new ReplayedError(outcome.body as ErrorBody);
    return { status: outcome.status, body: outcome.body as T };
  }
}
