import { auditHash, AuditRecordMaterial, GENESIS_HASH } from './audit-chain';

const row = (seq: number, after: unknown): AuditRecordMaterial => ({
  chain: '450124',
  seq: String(seq),
  at: '2026-03-01T00:00:00.000Z',
  actorId: 'u1',
  actorUsername: 'finance.county',
  actorRole: 'finance',
  action: 'budget_line.create',
  entityType: 'budget_line',
  entityId: 'l1',
  jurisdictionCode: '450124',
  before: null,
  after,
});

describe('audit hash chain', () => {
  it('chains each row to the previous hash', () => {
    const h1 = auditHash(GENESIS_HASH, row(1, { amount: '1.00' }));
    const h2 = auditHash(h1, row(2, { amount: '2.00' }));
    expect(h1).toMatch(/^[0-9a-f]{64}$/);
    expect(h2).not.toBe(auditHash(GENESIS_HASH, row(2, { amount: '2.00' })));
  });

  it('changes when any field changes, not when key order does', () => {
    const base = auditHash(GENESIS_HASH, row(1, { amount: '1.00', title: 'x' }));
    expect(auditHash(GENESIS_HASH, row(1, { title: 'x', amount: '1.00' }))).toBe(base);
    expect(auditHash(GENESIS_HASH, row(1, { amount: '1.01', title: 'x' }))).not.toBe(base);
    expect(
      auditHash(GENESIS_HASH, { ...row(1, { amount: '1.00', title: 'x' }), actorUsername: 'admin' }),
    ).not.toBe(base);
  });
});
