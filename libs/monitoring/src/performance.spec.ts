import { classifyIndicator, classifyProject, compareDecimal } from './performance.service';

describe('performance attainment (绩效评价)', () => {
  it('compares decimals exactly', () => {
    expect(compareDecimal('12.5', '12.50')).toBe(0);
    expect(compareDecimal('12.4999', '12.5')).toBe(-1);
    expect(compareDecimal('100', '99.9999')).toBe(1);
    expect(compareDecimal('0.1', '0')).toBe(1);
  });

  it('classifies indicators and projects', () => {
    expect(classifyIndicator('12.5', '12.5')).toBe('met');
    expect(classifyIndicator('12.5', '13')).toBe('met');
    expect(classifyIndicator('12.5', '6')).toBe('partly');
    expect(classifyIndicator('12.5', '0')).toBe('not_met');
    expect(classifyIndicator('12.5', null)).toBe('not_met');
    expect(classifyProject(['met', 'met'])).toBe('met');
    expect(classifyProject(['met', 'not_met'])).toBe('partly');
    expect(classifyProject(['partly'])).toBe('partly');
    expect(classifyProject(['not_met', 'not_met'])).toBe('not_met');
    expect(classifyProject([])).toBe('not_met');
  });
});
