import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Actor, assertCovers, assertRole, DomainError, todayInChina } from '@sunshine/common';
import { AuditLogService } from '@sunshine/audit-log';
import { JurisdictionsService } from '@sunshine/jurisdictions';
import { fenFromDb, formatYuan, parseYuan } from '@sunshine/money';
import { SpendingProgressService } from './spending-progress.service';
import { compareDecimal } from './performance.service';

export const TARGET_KINDS = [
  'poor_people_exit',
  'poor_households_exit',
  'poor_villages_exit',
  'projects_completed',
  'funds_spent',
] as const;
export type TargetKind = (typeof TARGET_KINDS)[number];

const LABELS: Record<TargetKind, { label: string; unit: string }> = {
  poor_people_exit: { label: '贫困人口脱贫', unit: '人' },
  poor_households_exit: { label: '贫困户脱贫', unit: '户' },
  poor_villages_exit: { label: '贫困村出列', unit: '个' },
  projects_completed: { label: '项目竣工', unit: '个' },
  funds_spent: { label: '资金支出', unit: '元' },
};

export interface TargetView {
  kind: TargetKind;
  label: string;
  unit: string;
  target: string;
  actual: string;
  /** actual ÷ target in basis points (rounded down; 10000 when the target is 0) */
  percentBp: number;
  deadline: string;
  responsibleUnit: string;
  status: 'done' | 'on_track' | 'behind';
}

/**
 * 挂图作战 (battle map): a jurisdiction's targets for a year — people, households and villages to exit
 * poverty, projects to complete, funds to spend — with deadline and responsible unit, against actuals
 * counted from the data as of a date (exit dates, completion transitions, payments).
 */
