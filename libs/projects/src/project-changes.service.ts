import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import { Actor, assertCovers, assertRole, DomainError, notFound } from '@sunshine/common';
import { AuditLogService } from '@sunshine/audit-log';
import { DomainEvents } from '@sunshine/events';
import { JurisdictionsService } from '@sunshine/jurisdictions';
import { fenFromDb, formatYuan, parseYuan } from '@sunshine/money';
import type { ProjectState } from './project-lifecycle';

/** What a change (项目变更) may touch after approval: content, location, budget, schedule, responsibility. */
export const CHANGEABLE_FIELDS = [
  'name',
  'location',
  'contentScale',
  'plannedBudget',
  'startOn',
  'endOn',
  'benefitMechanism',
  'responsiblePerson',
] as const;
export type ChangeableField = (typeof CHANGEABLE_FIELDS)[number];

/** Changes are requested between approval into the library and completion. */
export const CHANGEABLE_STATES: readonly ProjectState[] = [
  'approved',
  'tendering',
  'implementing',
  'completed',
];

const COLUMN: Record<ChangeableField, string> = {
  name: 'name',
  location: 'location',
  contentScale: 'content_scale',
  plannedBudget: 'planned_budget',
  startOn: 'start_on',
  endOn: 'end_on',
  benefitMechanism: 'benefit_mechanism',
  responsiblePerson: 'responsible_person',
};

export type ChangeValues = Partial<Record<ChangeableField, string | null>>;

export interface ProjectChangeView {
  id: string;
  projectId: string;
  fields: ChangeableField[];
  before: ChangeValues;
  after: ChangeValues;
  reason: string;
  status: 'requested' | 'approved' | 'rejected';
  requestedBy: string;
  requestedAt: string;
  decidedBy: string | null;
  decidedAt: string | null;
  decisionComment: string | null;
}

interface ProjectRow {
  id: string;
  code: string;
  state: ProjectState;
  jurisdiction_code: string;
  path: string;
  owner_unit: string;
  funded: string;
  name: string;
  location: string | null;
  content_scale: string | null;
  planned_budget: string;
  start_on: string;
  end_on: string;
  benefit_mechanism: string | null;
  responsible_person: string;
}

interface ChangeRow {
  id: string;
  project_id: string;
  fields: ChangeableField[];
  before: ChangeValues;
  after: ChangeValues;
  reason: string;
  status: 'requested' | 'approved' | 'rejected';
  requested_by: string;
  requested_at: Date;
  decided_by: string | null;
  decided_at: Date | null;
  decision_comment: string | null;
  requester: string;
  decider: string | null;
}

const COUNTY_OR_ABOVE = new Set(['nation', 'province', 'city', 'county']);

/**
 * 项目变更: after approval a project's content, location, budget or schedule changes only through a
 * request with before and after, decided by the county poverty office (not by the requester); the approved
 * change updates the project in the same transaction; the history is kept and audit-logged.
 */
