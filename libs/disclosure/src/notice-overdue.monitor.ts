import { Injectable, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Finding, MonitorFinder, MonitorRegistry } from '@sunshine/monitoring';
import { NOTICE_SPECS, NoticeType } from './notice-types';

/** Days past the deadline after which an unpublished notice's alert turns red. */
export const NOTICE_RED_AFTER_DAYS = 10;

/**
 * NOTICE_OVERDUE: a notice not published by its deadline (as of a date: triggered by then, neither published
 * nor withdrawn by then). The alert goes to the county (or higher) office that must publish it.
 */
@Injectable()
export class NoticeOverdueMonitor implements MonitorFinder, OnModuleInit {
  readonly name = 'NOTICE_OVERDUE';

  constructor(
    private readonly dataSource: DataSource,
    private readonly registry: MonitorRegistry,
  ) {}

  onModuleInit(): void {
    this.registry.register(this);
  }

  async findings(asOf: string): Promise<Finding[]> {
    const rows = await this.dataSource.query<
      {
        id: string;
        type: NoticeType;
        title: string;
        deadline: string;
        days_late: number;
        jurisdiction_code: string;
        responsible_code: string;
        owner_unit: string | null;
        project_code: string | null;
      }[]
    >(
      `SELECT n.id, n.type, v.title, to_char(n.deadline, 'YYYY-MM-DD') AS deadline,
         ($1::date - n.deadline) AS days_late, n.jurisdiction_code, n.owner_unit, n.project_code,
         COALESCE((SELECT a.code FROM jurisdictions a
                   WHERE j.path LIKE a.path || '%' AND a.level = 'county'), n.jurisdiction_code) AS responsible_code
       FROM notices n JOIN jurisdictions j ON j.code = n.jurisdiction_code
       JOIN notice_versions v ON v.notice_id = n.id AND v.version = n.current_version
       WHERE n.deadline < $1::date AND n.triggered_on <= $1::date
         AND (n.published_at IS NULL OR (n.published_at AT TIME ZONE 'Asia/Shanghai')::date > $1::date)
         AND (n.withdrawn_at IS NULL OR (n.withdrawn_at AT TIME ZONE 'Asia/Shanghai')::date > $1::date)
       ORDER BY n.deadline, n.id`,
      [asOf],
    );
    return rows.map((r) => ({
      rule: 'NOTICE_OVERDUE',
      subjectType: 'notice',
      subjectId: r.id,
      jurisdictionCode: r.responsible_code,
      severity: r.days_late > NOTICE_RED_AFTER_DAYS ? 'red' : 'yellow',
      title: `${r.type} ${NOTICE_SPECS[r.type].name}逾期 ${r.days_late} 天未公开：${r.title}`,
      details: {
        noticeId: r.id,
        type: r.type,
        deadline: r.deadline,
        daysLate: r.days_late,
        publisherJurisdiction: r.jurisdiction_code,
        ownerUnit: r.owner_unit,
        projectCode: r.project_code,
        asOf,
      },
    }));
  }
}
