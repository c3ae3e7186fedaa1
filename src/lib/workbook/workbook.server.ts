/**
 * Excel workbooks from metric results: the one writer behind `salesight report` and the site's
 * downloads. One sheet per result table plus a sheet with the parameters used. Streams rows
 * through exceljs's WorkbookWriter, so long drill-down lists are not held in memory twice, with
 * backpressure added (relieveSheet), which exceljs lacks.
 *
 * Cells: numbers stay numbers with a display format (percent, money, counts, days); 'YYYY-MM-DD'
 * strings in date columns become real dates; text that starts with = + - @ is written as a
 * string cell, never as a formula (formula injection; tested by reading the saved XML).
 */
import ExcelJS from 'exceljs';
import type { CellFormat, ResultTable } from '../metrics/family.ts';
import { relieveSheet, ROWS_PER_TURN } from './sheet-backpressure.server.ts';

export type Language = 'zh' | 'en';

const NUM_FMT: Record<CellFormat, string | undefined> = {
  text: undefined,
  integer: '#,##0',
  number: '#,##0.##',
  money: '#,##0.00',
  percent: '0.0%',
  date: 'yyyy-mm-dd',
  datetime: 'yyyy-mm-dd hh:mm',
  days: '#,##0.0',
};

const HEADER_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FF1F4E79' } };
const HEADER_FONT: Partial<ExcelJS.Font> = { bold: true, color: { argb: 'FFFFFFFF' } };
const MAX_COLUMN_WIDTH = 60;

function displayWidth(text: string): number {
  let w = 0;
  for (const ch of text) w += ch.codePointAt(0)! > 0x2e80 ? 2 : 1;
  return w;
}

/** Excel sheet names: at most 31 characters, none of []:*?/\, unique within the book. */
export function safeSheetName(name: string, taken: Set<string>): string {
  const base = name.replace(/[[\]:*?/\\]/g, ' ').slice(0, 31).trim() || 'Sheet';
  let candidate = base;
  for (let i = 2; taken.has(candidate.toLowerCase()); i++) candidate = `${base.slice(0, 28)} ${i}`;
  taken.add(candidate.toLowerCase());
  return candidate;
}

function cellValue(value: unknown, format: CellFormat): ExcelJS.CellValue {
  if (value === null || value === undefined) return null;
  if ((format === 'date' || format === 'datetime') && typeof value === 'string') {
    const m = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?/.exec(value);
    if (m) return new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0)));
  }
  if (value instanceof Date || typeof value === 'number' || typeof value === 'boolean') return value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

export interface WorkbookMeta {
  /** What the workbook is, e.g. "Sales funnel 销售漏斗". */
  title: string;
  /** Key → value pairs for the parameters sheet (period, filters, warehouse, …). */
  parameters: [string, string][];
  language: Language;
}

function headerOf(column: ResultTable['columns'][number], language: Language): string {
  return language === 'zh' ? column.header_zh : column.header_en;
}

/**
 * A table whose rows arrive in chunks (arrays in column order), e.g. straight from a DuckDB
 * result stream: written as they come, so a million-row drill-down never sits in memory.
 */
export interface StreamedTable extends Omit<ResultTable, 'rows'> {
  chunks: AsyncIterable<unknown[][]>;
}

/** Rows as arrays in column order: the first ones (to size the columns) and then the rest. */
async function rowArrays(table: ResultTable | StreamedTable): Promise<{ first: unknown[][]; rest: AsyncIterable<unknown[][]> }> {
  if ('chunks' in table) {
    const it = table.chunks[Symbol.asyncIterator]();
    const head = await it.next();
    return { first: head.done ? [] : head.value, rest: { [Symbol.asyncIterator]: () => it } };
  }
  const rows = (table.rows as Record<string, unknown>[]).map((r) => table.columns.map((c) => r[c.key]));
  return { first: rows, rest: (async function* () {})() };
}

/** Writes the workbook to `target` (a file path or a writable stream) and resolves when done. */
export async function writeWorkbook(target: string | NodeJS.WritableStream, tables: (ResultTable | StreamedTable)[], meta: WorkbookMeta): Promise<void> {
  const options: Partial<ExcelJS.stream.xlsx.WorkbookStreamWriterOptions> = { useStyles: true, useSharedStrings: false };
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter(typeof target === 'string' ? { ...options, filename: target } : { ...options, stream: target as unknown as import('node:stream').Stream });
  workbook.creator = 'Salesight';
  const taken = new Set<string>();

  for (const table of tables) {
    const sheet = workbook.addWorksheet(safeSheetName(table.name, taken), { views: [{ state: 'frozen', ySplit: 1 }] });
    const { first, rest } = await rowArrays(table);
    sheet.columns = table.columns.map((c, i) => {
      const header = headerOf(c, meta.language);
      // width from the header and the first rows: enough for the figures without scanning everything
      const sample = first.slice(0, 500).map((r) => {
        const v = r[i];
        if (v === null || v === undefined) return 0;
        if (typeof v === 'number') return c.format === 'percent' ? 7 : Math.min(18, String(Math.round(v)).length + 5);
        return displayWidth(String(v));
      });
      const width = Math.min(MAX_COLUMN_WIDTH, Math.max(displayWidth(header), ...sample, 6) + 2);
      const numFmt = NUM_FMT[c.format];
      return { key: c.key, width, ...(numFmt ? { style: { numFmt } } : {}) };
    });
    const header = sheet.getRow(1);
    header.values = table.columns.map((c) => headerOf(c, meta.language));
    header.font = HEADER_FONT;
    header.fill = HEADER_FILL;
    header.alignment = { vertical: 'middle', wrapText: true };
    header.commit();
    // Strings go in as string cells; exceljs writes a formula only for {formula} values, which
    // we never build, so "=HYPERLINK(…)" from an export stays inert text.
    const add = (r: unknown[]) => sheet.addRow(table.columns.map((c, i) => cellValue(r[i], c.format))).commit();
    // exceljs has no backpressure of its own: see relieveSheet
    const output = (workbook as unknown as { stream?: NodeJS.WritableStream }).stream;
    const addAll = async (rows: unknown[][]) => {
      for (let i = 0; i < rows.length; i++) {
        add(rows[i]!);
        if ((i + 1) % ROWS_PER_TURN === 0 || i === rows.length - 1) await relieveSheet(sheet, output);
      }
    };
    await addAll(first);
    for await (const chunk of rest) await addAll(chunk);
    sheet.commit();
  }

  const params = workbook.addWorksheet(safeSheetName(meta.language === 'zh' ? '参数' : 'Parameters', taken), { views: [{ state: 'frozen', ySplit: 1 }] });
  params.columns = [
    { key: 'k', width: 24 },
    { key: 'v', width: 60 },
  ];
  const head = params.getRow(1);
  head.values = meta.language === 'zh' ? ['参数', '值'] : ['Parameter', 'Value'];
  head.font = HEADER_FONT;
  head.fill = HEADER_FILL;
  head.commit();
  params.addRow([meta.language === 'zh' ? '报表' : 'Report', meta.title]).commit();
  for (const [k, v] of meta.parameters) params.addRow([k, v]).commit();
  params.commit();
  await workbook.commit();
}
