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
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import ExcelJS from 'exceljs';
import type { CellFormat, ResultTable } from '../metrics/family.ts';

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

/*
 * Backpressure for exceljs's streaming writer, which has none (4.4.0): a sheet's XML goes into a
 * StreamBuf (exceljs/lib/utils/stream-buf.js) whose write() hands each full 64 KB buffer to its
 * consumers with `pipe.write(...)` and ignores what that returns. Rows become XML faster than
 * deflate packs them and the difference piles up in memory (~550 MB of XML at a million rows).
 * So every ROWS_PER_TURN rows writeWorkbook gives the event loop a turn (deflate runs on the
 * thread pool and needs the main thread between its 64 KB pieces, so it then keeps up with the
 * rows), and while a consumer still holds more than MAX_PENDING_SHEET_BYTES it waits for that
 * consumer's 'drain'. The consumer is the PassThrough archiver wraps the sheet stream in when it
 * is appended; archiver pipes it into deflate → zip → the target once it reaches that entry, all
 * with ordinary pipe() backpressure, so the wait reaches the file or the HTTP response.
 */
export const ROWS_PER_TURN = 64;
export const MAX_PENDING_SHEET_BYTES = 4 * 1024 * 1024;

/** A writable as exceljs's consumers may be: Node's streams, or readable-stream 2's (no writableLength, only _writableState), as archiver's is. */
interface Consumer extends NodeJS.EventEmitter {
  writableLength?: number;
  writableEnded?: boolean;
  destroyed?: boolean;
  errored?: unknown;
  _writableState?: { length?: number; ended?: boolean; destroyed?: boolean };
}

function pendingBytes(w: Consumer): number {
  const n = typeof w.writableLength === 'number' ? w.writableLength : w._writableState?.length;
  return typeof n === 'number' ? n : 0;
}

/** Ended or destroyed: it will not drain, so nothing waits on it. */
function isOver(w: Consumer): boolean {
  return Boolean(w.destroyed || w.writableEnded || w._writableState?.ended || w._writableState?.destroyed);
}

/** Why the output stopped: its own error (e.g. ENOENT for a file) if it failed, else that it closed. */
function outputGone(output: Consumer, err?: unknown): Error {
  const cause = err ?? output.errored;
  return cause instanceof Error ? cause : new Error('the workbook\'s output closed before the workbook was complete');
}

/** The sheet's exceljs StreamBuf (created by the `stream` getter), if it still looks like one. */
function sheetStream(sheet: unknown): { pipes: unknown[]; buffers?: unknown } | undefined {
  const stream = (sheet as { stream?: { pipes?: unknown; buffers?: unknown } } | undefined)?.stream;
  return stream && Array.isArray(stream.pipes) ? (stream as { pipes: unknown[]; buffers?: unknown }) : undefined;
}

/** The streams a sheet's XML is handed to (its StreamBuf's `pipes`), or undefined when exceljs's internals no longer look like that. */
export function sheetConsumers(sheet: unknown): Consumer[] | undefined {
  return sheetStream(sheet)?.pipes.filter((p): p is Consumer => typeof (p as Consumer)?.once === 'function' && typeof (p as Consumer)?.off === 'function');
}

/** Bytes a writable holds that it has not passed on. */
export function pendingBytesOf(w: unknown): number {
  return pendingBytes(w as Consumer);
}

/** Bytes the StreamBuf itself holds (before it has any consumer). */
function heldBytes(stream: { buffers?: unknown }): number {
  if (!Array.isArray(stream.buffers)) return 0;
  return stream.buffers.reduce((sum: number, b: { length?: unknown }) => sum + (typeof b?.length === 'number' ? b.length : 0), 0);
}

/** Resolves on `w`'s 'drain' (or when `w` ends, closes or fails); rejects when the output closes or fails first. */
function drained(w: Consumer, output: Consumer | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const settle = (err?: unknown) => {
      for (const e of ['drain', 'finish', 'close', 'error']) w.off(e, done);
      output?.off('close', gone);
      output?.off('error', gone);
      if (err === undefined) resolve();
      else reject(err);
    };
    const done = () => settle();
    const gone = (err?: unknown) => settle(outputGone(output!, err));
    for (const e of ['drain', 'finish', 'close', 'error']) w.once(e, done);
    output?.once('close', gone);
    output?.once('error', gone);
  });
}

/**
 * Called between rows: waits while a consumer of the sheet's XML holds more than
 * MAX_PENDING_SHEET_BYTES, else gives the event loop one turn. Says what it did, for the tests:
 * 'waited' (on a consumer's 'drain'), 'yielded' (consumers found, none over), 'no-consumer'
 * (exceljs's internals not as expected: only yielded). Throws (the target's own error if it
 * failed) when the target has closed: nobody reads the rest, so the caller stops reading rows
 * instead of waiting for ever.
 */
export async function relieveSheet(sheet: unknown, target?: NodeJS.WritableStream): Promise<'waited' | 'yielded' | 'no-consumer'> {
  const output = target as Consumer | undefined;
  if (output && isOver(output)) throw outputGone(output);
  const stream = sheetStream(sheet);
  if (!stream) {
    await nextTurn();
    return 'no-consumer';
  }
  // No consumer yet (archiver wraps the stream at once today; a later version might pipe it only
  // when it reaches the entry): let archiver get there before the StreamBuf grows further.
  while (stream.pipes.length === 0 && heldBytes(stream) > MAX_PENDING_SHEET_BYTES) {
    await sleep(5);
    if (output && isOver(output)) throw outputGone(output);
  }
  let waited = false;
  for (const w of sheetConsumers(sheet) ?? []) {
    if (!isOver(w) && pendingBytes(w) > MAX_PENDING_SHEET_BYTES) {
      waited = true;
      await drained(w, output);
    }
  }
  if (waited) return 'waited';
  await nextTurn();
  return stream.pipes.length ? 'yielded' : 'no-consumer';
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
