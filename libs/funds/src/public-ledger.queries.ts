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
  receivedOn: string;
}

export interface PublicAllocation {
  id: string;
  fromName: string;
  toName: string;
  toCode: string;
  amount: Fen;
  documentNo: string;
  issuedOn: string;
  viaPairing: boolean;
  sourceName: string;
}

/** Read-only queries of what the public site shows about the ledger (whoever allocates publishes it). */
@Injectable()
export class PublicLedgerQueries {
  constructor(private readonly dataSource: DataSource) {}

  async years(): Promise<number[]> {
    const rows = await this.dataSource.query<{ year: number }[]>(
      `SELECT DISTINCT year FROM budget_lines WHERE status = 'active' ORDER BY year DESC`,
    );
    return rows.map((r) => r.year);
  }

  async rootLines(year: number, limit = 200): Promise<PublicLine[]> {
    const rows = await this.dataSource.query<Record<string, string>[]>(
      `SELECT l.id, l.year, s.name AS source_name, j.name AS holder_name, j.code AS holder_code, l.document_no, l.title,
              l.amount::text AS amount, l.allocated_down::text AS allocated_down, l.received_on
       FROM budget_lines l JOIN jurisdictions j ON j.code = l.jurisdiction_code JOIN fund_sources s ON s.code = l.source_code
       WHERE l.parent_line_id IS NULL AND l.status = 'active' AND l.year = $1
       ORDER BY l.amount DESC, l.id LIMIT $2`,
      [year, limit],
    );
    return rows.map((r) => ({
      id: r.id,
      year: Number(r.year),
      sourceName: r.source_name,
      holderName: r.holder_name,
      holderCode: r.holder_code,
      documentNo: r.document_no,
      title: r.title,
      amount: fenFromDb(r.amount),
      allocatedDown: fenFromDb(r.allocated_down),
      receivedOn: r.received_on,
    }));
  }

  async allocations(year: number, limit = 500): Promise<PublicAllocation[]> {
    const rows = await this.dataSource.query<Record<string, string | boolean>[]>(
      `SELECT a.id, jf.name AS from_name, jt.name AS to_name, jt.code AS to_code, a.amount::text AS amount, a.document_no,
              a.issued_on, a.via_pairing, s.name AS source_name
       FROM allocations a
       JOIN budget_lines p ON p.id = a.parent_line_id
       JOIN fund_sources s ON s.code = p.source_code
       JOIN jurisdictions jf ON jf.code = a.from_jurisdiction_code
       JOIN jurisdictions jt ON jt.code = a.to_jurisdiction_code
       WHERE a.status = 'active' AND p.year = $1
       ORDER BY a.issued_on DESC, a.id LIMIT $2`,
      [year, limit],
    );
    return rows.map((r) => ({
      id: String(r.id),
      fromName: String(r.from_name),
      toName: String(r.to_name),
      toCode: String(r.to_code),
      amount: fenFromDb(String(r.amount)),
      documentNo: String(r.document_no),
      issuedOn: String(r.issued_on),
      viaPairing: r.via_pairing === true,
      sourceName: String(r.source_name),
    }));
  }
}
