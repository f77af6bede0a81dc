import { CalendarNotCovered, daysBetween, WorkingDayCalendar } from './working-days';

describe('WorkingDayCalendar', () => {
  const cal = new WorkingDayCalendar();

  it('knows the statutory holidays and the adjusted working days (调休) of covered years', () => {
    expect(cal.isWorkingDay('2026-10-01')).toBe(false); // 国庆节
    expect(cal.isWorkingDay('2026-10-09')).toBe(true);
    expect(cal.isWorkingDay('2026-02-14')).toBe(true); // a Saturday made a working day before 春节
    expect(cal.isWorkingDay('2026-02-17')).toBe(false); // 春节
    expect(cal.isWorkingDay('2026-11-24')).toBe(true); // a plain Tuesday
    expect(cal.isWorkingDay('2026-11-28')).toBe(false); // a plain Saturday
  });

  it('adds working days across the National Day week', () => {
    // 30 September 2026 (Wednesday) + 5 working days skips 1–7 October
    expect(cal.addWorkingDays('2026-09-30', 5)).toBe('2026-10-13');
    expect(cal.addWorkingDays('2026-11-24', 0)).toBe('2026-11-24');
    expect(cal.addWorkingDays('2026-11-28', 0)).toBe('2026-11-30');
    expect(cal.workingDaysBetween('2026-09-30', '2026-10-13')).toBe(5);
    expect(daysBetween('2026-03-01', '2026-04-15')).toBe(45);
  });

  it('refuses a year nobody entered instead of treating it as all weekdays', () => {
    expect(WorkingDayCalendar.packageCovers(2026)).toBe(true);
    expect(WorkingDayCalendar.packageCovers(2027)).toBe(false);
    expect(() => cal.isWorkingDay('2027-03-01')).toThrow(CalendarNotCovered);
    expect(() => cal.addWorkingDays('2026-12-30', 5)).toThrow(CalendarNotCovered);
  });

  it('uses overrides for a year the package does not cover yet', () => {
    const withOverrides = new WorkingDayCalendar([
      { date: '2027-01-01', working: false, note: '元旦' },
      { date: '2027-02-06', working: true, note: '春节调休上班' },
    ]);
    expect(withOverrides.covers(2027)).toBe(true);
    expect(withOverrides.isWorkingDay('2027-01-01')).toBe(false);
    expect(withOverrides.isWorkingDay('2027-01-04')).toBe(true); // Monday
    expect(withOverrides.isWorkingDay('2027-02-06')).toBe(true); // a Saturday made a working day
    expect(withOverrides.addWorkingDays('2026-12-30', 2)).toBe('2027-01-04');
  });
});
