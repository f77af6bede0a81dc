import { createViewEnvironment, formatWan, maskIdNumber, maskPhone } from './handlebars-env';

describe('view helpers', () => {
  it('masks personal data as DOMAIN.md §5 says', () => {
    expect(maskIdNumber('450122199001011234')).toBe('450122********1234');
    expect(maskPhone('13812345678')).toBe('138****5678');
  });

  it('formats fen as yuan and 万元', () => {
    const hbs = createViewEnvironment();
    expect(hbs.compile('{{yuan a}}', { strict: true })({ a: 123450n })).toBe('1234.50');
    expect(formatWan(600000000n)).toBe('600.00万');
  });

  it('is strict: a missing variable is an error', () => {
    const hbs = createViewEnvironment();
    expect(() => hbs.compile('{{missing}}', { strict: true })({})).toThrow();
  });
});
