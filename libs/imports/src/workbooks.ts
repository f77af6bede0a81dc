import ExcelJS from 'exceljs';
import { ImportColumn } from './tabular';

/** One row-level problem of an import: sheet row, column header, stable code, message. */
export interface ImportError {
  row: number;
  column: string | null;
  code: string;
  message: string;
}

const FIXED_DATE = new Date('2020-01-01T00:00:00Z');

function fixedMetadata(wb: ExcelJS.Workbook): void {
  wb.creator = 'Sunshine Funds';
  wb.created = FIXED_DATE;
  wb.modified = FIXED_DATE;
}

/**
 * The downloadable template: Chinese headers (required ones marked *), one example row, text-formatted
 * amount and date columns (so Excel keeps "1234.50" and "2026-04-15" as typed), and a sheet explaining
 * each column.
 */
export async function templateXlsx(title: string, columns: readonly ImportColumn[]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  fixedMetadata(wb);
  const ws = wb.addWorksheet(title);
  ws.columns = columns.map((c) => ({
    header: c.required ? `*${c.header}` : c.header,
    key: c.field,
    width: Math.max(14, c.header.length * 2 + 6, c.example.length + 4),
    style: { numFmt: '@' },
  }));
  ws.getRow(1).font = { bold: true };
  ws.views = [{ state: 'frozen', ySplit: 1 }];
  ws.addRow(Object.fromEntries(columns.map((c) => [c.field, c.example])));
  const help = wb.addWorksheet('填写说明');
  help.columns = [
    { header: '列名', key: 'header', width: 22 },
    { header: '字段', key: 'field', width: 22 },
    { header: '必填', key: 'required', width: 8 },
    { header: '说明', key: 'note', width: 80 },
  ];
  help.getRow(1).font = { bold: true };
  for (const c of columns) {
    help.addRow({ header: c.header, field: c.field, required: c.required ? '是' : '否', note: c.note });
  }
  help.addRow({});
  help.addRow({ note: '金额以“元”为单位，最多两位小数，不带千分位或货币符号；日期格式 YYYY-MM-DD。' });
  help.addRow({
    note: '整张表要么全部导入，要么一行也不导入：任何一行有错，系统给出逐行错误报告，改正后重新上传。',
  });
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** The same template as CSV (UTF-8 with BOM, so Excel opens it with the right characters). */
export function templateCsv(columns: readonly ImportColumn[]): Buffer {
  const line = (cells: string[]) => cells.map(csvCell).join(',');
  const text = `${line(columns.map((c) => c.header))}\r\n${line(columns.map((c) => c.example))}\r\n`;
  return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]);
}

const csvCell = (s: string): string => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/** The row-level error report as a workbook (行号, 列, 错误代码, 说明). */
export async function errorReportXlsx(
  meta: { filename: string; kind: string; rows: number; createdAt: string },
  errors: readonly ImportError[],
): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  fixedMetadata(wb);
  const ws = wb.addWorksheet('错误报告');
  ws.columns = [
    { header: '行号', key: 'row', width: 8 },
    { header: '列', key: 'column', width: 18 },
    { header: '错误代码', key: 'code', width: 24 },
    { header: '说明', key: 'message', width: 90 },
  ];
  ws.getRow(1).font = { bold: true };
  ws.views = [{ state: 'frozen', ySplit: 1 }];
  for (const e of errors) ws.addRow({ ...e, column: e.column ?? '' });
  const info = wb.addWorksheet('导入信息');
  info.addRows([
    ['文件', meta.filename],
    ['类型', meta.kind],
    ['数据行数', meta.rows],
    ['错误数', errors.length],
    ['上传时间', meta.createdAt],
    ['结果', '未导入任何一行（整表回滚）'],
  ]);
  info.getColumn(1).width = 12;
  info.getColumn(2).width = 60;
  return Buffer.from(await wb.xlsx.writeBuffer());
}
