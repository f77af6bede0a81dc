import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Fen, fenFromDb } from '@sunshine/money';

export interface PublicLine {
  id: string;
  year: number;
  sourceName: string;
  holderName: string;
  holderCode: string;
  documentNo: string;
  title: string;
  amount: Fen;
  allocatedDown: Fen;
  assignedToProjects: Fen;
  paid: Fen;
  receivedOn: string;
}

export interface PublicAllocation {
  id: string;
  fromCode: string;
  fromName: string;
  toName: string;
  toCode: string;
  amount: Fen;
  documentNo: string;
  issuedOn: string;
  viaPairing: boolean;
  sourceName: string;
}

const LINE_COLUMNS = `id, year, source_name, holder_name, holder_code, document_no, title, amount::text AS amount,
  allocated_down::text AS allocated_down, assigned_to_projects::text AS assigned_to_projects, paid::text AS paid,
  received_on`;
const ALLOCATION_COLUMNS = `id, from_code, from_name, to_name, to_code, amount::text AS amount, document_no, issued_on,
  via_pairing, source_name`;

const toLine = (r: Record<string, string>): PublicLine => ({
  id: r.id,
  year: Number(r.year),
  sourceName: r.source_name,
  holderName: r.holder_name,
  holderCode: r.holder_code,
  documentNo: r.document_no,
  title: r.title,
  amount: fenFromDb(r.amount),
  allocatedDown: fenFromDb(r.allocated_down),
  assignedToProjects: fenFromDb(r.assigned_to_projects),
  paid: fenFromDb(r.paid),
  receivedOn: r.received_on,
});

const toAllocation = (r: Record<string, string | boolean>): PublicAllocation => ({
  id: String(r.id),
  fromCode: String(r.from_code),
  fromName: String(r.from_name),
  toName: String(r.to_name),
  toCode: String(r.to_code),
  amount: fenFromDb(String(r.amount)),
  documentNo: String(r.document_no),
  issuedOn: String(r.issued_on),
  viaPairing: r.via_pairing === true,
  sourceName: String(r.source_name),
});

/** Read-only queries of what the public site shows about the ledger, through the public views only. */
@Injectable()
export class PublicLedgerQueries {
  constructor(private readonly dataSource: DataSource) {}

  async years(): Promise<number[]> {
    const rows = await this.dataSource.query<{ year: number }[]>(
      `SELECT DISTINCT year FROM public_budget_lines ORDER BY year DESC`,
    );
    return rows.map((r) => r.year);
  }

  async rootLines(year: number, limit = 200): Promise<PublicLine[]> {
    const rows = await this.dataSource.query<Record<string, string>[]>(
      `SELECT ${LINE_COLUMNS} FROM public_budget_lines WHERE parent_line_id IS NULL AND year = $1
       ORDER BY amount DESC, id LIMIT $2`,
      [year, limit],
    );
    return rows.map(toLine);
  }

  /** Where a jurisdiction's money of a year came from and went: the lines it holds, allocations in and out. */
  async funds(
    code: string,
    year: number,
  ): Promise<{ lines: PublicLine[]; received: PublicAllocation[]; passedDown: PublicAllocation[] }> {
    const lines = await this.dataSource.query<Record<string, string>[]>(
      `SELECT ${LINE_COLUMNS} FROM public_budget_lines WHERE holder_code = $1 AND year = $2
       ORDER BY received_on, id LIMIT 1000`,
      [code, year],
    );
    const allocations = await this.dataSource.query<Record<string, string | boolean>[]>(
      `SELECT ${ALLOCATION_COLUMNS} FROM public_allocations WHERE year = $2 AND (from_code = $1 OR to_code = $1)
       ORDER BY issued_on, id LIMIT 2000`,
      [code, year],
    );
    const all = allocations.map(toAllocation);
    return {
      lines: lines.map(toLine),
      received: all.filter((a) => a.toCode === code),
      passedDown: all.filter((a) => a.fromCode === code),
    };
  }

  async allocations(year: number, limit = 500): Promise<PublicAllocation[]> {
    const rows = await this.dataSource.query<Record<string, string | boolean>[]>(
      `SELECT ${ALLOCATION_COLUMNS} FROM public_allocations WHERE year = $1
       ORDER BY issued_on DESC, id LIMIT $2`,
      [year, limit],
    );
    return rows.map(toAllocation);
  }
}
