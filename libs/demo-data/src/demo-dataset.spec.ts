import { parseYuan, splitByWeights } from '@sunshine/money';
import { readDemoDataset } from './demo-data.loader';

const data = readDemoDataset();
const byCode = new Map(data.jurisdictions.map((j) => [j.code, j]));
const pathOf = (code: string): string[] => {
  const out: string[] = [];
  for (let c: string | null = code; c !== null; c = byCode.get(c)?.parentCode ?? null) out.unshift(c);
  return out;
};

describe('the demo dataset', () => {
  it('has a well-formed jurisdiction tree (GB/T 2260 6 digits, townships 9, villages 12)', () => {
    const seen = new Set<string>(['000000']);
    const digits = { province: 6, city: 6, county: 6, township: 9, village: 12 } as const;
    for (const j of data.jurisdictions) {
      expect(seen.has(j.parentCode ?? '')).toBe(true); // parents come first
      expect(j.code).toHaveLength(digits[j.level as keyof typeof digits]);
      if (j.level === 'township' || j.level === 'village')
        expect(j.code.startsWith(j.parentCode ?? 'x')).toBe(true);
      seen.add(j.code);
    }
    expect(byCode.get('450124')).toMatchObject({ name: '马山县', parentCode: '450100' });
    expect(byCode.get('450125')).toMatchObject({ name: '上林县', parentCode: '450100' });
  });

  it('refers only to known sources, categories and jurisdictions', () => {
    const categories = new Set(data.projectCategories.map((c) => c.code));
    for (const s of data.fundSources)
      for (const c of s.permittedCategoryCodes) expect(categories.has(c)).toBe(true);
    const sources = new Set(data.fundSources.map((s) => s.code));
    for (const l of data.budgetLines) {
      expect(sources.has(l.sourceCode)).toBe(true);
      expect(byCode.has(l.jurisdictionCode)).toBe(true);
    }
    expect(data.paymentPurposes.filter((p) => p.prohibited).length).toBeGreaterThanOrEqual(9);
    expect(data.paymentPurposes.find((p) => p.code === 'management_fee')?.prohibited).toBe(false);
  });

  it('never allocates more than a line holds, down the tree or to a paired region, never before receipt', () => {
    const held = new Map<string, { code: string; amount: bigint; receivedOn: string; channel: string }>();
    const channel = new Map(data.fundSources.map((s) => [s.code, s.channel]));
    for (const l of data.budgetLines) {
      held.set(l.key, {
        code: l.jurisdictionCode,
        amount: parseYuan(l.amount),
        receivedOn: l.receivedOn,
        channel: channel.get(l.sourceCode) ?? '',
      });
    }
    const paired = new Set(data.pairings.map((p) => `${p.donorCode}>${p.recipientCode}`));
    for (const a of data.allocations) {
      const parent = held.get(a.parentKey);
      expect(parent).toBeDefined();
      if (!parent) continue;
      const amount = parseYuan(a.amount);
      parent.amount -= amount;
      expect(parent.amount >= 0n).toBe(true);
      expect(a.issuedOn >= parent.receivedOn).toBe(true);
      expect((a.receivedOn ?? a.issuedOn) >= a.issuedOn).toBe(true);
      const target = pathOf(a.toJurisdictionCode);
      const down = target.includes(parent.code) && a.toJurisdictionCode !== parent.code;
      const sideways = parent.channel === 'pairing' && target.some((c) => paired.has(`${parent.code}>${c}`));
      expect(down || sideways).toBe(true);
      held.set(a.key, {
        code: a.toJurisdictionCode,
        amount,
        receivedOn: a.receivedOn ?? a.issuedOn,
        channel: parent.channel,
      });
    }
  });

  it('carries seed 004’s 6:3:1 figures exactly', () => {
    const total = parseYuan('1775940000.00'); // 88,797 people × 20,000 yuan
    const [province, foshan] = splitByWeights(total, [6n, 3n, 1n]);
    expect(parseYuan(data.budgetLines.find((l) => l.key === 'BL-GD-2016-PAIR-PROV')?.amount)).toBe(province);
    expect(parseYuan(data.budgetLines.find((l) => l.key === 'BL-FS-2016-PAIR-CITY')?.amount)).toBe(foshan);
  });
});
