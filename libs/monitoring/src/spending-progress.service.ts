import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Actor, assertCovers, assertRole, DomainError, todayInChina } from '@sunshine/common';
import { AuditLogService } from '@sunshine/audit-log';
import { JurisdictionsService } from '@sunshine/jurisdictions';
import { formatYuan } from '@sunshine/money';
import { ReferenceService } from '@sunshine/reference';
import { ProgressRollupService } from './progress-rollup.service';
import {
  defaultMilestones,
  formatBp,
  Milestone,
  milestoneInForce,
  progressBp,
  progressStatus,
  ProgressStatus,
} from './progress-rules';

export interface SpendingProgressItem {
  jurisdictionCode: string;
  jurisdictionName: string;
  level: string;
  year: number;
  sourceCode: string | null;
  /** funds that entered this jurisdiction's subtree (from above, or sideways by pairing), net of reversals */
  received: string;
  /** passed on by this jurisdiction's own lines to lower levels (not spending) */
  passedDown: string;
  /** assigned to projects anywhere in the subtree */
  assigned: string;
  /** paid out anywhere in the subtree */
  paid: string;
  progress: string;
  progressBp: number;
  milestone: { dueOn: string; targetPercent: string } | null;
  schedule: { dueOn: string; targetPercent: string }[];
  status: ProgressStatus;
}

export interface MilestoneScheduleView {
  jurisdictionCode: string;
  year: number;
  sourceCode: string | null;
  milestones: { dueOn: string; targetPercent: string }[];
  /** where the schedule comes from: this jurisdiction, an ancestor, or the default */
  origin: 'own' | 'inherited' | 'default';
  definedAt: string | null;
}

const toPercent = (bp: number): string => formatBp(bp);

/**
 * 支出进度: per jurisdiction, year and (optionally) source, what its subtree received, passed down,
 * assigned and paid as of any date, from the dated ledger entries (arrival dates, payment dates, reversal
 * dates); passing money down is not spending. Each item carries the milestone in force and its status.
 */