@Injectable()
export class TargetsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly jurisdictions: JurisdictionsService,
    private readonly progress: SpendingProgressService,
    private readonly audit: AuditLogService,
  ) {}

  async setTarget(
    actor: Actor,
    input: {
      jurisdictionCode: string;
      year: number;
      kind: TargetKind;
      targetValue: string;
      deadline: string;
      responsibleUnit: string;
      note?: string;
    },
  ): Promise<TargetView> {
    assertRole(actor, ['poverty_office', 'finance', 'admin']);
    const j = await this.jurisdictions.get(input.jurisdictionCode);
    assertCovers(actor, j.path);
    const value =
      input.kind === 'funds_spent' ? parseYuan(input.targetValue).toString() : wholeNumber(input.targetValue);
    await this.dataSource.transaction(async (m) => {
      await m.query(
        `INSERT INTO jurisdiction_targets (jurisdiction_code, year, kind, target_value, deadline, responsible_unit, note, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (jurisdiction_code, year, kind) DO UPDATE SET target_value = EXCLUDED.target_value,
           deadline = EXCLUDED.deadline, responsible_unit = EXCLUDED.responsible_unit, note = EXCLUDED.note,
           created_by = EXCLUDED.created_by, created_at = now()`,
        [
          j.code,
          input.year,
          input.kind,
          value,
          input.deadline,
          input.responsibleUnit,
          input.note ?? null,
          actor.id,
        ],
      );
      await this.audit.append(m, actor, [
        {
          action: 'target.set',
          entityType: 'target',
          entityId: `${j.code}/${input.year}/${input.kind}`,
          jurisdictionCode: j.code,
          after: { ...input, targetValue: input.targetValue },
        },
      ]);
    });
    await this.publishFor(j.code, input.year); // the public battle map shows a new target at once
    const all = await this.targets(actor, { jurisdictionCode: j.code, year: input.year });
    const found = all.items.find((t) => t.kind === input.kind);
    if (!found) throw new Error('target vanished');
    return found;
  }

  /**
   * Writes the public battle map (public_target_figures) for one jurisdiction and year as of a date: the
   * portal reads these figures instead of households, payments and the ledger. Targets no longer set go.
   */
  async publishFor(jurisdictionCode: string, year: number, asOf: string = todayInChina()): Promise<number> {
    const t = await this.targets(null, { jurisdictionCode, year, asOf });
    await this.dataSource.transaction(async (m) => {
      await m.query(`DELETE FROM public_target_figures WHERE jurisdiction_code = $1 AND year = $2`, [
        t.jurisdictionCode,
        year,
      ]);
      for (const i of t.items) {
        await m.query(
          `INSERT INTO public_target_figures (jurisdiction_code, year, kind, label, unit, target, actual, percent_bp,
             deadline, responsible_unit, status, as_of)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
          [
            t.jurisdictionCode,
            year,
            i.kind,
            i.label,
            i.unit,
            i.target,
            i.actual,
            i.percentBp,
            i.deadline,
            i.responsibleUnit,
            i.status,
            t.asOf,
          ],
        );
      }
    });
    return t.items.length;
  }

  /** Refreshes the public battle map of every jurisdiction and year with targets (the worker, hourly). */
  async publishAll(asOf: string = todayInChina()): Promise<{ places: number; figures: number }> {
    const subjects = await this.dataSource.query<{ jurisdiction_code: string; year: number }[]>(
      `SELECT DISTINCT jurisdiction_code, year FROM jurisdiction_targets
       UNION SELECT DISTINCT jurisdiction_code, year FROM public_target_figures ORDER BY 1, 2`,
    );
    let figures = 0;
    for (const s of subjects) figures += await this.publishFor(s.jurisdiction_code, s.year, asOf);
    return { places: subjects.length, figures };
  }

  /** The targets with their actuals as of `asOf` (default today), for the console and the portal's chart. */
  async targets(
    actor: Actor | null,
    q: { jurisdictionCode: string; year: number; asOf?: string },
  ): Promise<{
    jurisdictionCode: string;
    jurisdictionName: string;
    year: number;
    asOf: string;
    items: TargetView[];
  }> {
    const j = await this.jurisdictions.get(q.jurisdictionCode);
    if (actor) assertCovers(actor, j.path);
    const asOf = q.asOf ?? todayInChina();
    const from = `${q.year}-01-01`;
    const to = asOf < `${q.year}-12-31` ? asOf : `${q.year}-12-31`;
    const rows = await this.dataSource.query<
      { kind: TargetKind; target_value: string; deadline: string; responsible_unit: string }[]
    >(
      `SELECT kind, target_value::text AS target_value, to_char(deadline, 'YYYY-MM-DD') AS deadline, responsible_unit
       FROM jurisdiction_targets WHERE jurisdiction_code = $1 AND year = $2`,
      [j.code, q.year],
    );
    const [counts] = await this.dataSource.query<
      { people: string; households: string; villages: string; projects: string }[]
    >(
      `SELECT
         (SELECT coalesce(sum(h.household_size), 0) FROM beneficiary_households h JOIN jurisdictions x ON x.code = h.jurisdiction_code
           WHERE x.path LIKE $1 AND h.exited_on BETWEEN $2::date AND $3::date)::text AS people,
         (SELECT count(*) FROM beneficiary_households h JOIN jurisdictions x ON x.code = h.jurisdiction_code
           WHERE x.path LIKE $1 AND h.exited_on BETWEEN $2::date AND $3::date)::text AS households,
         (SELECT count(*) FROM poor_villages v JOIN jurisdictions x ON x.code = v.village_code
           WHERE x.path LIKE $1 AND v.exited_on BETWEEN $2::date AND $3::date)::text AS villages,
         (SELECT count(DISTINCT t.project_id) FROM project_transitions t JOIN projects p ON p.id = t.project_id
           JOIN jurisdictions x ON x.code = p.jurisdiction_code
           WHERE x.path LIKE $1 AND t.to_state = 'completed'
             AND (t.at AT TIME ZONE 'Asia/Shanghai')::date BETWEEN $2::date AND $3::date)::text AS projects`,
      [`${j.path}%`, from, to],
    );
    const paid = rows.some((r) => r.kind === 'funds_spent')
      ? parseYuan((await this.progress.of(j.code, q.year, to)).paid)
      : 0n;
    const actualOf: Record<TargetKind, string> = {
      poor_people_exit: counts.people,
      poor_households_exit: counts.households,
      poor_villages_exit: counts.villages,
      projects_completed: counts.projects,
      funds_spent: formatYuan(paid),
    };
    const items = TARGET_KINDS.flatMap((kind) => {
      const r = rows.find((x) => x.kind === kind);
      if (!r) return [];
      const target = kind === 'funds_spent' ? formatYuan(fenFromDb(r.target_value)) : r.target_value;
      const actual = actualOf[kind];
      const done = compareDecimal(actual, target) >= 0;
      return [
        {
          kind,
          ...LABELS[kind],
          target,
          actual,
          percentBp: percentBp(actual, target),
          deadline: r.deadline,
          responsibleUnit: r.responsible_unit,
          status: done ? ('done' as const) : asOf > r.deadline ? ('behind' as const) : ('on_track' as const),
        },
      ];
    });
    return { jurisdictionCode: j.code, jurisdictionName: j.name, year: q.year, asOf, items };
  }

  /** 贫困村: registration and exit (出列) of a village; its exit counts toward the villages target. */
  async setVillage(
    actor: Actor,
    input: { villageCode: string; registeredOn: string; exitedOn?: string },
  ): Promise<{ villageCode: string; registeredOn: string; exitedOn: string | null }> {
    assertRole(actor, ['poverty_office']);
    const v = await this.jurisdictions.get(input.villageCode);
    assertCovers(actor, v.path, 'villageCode');
    if (v.level !== 'village') {
      throw new DomainError('VALIDATION_FAILED', 'a poor village is a village', [
        { field: 'villageCode', problem: `a ${v.level}` },
      ]);
    }
    if (input.exitedOn && input.exitedOn < input.registeredOn) {
      throw new DomainError('VALIDATION_FAILED', 'exit before registration', [
        { field: 'exitedOn', problem: 'before registeredOn' },
      ]);
    }
    await this.dataSource.transaction(async (m) => {
      await m.query(
        `INSERT INTO poor_villages (village_code, registered_on, exited_on, updated_by) VALUES ($1, $2, $3, $4)
         ON CONFLICT (village_code) DO UPDATE SET registered_on = EXCLUDED.registered_on, exited_on = EXCLUDED.exited_on,
           updated_by = EXCLUDED.updated_by, updated_at = now()`,
        [v.code, input.registeredOn, input.exitedOn ?? null, actor.id],
      );
      await this.audit.append(m, actor, [
        {
          action: 'village.poverty_status',
          entityType: 'village',
          entityId: v.code,
          jurisdictionCode: v.code,
          after: input,
        },
      ]);
    });
    return { villageCode: v.code, registeredOn: input.registeredOn, exitedOn: input.exitedOn ?? null };
  }
}

function wholeNumber(text: string): string {
  if (!/^(0|[1-9][0-9]{0,9})$/.test(text)) {
    throw new DomainError('VALIDATION_FAILED', 'this target is a whole number', [
      { field: 'targetValue', problem: 'not a whole number' },
    ]);
  }
  return text;
}

/** Hundredths of a count ("12") or of a yuan amount with two decimals ("123.45"). */
const hundredths = (s: string): bigint => (s.includes('.') ? BigInt(s.replace('.', '')) : BigInt(s) * 100n);

function percentBp(actual: string, target: string): number {
  const t = hundredths(target);
  if (t === 0n) return 10000;
  return Number((hundredths(actual) * 10000n) / t);
}
