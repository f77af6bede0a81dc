import { Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { todayInChina } from '@sunshine/common';
import { WorkingDayCalendar } from '@sunshine/calendar';
import { AllocationsService, BudgetLinesService, FundingsService } from '@sunshine/funds';
import { JurisdictionsService } from '@sunshine/jurisdictions';
import { ProjectsService } from '@sunshine/projects';
import { ReferenceService } from '@sunshine/reference';
import {
  allocationNotice,
  changeNotice,
  completionNotice,
  libraryNotice,
  preImplementationNotice,
  ProjectFacts,
  targetsNotice,
} from './notice-content';
import { NoticeContent } from './notice-diff';
import { DISCLOSURE_ACTOR, NoticesService } from './notices.service';
import { NoticeType } from './notice-types';

interface EventRow {
  id: string;
  type: string;
  aggregate_id: string;
  payload: Record<string, unknown>;
  occurred_at: Date;
}

/** Tries per event before it is left for a person (domain_events.last_error says why). */
export const MAX_ATTEMPTS = 5;

const str = (v: unknown): string => (typeof v === 'string' ? v : String(v));

/** Project notices refreshed (as a correction) when an approved change alters what they show. */
const PROJECT_NOTICE_BUILDERS: Partial<Record<NoticeType, (p: ProjectFacts) => NoticeContent>> = {
  D4: libraryNotice,
  D5: preImplementationNotice,
  D8: targetsNotice,
};

/**
 * Turns ledger and project events of the outbox into notices: AllocationRecorded → D2; a project approved
 * into the library → D4 and D8; tendering or implementing → D5; accepted → D7; an approved change → D9 and a
 * correction of the project's D4/D5/D8. One notice per (type, subject): running twice, or two workers at once
 * (SKIP LOCKED), creates nothing twice. Events are marked processed in the transaction that wrote the notices.
 */
@Injectable()
export class NoticeGeneratorService {
  private readonly logger = new Logger(NoticeGeneratorService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly notices: NoticesService,
    private readonly allocations: AllocationsService,
    private readonly lines: BudgetLinesService,
    private readonly fundings: FundingsService,
    private readonly projects: ProjectsService,
    private readonly jurisdictions: JurisdictionsService,
    private readonly reference: ReferenceService,
  ) {}

  /** Processes every pending event, in batches; returns how many events it read and notices it created. */
  async processPending(batch = 200): Promise<{ events: number; created: number }> {
    let events = 0;
    let created = 0;
    for (;;) {
      const cal = await this.notices.calendar();
      const r = await this.dataSource.transaction(async (m) => {
        const rows = await m.query<EventRow[]>(
          `SELECT id, type, aggregate_id, payload, occurred_at FROM domain_events
           WHERE processed_at IS NULL AND attempts < $2 ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
          [batch, MAX_ATTEMPTS],
        );
        let made = 0;
        const done: string[] = [];
        for (const e of rows) {
          // one savepoint per event: a failing event is retried later and does not hold up the others
          await m.query('SAVEPOINT notice_event');
          try {
            made += await this.handle(m, e, cal);
            await m.query('RELEASE SAVEPOINT notice_event');
            done.push(e.id);
          } catch (err) {
            await m.query('ROLLBACK TO SAVEPOINT notice_event');
            const message = err instanceof Error ? err.message : String(err);
            await m.query(`UPDATE domain_events SET attempts = attempts + 1, last_error = $2 WHERE id = $1`, [
              e.id,
              message.slice(0, 2000),
            ]);
            this.logger.warn(`event ${e.id} (${e.type}) not turned into a notice: ${message}`);
          }
        }
        if (done.length > 0) {
          await m.query(`UPDATE domain_events SET processed_at = now() WHERE id = ANY($1::bigint[])`, [done]);
        }
        return { read: rows.length, made };
      });
      events += r.read;
      created += r.made;
      if (r.read < batch) break;
    }
    if (created > 0) this.logger.log(`${created} notice(s) drafted from ${events} event(s)`);
    return { events, created };
  }

  private async handle(m: EntityManager, e: EventRow, cal: WorkingDayCalendar): Promise<number> {
    const on = todayInChina(e.occurred_at);
    switch (e.type) {
      case 'AllocationRecorded':
        return this.allocationRecorded(m, e, cal);
      case 'AllocationReversed':
        await this.allocationReversed(m, e);
        return 0;
      case 'ProjectStateChanged': {
        const to = str(e.payload.to);
        const projectId = str(e.payload.projectId);
        if (to === 'approved') {
          return (
            (await this.projectNotice(m, e, cal, 'D4', projectId, on)) +
            (await this.projectNotice(m, e, cal, 'D8', projectId, on))
          );
        }
        if (to === 'tendering' || to === 'implementing')
          return this.projectNotice(m, e, cal, 'D5', projectId, on);
        if (to === 'accepted') return this.projectNotice(m, e, cal, 'D7', projectId, on);
        return 0;
      }
      case 'ProjectChanged':
        return this.projectChanged(m, e, cal, on);
      default:
        return 0; // other events are not disclosed (or, like NoticePublished, are the notices' own)
    }
  }

  private async allocationRecorded(m: EntityManager, e: EventRow, cal: WorkingDayCalendar): Promise<number> {
    const a = await this.allocations.get(DISCLOSURE_ACTOR, str(e.payload.allocationId));
    const line = await this.lines.get(DISCLOSURE_ACTOR, a.parentLineId);
    const source = await this.reference.fundSource(line.sourceCode);
    const to = await this.jurisdictions.get(a.toJurisdictionCode);
    const content = allocationNotice({
      year: line.year,
      sourceName: source.name,
      documentNo: a.documentNo,
      fromName: line.jurisdictionName,
      fromDepartment: line.holderDepartment,
      toName: to.name,
      amount: a.amount,
      issuedOn: a.issuedOn,
      receivedOn: a.receivedOn,
      lineTitle: line.title,
    });
    const id = await this.notices.insert(
      m,
      DISCLOSURE_ACTOR,
      {
        type: 'D2',
        subjectType: 'allocation',
        subjectId: a.id,
        jurisdictionCode: a.fromJurisdictionCode,
        ownerUnit: null,
        projectCode: null,
        year: line.year,
        triggeredOn: a.issuedOn,
        sourceEventId: e.id,
        content,
      },
      cal,
    );
    return id ? 1 : 0;
  }

  /** A reversed allocation: its unpublished D2 is withdrawn; a published one gets a correction saying so. */
  private async allocationReversed(m: EntityManager, e: EventRow): Promise<void> {
    const reason = `资金分配已撤销：${str(e.payload.reason)}`;
    for (const n of await this.notices.findBySubject(m, str(e.payload.allocationId), ['D2'])) {
      if (n.status === 'published') {
        await this.notices.applyAsSystem(m, n.id, 'correct', {
          reason,
          fields: [{ key: 'status', label: '状态', value: `已撤销（${str(e.payload.reversedOn)}）` }],
        });
      } else {
        await this.notices.applyAsSystem(m, n.id, 'withdraw', { reason });
      }
    }
  }

  async projectFacts(projectId: string): Promise<ProjectFacts> {
    const p = await this.projects.get(DISCLOSURE_ACTOR, projectId);
    const j = await this.jurisdictions.get(p.jurisdictionCode);
    // the county above a township or village project (its poverty office publishes)
    let publisher = j;
    for (const code of j.path
      .split('/')
      .filter((c) => c !== '')
      .reverse()) {
      const a = await this.jurisdictions.get(code);
      if (['county', 'city', 'province', 'nation'].includes(a.level)) {
        publisher = a;
        break;
      }
    }
    const categories = await this.reference.projectCategories();
    const fundings: ProjectFacts['fundings'] = [];
    for (const f of await this.fundings.listForProject(DISCLOSURE_ACTOR, projectId)) {
      const line = await this.lines.get(DISCLOSURE_ACTOR, f.budgetLineId);
      const source = await this.reference.fundSource(line.sourceCode);
      fundings.push({ sourceName: source.name, documentNo: line.documentNo, amount: f.amount });
    }
    return {
      code: p.code,
      name: p.name,
      categoryName: categories.find((c) => c.code === p.categoryCode)?.name ?? p.categoryCode,
      jurisdictionName: j.name,
      publisherName: publisher.name,
      location: p.location,
      contentScale: p.contentScale,
      ownerUnit: p.ownerUnit,
      responsiblePerson: p.responsiblePerson,
      plannedBudget: p.plannedBudget,
      startOn: p.startOn,
      endOn: p.endOn,
      benefitMechanism: p.benefitMechanism,
      poorHouseholds: p.poorHouseholds,
      poorPeople: p.poorPeople,
      performanceTargets: p.performanceTargets,
      funded: p.funded,
      paid: p.paid,
      fundings,
    };
  }

  private async projectNotice(
    m: EntityManager,
    e: EventRow,
    cal: WorkingDayCalendar,
    type: 'D4' | 'D5' | 'D7' | 'D8',
    projectId: string,
    on: string,
  ): Promise<number> {
    const p = await this.projects.get(DISCLOSURE_ACTOR, projectId);
    const facts = await this.projectFacts(projectId);
    const content =
      type === 'D4'
        ? libraryNotice(facts)
        : type === 'D8'
          ? targetsNotice(facts)
          : type === 'D5'
            ? preImplementationNotice(facts)
            : completionNotice(facts, on);
    const id = await this.notices.insert(
      m,
      DISCLOSURE_ACTOR,
      {
        type,
        subjectType: 'project',
        subjectId: projectId,
        jurisdictionCode: p.jurisdictionCode,
        ownerUnit: p.ownerUnit,
        projectCode: p.code,
        year: Number(on.slice(0, 4)),
        triggeredOn: on,
        dueBy: type === 'D5' ? p.startOn : undefined, // before the start (and no later than the move itself)
        sourceEventId: e.id,
        content,
      },
      cal,
    );
    return id ? 1 : 0;
  }

  private async projectChanged(
    m: EntityManager,
    e: EventRow,
    cal: WorkingDayCalendar,
    on: string,
  ): Promise<number> {
    const projectId = str(e.payload.projectId);
    const p = await this.projects.get(DISCLOSURE_ACTOR, projectId);
    const before = (e.payload.before ?? {}) as Record<string, unknown>;
    const after = (e.payload.after ?? {}) as Record<string, unknown>;
    const j = await this.jurisdictions.get(p.jurisdictionCode);
    const id = await this.notices.insert(
      m,
      DISCLOSURE_ACTOR,
      {
        type: 'D9',
        subjectType: 'project_change',
        subjectId: str(e.payload.changeId),
        jurisdictionCode: p.jurisdictionCode,
        ownerUnit: p.ownerUnit,
        projectCode: p.code,
        year: Number(on.slice(0, 4)),
        triggeredOn: on,
        sourceEventId: e.id,
        content: changeNotice(
          { code: p.code, name: p.name, ownerUnit: p.ownerUnit, jurisdictionName: j.name },
          { before, after, approvedOn: on },
        ),
      },
      cal,
    );
    // the project's own notices now show old facts: each gets a correction (a new version, the old one kept)
    const facts = await this.projectFacts(projectId);
    for (const n of await this.notices.findBySubject(m, projectId, ['D4', 'D5', 'D8'])) {
      const build = PROJECT_NOTICE_BUILDERS[n.type];
      if (!build || n.status === 'withdrawn') continue;
      const fresh = build(facts);
      const current = await this.notices.content(m, n.id, n.current_version);
      const changed = fresh.fields.filter(
        (f) => current.fields.find((c) => c.key === f.key)?.value !== f.value,
      );
      if (changed.length === 0 && fresh.title === current.title) continue;
      await this.notices.applyAsSystem(m, n.id, 'correct', {
        reason: `项目变更已批准（${on}）`,
        title: fresh.title,
        fields: changed,
      });
    }
    return id ? 1 : 0;
  }
}
