import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Fen, fenFromDb } from '@sunshine/money';
import { BudgetLineRecord, BudgetLineRow, fromRow } from './budget-line.view';

export type Bucket = 'amount' | 'allocated_down' | 'assigned_to_projects' | 'paid';

export interface LedgerEntryInput {
  lineId: string;
  bucket: Bucket;
  delta: Fen;
  entryType: string;
  refType: string;
  refId: string;
  effectiveOn: string;
  counterpartJurisdictionCode: string | null;
  createdBy: string | null;
}

const LINE_COLUMNS = `l.id, l.year, l.source_code, l.jurisdiction_code, j.name AS jurisdiction_name, j.path AS jurisdiction_path,
  l.holder_department, l.document_no, l.title, l.amount::text AS amount, l.allocated_down::text AS allocated_down,
  l.assigned_to_projects::text AS assigned_to_projects, l.paid::text AS paid, l.received_on, l.parent_line_id,
  l.origin_allocation_id, l.status, l.created_at, l.created_at::text AS created_key`;

/**
 * Persistence of budget lines and their ledger entries. Balance changes are conditional updates
 * (the row lock of UPDATE serialises concurrent writers; the WHERE re-checks the balance after the wait).
 */
@Injectable()
export class LedgerRepository {
  constructor(private readonly dataSource: DataSource) {}

  async findLine(id: string, m?: EntityManager): Promise<BudgetLineRecord | null> {
    if (!UUID.test(id)) return null;
    const rows = await (m ?? this.dataSource).query<BudgetLineRow[]>(
      `SELECT ${LINE_COLUMNS} FROM budget_lines l JOIN jurisdictions j ON j.code = l.jurisdiction_code WHERE l.id = $1`,
      [id],
    );
    return rows.length > 0 ? fromRow(rows[0]) : null;
  }

