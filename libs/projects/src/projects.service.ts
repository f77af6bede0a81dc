import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import {
  Actor,
  assertCovers,
  assertRole,
  clampLimit,
  decodeCursor,
  DomainError,
  notFound,
  Page,
  toPage,
} from '@sunshine/common';
import { AuditLogService } from '@sunshine/audit-log';
import { DomainEvents } from '@sunshine/events';
import { JurisdictionsService } from '@sunshine/jurisdictions';
import { fenFromDb, formatYuan, parseYuan } from '@sunshine/money';
import { ReferenceService } from '@sunshine/reference';
import {
  allowedTransitions,
  checkTransition,
  ProjectFacts,
  ProjectState,
  TransitionActor,
} from './project-lifecycle';

export interface PerformanceTargetInput {
  indicator: string;
  unit: string;
  targetValue: string;
  deadline?: string;
}

export interface CreateProjectInput {
  name: string;
  categoryCode: string;
  jurisdictionCode: string;
  ownerUnit: string;
  responsiblePerson: string;
  plannedBudget: string;
  startOn: string;
  endOn: string;
  performanceTargets: PerformanceTargetInput[];
  benefitMechanism: string;
  location?: string;
  contentScale?: string;
  poorHouseholds?: number;
  poorPeople?: number;
}

export interface ProjectView {
  id: string;
  code: string;
  name: string;
  categoryCode: string;
  jurisdictionCode: string;
  location: string | null;
  contentScale: string | null;
  ownerUnit: string;
  responsiblePerson: string;
  plannedBudget: string;
  startOn: string;
  endOn: string;
  benefitMechanism: string | null;
  poorHouseholds: number | null;
  poorPeople: number | null;
  performanceTargets: { indicator: string; unit: string; targetValue: string; deadline: string | null }[];
  state: ProjectState;
  allowedTransitions: ProjectState[];
  funded: string;
  paid: string;
  latestProgress: { asOf: string; percentComplete: number } | null;
  history: { from: string; to: string; by: string; role: string; at: string; comment: string | null }[];
  createdAt: string;
}

/** What the money contexts (fundings, payments) need to know about a project. */
export interface ProjectForMoney {
  id: string;
  code: string;
  state: ProjectState;
  categoryCode: string;
  jurisdictionCode: string;
  jurisdictionPath: string;
  ownerUnit: string;
  performanceTargets: number;
}

interface ProjectRow {
  id: string;
  code: string;
  name: string;
  category_code: string;
  jurisdiction_code: string;
  jurisdiction_path: string;
  location: string | null;
  content_scale: string | null;
  owner_unit: string;
  responsible_person: string;
  planned_budget: string;
  start_on: string;
  end_on: string;
  benefit_mechanism: string | null;
  poor_households: number | null;
  poor_people: number | null;
  state: ProjectState;
  funded: string;
  paid: string;
  created_by: string;
  created_at: Date;
  created_key: string;
  targets: number;
}

const PROJECT_COLUMNS = `p.*, j.path AS jurisdiction_path, p.created_at::text AS created_key,
  (SELECT count(*)::int FROM project_performance_targets t WHERE t.project_id = p.id) AS targets`;

