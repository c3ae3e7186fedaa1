/**
 * The console's downloads: the result of a query as CSV, Excel or Parquet. The rows come from
 * the user's sandbox (runConsoleQuery, up to MAX_CONSOLE_DOWNLOAD_ROWS) as JSON-safe cells; each
 * writer takes those, so the three files hold the same values the page showed.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import type { CellFormat, ResultTable } from '../metrics/family.ts';
import type { Lang } from '../site/i18n.ts';
import { createInstance } from '../warehouse/duckdb.server.ts';
import { sqlString } from '../warehouse/warehouse.server.ts';
import { writeWorkbook } from '../workbook/workbook.server.ts';
import { csvText } from './csv.ts';
import { isNumericType, type ConsoleColumn, type JsonCell } from './json-values.ts';

export const DOWNLOAD_FORMATS = ['csv', 'xlsx', 'parquet'] as const;
export type DownloadFormat = (typeof DOWNLOAD_FORMATS)[number];

const CONTENT_TYPES: Record<DownloadFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  parquet: 'application/vnd.apache.parquet',
};

/** An Excel cell holds at most 32,767 characters: the query text on the parameters sheet is cut to this. */
const MAX_EXCEL_CELL_CHARS = 32_000;

export interface DownloadRows {
  columns: ConsoleColumn[];
  rows: Record<string, JsonCell>[];
  truncated: boolean;
}

function attachment(body: ReadableStream | string, format: DownloadFormat, fileName: string): Response {
  return new Response(body, {
    headers: {
      'content-type': CONTENT_TYPES[format],
      'content-disposition': `attachment; filename="${fileName}"; filename*=UTF-8''${encodeURIComponent(fileName)}`,
      'cache-control': 'no-store',
    },
  });
}

/** e.g. salesight-sql-2026-05-01-093012.csv (UTC). */
export function downloadFileName(format: DownloadFormat, at = new Date()): string {
  return `salesight-sql-${at.toISOString().slice(0, 19).replace('T', '-').replaceAll(':', '')}.${format}`;
}

export function csvDownload(result: DownloadRows, fileName: string): Response {
  return attachment(csvText(result.columns, result.rows), 'csv', fileName);
}

function cellFormat(type: string): CellFormat {
  if (/^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT)$/.test(type)) return 'integer';
  if (isNumericType(type)) return 'number';
  if (type === 'DATE') return 'date';
  if (type.startsWith('TIMESTAMP')) return 'datetime';
  return 'text';
}

/** The workbook writer of the reports: styled header, number formats, formula-looking text kept as text. */
export function xlsxDownload(result: DownloadRows, sql: string, user: string, lang: Lang, fileName: string): Response {
  const table: ResultTable = {
    name: 'SQL',
    title_en: 'SQL query result',
    title_zh: 'SQL 查询结果',
    columns: result.columns.map((c) => ({ key: c.name, header_en: c.name, header_zh: c.name, format: cellFormat(c.type) })),
    rows: result.rows,
  };
  const parameters: [string, string][] = [
    ['sql', sql.length > MAX_EXCEL_CELL_CHARS ? `${sql.slice(0, MAX_EXCEL_CELL_CHARS)}…` : sql],
    ['rows', String(result.rows.length)],
    ['truncated', result.truncated ? `yes: only the first ${result.rows.length} rows` : 'no'],
    ['user', user],
    ['generated_at', new Date().toISOString()],
  ];
  const out = new PassThrough();
  writeWorkbook(out, [table], { title: 'Salesight SQL', language: lang, parameters }).catch((err) => out.destroy(err as Error));
  return attachment(Readable.toWeb(out) as ReadableStream, 'xlsx', fileName);
}

/** Types the parquet file keeps as they are (read back from JSON text); anything else is written as its JSON text. */
const PARQUET_KEEPS = /^(BOOLEAN|TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|FLOAT|DOUBLE|DECIMAL\(\d+,\d+\)|VARCHAR|DATE|TIME|TIMESTAMP|TIMESTAMP WITH TIME ZONE|UUID)$/;

/**
 * Parquet, written by a DuckDB instance of its own (in memory, not the locked sandbox: it must
 * read and write temp files): the rows go to a newline-delimited JSON file, read_json reads them
 * with the result's column types, COPY writes the parquet file, which is streamed and deleted.
 */
export async function parquetDownload(result: DownloadRows, fileName: string): Promise<Response> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'salesight-sql-parquet-'));
  const cleanUp = () => fs.rmSync(dir, { recursive: true, force: true });
  try {
    const jsonFile = path.join(dir, 'rows.ndjson');
    const parquetFile = path.join(dir, 'result.parquet');
    const lines = result.rows.map((r) => JSON.stringify(r));
    fs.writeFileSync(jsonFile, lines.length ? `${lines.join('\n')}\n` : '');
    const typed = (keep: boolean) =>
      `{${result.columns.map((c) => `${sqlString(c.name)}: ${sqlString(keep && PARQUET_KEEPS.test(c.type) ? c.type : 'VARCHAR')}`).join(', ')}}`;
    const instance = await createInstance(':memory:', { threads: '1', autoinstall_known_extensions: 'false', autoload_known_extensions: 'false' });
    const connection = await instance.connect();
    try {
      const copy = (keep: boolean) =>
        connection.run(`COPY (SELECT * FROM read_json(${sqlString(jsonFile)}, format = 'newline_delimited', columns = ${typed(keep)})) TO ${sqlString(parquetFile)} (FORMAT parquet)`);
      try {
        await copy(true);
      } catch {
        // a value that does not read back as its type (rare: e.g. an odd DECIMAL text): keep everything as text
        await copy(false);
      }
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
    const stream = fs.createReadStream(parquetFile);
    stream.once('close', cleanUp);
    return attachment(Readable.toWeb(stream) as ReadableStream, 'parquet', fileName);
  } catch (err) {
    cleanUp();
    throw err;
  }
}
