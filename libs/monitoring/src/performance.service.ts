import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Actor, assertCovers } from '@sunshine/common';
import { JurisdictionsService } from '@sunshine/jurisdictions';

export type Attainment = 'met' | 'partly' | 'not_met';

export interface IndicatorAttainment {
  indicator: string;
  unit: string;
  targetValue: string;
  actualValue: string | null;
  deadline: string | null;
  attainment: Attainment;
}

export interface ProjectAttainment {
  projectId: string;
  code: string;
  name: string;
  jurisdictionCode: string;
  countyCode: string;
  state: string;
  attainment: Attainment;
  indicators: IndicatorAttainment[];
}

/**
 * An indicator is met when its latest reported actual reaches the target, partly met when something was
 * achieved, not met when nothing was (or nothing was reported). A project is met when every indicator is,
 * partly met when any is met or partly met, not met otherwise. Indicators are "more is better" counts and
 * quantities (kilometres, households, hectares), as the project library records them.
 */
export function classifyIndicator(target: string, actual: string | null): Attainment {
  if (actual === null) return 'not_met';
  const cmp = compareDecimal(actual, target);
  if (cmp >= 0) return 'met';
  return compareDecimal(actual, '0') > 0 ? 'partly' : 'not_met';
}

export function classifyProject(indicators: readonly Attainment[]): Attainment {
  if (indicators.length > 0 && indicators.every((a) => a === 'met')) return 'met';
  if (indicators.some((a) => a !== 'not_met')) return 'partly';
  return 'not_met';
}

/** Compares two non-negative (or negative) decimal strings exactly, without floats. */
export function compareDecimal(a: string, b: string): number {
  const scale = (s: string) => {
    const neg = s.startsWith('-');
    const [i, f = ''] = (neg ? s.slice(1) : s).split('.');
    const v = BigInt(i + f.padEnd(8, '0').slice(0, 8));
    return neg ? -v : v;
  };
  const d = scale(a) - scale(b);
  return d > 0n ? 1 : d < 0n ? -1 : 0;
}

/** 绩效评价: year-end attainment of performance targets per project and per county. */
@Injectable()
export class PerformanceService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly jurisdictions: JurisdictionsService,
  ) {}

  async attainment(
    actor: Actor,
    q: { year: number; jurisdictionCode?: string },
  ): Promise<{
    year: number;
    projects: ProjectAttainment[];
    byCounty: { countyCode: string; met: number; partly: number; notMet: number }[];
  }> {
    const root = await this.jurisdictions.get(q.jurisdictionCode ?? actor.jurisdictionCode);
    assertCovers(actor, root.path);
    const yearEnd = `${q.year}-12-31`;
    // projects whose targets fall due in the year (a target without deadline is due when the project ends)
    const rows = await this.dataSource.query<
      {
        project_id: string;
        code: string;
        name: string;
        jurisdiction_code: string;
        county_code: string;
        state: string;
        indicator: string;
        unit: string;
        target_value: string;
        deadline: string | null;
        actual: string | null;
      }[]
    >(
      `SELECT p.id AS project_id, p.code, p.name, p.jurisdiction_code, coalesce(c.code, p.jurisdiction_code) AS county_code,
              p.state, t.indicator, t.unit, t.target_value::text AS target_value, to_char(t.deadline, 'YYYY-MM-DD') AS deadline,
              (SELECT a.actual_value::text FROM progress_indicator_actuals a JOIN project_progress_reports r ON r.id = a.report_id
                WHERE a.target_id = t.id AND r.as_of <= $3::date ORDER BY r.as_of DESC, r.created_at DESC LIMIT 1) AS actual
       FROM projects p
       JOIN jurisdictions j ON j.code = p.jurisdiction_code
       LEFT JOIN jurisdictions c ON c.level = 'county' AND j.path LIKE c.path || '%'
       JOIN project_performance_targets t ON t.project_id = p.id
       WHERE j.path LIKE $1 AND extract(year FROM coalesce(t.deadline, p.end_on)) = $2
         AND p.state NOT IN ('draft', 'village_applied', 'township_reviewed', 'county_appraised', 'rejected', 'withdrawn')
       ORDER BY p.code, t.id`,
      [`${root.path}%`, q.year, yearEnd],
    );
    const projects = new Map<string, ProjectAttainment>();
    for (const r of rows) {
      const p = projects.get(r.project_id) ?? {
        projectId: r.project_id,
        code: r.code,
        name: r.name,
        jurisdictionCode: r.jurisdiction_code,
        countyCode: r.county_code,
        state: r.state,
        attainment: 'not_met' as Attainment,
        indicators: [],
      };
      p.indicators.push({
        indicator: r.indicator,
        unit: r.unit,
        targetValue: r.target_value,
        actualValue: r.actual,
        deadline: r.deadline,
        attainment: classifyIndicator(r.target_value, r.actual),
      });
      projects.set(r.project_id, p);
    }
    const list = [...projects.values()];
    for (const p of list) p.attainment = classifyProject(p.indicators.map((i) => i.attainment));
    const counties = new Map<string, { countyCode: string; met: number; partly: number; notMet: number }>();
    for (const p of list) {
      const c = counties.get(p.countyCode) ?? { countyCode: p.countyCode, met: 0, partly: 0, notMet: 0 };
      if (p.attainment === 'met') c.met += 1;
      else if (p.attainment === 'partly') c.partly += 1;
      else c.notMet += 1;
      counties.set(p.countyCode, c);
    }
    return { year: q.year, projects: list, byCounty: [...counties.values()] };
  }
}
