import { isHoliday, isWorkday } from 'chinese-days';

/** A day the administration explicitly set (a year the package does not cover yet, or a local decision). */
export interface CalendarOverride {
  date: string; // YYYY-MM-DD
  working: boolean;
  note: string;
}

export class CalendarNotCovered extends Error {
  constructor(readonly year: number) {
    super(
      `no working-day calendar for ${year}: the holiday package does not cover it and no override marks it as entered`,
    );
  }
}

const DAY_MS = 86_400_000;
const iso = (d: Date): string => d.toISOString().slice(0, 10);
const parse = (s: string): Date => new Date(`${s}T00:00:00Z`);

/**
 * The Chinese working-day calendar: statutory holidays and adjusted working days (调休) from the
 * `chinese-days` package, corrected by overrides from the database. A year the package does not cover
 * (元旦 is not a holiday there) and for which no override exists is refused, never treated as all
 * weekdays: deadlines computed on a guessed calendar would be wrong in exactly the weeks that matter.
 */
export class WorkingDayCalendar {
  private readonly overrides: Map<string, CalendarOverride>;
  private readonly enteredYears: Set<number>;

  constructor(overrides: readonly CalendarOverride[] = []) {
    this.overrides = new Map(overrides.map((o) => [o.date, o]));
    this.enteredYears = new Set(overrides.map((o) => Number(o.date.slice(0, 4))));
  }

  /** Whether the package has the year's holidays (元旦 is a holiday every year it covers). */
  static packageCovers(year: number): boolean {
    return isHoliday(`${year}-01-01`);
  }

  covers(year: number): boolean {
    return WorkingDayCalendar.packageCovers(year) || this.enteredYears.has(year);
  }

  isWorkingDay(date: string): boolean {
    const o = this.overrides.get(date);
    if (o) return o.working;
    const year = Number(date.slice(0, 4));
    if (WorkingDayCalendar.packageCovers(year)) return isWorkday(date);
    if (this.enteredYears.has(year)) {
      const dow = parse(date).getUTCDay();
      return dow !== 0 && dow !== 6; // an entered year: its holidays are overrides, other weekdays work
    }
    throw new CalendarNotCovered(year);
  }

  /**
   * The date `n` working days after `date` (n ≥ 0; n = 0 gives `date` itself if it is a working day, else
   * the next working day). Used for disclosure deadlines and issuance timeliness.
   */
  addWorkingDays(date: string, n: number): string {
    if (!Number.isInteger(n) || n < 0) throw new RangeError('n must be a whole number ≥ 0');
    let d = parse(date);
    if (n === 0) {
      while (!this.isWorkingDay(iso(d))) d = new Date(d.getTime() + DAY_MS);
      return iso(d);
    }
    let left = n;
    while (left > 0) {
      d = new Date(d.getTime() + DAY_MS);
      if (this.isWorkingDay(iso(d))) left -= 1;
    }
    return iso(d);
  }

  /** Working days strictly after `from` up to and including `to`. */
  workingDaysBetween(from: string, to: string): number {
    let n = 0;
    for (let d = parse(from).getTime() + DAY_MS; d <= parse(to).getTime(); d += DAY_MS) {
      if (this.isWorkingDay(iso(new Date(d)))) n += 1;
    }
    return n;
  }
}

/** Calendar days from `from` to `to` (to − from). */
export const daysBetween = (from: string, to: string): number =>
  Math.round((parse(to).getTime() - parse(from).getTime()) / DAY_MS);
