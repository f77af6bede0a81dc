import fc from 'fast-check';
import {
  basisPoints,
  formatBasisPoints,
  formatYuan,
  InvalidYuanError,
  MAX_FEN,
  parseYuan,
  splitByWeights,
  sumFen,
} from './money';

describe('parseYuan', () => {
  it.each([
    ['0', 0n],
    ['1200000', 120000000n],
    ['1200000.5', 120000050n],
    ['1200000.50', 120000050n],
    ['0.01', 1n],
    ['99999999999999.99', MAX_FEN],
  ])('parses %s', (input, fen) => {
    expect(parseYuan(input)).toBe(fen);
  });

  it.each([
    [1200],
    ['1.234'],
    ['-5'],
    ['+5'],
    ['abc'],
    ['1e5'],
    ['１００'],
    [' 100'],
    ['100 '],
    [''],
    ['01'],
    ['1.'],
    ['.5'],
    ['100000000000000000000'],
    ['100000000000000'],
    [null],
    [undefined],
    [12n],
  ])('rejects %p', (input) => {
    expect(() => parseYuan(input)).toThrow(InvalidYuanError);
  });
});

describe('formatYuan', () => {
  it('always writes two decimals', () => {
    expect(formatYuan(0n)).toBe('0.00');
    expect(formatYuan(5n)).toBe('0.05');
    expect(formatYuan(120000050n)).toBe('1200000.50');
    expect(formatYuan(-150n)).toBe('-1.50');
  });

  it('parse ∘ format is the identity on every fen amount the API accepts', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: MAX_FEN }), (fen) => {
        expect(parseYuan(formatYuan(fen))).toBe(fen);
      }),
      { numRuns: 2000 },
    );
  });

  it('format ∘ parse normalises to exactly two decimals', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^(0|[1-9][0-9]{0,13})(\.[0-9]{1,2})?$/), (s) => {
        const formatted = formatYuan(parseYuan(s));
        expect(formatted).toMatch(/^(0|[1-9][0-9]*)\.[0-9]{2}$/);
        expect(parseYuan(formatted)).toBe(parseYuan(s));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('splitByWeights', () => {
  it('splits 17,759,400.00 yuan 6:3:1 exactly', () => {
    const shares = splitByWeights(parseYuan('17759400.00'), [6n, 3n, 1n]);
    expect(shares.map(formatYuan)).toEqual(['10655640.00', '5327820.00', '1775940.00']);
  });

  it('gives the odd fen to the largest remainder', () => {
    expect(splitByWeights(10n, [1n, 1n, 1n])).toEqual([4n, 3n, 3n]);
    expect(splitByWeights(100n, [6n, 3n, 1n])).toEqual([60n, 30n, 10n]);
    expect(splitByWeights(1n, [6n, 3n, 1n])).toEqual([1n, 0n, 0n]);
  });

  it('never loses or invents a fen (6:3:1 and arbitrary weights)', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: MAX_FEN }),
        fc.array(fc.bigInt({ min: 0n, max: 1_000_000n }), { minLength: 1, maxLength: 40 }),
        (total, weights) => {
          fc.pre(weights.some((w) => w > 0n));
          const shares = splitByWeights(total, weights);
          expect(sumFen(shares)).toBe(total);
          const weightSum = sumFen(weights);
          shares.forEach((share, i) => {
            const exact = (total * weights[i]) / weightSum;
            expect(share === exact || share === exact + 1n).toBe(true);
          });
        },
      ),
      { numRuns: 1000 },
    );
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: MAX_FEN }), (total) => {
        expect(sumFen(splitByWeights(total, [6n, 3n, 1n]))).toBe(total);
      }),
    );
  });

  it('rejects meaningless weights', () => {
    expect(() => splitByWeights(10n, [])).toThrow(RangeError);
    expect(() => splitByWeights(10n, [0n, 0n])).toThrow(RangeError);
    expect(() => splitByWeights(10n, [-1n, 2n])).toThrow(RangeError);
  });
});

describe('basis points', () => {
  it('computes and formats integer percentages', () => {
    expect(basisPoints(85n, 100n)).toBe(8500);
    expect(basisPoints(2n, 3n)).toBe(6667);
    expect(basisPoints(1n, 0n)).toBe(0);
    expect(formatBasisPoints(8500)).toBe('85.00');
    expect(formatBasisPoints(6667)).toBe('66.67');
    expect(formatBasisPoints(5)).toBe('0.05');
  });
});
