import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';

const VERSION = 1;

/**
 * Personal data at rest (ID numbers, later phone numbers): AES-256-GCM with a random 96-bit IV per value,
 * and a keyed hash (HMAC-SHA256) for exact look-ups. Both keys are derived (HKDF) from one secret given
 * by configuration; the plain value never reaches the database, the logs or the audit log.
 */
export class PiiCipher {
  private readonly encKey: Buffer;
  private readonly hashKey: Buffer;

  constructor(secret: string) {
    if (secret.length < 32) throw new Error('the PII key must have at least 32 characters');
    const ikm = Buffer.from(secret, 'utf8');
    this.encKey = Buffer.from(hkdfSync('sha256', ikm, 'sunshine-funds', 'pii-encryption-v1', 32));
    this.hashKey = Buffer.from(hkdfSync('sha256', ikm, 'sunshine-funds', 'pii-lookup-v1', 32));
  }

  encrypt(plain: string): Buffer {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.encKey, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return Buffer.concat([Buffer.from([VERSION]), iv, cipher.getAuthTag(), body]);
  }

  decrypt(sealed: Buffer): string {
    if (sealed[0] !== VERSION) throw new Error('unknown PII cipher version');
    const iv = sealed.subarray(1, 13);
    const tag = sealed.subarray(13, 29);
    const decipher = createDecipheriv('aes-256-gcm', this.encKey, iv);
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(sealed.subarray(29)), decipher.final()]).toString('utf8');
  }

  /** A stable keyed hash for "find the household with this ID number" without storing the number. */
  lookupHash(plain: string): string {
    return createHmac('sha256', this.hashKey).update(plain.trim().toUpperCase()).digest('hex');
  }
}

/** GB 11643-1999 citizen ID number: 17 digits and a check character (0-9 or X), with a valid date. */
export function isValidIdNumber(id: string): boolean {
  if (!/^[1-9][0-9]{16}[0-9X]$/.test(id)) return false;
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = weights.reduce((s, w, i) => s + w * Number(id[i]), 0);
  const check = '10X98765432'[sum % 11];
  if (check !== id[17]) return false;
  const birth = `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`;
  const d = new Date(`${birth}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === birth;
}

/** ID number → first 6 and last 4 (450122********1234), as every non-privileged answer shows it. */
export function maskIdNumber(id: string): string {
  if (id.length < 10) return '*'.repeat(id.length);
  return `${id.slice(0, 6)}${'*'.repeat(id.length - 10)}${id.slice(-4)}`;
}
