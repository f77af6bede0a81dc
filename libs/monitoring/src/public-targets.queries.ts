import { Injectable, Module } from '@nestjs/common';
import { DataSource } from 'typeorm';

export interface PublicTargetFigure {
  kind: string;
  label: string;
  unit: string;
  target: string;
  actual: string;
  percentBp: number;
  deadline: string;
  responsibleUnit: string;
  status: 'done' | 'on_track' | 'behind';
  asOf: string;
}

/** The public battle map (挂图作战), read from the public_targets view only (the portal's role). */
@Injectable()
export class PublicTargetsQueries {
  constructor(private readonly dataSource: DataSource) {}

  /** Jurisdictions with published targets in a year. */
  async places(year: number): Promise<{ code: string; name: string }[]> {
    return this.dataSource.query<{ code: string; name: string }[]>(
      `SELECT DISTINCT jurisdiction_code AS code, jurisdiction_name AS name, jurisdiction_path FROM public_targets
       WHERE year = $1 ORDER BY jurisdiction_path`,
      [year],
    );
  }

  async of(code: string, year: number): Promise<{ name: string | null; items: PublicTargetFigure[] }> {
    const rows = await this.dataSource.query<
      {
        jurisdiction_name: string;
        kind: string;
        label: string;
        unit: string;
        target: string;
        actual: string;
        percent_bp: number;
        deadline: string;
        responsible_unit: string;
        status: 'done' | 'on_track' | 'behind';
        as_of: string;
      }[]
    >(
      `SELECT jurisdiction_name, kind, label, unit, target, actual, percent_bp, to_char(deadline, 'YYYY-MM-DD') AS deadline,
         responsible_unit, status, to_char(as_of, 'YYYY-MM-DD') AS as_of
       FROM public_targets WHERE jurisdiction_code = $1 AND year = $2
       ORDER BY array_position(ARRAY['poor_people_exit','poor_households_exit','poor_villages_exit','projects_completed','funds_spent'], kind)`,
      [code, year],
    );
    return {
      name: rows[0]?.jurisdiction_name ?? null,
      items: rows.map((r) => ({
        kind: r.kind,
        label: r.label,
        unit: r.unit,
        target: r.target,
        actual: r.actual,
        percentBp: r.percent_bp,
        deadline: r.deadline,
        responsibleUnit: r.responsible_unit,
        status: r.status,
        asOf: r.as_of,
      })),
    };
  }
}

/** What the portal needs of monitoring: the public battle map, nothing else. */
@Module({ providers: [PublicTargetsQueries], exports: [PublicTargetsQueries] })
export class PublicMonitoringModule {}
