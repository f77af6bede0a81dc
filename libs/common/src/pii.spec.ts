import { isValidIdNumber, maskIdNumber, PiiCipher } from './pii';

const ID = '11010519491231002X'; // the GB 11643 example number

describe('personal data protection', () => {
  const cipher = new PiiCipher('unit-test-pii-key-unit-test-pii-key-000');

  it('encrypts with a fresh IV each time and decrypts back', () => {
    const a = cipher.encrypt(ID);
    const b = cipher.encrypt(ID);
    expect(a.equals(b)).toBe(false);
    expect(a.toString('latin1')).not.toContain(ID);
    expect(cipher.decrypt(a)).toBe(ID);
  });

  it('refuses tampered ciphertext', () => {
    const sealed = cipher.encrypt(ID);
    sealed[sealed.length - 1] ^= 0xff;
    expect(() => cipher.decrypt(sealed)).toThrow();
  });

  it('hashes for look-up with a key: same input, same hash; another key, another hash', () => {
    expect(cipher.lookupHash(ID)).toBe(cipher.lookupHash(` ${ID.toLowerCase()} `));
    expect(new PiiCipher('another-key-another-key-another-key-0000').lookupHash(ID)).not.toBe(
      cipher.lookupHash(ID),
    );
  });

  it('validates GB 11643 check digits and dates, and masks to 6 + 4', () => {
    expect(isValidIdNumber(ID)).toBe(true);
    expect(isValidIdNumber('110105194912310021')).toBe(false);
    expect(isValidIdNumber('11010519491331002X')).toBe(false);
    expect(maskIdNumber(ID)).toBe('110105********002X');
  });
});
