import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { DomainError } from '@sunshine/common';

/** One column of an import sheet: the field it feeds, its Chinese header, and whether it must be filled. */
export interface ImportColumn {
  field: string;
  header: string;
  required: boolean;
  /** money columns: numeric XLSX cells are accepted only when they are exact to the fen */
  money?: boolean;
  /** date columns: XLSX date cells become YYYY-MM-DD */
  date?: boolean;
  example: string;
  note: string;
}

/** A data row as read: its sheet row number (the header is row 1) and its cells by field. */
export interface TableRow {
  row: number;
  cells: Record<string, string>;
  /** problems found while reading cells (a numeric amount that is not exact to the fen, …) */
  problems: { field: string; message: string }[];
}

export interface Table {
  format: 'xlsx' | 'csv';
  encoding: 'utf-8' | 'gbk' | null;
  rows: TableRow[];
}

export const MAX_IMPORT_ROWS = 50_000;

const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

const fileError = (problem: string, message: string): DomainError =>
  new DomainError('VALIDATION_FAILED', message, [{ field: 'file', problem }]);

/** CSV bytes → text: UTF-8 (BOM or not) when the bytes are valid UTF-8, else GBK (Excel's default on Chinese Windows). */
export function decodeCsv(bytes: Buffer): { text: string; encoding: 'utf-8' | 'gbk' } {
  const body = bytes.subarray(0, 3).equals(UTF8_BOM) ? bytes.subarray(3) : bytes;
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(body), encoding: 'utf-8' };
  } catch {
    try {
      return { text: new TextDecoder('gbk', { fatal: true }).decode(body), encoding: 'gbk' };
    } catch {
      throw fileError('encoding', 'the CSV file is neither UTF-8 nor GBK text');
    }
  }
}

/**
 * Reads an XLSX (first worksheet) or CSV file into rows keyed by field, matching columns by their Chinese
 * header (or the field name). Unknown columns, missing required columns and duplicate headers are refused.
 */
export async function readTable(bytes: Buffer, columns: readonly ImportColumn[]): Promise<Table> {
  if (bytes.length === 0) throw fileError('empty', 'the file is empty');
  const isXlsx = bytes.subarray(0, 4).equals(ZIP_MAGIC);
  let raw: { row: number; values: unknown[] }[];
  let encoding: Table['encoding'] = null;
  if (isXlsx) {
    raw = await readXlsx(bytes);
  } else {
    const decoded = decodeCsv(bytes);
    encoding = decoded.encoding;
    let records: string[][];
    try {
      records = parse(decoded.text, { relax_column_count: true, skip_empty_lines: false, trim: false });
    } catch (e) {
      throw fileError('csv', `the CSV file cannot be read: ${e instanceof Error ? e.message : String(e)}`);
    }
    raw = records.map((values, i) => ({ row: i + 1, values }));
  }
  const header = raw.shift();
  if (!header) throw fileError('empty', 'the file has no header row');
  const byHeader = new Map<string, ImportColumn>();
  for (const c of columns) {
    byHeader.set(normalizeHeader(c.header), c);
    byHeader.set(normalizeHeader(c.field), c);
  }
  const positions: { index: number; column: ImportColumn }[] = [];
  const seen = new Set<string>();
  for (const [index, value] of header.values.entries()) {
    const name = normalizeHeader(cellText(value));
    if (name === '') continue;
    const column = byHeader.get(name);
    if (!column) throw fileError('header', `unknown column “${cellText(value)}” in the header row`);
    if (seen.has(column.field)) throw fileError('header', `column “${column.header}” appears twice`);
    seen.add(column.field);
    positions.push({ index, column });
  }
  const missing = columns.filter((c) => c.required && !seen.has(c.field));
  if (missing.length > 0) {
    throw fileError('header', `missing column(s): ${missing.map((c) => c.header).join('、')}`);
  }
  const rows: TableRow[] = [];
  for (const r of raw) {
    const problems: TableRow['problems'] = [];
    const cells: Record<string, string> = {};
    for (const { index, column } of positions) {
      const v = r.values[index];
      const text = column.money
        ? moneyCell(v, (message) => problems.push({ field: column.field, message }))
        : column.date
          ? dateCell(v)
          : cellText(v);
      if (text.trim() !== '') cells[column.field] = text.trim();
    }
    if (Object.keys(cells).length === 0 && problems.length === 0) continue; // blank line
    rows.push({ row: r.row, cells, problems });
  }
  if (rows.length === 0) throw fileError('empty', 'the file has no data rows');
  if (rows.length > MAX_IMPORT_ROWS) {
    throw fileError(
      'too_many_rows',
      `at most ${MAX_IMPORT_ROWS} rows per import (this file has ${rows.length})`,
    );
  }
  return { format: isXlsx ? 'xlsx' : 'csv', encoding, rows };
}

async function readXlsx(bytes: Buffer): Promise<{ row: number; values: unknown[] }[]> {
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(bytes as unknown as ArrayBuffer);
  } catch (e) {
    throw fileError('xlsx', `the XLSX file cannot be read: ${e instanceof Error ? e.message : String(e)}`);
  }
  const ws = wb.worksheets[0];
  if (!ws) throw fileError('xlsx', 'the workbook has no worksheet');
  const out: { row: number; values: unknown[] }[] = [];
  ws.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    // row.values is 1-based (index 0 is empty)
    const values = (row.values as unknown[]).slice(1);
    out.push({ row: rowNumber, values });
  });
  return out;
}

const normalizeHeader = (s: string): string =>
  s
    .replace(/\s+/g, '')
    .replace(/[（(].*?[）)]/g, '')
    .replace(/^\*/, '')
    .toLowerCase();

/** A cell as text, whatever exceljs made of it (rich text, formula results, hyperlinks). */
export function cellText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  if (typeof v === 'object') {
    const o = v as { richText?: { text: string }[]; result?: unknown; text?: unknown; error?: string };
    if (Array.isArray(o.richText)) return o.richText.map((t) => t.text).join('');
    if ('result' in o) return cellText(o.result);
    if (typeof o.text === 'string') return o.text;
    if (typeof o.error === 'string') return o.error;
  }
  return '';
}

/**
 * Money cells: text is passed on unchanged (the API's yuan rules judge it). A numeric XLSX cell is a
 * binary double, so it is accepted only when it is exact to the fen (1234.5 → "1234.50"); anything
 * else (1.005, 12.3456) is reported rather than rounded.
 */
function moneyCell(v: unknown, problem: (message: string) => void): string {
  const value = typeof v === 'object' && v !== null && 'result' in v ? v.result : v;
  if (typeof value !== 'number') return cellText(value);
  if (!Number.isFinite(value) || value < 0) {
    problem('the amount cell is not a non-negative number');
    return '';
  }
  const fen = Math.round(value * 100);
  if (!Number.isSafeInteger(fen) || Math.abs(value * 100 - fen) > 1e-6) {
    problem('the amount cell is a number with more than 2 decimals: enter it as text, e.g. 1234.56');
    return '';
  }
  const text = value.toFixed(2);
  return text;
}

function dateCell(v: unknown): string {
  const value = typeof v === 'object' && v !== null && 'result' in v ? v.result : v;
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  return cellText(value);
}