@Injectable()
export class ProjectChangesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly jurisdictions: JurisdictionsService,
    private readonly audit: AuditLogService,
    private readonly events: DomainEvents,
  ) {}

  async request(
    actor: Actor,
    projectId: string,
    input: { reason: string; changes: ChangeValues },
  ): Promise<ProjectChangeView> {
    assertRole(actor, ['project_owner', 'poverty_office']);
    const id = randomUUID();
    await this.dataSource.transaction(async (m) => {
      const p = await this.findProject(m, projectId, true);
      if (!p) throw notFound('project', projectId);
      assertCovers(actor, p.path, 'id');
      if (actor.role === 'project_owner' && actor.unit !== p.owner_unit) {
        throw new DomainError('FORBIDDEN_JURISDICTION', 'a project owner changes its own unit’s projects', [
          { field: 'id', problem: 'not your unit' },
        ]);
      }
      assertChangeable(p);
      const before = currentValues(p);
      const fields = CHANGEABLE_FIELDS.filter(
        (f) => input.changes[f] !== undefined && normalize(f, input.changes[f] ?? null) !== before[f],
      );
      if (fields.length === 0) {
        throw new DomainError('VALIDATION_FAILED', 'the request changes nothing', [
          { field: 'changes', problem: 'no field differs from the project' },
        ]);
      }
      const after: ChangeValues = {};
      const was: ChangeValues = {};
      for (const f of fields) {
        after[f] = normalize(f, input.changes[f] ?? null);
        was[f] = before[f];
      }
      validateMerged({ ...before, ...after });
      try {
        await m.query(
          `INSERT INTO project_change_requests (id, project_id, fields, before, after, reason, requested_by)
           VALUES ($1, $2, $3, $4, $5, $6, $7)`,
          [id, p.id, fields, JSON.stringify(was), JSON.stringify(after), input.reason, actor.id],
        );
      } catch (e) {
        if (
          e instanceof QueryFailedError &&
          (e.driverError as { constraint?: string }).constraint === 'project_change_open_uq'
        ) {
          throw new DomainError('CHANGE_PENDING', 'this project has a change request awaiting decision', [
            { field: 'id', problem: 'a change is pending' },
          ]);
        }
        throw e;
      }
      await this.audit.append(m, actor, [
        {
          action: 'project.change_requested',
          entityType: 'project',
          entityId: p.id,
          jurisdictionCode: p.jurisdiction_code,
          before: was,
          after: { changeId: id, fields, values: after, reason: input.reason },
        },
      ]);
    });
    return this.get(actor, id);
  }

  async decide(
    actor: Actor,
    changeId: string,
    decision: 'approved' | 'rejected',
    comment: string,
  ): Promise<ProjectChangeView> {
    assertRole(actor, ['poverty_office']);
    const level = (await this.jurisdictions.get(actor.jurisdictionCode)).level;
    if (!COUNTY_OR_ABOVE.has(level)) {
      throw new DomainError('FORBIDDEN_ROLE', 'project changes are decided at county level or above', [
        { field: 'role', problem: `a ${level} poverty office cannot decide` },
      ]);
    }
    await this.dataSource.transaction(async (m) => {
      const pending = await this.findChange(m, changeId);
      if (!pending) throw notFound('project change', changeId);
      // lock order: project, then its change request
      const p = await this.findProject(m, pending.project_id, true);
      if (!p) throw notFound('project', pending.project_id);
      assertCovers(actor, p.path, 'id');
      const c = await this.findChange(m, changeId, true);
      if (!c) throw notFound('project change', changeId);
      if (c.status !== 'requested') {
        throw new DomainError('CONFLICT', `this change was ${c.status} already`, [
          { field: 'id', problem: c.status },
        ]);
      }
      if (c.requested_by === actor.id) {
        throw new DomainError('FORBIDDEN_ROLE', 'a change is decided by someone other than its requester', [
          { field: 'id', problem: 'you requested this change' },
        ]);
      }
      if (decision === 'approved') {
        assertChangeable(p);
        const now = currentValues(p);
        const merged = { ...now, ...c.after };
        validateMerged(merged);
        if (c.after.plannedBudget && parseYuan(c.after.plannedBudget) < fenFromDb(p.funded)) {
          throw new DomainError(
            'BUDGET_BELOW_FUNDED',
            'the planned budget cannot fall below the funds already assigned to the project',
            [{ field: 'plannedBudget', problem: `assigned ${formatYuan(fenFromDb(p.funded))}` }],
          );
        }
        const sets: string[] = [];
        const params: unknown[] = [p.id];
        for (const f of c.fields) {
          const v = c.after[f] ?? null;
          params.push(f === 'plannedBudget' && v !== null ? parseYuan(v).toString() : v);
          sets.push(`${COLUMN[f]} = $${params.length}`);
        }
        await m.query(`UPDATE projects SET ${sets.join(', ')}, updated_at = now() WHERE id = $1`, params);
      }
      await m.query(
        `UPDATE project_change_requests SET status = $2, decided_by = $3, decided_at = now(), decision_comment = $4
         WHERE id = $1`,
        [c.id, decision, actor.id, comment],
      );
      await this.audit.append(m, actor, [
        {
          action: `project.change_${decision}`,
          entityType: 'project',
          entityId: p.id,
          jurisdictionCode: p.jurisdiction_code,
          before: c.before,
          after: { changeId: c.id, values: c.after, comment },
        },
      ]);
      if (decision === 'approved') {
        await this.events.publish(m, [
          {
            type: 'ProjectChanged', // the project's published notices get a correction (step 4)
            aggregateType: 'project',
            aggregateId: p.id,
            jurisdictionCode: p.jurisdiction_code,
            payload: {
              projectId: p.id,
              code: p.code,
              changeId: c.id,
              fields: c.fields,
              before: c.before,
              after: c.after,
            },
          },
        ]);
      }
    });
    return this.get(actor, changeId);
  }

  async get(actor: Actor, changeId: string): Promise<ProjectChangeView> {
    const c = await this.findChange(this.dataSource.manager, changeId);
    if (!c) throw notFound('project change', changeId);
    const p = await this.findProject(this.dataSource.manager, c.project_id);
    if (!p) throw notFound('project', c.project_id);
    assertCovers(actor, p.path, 'id');
    return toView(c);
  }

  /** The project's change history, oldest first. */
  async list(actor: Actor, projectId: string): Promise<ProjectChangeView[]> {
    const p = await this.findProject(this.dataSource.manager, projectId);
    if (!p) throw notFound('project', projectId);
    assertCovers(actor, p.path, 'id');
    const rows = await this.dataSource.query<ChangeRow[]>(
      `${CHANGE_SELECT} WHERE c.project_id = $1 ORDER BY c.requested_at, c.id`,
      [projectId],
    );
    return rows.map(toView);
  }

  private async findProject(m: EntityManager, id: string, lock = false): Promise<ProjectRow | null> {
    if (!UUID.test(id)) return null;
    const rows = await m.query<ProjectRow[]>(
      `SELECT p.id, p.code, p.state, p.jurisdiction_code, j.path, p.owner_unit, p.funded::text AS funded, p.name, p.location,
              p.content_scale, p.planned_budget::text AS planned_budget, to_char(p.start_on, 'YYYY-MM-DD') AS start_on,
              to_char(p.end_on, 'YYYY-MM-DD') AS end_on, p.benefit_mechanism, p.responsible_person
       FROM projects p JOIN jurisdictions j ON j.code = p.jurisdiction_code WHERE p.id = $1 ${lock ? 'FOR UPDATE OF p' : ''}`,
      [id],
    );
    return rows[0] ?? null;
  }

  private async findChange(m: EntityManager, id: string, lock = false): Promise<ChangeRow | null> {
    if (!UUID.test(id)) return null;
    const rows = await m.query<ChangeRow[]>(
      `${CHANGE_SELECT} WHERE c.id = $1 ${lock ? 'FOR UPDATE OF c' : ''}`,
      [id],
    );
    return rows[0] ?? null;
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const CHANGE_SELECT = `SELECT c.*, r.username AS requester, d.username AS decider FROM project_change_requests c
  JOIN users r ON r.id = c.requested_by LEFT JOIN users d ON d.id = c.decided_by`;

function assertChangeable(p: ProjectRow): void {
  if (!CHANGEABLE_STATES.includes(p.state)) {
    throw new DomainError('INVALID_TRANSITION', `a project in state ${p.state} cannot be changed`, [
      { field: 'id', problem: `changes are possible from approval until completion, not in ${p.state}` },
    ]);
  }
}

function currentValues(p: ProjectRow): Record<ChangeableField, string | null> {
  return {
    name: p.name,
    location: p.location,
    contentScale: p.content_scale,
    plannedBudget: formatYuan(fenFromDb(p.planned_budget)),
    startOn: p.start_on,
    endOn: p.end_on,
    benefitMechanism: p.benefit_mechanism,
    responsiblePerson: p.responsible_person,
  };
}

/** Money in its canonical form (two decimals), so "1200000" and "1200000.00" are the same value. */
function normalize(f: ChangeableField, v: string | null): string | null {
  if (v === null) return null;
  return f === 'plannedBudget' ? formatYuan(parseYuan(v)) : v;
}

function validateMerged(v: ChangeValues): void {
  if (v.startOn && v.endOn && v.endOn < v.startOn) {
    throw new DomainError('VALIDATION_FAILED', 'endOn is before startOn', [
      { field: 'changes.endOn', problem: 'before startOn' },
    ]);
  }
  for (const f of ['name', 'plannedBudget', 'startOn', 'endOn', 'responsiblePerson'] as const) {
    if (v[f] === null) {
      throw new DomainError('VALIDATION_FAILED', `${f} cannot be emptied`, [
        { field: `changes.${f}`, problem: 'required' },
      ]);
    }
  }
}

const toView = (c: ChangeRow): ProjectChangeView => ({
  id: c.id,
  projectId: c.project_id,
  fields: c.fields,
  before: c.before,
  after: c.after,
  reason: c.reason,
  status: c.status,
  requestedBy: c.requester,
  requestedAt: c.requested_at.toISOString(),
  decidedBy: c.decider,
  decidedAt: c.decided_at ? c.decided_at.toISOString() : null,
  decisionComment: c.decision_comment,
});
