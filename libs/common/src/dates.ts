import { DomainError } from './errors';

export const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

/** A valid calendar date `YYYY-MM-DD` (no 2016-02-30). */
export function isIsoDate(value: unknown): value is string {
  if (typeof value !== 'string' || !DATE_PATTERN.test(value)) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}

export function assertIsoDate(value: string, field: string): string {
  if (!isIsoDate(value)) {
    throw new DomainError('VALIDATION_FAILED', `${field} must be a date YYYY-MM-DD`, [
      { field, problem: 'not a date YYYY-MM-DD' },
    ]);
  }
  return value;
}

/** Today in China (UTC+8), as YYYY-MM-DD: the business date of writes made now. */
export function todayInChina(now: Date = new Date()): string {
  return new Date(now.getTime() + 8 * 3600_000).toISOString().slice(0, 10);
}

export function yearMonthOf(date: string): { year: number; month: number } {
  return { year: Number(date.slice(0, 4)), month: Number(date.slice(5, 7)) };
}
