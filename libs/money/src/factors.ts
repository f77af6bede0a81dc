import { Fen, splitByWeights } from './money';

/** A factor of 因素法分配 (e.g. poor population, poverty incidence, performance) with its weight in basis points. */
export interface Factor {
  code: string;
  weightBp: number;
}

export interface FactorRecipient {
  key: string;
  /** factor code → value as a decimal string (up to 6 decimals), e.g. "11.47" or "0.0773" */
  values: Record<string, string>;
}

export interface FactorShare {
  key: string;
  amount: Fen;
  /** the recipient's composite share in parts per million, for display (the split itself is exact) */
  sharePpm: number;
}

const DECIMAL = /^(0|[1-9][0-9]{0,17})(\.[0-9]{1,6})?$/;
const SCALE = 1_000_000n;

/** "11.47" → 11470000n (micro-units); throws on anything but a non-negative decimal with ≤ 6 decimals. */
export function parseFactorValue(value: string): bigint {
  if (!DECIMAL.test(value)) throw new RangeError(`not a factor value: ${JSON.stringify(value)}`);
  const [whole, frac = ''] = value.split('.');
  return BigInt(whole) * SCALE + BigInt(frac.padEnd(6, '0'));
}

/**
 * 因素法: each recipient's share = Σ_f weight_f × value_{i,f} / Σ_j value_{j,f}. Computed exactly in integers
 * (common denominator Π_f Σ_j value_{j,f}) and split with the largest-remainder method, so the shares add up
 * to the total to the fen. A fixed ratio such as 6:3:1 is one factor whose values are 6, 3 and 1.
 */
export function splitByFactors(
  total: Fen,
  factors: readonly Factor[],
  recipients: readonly FactorRecipient[],
): FactorShare[] {
  if (factors.length === 0) throw new RangeError('at least one factor is needed');
  if (recipients.length === 0) throw new RangeError('at least one recipient is needed');
  const weightSum = factors.reduce((s, f) => s + f.weightBp, 0);
  if (factors.some((f) => !Number.isInteger(f.weightBp) || f.weightBp < 0) || weightSum !== 10_000) {
    throw new RangeError('factor weights are whole basis points adding up to 10000 (100%)');
  }
  const values = recipients.map((r) =>
    factors.map((f) => {
      const v = r.values[f.code];
      if (v === undefined) throw new RangeError(`recipient ${r.key} has no value for factor ${f.code}`);
      return parseFactorValue(v);
    }),
  );
  const sums = factors.map((_, k) => values.reduce((s, row) => s + row[k], 0n));
  if (sums.some((s, k) => s === 0n && factors[k].weightBp > 0))
    throw new RangeError('a weighted factor is zero for everyone');
  // weight_i = Σ_k w_k · v_ik · Π_{l≠k} S_l   (all S_l > 0 for weighted factors; unweighted ones are skipped)
  const used = factors.map((f, k) => ({ k, w: BigInt(f.weightBp) })).filter((u) => u.w > 0n);
  const weights = values.map((row) =>
    used.reduce((acc, { k, w }) => {
      let term = w * row[k];
      for (const { k: l } of used) if (l !== k) term *= sums[l];
      return acc + term;
    }, 0n),
  );
  const amounts = splitByWeights(total, weights);
  const weightTotal = weights.reduce((s, w) => s + w, 0n);
  return recipients.map((r, i) => ({
    key: r.key,
    amount: amounts[i],
    sharePpm: Number((weights[i] * 1_000_000n) / weightTotal),
  }));
}
