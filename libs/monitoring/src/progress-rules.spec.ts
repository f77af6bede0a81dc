import { defaultMilestones, formatBp, milestoneInForce, progressBp, progressStatus } from './progress-rules';

describe('spending-progress rules', () => {
  const ms = defaultMilestones(2025);

  it('computes basis points rounded down and formats them', () => {
    expect(progressBp(2_000_000_00n, 10_000_000_00n)).toBe(2000);
    expect(progressBp(1n, 3n)).toBe(3333);
    expect(progressBp(0n, 0n)).toBe(0);
    expect(formatBp(8500)).toBe('85.00');
    expect(formatBp(3333)).toBe('33.33');
    expect(formatBp(5)).toBe('0.05');
  });

  it('finds the milestone in force', () => {
    expect(milestoneInForce(ms, '2025-06-29')).toBeNull();
    expect(milestoneInForce(ms, '2025-06-30')).toEqual({ dueOn: '2025-06-30', targetBp: 3000 });
    expect(milestoneInForce(ms, '2025-12-30')?.dueOn).toBe('2025-09-30');
    expect(milestoneInForce(ms, '2026-03-01')?.dueOn).toBe('2025-12-31');
  });

  it('colours progress: green on track, yellow behind, red far behind or short at year end', () => {
    const r = 1n;
    expect(progressStatus(ms, '2025-05-01', 0, r)).toBe('green'); // nothing due yet
    expect(progressStatus(ms, '2025-06-30', 3000, r)).toBe('green');
    expect(progressStatus(ms, '2025-06-30', 2000, r)).toBe('yellow'); // 10 points behind 30 %
    expect(progressStatus(ms, '2025-06-30', 999, r)).toBe('red'); // more than 20 points behind
    expect(progressStatus(ms, '2025-09-30', 4000, r)).toBe('yellow');
    expect(progressStatus(ms, '2025-12-31', 8500, r)).toBe('red'); // below 90 % at year end
    expect(progressStatus(ms, '2025-12-31', 9000, r)).toBe('green');
    expect(progressStatus(ms, '2025-12-31', 0, 0n)).toBe('green'); // nothing received
  });

  it('treats a multi-year plan (seed 004: 30 %/80 %/100 % by the end of 2016/2017/2018) the same way', () => {
    const plan = [
      { dueOn: '2016-12-31', targetBp: 3000 },
      { dueOn: '2017-12-31', targetBp: 8000 },
      { dueOn: '2018-12-31', targetBp: 10000 },
    ];
    expect(progressStatus(plan, '2017-12-31', 7000, 1n)).toBe('yellow');
    expect(progressStatus(plan, '2017-12-31', 5000, 1n)).toBe('red');
    expect(progressStatus(plan, '2018-12-31', 9999, 1n)).toBe('red');
    expect(progressStatus(plan, '2018-12-31', 10000, 1n)).toBe('green');
  });
});
