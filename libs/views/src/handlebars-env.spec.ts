import {
  beijingTime,
  createViewEnvironment,
  formatWan,
  groupThousands,
  maskIdNumber,
  maskPhone,
} from './handlebars-env';

describe('view helpers', () => {
  it('masks personal data as DOMAIN.md §5 says', () => {
    expect(maskIdNumber('450122199001011234')).toBe('450122********1234');
    expect(maskPhone('13812345678')).toBe('138****5678');
  });

  it('formats fen as yuan and 万元', () => {
    const hbs = createViewEnvironment();
    expect(hbs.compile('{{yuan a}}', { strict: true })({ a: 123450n })).toBe('1234.50');
    expect(formatWan(600000000n)).toBe('600.00万');
    expect(groupThousands('10000000.00')).toBe('10,000,000.00');
    expect(groupThousands('999.50')).toBe('999.50');
    expect(groupThousands('-1234567.00')).toBe('-1,234,567.00');
    expect(hbs.compile('{{money a}}', { strict: true })({ a: '1775940000' })).toBe('17,759,400.00');
    expect(beijingTime(new Date('2026-11-24T16:30:00Z'))).toBe('2026-11-25 00:30（北京时间）');
  });

  it('is strict: a missing variable is an error', () => {
    const hbs = createViewEnvironment();
    expect(() => hbs.compile('{{missing}}', { strict: true })({})).toThrow();
  });
});
