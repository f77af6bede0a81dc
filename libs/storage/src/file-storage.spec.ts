import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LocalDiskStorage, sha256Hex, sniffContentType, uploadedFilename } from './file-storage';

describe('LocalDiskStorage', () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'storage-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('stores by SHA-256 once, reads back, and detects a changed file', async () => {
    const s = new LocalDiskStorage(root);
    const bytes = Buffer.from('%PDF-1.7 test');
    const a = await s.put(bytes);
    const b = await s.put(Buffer.from(bytes));
    expect(a).toEqual(b);
    expect(a.sha256).toBe(sha256Hex(bytes));
    expect(await s.get(a.key)).toEqual(bytes);
    const dir = path.join(root, 'sha256', a.sha256.slice(0, 2), a.sha256.slice(2, 4));
    expect(readdirSync(dir)).toEqual([a.sha256]); // no temporary files left
    writeFileSync(path.join(dir, a.sha256), 'tampered');
    await expect(s.get(a.key)).rejects.toThrow(/SHA-256/);
    await expect(s.get('../../etc/passwd')).rejects.toThrow(/not a storage key/);
  });
});

describe('sniffContentType', () => {
  it('recognises JPEG, PNG, WebP and PDF by their first bytes and nothing else', () => {
    expect(sniffContentType(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0]))).toBe('image/jpeg');
    expect(sniffContentType(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0]))).toBe(
      'image/png',
    );
    expect(sniffContentType(Buffer.from('RIFF\u0000\u0000\u0000\u0000WEBPVP8 '))).toBe('image/webp');
    expect(sniffContentType(Buffer.from('%PDF-1.4\n'))).toBe('application/pdf');
    expect(sniffContentType(Buffer.from('<html><script>alert(1)</script>'))).toBeNull();
    expect(sniffContentType(Buffer.from('MZ\u0090\u0000'))).toBeNull();
    expect(sniffContentType(Buffer.from(''))).toBeNull();
  });
});

describe('uploadedFilename', () => {
  it('repairs UTF-8 names read as Latin-1 and leaves other names alone', () => {
    const garbled = Buffer.from('现场照片.png', 'utf8').toString('latin1');
    expect(uploadedFilename(garbled)).toBe('现场照片.png');
    expect(uploadedFilename('现场照片.png')).toBe('现场照片.png');
    expect(uploadedFilename('report.pdf')).toBe('report.pdf');
    expect(uploadedFilename('café.pdf')).toBe('café.pdf'); // é alone is not valid UTF-8: kept
  });
});
