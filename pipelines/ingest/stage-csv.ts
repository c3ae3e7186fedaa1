/**
 * Reads CSV files with DuckDB's own reader into a staging table of text columns, one row per
 * record, each with the physical line it starts on. Records the reader cannot split (ragged
 * rows, broken quotes, oversized lines, bad UTF-8) are kept in a parser-rejects table with their
 * line and the reason. Nothing here knows about presets: it only turns bytes into records.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { queryRows, sqlString } from '../../src/lib/warehouse/warehouse.server.ts';

/** DuckDB's limit on one record; a longer record is rejected, not the whole file. */
export const MAX_RECORD_BYTES = 8 * 1024 * 1024;
/** Raw records longer than this are cut in `rejected_rows.raw_record` (the file itself is still there). */
export const MAX_RAW_RECORD_CHARS = 64 * 1024;

export const DELIMITERS = [',', '\t', ';', '|'] as const;

/** Picks the delimiter that splits the header line most (a header rarely quotes a delimiter). */
export function detectDelimiter(csvPath: string): string {
  if (/\.tsv$/i.test(csvPath)) return '\t';
  const fd = fs.openSync(csvPath, 'r');
  const buf = Buffer.alloc(64 * 1024);
  const n = fs.readSync(fd, buf, 0, buf.length, 0);
  fs.closeSync(fd);
  const firstLine = buf.subarray(0, n).toString('utf8').split(/\r?\n/, 1)[0] ?? '';
  let best: string = ',';
  let bestCount = 0;
  for (const d of DELIMITERS) {
    const count = firstLine.split(d).length - 1;
    if (count > bestCount) {
      best = d;
      bestCount = count;
    }
  }
  return best;
}

function readerOptions(delimiter: string): string {
  return `delim=${sqlString(delimiter)}, quote='"', escape='"', max_line_size=${MAX_RECORD_BYTES}`;
}

/** Fields in the first lines, an upper bound for the header's width (quoted delimiters only add). */
function maxFieldsNearTop(csvPath: string, delimiter: string): number {
  const fd = fs.openSync(csvPath, 'r');
  const buf = Buffer.alloc(64 * 1024);
  const n = fs.readSync(fd, buf, 0, buf.length, 0);
  fs.closeSync(fd);
  const firstLines = buf.subarray(0, n).toString('utf8').split(/\r?\n/, 5);
  return Math.max(1, ...firstLines.map((l) => l.split(delimiter).length));
}

/** How much of a file readHeader hands to the reader: far more than any header line. */
export const HEADER_PROBE_BYTES = 1 << 20;

