import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** Where uploaded files live. The default keeps them on local disk; an object store would implement the same. */
export abstract class FileStorage {
  /** Stores the bytes under their SHA-256 (the same content is stored once) and returns the key. */
  abstract put(bytes: Buffer): Promise<{ key: string; sha256: string; size: number }>;
  /** The bytes of a key; throws when the stored bytes no longer match their SHA-256. */
  abstract get(key: string): Promise<Buffer>;
}

export const sha256Hex = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/**
 * Content-addressed files under a root folder (default DATA_DIR/files): `sha256/ab/cd/<sha256>`, written
 * to a temporary name and renamed, so a reader never sees half a file; verified against the hash on read.
 */
export class LocalDiskStorage extends FileStorage {
  constructor(private readonly root: string) {
    super();
  }

  async put(bytes: Buffer): Promise<{ key: string; sha256: string; size: number }> {
    const sha256 = sha256Hex(bytes);
    const key = `sha256/${sha256.slice(0, 2)}/${sha256.slice(2, 4)}/${sha256}`;
    const file = this.pathOf(key);
    const existing = await stat(file).catch(() => null);
    if (!existing || existing.size !== bytes.length) {
      await mkdir(path.dirname(file), { recursive: true, mode: 0o750 });
      const tmp = `${file}.${randomUUID()}.tmp`;
      await writeFile(tmp, bytes, { mode: 0o640 });
      await rename(tmp, file);
    }
    return { key, sha256, size: bytes.length };
  }

  async get(key: string): Promise<Buffer> {
    const bytes = await readFile(this.pathOf(key));
    const expected = key.split('/').pop() ?? '';
    if (sha256Hex(bytes) !== expected) throw new Error(`stored file ${key} does not match its SHA-256`);
    return bytes;
  }

  private pathOf(key: string): string {
    if (!/^sha256\/[0-9a-f]{2}\/[0-9a-f]{2}\/[0-9a-f]{64}$/.test(key))
      throw new Error(`not a storage key: ${key}`);
    return path.join(this.root, ...key.split('/'));
  }
}

/** The file types progress reports accept, recognised by their first bytes (the client's claim is ignored). */
export const ACCEPTED_TYPES = ['image/jpeg', 'image/png', 'image/webp', 'application/pdf'] as const;
export type AcceptedType = (typeof ACCEPTED_TYPES)[number];

export function sniffContentType(bytes: Buffer): AcceptedType | null {
  const starts = (sig: number[], at = 0) => sig.every((b, i) => bytes[at + i] === b);
  if (starts([0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (starts([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (starts([0x52, 0x49, 0x46, 0x46]) && starts([0x57, 0x45, 0x42, 0x50], 8)) return 'image/webp';
  if (starts([0x25, 0x50, 0x44, 0x46, 0x2d])) return 'application/pdf'; // %PDF-
  return null;
}

/**
 * multer (busboy) reads a multipart file name as Latin-1 unless the client used RFC 5987, so a UTF-8
 * name like 现场照片.png arrives as mojibake. When every character fits in a byte and those bytes are
 * valid UTF-8, this gives the name back as UTF-8; other names pass unchanged.
 */
export function uploadedFilename(name: string): string {
  // eslint-disable-next-line no-control-regex
  if (!/^[\u0000-\u00ff]*$/.test(name) || /^[\u0000-\u007f]*$/.test(name)) return name;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(name, 'latin1'));
  } catch {
    return name;
  }
}