  async listLines(filter: {
    pathPrefix: string;
    year?: number;
    sourceCode?: string;
    exactJurisdiction?: string;
    after?: { createdAt: string; id: string };
    limit: number;
  }): Promise<BudgetLineRecord[]> {
    const params: unknown[] = [`${filter.pathPrefix}%`];
    const where = ['j.path LIKE $1'];
    if (filter.year !== undefined) {
      params.push(filter.year);
      where.push(`l.year = $${params.length}`);
    }
    if (filter.sourceCode !== undefined) {
      params.push(filter.sourceCode);
      where.push(`l.source_code = $${params.length}`);
    }
    if (filter.exactJurisdiction !== undefined) {
      params.push(filter.exactJurisdiction);
      where.push(`l.jurisdiction_code = $${params.length}`);
    }
    if (filter.after) {
      params.push(filter.after.createdAt, filter.after.id);
      where.push(`(l.created_at, l.id) > ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
    }
    params.push(filter.limit + 1);
    const rows = await this.dataSource.query<BudgetLineRow[]>(
      `SELECT ${LINE_COLUMNS} FROM budget_lines l JOIN jurisdictions j ON j.code = l.jurisdiction_code
       WHERE ${where.join(' AND ')} ORDER BY l.created_at, l.id LIMIT $${params.length}`,
      params,
    );
    return rows.map(fromRow);
  }

  async insertLine(
    m: EntityManager,
    line: {
      id: string;
      year: number;
      sourceCode: string;
      jurisdictionCode: string;
      holderDepartment: string;
      documentNo: string;
      title: string;
      amount: Fen;
      receivedOn: string;
      parentLineId: string | null;
      originAllocationId: string | null;
      createdBy: string | null;
    },
  ): Promise<void> {
    await m.query(
      `INSERT INTO budget_lines (id, year, source_code, jurisdiction_code, holder_department, document_no, title, amount,
         received_on, parent_line_id, origin_allocation_id, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
      [
        line.id,
        line.year,
        line.sourceCode,
        line.jurisdictionCode,
        line.holderDepartment,
        line.documentNo,
        line.title,
        line.amount.toString(),
        line.receivedOn,
        line.parentLineId,
        line.originAllocationId,
        line.createdBy,
      ],
    );
  }

  /**
   * allocated_down += amount if the line is active and has it available (the row lock serialises concurrent
   * takers; the WHERE is re-checked after the wait). Returns the balances after, or null when refused.
   */
  /** Locks a line row until the end of the transaction (a batch checks a running balance under it). */
  async lockLine(m: EntityManager, id: string): Promise<void> {
    if (!UUID.test(id)) return;
    await m.query(`SELECT 1 FROM budget_lines WHERE id = $1 FOR UPDATE`, [id]);
  }

  async takeForAllocation(m: EntityManager, lineId: string, amount: Fen): Promise<Balances | null> {
    const result = await m.query<[BalanceRow[], number]>(
      `UPDATE budget_lines SET allocated_down = allocated_down + $2
       WHERE id = $1 AND status = 'active' AND amount - allocated_down - assigned_to_projects >= $2
       RETURNING amount::text AS amount, allocated_down::text AS allocated_down,
                 assigned_to_projects::text AS assigned_to_projects, paid::text AS paid`,
      [lineId, amount.toString()],
    );
    const row = result[0][0];
    return row ? balancesFromRow(row) : null;
  }

  /**
   * Writes an allocation in one statement: the child line held by the receiver, the allocation row and the two
   * ledger entries (departure from the parent on issuedOn, arrival at the child on receivedOn).
   */
  async insertAllocation(
    m: EntityManager,
    a: {
      id: string;
      parent: { id: string; jurisdictionCode: string; year: number; sourceCode: string };
      child: { id: string; jurisdictionCode: string; holderDepartment: string; title: string };
      amount: Fen;
      documentNo: string;
      issuedOn: string;
      receivedOn: string;
      viaPairing: boolean;
      createdBy: string;
      createdAt: Date;
    },
  ): Promise<void> {
    await m.query(
      `WITH line AS (
         INSERT INTO budget_lines (id, year, source_code, jurisdiction_code, holder_department, document_no, title, amount,
           received_on, parent_line_id, origin_allocation_id, created_by, created_at)
         VALUES ($2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $1, $12, $13) RETURNING id),
       alloc AS (
         INSERT INTO allocations (id, parent_line_id, child_line_id, from_jurisdiction_code, to_jurisdiction_code, amount,
           document_no, issued_on, received_on, via_pairing, created_by, created_at)
         VALUES ($1, $11, $2, $14, $5, $9, $7, $15, $10, $16, $12, $13) RETURNING id)
       INSERT INTO ledger_entries (line_id, bucket, delta, entry_type, ref_type, ref_id, effective_on,
         counterpart_jurisdiction_code, created_by, created_at)
       VALUES ($11, 'allocated_down', $9, 'allocation_out', 'allocation', $1, $15, $5, $12, $13),
              ($2, 'amount', $9, 'allocation_in', 'allocation', $1, $10, $14, $12, $13)`,
      [
        a.id,
        a.child.id,
        a.parent.year,
        a.parent.sourceCode,
        a.child.jurisdictionCode,
        a.child.holderDepartment,
        a.documentNo,
        a.child.title,
        a.amount.toString(),
        a.receivedOn,
        a.parent.id,
        a.createdBy,
        a.createdAt,
        a.parent.jurisdictionCode,
        a.issuedOn,
        a.viaPairing,
      ],
    );
  }

  async returnFromAllocation(m: EntityManager, lineId: string, amount: Fen): Promise<void> {
    await m.query(`UPDATE budget_lines SET allocated_down = allocated_down - $2 WHERE id = $1`, [
      lineId,
      amount.toString(),
    ]);
  }

  /** Empties a line whose whole amount is still available (reversal); false when some of it has moved on. */
  async emptyLine(m: EntityManager, lineId: string, amount: Fen): Promise<boolean> {
    const rows = await m.query<[unknown[], number]>(
      `UPDATE budget_lines SET amount = amount - $2, status = 'reversed'
       WHERE id = $1 AND status = 'active' AND amount = $2 AND allocated_down = 0 AND assigned_to_projects = 0
       RETURNING id`,
      [lineId, amount.toString()],
    );
    return affected(rows) > 0;
  }

  async appendEntries(m: EntityManager, entries: LedgerEntryInput[]): Promise<void> {
    const values: unknown[] = [];
    const tuples = entries.map((e) => {
      const b = values.length;
      values.push(
        e.lineId,
        e.bucket,
        e.delta.toString(),
        e.entryType,
        e.refType,
        e.refId,
        e.effectiveOn,
        e.counterpartJurisdictionCode,
        e.createdBy,
      );
      return `(${Array.from({ length: 9 }, (_, i) => `$${b + i + 1}`).join(', ')})`;
    });
    await m.query(
      `INSERT INTO ledger_entries (line_id, bucket, delta, entry_type, ref_type, ref_id, effective_on,
         counterpart_jurisdiction_code, created_by) VALUES ${tuples.join(', ')}`,
      values,
    );
  }
}

export interface Balances {
  amount: Fen;
  allocatedDown: Fen;
  assignedToProjects: Fen;
  paid: Fen;
}

interface BalanceRow {
  amount: string;
  allocated_down: string;
  assigned_to_projects: string;
  paid: string;
}

const balancesFromRow = (r: BalanceRow): Balances => ({
  amount: fenFromDb(r.amount),
  allocatedDown: fenFromDb(r.allocated_down),
  assignedToProjects: fenFromDb(r.assigned_to_projects),
  paid: fenFromDb(r.paid),
});

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** TypeORM's query() on UPDATE … RETURNING gives [rows, affectedCount]. */
function affected(result: [unknown[], number] | unknown[]): number {
  if (Array.isArray(result) && result.length === 2 && typeof result[1] === 'number') return result[1];
  return Array.isArray(result) ? result.length : 0;
}