@Injectable()
export class SpendingProgressService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly jurisdictions: JurisdictionsService,
    private readonly reference: ReferenceService,
    private readonly audit: AuditLogService,
    private readonly rollup: ProgressRollupService,
  ) {}

  /** The jurisdiction itself and each of its direct children (rolled up over their subtrees). */
  async progress(
    actor: Actor,
    q: { year: number; jurisdictionCode?: string; asOf?: string; sourceCode?: string },
  ): Promise<{ year: number; asOf: string; items: SpendingProgressItem[] }> {
    const root = await this.jurisdictions.get(q.jurisdictionCode ?? actor.jurisdictionCode);
    assertCovers(actor, root.path);
    if (q.sourceCode) await this.reference.fundSource(q.sourceCode);
    const asOf = q.asOf ?? todayInChina();
    return {
      year: q.year,
      asOf,
      items: await this.compute(root.code, q.year, asOf, q.sourceCode ?? null, true),
    };
  }

  /** For the monitors: the jurisdiction's own rolled-up progress (no children, no caller checks). */
  async of(code: string, year: number, asOf: string): Promise<SpendingProgressItem> {
    const [item] = await this.compute(code, year, asOf, null, false);
    return item;
  }

  private async compute(
    code: string,
    year: number,
    asOf: string,
    sourceCode: string | null,
    withChildren: boolean,
  ): Promise<SpendingProgressItem[]> {
    const root = await this.jurisdictions.get(code);
    const q = { year, sourceCode: sourceCode ?? undefined };
    const jurisdictions = await this.dataSource.query<{ code: string; name: string; level: string }[]>(
      `SELECT code, name, level FROM jurisdictions WHERE code = $1 OR ($2 AND parent_code = $1) ORDER BY depth, code`,
      [root.code, withChildren],
    );
    // the read model (folded totals + entries still queued): exact, and cheap at national scale
    const sums = await this.rollup.sums(
      jurisdictions.map((j) => j.code),
      q.year,
      asOf,
      q.sourceCode ?? null,
    );
    const zero = { received: 0n, passedDown: 0n, assigned: 0n, paid: 0n };
    const rows = jurisdictions.map((j) => ({ ...j, ...(sums.get(j.code) ?? zero) }));
    const items: SpendingProgressItem[] = [];
    for (const r of rows) {
      const received = r.received;
      const paid = r.paid;
      const bp = progressBp(paid, received);
      const schedule = await this.scheduleFor(r.code, q.year, q.sourceCode ?? null);
      const inForce = milestoneInForce(schedule.milestones, asOf);
      items.push({
        jurisdictionCode: r.code,
        jurisdictionName: r.name,
        level: r.level,
        year: q.year,
        sourceCode: q.sourceCode ?? null,
        received: formatYuan(received),
        passedDown: formatYuan(r.passedDown),
        assigned: formatYuan(r.assigned),
        paid: formatYuan(paid),
        progress: toPercent(bp),
        progressBp: bp,
        milestone: inForce ? { dueOn: inForce.dueOn, targetPercent: toPercent(inForce.targetBp) } : null,
        schedule: schedule.milestones.map((m) => ({ dueOn: m.dueOn, targetPercent: toPercent(m.targetBp) })),
        status: progressStatus(schedule.milestones, asOf, bp, received),
      });
    }
    return items;
  }

  /** The schedule in force: this jurisdiction's (source-specific first), else the nearest ancestor's, else the default. */
  async scheduleFor(
    jurisdictionCode: string,
    year: number,
    sourceCode: string | null,
  ): Promise<{
    milestones: Milestone[];
    origin: 'own' | 'inherited' | 'default';
    definedAt: string | null;
    code: string;
  }> {
    const j = await this.jurisdictions.get(jurisdictionCode);
    const rows = await this.dataSource.query<
      { jurisdiction_code: string; milestones: Milestone[]; source_code: string | null; depth: number }[]
    >(
      `SELECT s.jurisdiction_code, s.milestones, s.source_code, j.depth FROM milestone_schedules s
       JOIN jurisdictions j ON j.code = s.jurisdiction_code
       WHERE s.year = $1 AND $2 LIKE j.path || '%' AND (s.source_code IS NULL OR s.source_code = $3)
       ORDER BY j.depth DESC, (s.source_code IS NULL) ASC LIMIT 1`,
      [year, j.path, sourceCode],
    );
    const found = rows[0];
    if (!found)
      return { milestones: defaultMilestones(year), origin: 'default', definedAt: null, code: j.code };
    return {
      milestones: found.milestones,
      origin: found.jurisdiction_code === j.code ? 'own' : 'inherited',
      definedAt: found.jurisdiction_code,
      code: j.code,
    };
  }

  async getSchedule(
    actor: Actor,
    q: { jurisdictionCode: string; year: number; sourceCode?: string },
  ): Promise<MilestoneScheduleView> {
    const j = await this.jurisdictions.get(q.jurisdictionCode);
    assertCovers(actor, j.path);
    const s = await this.scheduleFor(j.code, q.year, q.sourceCode ?? null);
    return {
      jurisdictionCode: j.code,
      year: q.year,
      sourceCode: q.sourceCode ?? null,
      milestones: s.milestones.map((m) => ({ dueOn: m.dueOn, targetPercent: toPercent(m.targetBp) })),
      origin: s.origin,
      definedAt: s.definedAt,
    };
  }

  /** Finance sets a schedule for its jurisdiction (or one below) and year; multi-year plans span years. */
  async setSchedule(
    actor: Actor,
    input: {
      jurisdictionCode: string;
      year: number;
      sourceCode?: string;
      milestones: { dueOn: string; targetPercent: string }[];
      note?: string;
    },
  ): Promise<MilestoneScheduleView> {
    assertRole(actor, ['finance', 'admin']);
    const j = await this.jurisdictions.get(input.jurisdictionCode);
    assertCovers(actor, j.path);
    if (input.sourceCode) await this.reference.fundSource(input.sourceCode);
    const milestones = input.milestones
      .map((m, i) => ({
        dueOn: m.dueOn,
        targetBp: percentToBp(m.targetPercent, `milestones[${i}].targetPercent`),
      }))
      .sort((a, b) => a.dueOn.localeCompare(b.dueOn));
    for (let i = 0; i < milestones.length; i++) {
      if (milestones[i].dueOn < `${input.year}-01-01`) {
        throw new DomainError('VALIDATION_FAILED', 'a milestone falls before the funds’ year', [
          { field: `milestones[${i}].dueOn`, problem: `before ${input.year}` },
        ]);
      }
      if (
        i > 0 &&
        (milestones[i].dueOn === milestones[i - 1].dueOn ||
          milestones[i].targetBp < milestones[i - 1].targetBp)
      ) {
        throw new DomainError(
          'VALIDATION_FAILED',
          'milestones must have distinct dates and non-decreasing targets',
          [{ field: `milestones[${i}]`, problem: 'not after / not above the previous milestone' }],
        );
      }
    }
    await this.dataSource.transaction(async (m) => {
      const before = await m.query<{ milestones: Milestone[] }[]>(
        `SELECT milestones FROM milestone_schedules WHERE jurisdiction_code = $1 AND year = $2 AND coalesce(source_code, '') = $3`,
        [j.code, input.year, input.sourceCode ?? ''],
      );
      await m.query(
        `INSERT INTO milestone_schedules (jurisdiction_code, year, source_code, milestones, note, created_by)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (jurisdiction_code, year, coalesce(source_code, '')) DO UPDATE
           SET milestones = EXCLUDED.milestones, note = EXCLUDED.note, created_by = EXCLUDED.created_by, created_at = now()`,
        [
          j.code,
          input.year,
          input.sourceCode ?? null,
          JSON.stringify(milestones),
          input.note ?? null,
          actor.id,
        ],
      );
      await this.audit.append(m, actor, [
        {
          action: 'milestones.set',
          entityType: 'milestone_schedule',
          entityId: `${j.code}/${input.year}/${input.sourceCode ?? '*'}`,
          jurisdictionCode: j.code,
          before: before[0] ? { milestones: before[0].milestones } : null,
          after: { milestones, note: input.note ?? null },
        },
      ]);
    });
    return this.getSchedule(actor, input);
  }
}

/** "85", "85.5", "85.50" → 8550 basis points (0–100 %, at most two decimals; no floats). */
export function percentToBp(text: string, field: string): number {
  const m = /^(100|[1-9]?[0-9])(?:\.([0-9]{1,2}))?$/.exec(text);
  const bp = m ? Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0')) : NaN;
  if (!m || bp > 10000) {
    throw new DomainError('VALIDATION_FAILED', 'a percentage from 0 to 100 with at most two decimals', [
      { field, problem: 'not a percentage' },
    ]);
  }
  return bp;
}
