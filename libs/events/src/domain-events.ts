import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { canonicalJson } from '@sunshine/common';

export interface DomainEvent {
  type: string;
  aggregateType: string;
  aggregateId: string;
  jurisdictionCode: string | null;
  payload: Record<string, unknown>;
}

/**
 * Outbox: domain events written in the same transaction as the change. Later steps (notices, alerts,
 * reports) consume them from the worker instead of hooks scattered through the services.
 */
@Injectable()
export class DomainEvents {
  async publish(m: EntityManager, events: DomainEvent[]): Promise<void> {
    // at most 5 × 10,000 parameters per statement (PostgreSQL allows 65,535)
    for (let start = 0; start < events.length; start += 10_000) {
      const chunk = events.slice(start, start + 10_000);
      const values: unknown[] = [];
      const rows = chunk.map((e, i) => {
        values.push(e.type, e.aggregateType, e.aggregateId, e.jurisdictionCode, canonicalJson(e.payload));
        const b = i * 5;
        return `($${b + 1}, $${b + 2}, $${b + 3}, $${b + 4}, $${b + 5}::jsonb)`;
      });
      await m.query(
        `INSERT INTO domain_events (type, aggregate_type, aggregate_id, jurisdiction_code, payload) VALUES ${rows.join(', ')}`,
        values,
      );
    }
  }
}
