import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Actor, assertRole, DomainError } from '@sunshine/common';
import { AuditLogService } from '@sunshine/audit-log';
import { CalendarOverride, WorkingDayCalendar } from './working-days';

/** The working-day calendar with the administration's overrides from the database (one per day). */
@Injectable()
export class CalendarService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditLogService,
  ) {}

  async calendar(): Promise<WorkingDayCalendar> {
    const rows = await this.dataSource.query<{ day: string; working: boolean; note: string }[]>(
      `SELECT to_char(day, 'YYYY-MM-DD') AS day, working, note FROM calendar_overrides ORDER BY day`,
    );
    return new WorkingDayCalendar(rows.map((r) => ({ date: r.day, working: r.working, note: r.note })));
  }

  /** Years from `from` to `to` and whether each has a calendar (package or overrides). */
  async coverage(from: number, to: number): Promise<{ year: number; covered: boolean; source: string }[]> {
    const cal = await this.calendar();
    const out: { year: number; covered: boolean; source: string }[] = [];
    for (let y = from; y <= to; y++) {
      const pkg = WorkingDayCalendar.packageCovers(y);
      out.push({
        year: y,
        covered: cal.covers(y),
        source: pkg ? 'chinese-days' : cal.covers(y) ? 'overrides' : 'none',
      });
    }
    return out;
  }

  /** Admin enters days for a year the package lacks (or corrects one); each change is audit-logged. */
  async setOverrides(actor: Actor, days: CalendarOverride[]): Promise<void> {
    assertRole(actor, ['admin']);
    const seen = new Set<string>();
    for (const [i, d] of days.entries()) {
      if (seen.has(d.date)) {
        throw new DomainError('VALIDATION_FAILED', `day ${d.date} appears twice`, [
          { field: `days[${i}].date`, problem: 'duplicate' },
        ]);
      }
      seen.add(d.date);
    }
    await this.dataSource.transaction(async (m) => {
      for (const d of days) {
        await m.query(
          `INSERT INTO calendar_overrides (day, working, note, created_by) VALUES ($1, $2, $3, $4)
           ON CONFLICT (day) DO UPDATE SET working = EXCLUDED.working, note = EXCLUDED.note,
             created_by = EXCLUDED.created_by, created_at = now()`,
          [d.date, d.working, d.note, actor.id],
        );
      }
      await this.audit.append(m, actor, [
        {
          action: 'calendar.override',
          entityType: 'calendar',
          entityId: [...new Set(days.map((d) => d.date.slice(0, 4)))].join(','),
          jurisdictionCode: actor.jurisdictionCode,
          after: { days },
        },
      ]);
    });
  }
}
