/**
 * Console results as JSON: DuckDB hands back bigints, Dates, Buffers, nested lists and structs,
 * none of which JSON.stringify writes faithfully. Each cell becomes a string, number, boolean or
 * null, so the page's table, the CSV, the workbook and the parquet file all see the same values.
 * Pure.
 */

export type JsonCell = string | number | boolean | null;

export interface ConsoleColumn {
  name: string;
  /** DuckDB's type name, e.g. BIGINT, DECIMAL(18,2), DATE, VARCHAR[] */
  type: string;
}

const MICROS_PER_SECOND = 1_000_000;

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** TIME comes back as microseconds since midnight: written as HH:MM:SS[.ffffff]. */
function timeOfDay(micros: number): string {
  const seconds = Math.floor(micros / MICROS_PER_SECOND);
  const fraction = micros % MICROS_PER_SECOND;
  const text = `${pad(Math.floor(seconds / 3600))}:${pad(Math.floor(seconds / 60) % 60)}:${pad(seconds % 60)}`;
  return fraction ? `${text}.${pad(fraction, 6)}` : text;
}

function bytesText(bytes: Uint8Array): string {
  // the way DuckDB prints a BLOB: printable ASCII as is, anything else as \xNN
  let out = '';
  for (const b of bytes) out += b >= 0x20 && b < 0x7f && b !== 0x5c ? String.fromCharCode(b) : `\\x${b.toString(16).toUpperCase().padStart(2, '0')}`;
  return out;
}

/** A nested value (list, struct, map, interval) made JSON-safe, for JSON.stringify. */
function nested(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (value instanceof Uint8Array) return bytesText(value);
  if (Array.isArray(value)) return value.map(nested);
  if (typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, nested(v)]));
  return value;
}

/**
 * One cell as JSON: integers beyond 2^53 as decimal strings (exact), DATE as YYYY-MM-DD,
 * timestamps as ISO 8601 (UTC), TIME as HH:MM:SS, ±Infinity/NaN as text, BLOB as DuckDB prints
 * it, lists/structs/maps/intervals as JSON text.
 */
export function jsonCell(value: unknown, type: string): JsonCell {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return String(value);
    if (/^TIME( |$)/.test(type)) return timeOfDay(value);
    return value;
  }
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) return null;
    const iso = value.toISOString();
    return type === 'DATE' ? iso.slice(0, 10) : iso;
  }
  if (value instanceof Uint8Array) return bytesText(value);
  return JSON.stringify(nested(value));
}

/** Rows keyed by column name, every cell JSON-safe. */
export function jsonRows(columns: ConsoleColumn[], rows: Record<string, unknown>[]): Record<string, JsonCell>[] {
  return rows.map((row) => {
    const out: Record<string, JsonCell> = {};
    for (const c of columns) out[c.name] = jsonCell(row[c.name], c.type);
    return out;
  });
}

const NUMERIC_TYPE = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|DECIMAL(\(\d+,\s*\d+\))?|REAL|INT\d*)$/i;
const TEMPORAL_TYPE = /^(DATE|TIMESTAMP.*)$/i;

/** A number column: right-aligned in the table, a y channel in the quick chart. */
export function isNumericType(type: string): boolean {
  return NUMERIC_TYPE.test(type);
}

/** A date or timestamp column: a time axis in the quick chart. */
export function isTemporalType(type: string): boolean {
  return TEMPORAL_TYPE.test(type);
}

/**
 * Unique column names the way @duckdb/node-api keys its row objects: a repeated name gets
 * ":1", ":2", … (SELECT 1 AS a, 2 AS a → a, a:1), so each column finds its own value.
 */
export function deduplicatedColumns(columns: ConsoleColumn[]): ConsoleColumn[] {
  const seen = new Map<string, number>();
  return columns.map((c) => {
    const n = seen.get(c.name) ?? 0;
    seen.set(c.name, n + 1);
    return n === 0 ? c : { name: `${c.name}:${n}`, type: c.type };
  });
}
