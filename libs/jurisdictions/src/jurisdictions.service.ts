import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Actor, DomainError } from '@sunshine/common';

export const LEVELS = ['nation', 'province', 'city', 'county', 'township', 'village'] as const;
export type JurisdictionLevel = (typeof LEVELS)[number];

export interface Jurisdiction {
  code: string;
  name: string;
  level: JurisdictionLevel;
  parentCode: string | null;
  /** materialised ancestry, e.g. /000000/450000/450100/450124/ */
  path: string;
}

export interface JurisdictionNode {
  code: string;
  name: string;
  level: JurisdictionLevel;
  children: JurisdictionNode[];
}

interface Row {
  code: string;
  name: string;
  level: JurisdictionLevel;
  parent_code: string | null;
  path: string;
}

const toJurisdiction = (r: Row): Jurisdiction => ({
  code: r.code,
  name: r.name,
  level: r.level,
  parentCode: r.parent_code,
  path: r.path,
});

/** The administrative tree (GB/T 2260 codes; township 9 and village 12 digits) and pairing relations. */
@Injectable()
export class JurisdictionsService {
  /** jurisdictions never move once created, so a found one can be cached for the process's life */
  private readonly cache = new Map<string, Jurisdiction>();

  constructor(private readonly dataSource: DataSource) {}

  async find(code: string, m?: EntityManager): Promise<Jurisdiction | null> {
    const cached = this.cache.get(code);
    if (cached) return cached;
    const rows = await (m ?? this.dataSource).query<Row[]>(
      'SELECT code, name, level, parent_code, path FROM jurisdictions WHERE code = $1',
      [code],
    );
    if (rows.length === 0) return null;
    const j = toJurisdiction(rows[0]);
    if (!m) this.cache.set(code, j); // only committed rows are cached
    return j;
  }

  async get(code: string, field = 'jurisdictionCode'): Promise<Jurisdiction> {
    const j = await this.find(code);
    if (!j) {
      throw new DomainError('VALIDATION_FAILED', `unknown jurisdiction ${code}`, [
        { field, problem: 'unknown jurisdiction code' },
      ]);
    }
    return j;
  }

  /** The ancestors of a node (itself included), root first. */
  ancestorCodes(j: Jurisdiction): string[] {
    return j.path.split('/').filter((c) => c.length > 0);
  }

  /** The county (县/区) a township or village lies in, or the county itself; null above county level. */
  async countyOf(j: Jurisdiction): Promise<Jurisdiction | null> {
    for (const code of this.ancestorCodes(j)) {
      const a = await this.find(code);
      if (a?.level === 'county') return a;
    }
    return null;
  }

  /** The caller's visible tree rooted at its own node. */
  async treeFor(actor: Actor, maxDepth?: number): Promise<JurisdictionNode[]> {
    const root = await this.get(actor.jurisdictionCode);
    const params: unknown[] = [`${root.path}%`];
    let depthFilter = '';
    if (maxDepth !== undefined) {
      params.push(root.path.split('/').length - 2 + maxDepth);
      depthFilter = `AND depth <= $2`;
    }
    const rows = await this.dataSource.query<Row[]>(
      `SELECT code, name, level, parent_code, path FROM jurisdictions WHERE path LIKE $1 ${depthFilter} ORDER BY depth, code`,
      params,
    );
    const nodes = new Map<string, JurisdictionNode>();
    let top: JurisdictionNode | undefined;
    for (const r of rows) {
      const node: JurisdictionNode = { code: r.code, name: r.name, level: r.level, children: [] };
      nodes.set(r.code, node);
      if (r.code === root.code) top = node;
      else if (r.parent_code) nodes.get(r.parent_code)?.children.push(node);
    }
    return top ? [top] : [];
  }

  /** 对口帮扶: is `target` (or one of its ancestors) paired with the donor `donorCode`? */
  async isPairedRecipient(donorCode: string, target: Jurisdiction, m?: EntityManager): Promise<boolean> {
    const ancestors = target.path.split('/').filter((c) => c.length > 0);
    const rows = await (m ?? this.dataSource).query<unknown[]>(
      'SELECT 1 FROM pairing_relations WHERE donor_code = $1 AND recipient_code = ANY($2) LIMIT 1',
      [donorCode, ancestors],
    );
    return rows.length > 0;
  }

  /** Inserts a node (admin, demo data). Parent must exist; the level must be below the parent's. */
  async create(
    m: EntityManager,
    input: { code: string; name: string; level: JurisdictionLevel; parentCode: string | null },
  ): Promise<Jurisdiction> {
    let path = `/${input.code}/`;
    let depth = 0;
    if (input.parentCode !== null) {
      const parent = await this.find(input.parentCode, m);
      if (!parent) {
        throw new DomainError('VALIDATION_FAILED', `unknown parent ${input.parentCode}`, [
          { field: 'parentCode', problem: 'unknown jurisdiction code' },
        ]);
      }
      if (LEVELS.indexOf(input.level) <= LEVELS.indexOf(parent.level)) {
        throw new DomainError('VALIDATION_FAILED', 'a child must be of a lower level than its parent', [
          { field: 'level', problem: `not below ${parent.level}` },
        ]);
      }
      path = `${parent.path}${input.code}/`;
      depth = parent.path.split('/').length - 2;
    }
    await m.query(
      `INSERT INTO jurisdictions (code, name, level, parent_code, path, depth) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (code) DO NOTHING`,
      [input.code, input.name, input.level, input.parentCode, path, depth],
    );
    return { ...input, path };
  }

  async addPairing(m: EntityManager, donorCode: string, recipientCode: string): Promise<void> {
    await m.query(
      'INSERT INTO pairing_relations (donor_code, recipient_code) VALUES ($1, $2) ON CONFLICT DO NOTHING',
      [donorCode, recipientCode],
    );
  }
}
