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
      `SELECT id, year, source_name, holder_name, holder_code, document_no, title, amount::text AS amount,
              allocated_down::text AS allocated_down, received_on
       FROM public_budget_lines WHERE parent_line_id IS NULL AND year = $1
       ORDER BY amount DESC, id LIMIT $2`,
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
      `SELECT id, from_name, to_name, to_code, amount::text AS amount, document_no, issued_on, via_pairing, source_name
       FROM public_allocations WHERE year = $1
       ORDER BY issued_on DESC, id LIMIT $2`,
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
