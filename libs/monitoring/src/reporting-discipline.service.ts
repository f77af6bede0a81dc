import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Actor, assertCovers, todayInChina } from '@sunshine/common';
import { JurisdictionsService } from '@sunshine/jurisdictions';

/** Days without a progress report after which an implementing project is overdue. */
export const REPORT_GAP_DAYS = 30;

export interface SilentProject {
  id: string;
  code: string;
  name: string;
  ownerUnit: string;
  jurisdictionCode: string;
  countyCode: string;
  /** the last report's date, or when the project started implementing if it never reported */
  lastReport: string;
  neverReported: boolean;
  daysSince: number;
}

export interface ReportingDisciplineItem {
  countyCode: string;
  countyName: string;
  implementing: number;
  overdue: number;
  projects: SilentProject[];
}

/** 进度报告纪律: implementing projects with no progress report for 30 days, who they are, per county. */
@Injectable()
export class ReportingDisciplineService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly jurisdictions: JurisdictionsService,
  ) {}

  async report(
    actor: Actor,
    q: { jurisdictionCode?: string; asOf?: string; days?: number },
  ): Promise<{ asOf: string; days: number; items: ReportingDisciplineItem[] }> {
    const root = await this.jurisdictions.get(q.jurisdictionCode ?? actor.jurisdictionCode);
    assertCovers(actor, root.path);
    const asOf = q.asOf ?? todayInChina();
    const days = q.days ?? REPORT_GAP_DAYS;
    const all = await this.implementing(root.path, asOf);
    const byCounty = new Map<string, ReportingDisciplineItem>();
    for (const p of all) {
      const item = byCounty.get(p.countyCode) ?? {
        countyCode: p.countyCode,
        countyName: p.countyName,
        implementing: 0,
        overdue: 0,
        projects: [],
      };
      item.implementing += 1;
      if (p.daysSince > days) {
        item.overdue += 1;
        item.projects.push(p.project);
      }
      byCounty.set(p.countyCode, item);
    }
    return {
      asOf,
      days,
      items: [...byCounty.values()].sort(
        (a, b) => b.overdue - a.overdue || a.countyCode.localeCompare(b.countyCode),
      ),
    };
  }

  /** Every project implementing on `asOf` under the path whose last report is more than `days` old. */
  async overdue(path: string, asOf: string, days = REPORT_GAP_DAYS): Promise<SilentProject[]> {
    return (await this.implementing(path, asOf)).filter((p) => p.daysSince > days).map((p) => p.project);
  }

  private async implementing(
    path: string,
    asOf: string,
  ): Promise<{ countyCode: string; countyName: string; daysSince: number; project: SilentProject }[]> {
    const rows = await this.dataSource.query<
      {
        id: string;
        code: string;
        name: string;
        owner_unit: string;
        jurisdiction_code: string;
        county_code: string;
        county_name: string;
        last: string;
        never: boolean;
        days: number;
      }[]
    >(
      `SELECT p.id, p.code, p.name, p.owner_unit, p.jurisdiction_code,
              coalesce(c.code, p.jurisdiction_code) AS county_code, coalesce(c.name, j.name) AS county_name,
              to_char(coalesce(r.last, t.since), 'YYYY-MM-DD') AS last, r.last IS NULL AS never,
              ($2::date - coalesce(r.last, t.since)) AS days
       FROM projects p
       JOIN jurisdictions j ON j.code = p.jurisdiction_code
       LEFT JOIN jurisdictions c ON c.level = 'county' AND j.path LIKE c.path || '%'
       LEFT JOIN LATERAL (SELECT max(as_of) AS last FROM project_progress_reports WHERE project_id = p.id AND as_of <= $2::date) r ON true
       LEFT JOIN LATERAL (SELECT min(at)::date AS since FROM project_transitions WHERE project_id = p.id AND to_state = 'implementing') t ON true
       WHERE j.path LIKE $1 AND p.state = 'implementing' AND t.since <= $2::date
       ORDER BY days DESC, p.code`,
      [`${path}%`, asOf],
    );
    return rows.map((r) => ({
      countyCode: r.county_code,
      countyName: r.county_name,
      daysSince: r.days,
      project: {
        id: r.id,
        code: r.code,
        name: r.name,
        ownerUnit: r.owner_unit,
        jurisdictionCode: r.jurisdiction_code,
        countyCode: r.county_code,
        lastReport: r.last,
        neverReported: r.never,
        daysSince: r.days,
      },
    }));
  }
}
