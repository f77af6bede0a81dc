import { NoticeGeneratorService, NoticesService } from '@sunshine/disclosure';
import { Injectable, Logger } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DataSource } from 'typeorm';
import { Actor, Role } from '@sunshine/common';
import { AllocationsService, BudgetLinesService } from '@sunshine/funds';
import { UsersService } from '@sunshine/identity';
import { JurisdictionLevel, JurisdictionsService } from '@sunshine/jurisdictions';
import { FundSource, ReferenceService } from '@sunshine/reference';

export interface DemoDataset {
  jurisdictions: { code: string; name: string; level: JurisdictionLevel; parentCode: string | null }[];
  pairings: { donorCode: string; recipientCode: string }[];
  projectCategories: { code: string; name: string; parentCode: string | null }[];
  fundSources: FundSource[];
  paymentPurposes: { code: string; name: string; prohibited: boolean; basis?: string | null }[];
  budgetLines: {
    key: string;
    year: number;
    sourceCode: string;
    jurisdictionCode: string;
    documentNo: string;
    title: string;
    amount: string;
    receivedOn: string;
    holderDepartment?: string;
  }[];
  allocations: {
    key: string;
    parentKey: string;
    toJurisdictionCode: string;
    amount: string;
    documentNo: string;
    issuedOn: string;
    receivedOn?: string;
  }[];
}

export const DEMO_PASSWORD = 'demo-password';

/** The demo users of API.md (all with password demo-password). */
export const DEMO_USERS: { username: string; role: Role; jurisdictionCode: string; unit?: string }[] = [
  { username: 'admin', role: 'admin', jurisdictionCode: '000000' },
  { username: 'finance.province', role: 'finance', jurisdictionCode: '450000' },
  { username: 'finance.city', role: 'finance', jurisdictionCode: '450100' },
  { username: 'auditor.city', role: 'auditor', jurisdictionCode: '450100' },
  { username: 'finance.county', role: 'finance', jurisdictionCode: '450124' },
  { username: 'poverty.county', role: 'poverty_office', jurisdictionCode: '450124' },
  { username: 'owner.county', role: 'project_owner', jurisdictionCode: '450124', unit: '马山县交通运输局' },
  { username: 'finance.shanglin', role: 'finance', jurisdictionCode: '450125' },
  { username: 'finance.foshan', role: 'finance', jurisdictionCode: '440600' },
];

/** The dataset shipped in this folder, or another file in the same format named by DEMO_DATASET. */
export function readDemoDataset(
  file = process.env.DEMO_DATASET ?? path.join(__dirname, 'demo-dataset.json'),
): DemoDataset {
  return JSON.parse(readFileSync(file, 'utf8')) as DemoDataset;
}

/**
 * Loads the demo data through the same services as the API (balances, ledger entries, audit rows),
 * idempotently: every line and allocation carries an idempotency key derived from its dataset key,
 * so a second run replays instead of writing again.
 */
@Injectable()
export class DemoDataLoader {
  private readonly logger = new Logger(DemoDataLoader.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly jurisdictions: JurisdictionsService,
    private readonly reference: ReferenceService,
    private readonly users: UsersService,
    private readonly lines: BudgetLinesService,
    private readonly allocations: AllocationsService,
    private readonly generator: NoticeGeneratorService,
    private readonly notices: NoticesService,
  ) {}

  async load(dataset: DemoDataset = readDemoDataset()): Promise<{ lines: number; allocations: number }> {
    await this.dataSource.transaction(async (m) => {
      await this.jurisdictions.create(m, { code: '000000', name: '全国', level: 'nation', parentCode: null });
      for (const j of dataset.jurisdictions) {
        if (j.code !== '000000') await this.jurisdictions.create(m, j);
      }
      for (const p of dataset.pairings) await this.jurisdictions.addPairing(m, p.donorCode, p.recipientCode);
      for (const c of dataset.projectCategories) await this.reference.upsertCategory(m, c);
      for (const s of dataset.fundSources) await this.reference.upsertFundSource(m, s);
      for (const p of dataset.paymentPurposes) {
        await this.reference.upsertPurpose(m, { ...p, basis: p.basis ?? null });
      }
      for (const u of DEMO_USERS) await this.users.ensure(m, { ...u, password: DEMO_PASSWORD });
    });
    const admin = await this.systemActor();
    const lineIds = new Map<string, string>();
    for (const l of dataset.budgetLines) {
      const { key, ...input } = l;
      const answer = await this.lines.create(admin, input, {
        userId: admin.id,
        route: 'demo-data budget-line',
        key,
        body: l,
      });
      lineIds.set(key, answer.body.id);
    }
    const allocationIds: string[] = [];
    for (const a of dataset.allocations) {
      const { key, parentKey, ...input } = a;
      const parentId = lineIds.get(parentKey);
      if (!parentId) throw new Error(`demo allocation ${key}: unknown parent ${parentKey}`);
      const answer = await this.allocations.create(admin, parentId, input, {
        userId: admin.id,
        route: 'demo-data allocation',
        key,
        body: a,
      });
      lineIds.set(key, answer.body.childLine.id);
      allocationIds.push(answer.body.id);
    }
    // the seeds' allocations were announced when they were made: draft their D2 notices and publish them
    await this.generator.processPending();
    await this.dataSource.transaction(async (m) => {
      for (const n of await this.notices.findBySubjects(m, allocationIds, ['D2'])) {
        await this.notices.applyAsSystem(m, n.id, 'approve', { reason: '演示数据：历史公告' });
        await this.notices.applyAsSystem(m, n.id, 'publish', { reason: '演示数据：历史公告' });
      }
    });
    this.logger.log(
      `demo data: ${dataset.budgetLines.length} budget lines, ${dataset.allocations.length} allocations`,
    );
    return { lines: dataset.budgetLines.length, allocations: dataset.allocations.length };
  }

  private async systemActor(): Promise<Actor> {
    const admin = await this.users.findByUsername('admin');
    if (!admin) throw new Error('the admin user is missing');
    const j = await this.jurisdictions.get(admin.jurisdictionCode);
    return {
      id: admin.id,
      username: admin.username,
      role: admin.role,
      jurisdictionCode: j.code,
      jurisdictionPath: j.path,
      unit: null,
    };
  }
}