/** 项目库: projects, their life cycle (one transition table), performance targets and progress reports. */
@Injectable()
export class ProjectsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly jurisdictions: JurisdictionsService,
    private readonly reference: ReferenceService,
    private readonly audit: AuditLogService,
    private readonly events: DomainEvents,
  ) {}

  async create(actor: Actor, input: CreateProjectInput): Promise<ProjectView> {
    assertRole(actor, ['poverty_office', 'project_owner', 'admin']);
    const j = await this.jurisdictions.get(input.jurisdictionCode);
    assertCovers(actor, j.path);
    if (!['county', 'township', 'village'].includes(j.level)) {
      throw new DomainError('VALIDATION_FAILED', 'a project lies in a county, township or village', [
        { field: 'jurisdictionCode', problem: `a ${j.level} cannot hold a project` },
      ]);
    }
    if (actor.role === 'project_owner' && input.ownerUnit !== actor.unit) {
      throw new DomainError(
        'FORBIDDEN_JURISDICTION',
        'a project owner creates projects of its own unit only',
        [{ field: 'ownerUnit', problem: 'not your unit' }],
      );
    }
    if (!(await this.reference.projectCategories()).some((c) => c.code === input.categoryCode)) {
      throw new DomainError('VALIDATION_FAILED', `unknown category ${input.categoryCode}`, [
        { field: 'categoryCode', problem: 'unknown project category' },
      ]);
    }
    if (input.endOn < input.startOn) {
      throw new DomainError('VALIDATION_FAILED', 'endOn is before startOn', [
        { field: 'endOn', problem: 'before startOn' },
      ]);
    }
    const planned = parseYuan(input.plannedBudget);
    const id = randomUUID();
    await this.dataSource.transaction(async (m) => {
      const seq = await m.query<{ n: string }[]>(`SELECT nextval('project_code_seq')::text AS n`);
      const code = `XM-${j.code}-${input.startOn.slice(0, 4)}-${seq[0].n.padStart(5, '0')}`;
      await m.query(
        `INSERT INTO projects (id, code, name, category_code, jurisdiction_code, location, content_scale, owner_unit,
           responsible_person, planned_budget, start_on, end_on, benefit_mechanism, poor_households, poor_people, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
        [
          id,
          code,
          input.name,
          input.categoryCode,
          j.code,
          input.location ?? null,
          input.contentScale ?? null,
          input.ownerUnit,
          input.responsiblePerson,
          planned.toString(),
          input.startOn,
          input.endOn,
          input.benefitMechanism,
          input.poorHouseholds ?? null,
          input.poorPeople ?? null,
          actor.id,
        ],
      );
      for (const t of input.performanceTargets) {
        await m.query(
          `INSERT INTO project_performance_targets (project_id, indicator, unit, target_value, deadline) VALUES ($1, $2, $3, $4, $5)`,
          [id, t.indicator, t.unit, t.targetValue, t.deadline ?? null],
        );
      }
      const view = await this.viewOf(actor, id, m);
      await this.audit.append(m, actor, [
        {
          action: 'project.create',
          entityType: 'project',
          entityId: id,
          jurisdictionCode: j.code,
          after: view,
        },
      ]);
      await this.events.publish(m, [
        {
          type: 'ProjectCreated',
          aggregateType: 'project',
          aggregateId: id,
          jurisdictionCode: j.code,
          payload: { projectId: id, code },
        },
      ]);
    });
    return this.viewOf(actor, id);
  }

  async get(actor: Actor, id: string): Promise<ProjectView> {
    const row = await this.findRow(id);
    if (!row) throw notFound('project', id);
    assertCovers(actor, row.jurisdiction_path, 'id');
    return this.viewOf(actor, id);
  }

  async list(
    actor: Actor,
    filter: { jurisdictionCode?: string; state?: string; limit?: number; cursor?: string },
  ): Promise<Page<ProjectView>> {
    let prefix = actor.jurisdictionPath;
    if (filter.jurisdictionCode) {
      const j = await this.jurisdictions.get(filter.jurisdictionCode);
      assertCovers(actor, j.path);
      prefix = j.path;
    }
    const limit = clampLimit(filter.limit);
    const after = decodeCursor<{ c: string; id: string }>(filter.cursor);
    const params: unknown[] = [`${prefix}%`];
    const where = ['j.path LIKE $1'];
    if (filter.state) {
      params.push(filter.state);
      where.push(`p.state = $${params.length}`);
    }
    if (actor.role === 'project_owner') {
      params.push(actor.unit);
      where.push(`p.owner_unit = $${params.length}`);
    }
    if (after) {
      params.push(after.c, after.id);
      where.push(`(p.created_at, p.id) > ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
    }
    params.push(limit + 1);
    const rows = await this.dataSource.query<ProjectRow[]>(
      `SELECT ${PROJECT_COLUMNS} FROM projects p JOIN jurisdictions j ON j.code = p.jurisdiction_code
       WHERE ${where.join(' AND ')} ORDER BY p.created_at, p.id LIMIT $${params.length}`,
      params,
    );
    const page = toPage(
      rows,
      limit,
      (r) => r.id,
      (r) => ({ c: r.created_key, id: r.id }),
    );
    const items: ProjectView[] = [];
    for (const id of page.items) items.push(await this.viewOf(actor, id));
    return { items, nextCursor: page.nextCursor };
  }

  async transition(actor: Actor, id: string, to: string, comment: string | undefined): Promise<ProjectView> {
    const level = (await this.jurisdictions.get(actor.jurisdictionCode)).level;
    await this.dataSource.transaction(async (m) => {
      const row = await this.findRow(id, m, true);
      if (!row) throw notFound('project', id);
      assertCovers(actor, row.jurisdiction_path, 'id');
      const facts = await this.factsOf(row, m);
      const check = checkTransition(
        { id: actor.id, role: actor.role, unit: actor.unit, level },
        facts,
        to as ProjectState,
      );
      if (!check.ok) {
        throw new DomainError('INVALID_TRANSITION', check.message, [{ field: 'to', problem: check.reason }]);
      }
      await m.query(`UPDATE projects SET state = $2, updated_at = now() WHERE id = $1`, [id, to]);
      await m.query(
        `INSERT INTO project_transitions (project_id, from_state, to_state, actor_id, actor_username, actor_role, comment)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [id, row.state, to, actor.id, actor.username, actor.role, comment ?? null],
      );
      await this.audit.append(m, actor, [
        {
          action: `project.${to}`,
          entityType: 'project',
          entityId: id,
          jurisdictionCode: row.jurisdiction_code,
          before: { state: row.state },
          after: { state: to, comment: comment ?? null },
        },
      ]);
      await this.events.publish(m, [
        {
          // approved → D4/D8 notices, implementing → D5, accepted → D7 (step 4)
          type: 'ProjectStateChanged',
          aggregateType: 'project',
          aggregateId: id,
          jurisdictionCode: row.jurisdiction_code,
          payload: { projectId: id, code: row.code, from: row.state, to },
        },
      ]);
    });
    return this.viewOf(actor, id);
  }

  async addProgressReport(
    actor: Actor,
    id: string,
    input: {
      asOf: string;
      percentComplete: number;
      narrative: string;
      correctionReason?: string;
      indicatorActuals?: { indicator: string; actualValue: string }[];
    },
  ): Promise<{
    id: string;
    asOf: string;
    percentComplete: number;
    narrative: string;
    correctionReason: string | null;
    indicatorActuals: { indicator: string; actualValue: string }[];
  }> {
    assertRole(actor, ['project_owner', 'poverty_office']);
    return this.dataSource.transaction(async (m) => {
      const row = await this.findRow(id, m, true);
      if (!row) throw notFound('project', id);
      assertCovers(actor, row.jurisdiction_path, 'id');
      if (actor.role === 'project_owner' && actor.unit !== row.owner_unit) {
        throw new DomainError(
          'FORBIDDEN_JURISDICTION',
          'a project owner reports on its own unit’s projects',
          [{ field: 'id', problem: 'not your unit' }],
        );
      }
      if (!['approved', 'tendering', 'implementing', 'completed'].includes(row.state)) {
        throw new DomainError('INVALID_TRANSITION', `no progress reports in state ${row.state}`, [
          { field: 'id', problem: row.state },
        ]);
      }
      const latest = await this.latestProgress(id, m);
      if (latest && input.percentComplete < latest.percentComplete && !input.correctionReason) {
        throw new DomainError('PROGRESS_REGRESSION', 'progress went down: explain the correction', [
          { field: 'correctionReason', problem: `latest report says ${latest.percentComplete}%` },
        ]);
      }
      const reportId = randomUUID();
      await m.query(
        `INSERT INTO project_progress_reports (id, project_id, as_of, percent_complete, narrative, correction_reason, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [
          reportId,
          id,
          input.asOf,
          input.percentComplete,
          input.narrative,
          input.correctionReason ?? null,
          actor.id,
        ],
      );
      const actuals = input.indicatorActuals ?? [];
      if (actuals.length > 0) {
        const targets = await m.query<{ id: string; indicator: string }[]>(
          `SELECT id::text AS id, indicator FROM project_performance_targets WHERE project_id = $1`,
          [id],
        );
        const seen = new Set<string>();
        for (const [i, a] of actuals.entries()) {
          const target = targets.find((t) => t.indicator === a.indicator);
          if (!target || seen.has(a.indicator)) {
            throw new DomainError(
              'VALIDATION_FAILED',
              target
                ? `indicator ${a.indicator} appears twice`
                : `the project has no indicator ${a.indicator}`,
              [
                {
                  field: `indicatorActuals[${i}].indicator`,
                  problem: target ? 'duplicate' : 'not a target of the project',
                },
              ],
            );
          }
          seen.add(a.indicator);
          await m.query(
            `INSERT INTO progress_indicator_actuals (report_id, target_id, actual_value) VALUES ($1, $2, $3)`,
            [reportId, target.id, a.actualValue],
          );
        }
      }
      const view = {
        id: reportId,
        asOf: input.asOf,
        percentComplete: input.percentComplete,
        narrative: input.narrative,
        correctionReason: input.correctionReason ?? null,
        indicatorActuals: actuals.map((a) => ({ indicator: a.indicator, actualValue: a.actualValue })),
      };
      await this.audit.append(m, actor, [
        {
          action: 'project.progress_report',
          entityType: 'project',
          entityId: id,
          jurisdictionCode: row.jurisdiction_code,
          after: view,
        },
      ]);
      await this.events.publish(m, [
        {
          type: 'ProgressReported',
          aggregateType: 'project',
          aggregateId: id,
          jurisdictionCode: row.jurisdiction_code,
          payload: { projectId: id, ...view },
        },
      ]);
      return view;
    });
  }

  /** Project codes (XM-…) → ids, for imports that name projects by their code. */
  async idsByCode(codes: string[]): Promise<Map<string, string>> {
    if (codes.length === 0) return new Map();
    const rows = await this.dataSource.query<{ id: string; code: string }[]>(
      `SELECT id, code FROM projects WHERE code = ANY($1::text[])`,
      [codes],
    );
    return new Map(rows.map((r) => [r.code, r.id]));
  }

  /** For fundings and payments (optionally locking the project row in the caller's transaction). */
  async forMoney(id: string, m?: EntityManager, lock = false): Promise<ProjectForMoney | null> {
    const row = await this.findRow(id, m, lock);
    if (!row) return null;
    return {
      id: row.id,
      code: row.code,
      state: row.state,
      categoryCode: row.category_code,
      jurisdictionCode: row.jurisdiction_code,
      jurisdictionPath: row.jurisdiction_path,
      ownerUnit: row.owner_unit,
      performanceTargets: row.targets,
    };
  }

  /** Keeps the project's funded/paid totals in step with its fundings and payments (same transaction). */
  async addMoney(m: EntityManager, id: string, delta: { funded?: bigint; paid?: bigint }): Promise<void> {
    await m.query(
      `UPDATE projects SET funded = funded + $2, paid = paid + $3, updated_at = now() WHERE id = $1`,
      [id, (delta.funded ?? 0n).toString(), (delta.paid ?? 0n).toString()],
    );
  }

  private async factsOf(row: ProjectRow, m: EntityManager): Promise<ProjectFacts> {
    const latest = await this.latestProgress(row.id, m);
    return {
      state: row.state,
      ownerUnit: row.owner_unit,
      createdBy: row.created_by,
      performanceTargets: row.targets,
      latestPercentComplete: latest ? latest.percentComplete : null,
    };
  }

  private async latestProgress(
    id: string,
    m?: EntityManager,
  ): Promise<{ asOf: string; percentComplete: number } | null> {
    const rows = await (m ?? this.dataSource).query<{ as_of: string; percent_complete: number }[]>(
      `SELECT as_of, percent_complete FROM project_progress_reports WHERE project_id = $1
       ORDER BY as_of DESC, created_at DESC LIMIT 1`,
      [id],
    );
    return rows[0] ? { asOf: rows[0].as_of, percentComplete: rows[0].percent_complete } : null;
  }

  private async findRow(id: string, m?: EntityManager, lock = false): Promise<ProjectRow | null> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
    const rows = await (m ?? this.dataSource).query<ProjectRow[]>(
      `SELECT ${PROJECT_COLUMNS} FROM projects p JOIN jurisdictions j ON j.code = p.jurisdiction_code
       WHERE p.id = $1 ${lock ? 'FOR UPDATE OF p' : ''}`,
      [id],
    );
    return rows[0] ?? null;
  }

  private async viewOf(actor: Actor, id: string, m?: EntityManager): Promise<ProjectView> {
    const q = m ?? this.dataSource;
    const row = await this.findRow(id, m);
    if (!row) throw notFound('project', id);
    const targets = await q.query<
      { indicator: string; unit: string; target_value: string; deadline: string | null }[]
    >(
      `SELECT indicator, unit, target_value::text AS target_value, deadline FROM project_performance_targets
       WHERE project_id = $1 ORDER BY id`,
      [id],
    );
    const history = await q.query<
      {
        from_state: string;
        to_state: string;
        actor_username: string;
        actor_role: string;
        at: Date;
        comment: string | null;
      }[]
    >(`SELECT * FROM project_transitions WHERE project_id = $1 ORDER BY id`, [id]);
    const facts = await this.factsOf(row, m ?? this.dataSource.manager);
    const level = (await this.jurisdictions.get(actor.jurisdictionCode)).level;
    const covers = row.jurisdiction_path.startsWith(actor.jurisdictionPath);
    const transitionActor: TransitionActor = { id: actor.id, role: actor.role, unit: actor.unit, level };
    return {
      id: row.id,
      code: row.code,
      name: row.name,
      categoryCode: row.category_code,
      jurisdictionCode: row.jurisdiction_code,
      location: row.location,
      contentScale: row.content_scale,
      ownerUnit: row.owner_unit,
      responsiblePerson: row.responsible_person,
      plannedBudget: formatYuan(fenFromDb(row.planned_budget)),
      startOn: row.start_on,
      endOn: row.end_on,
      benefitMechanism: row.benefit_mechanism,
      poorHouseholds: row.poor_households,
      poorPeople: row.poor_people,
      performanceTargets: targets.map((t) => ({
        indicator: t.indicator,
        unit: t.unit,
        targetValue: t.target_value,
        deadline: t.deadline,
      })),
      state: row.state,
      allowedTransitions: covers ? allowedTransitions(transitionActor, facts) : [],
      funded: formatYuan(fenFromDb(row.funded)),
      paid: formatYuan(fenFromDb(row.paid)),
      latestProgress: facts.latestPercentComplete === null ? null : await this.latestProgress(id, m),
      history: history.map((h) => ({
        from: h.from_state,
        to: h.to_state,
        by: h.actor_username,
        role: h.actor_role,
        at: h.at.toISOString(),
        comment: h.comment,
      })),
      createdAt: row.created_at.toISOString(),
    };
  }
}
