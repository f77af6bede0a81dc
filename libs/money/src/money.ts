/**
 * Money is integer fen (分) held as `bigint`. Yuan strings exist only at the edges (API, files, pages).
 * 1 yuan = 100 fen. No JS number ever carries an amount.
 */
export type Fen = bigint;

/** API.md: yuan in requests, 0–2 decimals, no sign, no exponent, at most 14 integer digits. */
export const YUAN_PATTERN = /^(0|[1-9][0-9]{0,13})(\.[0-9]{1,2})?$/;

/** Largest amount the API accepts: 99,999,999,999,999.99 yuan. */
export const MAX_FEN: Fen = 9_999_999_999_999_999n;

export class InvalidYuanError extends Error {
  constructor(readonly input: unknown) {
    super(`not a yuan amount: ${typeof input === 'string' ? JSON.stringify(input) : typeof input}`);
  }
}

export function isYuanString(value: unknown): value is string {
  return typeof value === 'string' && YUAN_PATTERN.test(value);
}

/** "1234.5" → 123450n. Rejects numbers, signs, exponents, blanks, full-width digits and >2 decimals. */
export function parseYuan(input: unknown): Fen {
  if (!isYuanString(input)) throw new InvalidYuanError(input);
  const [whole, frac = ''] = input.split('.');
  return BigInt(whole) * 100n + BigInt(frac.padEnd(2, '0'));
}

/** 123450n → "1234.50" (always exactly two decimals; negative values keep their sign). */
export function formatYuan(fen: Fen): string {
  const negative = fen < 0n;
  const abs = negative ? -fen : fen;
  const whole = abs / 100n;
  const frac = (abs % 100n).toString().padStart(2, '0');
  return `${negative ? '-' : ''}${whole.toString()}.${frac}`;
}

/** Reads a PostgreSQL bigint (returned by `pg` as a string) into fen. */
export function fenFromDb(value: string | number | bigint | null | undefined): Fen {
  if (value === null || value === undefined) return 0n;
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new RangeError(`unsafe integer from database: ${value}`);
    return BigInt(value);
  }
  if (!/^-?[0-9]+$/.test(value)) throw new RangeError(`not an integer from database: ${value}`);
  return BigInt(value);
}

export function sumFen(values: Iterable<Fen>): Fen {
  let total = 0n;
  for (const v of values) total += v;
  return total;
}

/**
 * Splits `total` fen by integer weights with the largest-remainder method: every share is
 * floor(total·w/Σw) plus one fen for the largest remainders (ties go to the earlier weight),
 * so the shares always add up to `total` exactly. Used for fixed-ratio splits (e.g. 6:3:1) and
 * factor-method allocation.
 */
export function splitByWeights(total: Fen, weights: readonly bigint[]): Fen[] {
  if (total < 0n) throw new RangeError('cannot split a negative amount');
  if (weights.length === 0) throw new RangeError('at least one weight is needed');
  if (weights.some((w) => w < 0n)) throw new RangeError('weights must not be negative');
  const weightSum = sumFen(weights);
  if (weightSum === 0n) throw new RangeError('weights must not all be zero');
  const shares = weights.map((w) => (total * w) / weightSum);
  const remainders = weights.map((w, index) => ({ index, rem: (total * w) % weightSum }));
  let left = total - sumFen(shares);
  remainders.sort((a, b) => (a.rem === b.rem ? a.index - b.index : a.rem > b.rem ? -1 : 1));
  for (const { index } of remainders) {
    if (left === 0n) break;
    shares[index] += 1n;
    left -= 1n;
  }
  return shares;
}

/** Basis points (1/100 of a percent): part/whole rounded half up; 0 when whole is 0. */
export function basisPoints(part: Fen, whole: Fen): number {
  if (whole <= 0n) return 0;
  const bp = (part * 10_000n * 2n + whole) / (whole * 2n);
  return Number(bp);
}

/** 8550 → "85.50" */
export function formatBasisPoints(bp: number): string {
  if (!Number.isInteger(bp)) throw new RangeError('basis points are integers');
  const negative = bp < 0;
  const abs = Math.abs(bp);
  return `${negative ? '-' : ''}${Math.trunc(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}
