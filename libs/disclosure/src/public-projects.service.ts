import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { oc4idsProject, OC4IDS_VERSION, PublicProjectRow } from './oc4ids';
import { PublicNoticesService } from './public-notices.service';

/** Announced projects (public_projects view) and their OC4IDS project package. */
@Injectable()
export class PublicProjectsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly notices: PublicNoticesService,
  ) {}

  /** The OC4IDS package of every announced project (of a region if asked), or null when there is none. */
  async oc4idsPackage(
    base: string,
    opts: { jurisdictionCode?: string; prefix?: string } = {},
  ): Promise<Record<string, unknown> | null> {
    const params: unknown[] = [];
    let where = '';
    if (opts.jurisdictionCode) {
      params.push(`%/${opts.jurisdictionCode}/%`);
      where = 'WHERE jurisdiction_path LIKE $1';
    }
    const rows = await this.dataSource.query<PublicProjectRow[]>(
      `SELECT id, code, name, category_code, category_name, jurisdiction_code, jurisdiction_name, county_name, location,
         content_scale, owner_unit, planned_budget::text AS planned_budget, to_char(start_on, 'YYYY-MM-DD') AS start_on,
         to_char(end_on, 'YYYY-MM-DD') AS end_on, benefit_mechanism, poor_households, poor_people, state,
         funded::text AS funded, paid::text AS paid, updated_at, to_char(accepted_on, 'YYYY-MM-DD') AS accepted_on
       FROM public_projects ${where} ORDER BY code LIMIT 100000`,
      params,
    );
    if (rows.length === 0) return null;
    const projects: Record<string, unknown>[] = [];
    for (const r of rows) {
      projects.push(
        oc4idsProject(r, await this.notices.forProject(r.code), base, opts.prefix ?? 'oc4ids-sunshine'),
      );
    }
    const latest = rows.reduce((a, r) => (r.updated_at > a ? r.updated_at : a), rows[0].updated_at);
    return {
      uri: `${base}/api/public/oc4ids/projects.json${opts.jurisdictionCode ? `?jurisdiction=${opts.jurisdictionCode}` : ''}`,
      version: OC4IDS_VERSION,
      publishedDate: latest.toISOString(),
      publisher: { name: '阳光扶贫资金监管与公告公示平台' },
      license: 'https://creativecommons.org/licenses/by/4.0/',
      publicationPolicy: `${base}/open-data`,
      projects,
    };
  }
}