/** The whole lines in a file's first HEADER_PROBE_BYTES, as a temporary file; the file itself when it is small or has no line break there. */
function headOfFile(csvPath: string): { path: string; remove(): void } {
  const whole = { path: csvPath, remove() {} };
  if (fs.statSync(csvPath).size <= HEADER_PROBE_BYTES) return whole;
  const fd = fs.openSync(csvPath, 'r');
  const buf = Buffer.alloc(HEADER_PROBE_BYTES);
  const n = fs.readSync(fd, buf, 0, buf.length, 0);
  fs.closeSync(fd);
  const end = buf.lastIndexOf(0x0a, n - 1);
  if (end < 0) return whole;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'salesight-head-'));
  const headPath = path.join(dir, 'head.csv');
  fs.writeFileSync(headPath, buf.subarray(0, end + 1));
  return { path: headPath, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/**
 * The header record's fields, as DuckDB splits them (quoted headers with commas work). The
 * dialect is given, not sniffed: the sniffer gives up on exactly the broken files we must report.
 */
export async function readHeader(
  connection: DuckDBConnection,
  csvPath: string,
  delimiter: string,
): Promise<string[]> {
  const width = maxFieldsNearTop(csvPath, delimiter);
  const columns = `{${Array.from({ length: width }, (_, i) => `'c${i}': 'VARCHAR'`).join(', ')}}`;
  // The reader goes through the whole file even for LIMIT 1 (1M rows: 0.45 s), so it reads the
  // file's head only: the lines in its first HEADER_PROBE_BYTES, or all of it if that is less.
  const head = headOfFile(csvPath);
  let rows;
  try {
    rows = await connection.runAndReadAll(
      `SELECT * FROM read_csv(${sqlString(head.path)}, header=false, auto_detect=false, columns=${columns}, null_padding=true, parallel=false, ignore_errors=true, ${readerOptions(delimiter)}) LIMIT 1`,
    );
  } finally {
    head.remove();
  }
  const first = rows.getRows()[0];
  if (!first) return [];
  const values = first.map((v) => (v === null ? '' : String(v)));
  while (values.length && values[values.length - 1]!.trim() === '') values.pop();
  return values;
}

export interface StagedTables {
  /** file_idx, line, c0..c{width-1}: one row per data record that split cleanly (a table or a view). */
  records: string;
  /** file_idx, line, raw, reason: records the CSV reader refused. */
  parserRejects: string;
  /** Drops what staging made, in dependency order. */
  drop(): Promise<void>;
}

function describeReaderError(errorType: string, message: string, fromXlsx: boolean): string {
  const counts = /Expected Number of Columns: (\d+) Found: (\d+)/.exec(message);
  if (fromXlsx && errorType === 'TOO MANY COLUMNS') {
    return 'has a value to the right of the last header column; give that column a header or clear the cell';
  }
  switch (errorType) {
    case 'MISSING COLUMNS':
      return `has ${counts?.[2] ?? 'fewer'} fields but the header has ${counts?.[1] ?? 'more'}: a value is missing, or a line break sits inside an unquoted value`;
    case 'TOO MANY COLUMNS':
      return `has ${counts?.[2] ?? 'more'} fields but the header has ${counts?.[1] ?? 'fewer'}: an unquoted delimiter inside a value? Quote values that contain commas`;
    case 'UNQUOTED VALUE':
      return 'a quote character is out of place (a value with a quote must be quoted, and its quotes doubled)';
    case 'INVALID UNICODE':
    case 'INVALID ENCODING':
      return 'contains bytes that are not valid UTF-8 (was part of the file saved in another encoding?)';
    case 'LINE SIZE OVER MAXIMUM': {
      const size = /Actual Size:\s*(\d+)/.exec(message)?.[1];
      // DuckDB hands back only the start of such a line, so say so: the file still has it all.
      return `the record is longer than ${MAX_RECORD_BYTES / 1024 / 1024} MB${size ? ` (${Number(size).toLocaleString('en-US')} bytes)` : ''}; raw_record keeps only its beginning`;
    }
    default:
      return message.split('\n')[0] ?? errorType;
  }
}

/** Physical lines of a file: its line breaks, plus one when the last line has none. */
export function physicalLines(file: string): number {
  const fd = fs.openSync(file, 'r');
  const buf = Buffer.allocUnsafe(1 << 20);
  let lines = 0;
  let last = 0x0a;
  try {
    for (let n; (n = fs.readSync(fd, buf, 0, buf.length, null)) > 0; ) {
      for (let i = buf.indexOf(0x0a, 0); i !== -1 && i < n; i = buf.indexOf(0x0a, i + 1)) lines++;
      last = buf[n - 1]!;
    }
  } finally {
    fs.closeSync(fd);
  }
  return lines + (last === 0x0a ? 0 : 1);
}

/**
 * True when each file has exactly as many physical lines as the reader found records: then no
 * record spans lines (no quoted line breaks) and there are no blank lines the reader skipped.
 */
async function allRecordsSingleLine(connection: DuckDBConnection, raw: string, csvPaths: string[]): Promise<boolean> {
  const counts = await queryRows<{ filename: string; n: number }>(connection, `SELECT filename, count(*)::BIGINT AS n FROM ${raw} GROUP BY filename`);
  const byFile = new Map(counts.map((c) => [c.filename, c.n]));
  return csvPaths.every((p) => (byFile.get(p) ?? 0) === physicalLines(p));
}

/**
 * Stages a batch of files that share one layout (same header, same delimiter).
 * `sheetRowColumn`: index of the column that carries XLSX row numbers, if the files came from XLSX.
 */
export async function stageCsvBatch(
  connection: DuckDBConnection,
  batchId: number,
  csvPaths: string[],
  width: number,
  delimiter: string,
  sheetRowColumn?: number,
): Promise<StagedTables> {
  const raw = `stg_raw_${batchId}`;
  const rejects = `stg_rejects_${batchId}`;
  const scans = `stg_scans_${batchId}`;
  const records = `stg_records_${batchId}`;
  const parserRejects = `stg_parser_rejects_${batchId}`;
  const cols = Array.from({ length: width }, (_, i) => `c${i}`);
  const columnsSpec = `{${cols.map((c) => `'${c}': 'VARCHAR'`).join(', ')}}`;
  const fileList = `[${csvPaths.map(sqlString).join(', ')}]`;
  const filesValues = csvPaths.map((p, i) => `(${i}, ${sqlString(p)})`).join(', ');

  await connection.run(
    `CREATE TEMP TABLE ${raw} AS SELECT * FROM read_csv(${fileList}, header=false, auto_detect=false, columns=${columnsSpec}, ` +
      `${readerOptions(delimiter)}, filename=true, ignore_errors=true, store_rejects=true, ` +
      `rejects_table='${rejects}', rejects_scan='${scans}')`,
  );

  // A record's height in physical lines: 1 + the line breaks inside its quoted values.
  const joined = `concat_ws('', ${cols.join(', ')})`;
  const heightExpr = `1 + length(${joined}) - length(replace(${joined}, chr(10), ''))`;
  const sheetRow = sheetRowColumn === undefined ? 'NULL' : `TRY_CAST(c${sheetRowColumn} AS INTEGER)`;

  const rejectRows = await queryRows<{ file_idx: number; rec: number; raw: string; error_type: string; error_message: string }>(
    connection,
    `WITH files(file_idx, path) AS (VALUES ${filesValues})
     SELECT f.file_idx, e.line::BIGINT AS rec, first(e.csv_line) AS raw, first(e.error_type::VARCHAR) AS error_type, first(e.error_message) AS error_message
     FROM ${rejects} e JOIN ${scans} s ON s.scan_id = e.scan_id AND s.file_id = e.file_id JOIN files f ON f.path = s.file_path
     GROUP BY ALL`,
  );
  await connection.run(
    `CREATE TEMP TABLE ${parserRejects}_pre (file_idx INTEGER, rec BIGINT, raw VARCHAR, reason VARCHAR)`,
  );
  if (rejectRows.length) {
    const appender = await connection.createAppender(`${parserRejects}_pre`, 'main', 'temp');
    for (const r of rejectRows) {
      appender.appendInteger(r.file_idx);
      appender.appendBigInt(BigInt(r.rec));
      appender.appendVarchar(r.raw ?? '');
      appender.appendVarchar(describeReaderError(r.error_type, r.error_message ?? '', sheetRowColumn !== undefined));
      appender.endRow();
    }
    appender.closeSync();
  }

  if (rejectRows.length === 0 && sheetRowColumn === undefined && (await allRecordsSingleLine(connection, raw, csvPaths))) {
    // The common case, measured at 4M records: every record is one physical line, so a record's
    // line is its position in the file and the height bookkeeping below (about a third of the
    // whole ingest) is skipped. The raw table holds the files in order (insertion order is kept).
    // A view, not a copy: the transform reads it once (1M records: the copy was an eighth of the ingest).
    await connection.run(`
      CREATE TEMP VIEW ${records} AS
      WITH files(file_idx, path) AS (VALUES ${filesValues}),
      firsts AS (SELECT filename, min(rowid) AS first_rowid FROM ${raw} GROUP BY filename)
      SELECT f.file_idx, (r.rowid - fr.first_rowid + 1)::INTEGER AS line, ${cols.map((c) => `r.${c}`).join(', ')}
      FROM ${raw} r JOIN firsts fr ON fr.filename = r.filename JOIN files f ON f.path = r.filename
      WHERE r.rowid > fr.first_rowid
    `);
    await connection.run(`CREATE TEMP TABLE ${parserRejects} (file_idx INTEGER, line INTEGER, raw VARCHAR, reason VARCHAR)`);
    for (const t of [rejects, scans, `${parserRejects}_pre`]) await connection.run(`DROP TABLE IF EXISTS ${t}`);
    return {
      records,
      parserRejects,
      drop: async () => {
        await connection.run(`DROP VIEW ${records}`);
        for (const t of [raw, parserRejects]) await connection.run(`DROP TABLE ${t}`);
      },
    };
  }

  // DuckDB numbers rejected records (1 = header), not physical lines. Good records are the
  // records in between, in order; a good record's number is k + 1 + (rejects before it), found
  // with an ASOF join on t_i = r_i - (i - 1). Physical lines then come from summed heights.
  await connection.run(`
    CREATE TEMP TABLE ${records}_pre AS
    WITH files(file_idx, path) AS (VALUES ${filesValues}),
    good AS (
      SELECT f.file_idx, (r.rowid - min(r.rowid) OVER (PARTITION BY r.filename)) + 1 AS k1,
             ${heightExpr} AS h, ${sheetRow} AS sheet_row, ${cols.map((c) => `r.${c}`).join(', ')}
      FROM ${raw} r JOIN files f ON f.path = r.filename
    ),
    rej_t AS (
      SELECT file_idx, rec - row_number() OVER (PARTITION BY file_idx ORDER BY rec) + 1 AS t,
             row_number() OVER (PARTITION BY file_idx ORDER BY rec) AS i
      FROM ${parserRejects}_pre
    ),
    rej_tmax AS (SELECT file_idx, t, max(i) AS i FROM rej_t GROUP BY ALL)
    SELECT g.*, g.k1 + coalesce(rt.i, 0) AS rec
    FROM good g ASOF LEFT JOIN rej_tmax rt ON g.file_idx = rt.file_idx AND g.k1 >= rt.t
  `);
  await connection.run(`
    CREATE TEMP TABLE stg_lines_${batchId} AS
    WITH all_rec AS (
      SELECT file_idx, rec, h FROM ${records}_pre
      UNION ALL
      SELECT file_idx, rec, 1 + length(raw) - length(replace(raw, chr(10), '')) FROM ${parserRejects}_pre
    )
    SELECT file_idx, rec, 1 + coalesce(sum(h) OVER (PARTITION BY file_idx ORDER BY rec ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS line
    FROM all_rec
  `);
  await connection.run(`
    CREATE TEMP TABLE ${records} AS
    SELECT p.file_idx, coalesce(p.sheet_row, l.line)::INTEGER AS line, ${cols.map((c) => `p.${c}`).join(', ')}
    FROM ${records}_pre p JOIN stg_lines_${batchId} l USING (file_idx, rec)
    WHERE p.rec > 1
    ORDER BY p.file_idx, p.rec
  `);
  await connection.run(`
    CREATE TEMP TABLE ${parserRejects} AS
    SELECT p.file_idx,
           coalesce(${sheetRowColumn === undefined ? 'NULL' : `TRY_CAST(regexp_extract(p.raw, ',(\\d+)\\s*$', 1) AS INTEGER)`}, l.line)::INTEGER AS line,
           CASE WHEN length(p.raw) > ${MAX_RAW_RECORD_CHARS}
                THEN left(p.raw, ${MAX_RAW_RECORD_CHARS}) || '…[cut: ' || length(p.raw) || ' characters in all]'
                ELSE p.raw END AS raw,
           p.reason
    FROM ${parserRejects}_pre p JOIN stg_lines_${batchId} l USING (file_idx, rec)
  `);
  for (const t of [raw, rejects, scans, `${records}_pre`, `${parserRejects}_pre`, `stg_lines_${batchId}`]) {
    await connection.run(`DROP TABLE IF EXISTS ${t}`);
  }
  return {
    records,
    parserRejects,
    drop: async () => {
      for (const t of [records, parserRejects]) await connection.run(`DROP TABLE ${t}`);
    },
  };
}
