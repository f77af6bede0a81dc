import fc from 'fast-check';
import { splitByFactors } from './factors';
import { formatYuan, parseYuan, sumFen } from './money';

describe('因素法 splitByFactors', () => {
  it('6:3:1 of 17,759,400.00 is one factor with values 6, 3, 1', () => {
    const shares = splitByFactors(
      parseYuan('17759400.00'),
      [{ code: 'ratio', weightBp: 10_000 }],
      [
        { key: 'province', values: { ratio: '6' } },
        { key: 'foshan', values: { ratio: '3' } },
        { key: 'local', values: { ratio: '1' } },
      ],
    );
    expect(shares.map((s) => formatYuan(s.amount))).toEqual(['10655640.00', '5327820.00', '1775940.00']);
  });

  it('matches a hand computation with two weighted factors', () => {
    // poor people 60%, poverty incidence 40% over three counties; 10,000,000.00 yuan
    // people: 30, 50, 20 (sum 100) → 0.3, 0.5, 0.2 ; incidence: 10, 6, 4 (sum 20) → 0.5, 0.3, 0.2
    // shares: 0.6·0.3+0.4·0.5 = 0.38 ; 0.6·0.5+0.4·0.3 = 0.42 ; 0.6·0.2+0.4·0.2 = 0.20
    const shares = splitByFactors(
      parseYuan('10000000.00'),
      [
        { code: 'people', weightBp: 6000 },
        { code: 'incidence', weightBp: 4000 },
      ],
      [
        { key: 'a', values: { people: '30', incidence: '10' } },
        { key: 'b', values: { people: '50', incidence: '6' } },
        { key: 'c', values: { people: '20', incidence: '4' } },
      ],
    );
    expect(shares.map((s) => formatYuan(s.amount))).toEqual(['3800000.00', '4200000.00', '2000000.00']);
    expect(shares.map((s) => s.sharePpm)).toEqual([380000, 420000, 200000]);
  });

  it('gives thirds to the fen: the odd fen goes to the largest remainder', () => {
    const shares = splitByFactors(
      parseYuan('100.00'),
      [{ code: 'x', weightBp: 10_000 }],
      ['a', 'b', 'c'].map((key) => ({ key, values: { x: '1' } })),
    );
    expect(shares.map((s) => formatYuan(s.amount))).toEqual(['33.34', '33.33', '33.33']);
  });

  it('never loses or invents a fen', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 9_999_999_999_999_999n }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 1_000_000 }), fc.integer({ min: 1, max: 99_999 })), {
          minLength: 1,
          maxLength: 30,
        }),
        fc.integer({ min: 1, max: 9_999 }),
        (total, rows, w) => {
          const shares = splitByFactors(
            total,
            [
              { code: 'p', weightBp: w },
              { code: 'q', weightBp: 10_000 - w },
            ],
            rows.map(([p, q], i) => ({ key: String(i), values: { p: String(p + 1), q: `${q}.5` } })),
          );
          expect(sumFen(shares.map((s) => s.amount))).toBe(total);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('refuses weights that do not add up to 100% and missing values', () => {
    expect(() =>
      splitByFactors(1n, [{ code: 'x', weightBp: 9000 }], [{ key: 'a', values: { x: '1' } }]),
    ).toThrow(RangeError);
    expect(() => splitByFactors(1n, [{ code: 'x', weightBp: 10_000 }], [{ key: 'a', values: {} }])).toThrow(
      RangeError,
    );
    expect(() =>
      splitByFactors(1n, [{ code: 'x', weightBp: 10_000 }], [{ key: 'a', values: { x: '-1' } }]),
    ).toThrow(RangeError);
  });
});
