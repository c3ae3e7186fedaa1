/**
 * The console's CSV download, written the way Excel reads it: UTF-8 with a byte-order mark (so
 * Chinese text opens correctly), CRLF line ends, RFC 4180 quoting (a field with a comma, quote or
 * line break is quoted, its quotes doubled), and text starting with = + - @ (or tab / CR, which
 * Excel also strips before evaluating) prefixed with ' so it is never taken for a formula. Pure.
 */
import type { ConsoleColumn, JsonCell } from './json-values.ts';

export const UTF8_BOM = '\uFEFF';
const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/** One CSV field. Numbers and booleans are data, never formulas; only text is prefixed. */
export function csvField(value: JsonCell): string {
  if (value === null) return '';
  let text = String(value);
  if (typeof value === 'string' && FORMULA_START.test(text)) text = `'${text}`;
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(fields: JsonCell[]): string {
  return `${fields.map(csvField).join(',')}\r\n`;
}

/** The whole file: BOM, header line, one line per row. */
export function csvText(columns: ConsoleColumn[], rows: Record<string, JsonCell>[]): string {
  let out = UTF8_BOM + csvLine(columns.map((c) => c.name));
  for (const row of rows) out += csvLine(columns.map((c) => row[c.name] ?? null));
  return out;
}
