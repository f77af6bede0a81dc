import { canonicalJson, sha256Hex } from '@sunshine/common';

export const GENESIS_HASH = '0'.repeat(64);

/** The fields of an audit row that its hash covers. */
export interface AuditRecordMaterial {
  chain: string;
  seq: string;
  at: string;
  actorId: string | null;
  actorUsername: string;
  actorRole: string;
  action: string;
  entityType: string;
  entityId: string;
  jurisdictionCode: string | null;
  before: unknown;
  after: unknown;
}

/** hash = SHA-256(prevHash + canonical JSON of the row's content). */
export function auditHash(prevHash: string, material: AuditRecordMaterial): string {
  return sha256Hex(prevHash + canonicalJson(material));
}
