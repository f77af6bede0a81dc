import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { DomainError } from '@sunshine/common';

export const FUND_LEVELS = ['central', 'province', 'city', 'county', 'other'] as const;
export const FUND_CHANNELS = [
  'special', // 财政专项扶贫资金
  'integrated', // 统筹整合涉农资金
  'work_relief', // 以工代赈
  'ethnic', // 少数民族发展资金
  'pairing', // 对口帮扶资金
  'donation', // 社会捐赠
  'microcredit', // 扶贫小额信贷贴息/风险补偿
] as const;
export type FundChannel = (typeof FUND_CHANNELS)[number];

export interface FundSource {
  code: string;
  name: string;
  level: (typeof FUND_LEVELS)[number];
  channel: FundChannel;
  permittedCategoryCodes: string[];
}
export interface ProjectCategory {
  code: string;
  name: string;
  parentCode: string | null;
}
export interface PaymentPurpose {
  code: string;
  name: string;
  prohibited: boolean;
  basis: string | null;
}

/** Reference data: fund sources (level, channel, permitted categories), project categories, payment purposes. */
@Injectable()
export class ReferenceService {
  private sources: Map<string, FundSource> | null = null;

  constructor(private readonly dataSource: DataSource) {}

  async fundSources(): Promise<FundSource[]> {
    return [...(await this.loadSources()).values()];
  }

  async fundSource(code: string, field = 'sourceCode'): Promise<FundSource> {
    let source = (await this.loadSources()).get(code);
    if (!source) {
      this.sources = null; // maybe added since the cache was filled
      source = (await this.loadSources()).get(code);
    }
    if (!source) {
      throw new DomainError('VALIDATION_FAILED', `unknown fund source ${code}`, [
        { field, problem: 'unknown fund source code' },
      ]);
    }
    return source;
  }

  async projectCategories(): Promise<ProjectCategory[]> {
    const rows = await this.dataSource.query<{ code: string; name: string; parent_code: string | null }[]>(
      'SELECT code, name, parent_code FROM project_categories ORDER BY code',
    );
    return rows.map((r) => ({ code: r.code, name: r.name, parentCode: r.parent_code }));
  }

  async paymentPurposes(): Promise<PaymentPurpose[]> {
    return await this.dataSource.query<PaymentPurpose[]>(
      'SELECT code, name, prohibited, basis FROM payment_purposes ORDER BY prohibited, code',
    );
  }

  private async loadSources(): Promise<Map<string, FundSource>> {
    if (this.sources) return this.sources;
    const rows = await this.dataSource.query<
      { code: string; name: string; level: FundSource['level']; channel: FundChannel; permitted: string[] }[]
    >(
      `SELECT s.code, s.name, s.level, s.channel,
              coalesce(array_agg(c.category_code ORDER BY c.category_code) FILTER (WHERE c.category_code IS NOT NULL), '{}') AS permitted
       FROM fund_sources s LEFT JOIN fund_source_categories c ON c.source_code = s.code
       GROUP BY s.code ORDER BY s.code`,
    );
    this.sources = new Map(
      rows.map((r) => [
        r.code,
        {
          code: r.code,
          name: r.name,
          level: r.level,
          channel: r.channel,
          permittedCategoryCodes: r.permitted,
        },
      ]),
    );
    return this.sources;
  }

  // ---- writes used by the demo-data loader and admin tooling (idempotent upserts) ----
  async upsertCategory(m: EntityManager, c: ProjectCategory): Promise<void> {
    await m.query(
      `INSERT INTO project_categories (code, name, parent_code) VALUES ($1, $2, $3)
       ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, parent_code = EXCLUDED.parent_code`,
      [c.code, c.name, c.parentCode],
    );
  }

  async upsertFundSource(m: EntityManager, s: FundSource): Promise<void> {
    await m.query(
      `INSERT INTO fund_sources (code, name, level, channel) VALUES ($1, $2, $3, $4)
       ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, level = EXCLUDED.level, channel = EXCLUDED.channel`,
      [s.code, s.name, s.level, s.channel],
    );
    await m.query('DELETE FROM fund_source_categories WHERE source_code = $1', [s.code]);
    if (s.permittedCategoryCodes.length > 0) {
      await m.query(
        `INSERT INTO fund_source_categories (source_code, category_code) SELECT $1, unnest($2::text[])`,
        [s.code, s.permittedCategoryCodes],
      );
    }
    this.sources = null;
  }

  async upsertPurpose(m: EntityManager, p: PaymentPurpose): Promise<void> {
    await m.query(
      `INSERT INTO payment_purposes (code, name, prohibited, basis) VALUES ($1, $2, $3, $4)
       ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, prohibited = EXCLUDED.prohibited, basis = EXCLUDED.basis`,
      [p.code, p.name, p.prohibited, p.basis],
    );
  }
}
