/**
 * One ingest run: files → recognise → stage → type and validate → merge, all inside one
 * private copy of the warehouse (write-transaction.ts), so the run lands whole or not at all.
 *
 * Problems with a whole file (unknown layout, missing required column, unreadable encoding) are
 * found before the warehouse is touched and fail the run with exit code 2. Problems with single
 * rows reject those rows into `rejected_rows` and the rest loads, unless `strict` is set.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInstance, type DuckDBConnection } from '../../src/lib/warehouse/duckdb.server.ts';
import { queryRows, queryValue, sqlString } from '../../src/lib/warehouse/warehouse.server.ts';
import { type StageSet } from '../../src/lib/config/stage-sets.ts';
import { withWarehouseWrite } from '../warehouse/write-transaction.ts';
import { discoverInputs, type InputFile } from './discover.ts';
import { detectEncoding, isZip, SHEET_ROW_COLUMN, toUtf8, UnreadableFileError, xlsxToCsv, type Encoding } from './decode.ts';
import { readHeader, detectDelimiter, stageCsvBatch } from './stage-csv.ts';
import { recognise, resolveColumns, type Resolution } from './detect.ts';
import { loadMappingFile, mappingStageSet, sourceHeader, type Mapping } from './mapping.ts';
import { PRESETS, presetById } from './presets.ts';
import { installParseMacros } from './parse-macros.ts';
import { buildTransformSql, csvTextSql, duplicateKeysSql, stageSetIdOf } from './transform-sql.ts';
import { deriveCustomersFromOrders, enrichOpportunities, mergeInto, type MergeCounts } from './merge.ts';
import { deriveStageEventsFromSnapshots, rememberOpportunityStates } from './snapshot-history.ts';
import { SALESIGHT_VERSION } from '../version.ts';

export interface IngestProgress {
  preparing(done: number, total: number, file: string): void;
  step(message: string): void;
  finish(): void;
}

export const silentProgress: IngestProgress = { preparing() {}, step() {}, finish() {} };

export interface IngestOptions {
  dbPath: string;
  inputs: string[];
  preset?: string;
  mappingFile?: string;
  strict?: boolean;
  progress?: IngestProgress;
  cwd?: string;
}

export interface FileReport {
  file: string;
  sheet: string;
  preset: string | null;
  table: string | null;
  encoding: string | null;
  status: 'loaded' | 'skipped';
  rows_read: number;
  rows_loaded: number;
  rows_rejected: number;
  message: string | null;
}

export interface RejectedRowReport {
  file: string;
  sheet: string;
  line: number;
  reason: string;
  raw_record: string;
}

export interface IngestTotals {
  files: number;
  rows_read: number;
  rows_loaded: number;
  rows_rejected: number;
  rows_inserted: number;
  rows_updated: number;
  rows_unchanged: number;
}

/** The `--json` output of `salesight ingest`: a public interface, change on purpose. */
export interface IngestReport {
  run_id: number | null;
  status: 'loaded' | 'loaded_with_rejects' | 'failed';
  db: string;
  started_at: string;
  finished_at: string;
  duration_ms: number;
  totals: IngestTotals;
  /** Per canonical table: rows inserted / updated / unchanged by this run (distinct keys). */
  tables: Record<string, MergeCounts>;
  files: FileReport[];
  /** Up to REJECTED_SAMPLE_SIZE rejected rows; all of them are in the `rejected_rows` table. */
  rejected_rows: RejectedRowReport[];
  errors: string[];
}

export const REJECTED_SAMPLE_SIZE = 100;

/** Exit code 2: the input cannot be loaded as given; nothing was changed. */
export class IngestInputError extends Error {
  readonly exitCode = 2;
  constructor(public readonly problems: string[]) {
    super(problems.join('\n'));
  }
}

/** Exit code 3: --strict and some rows were rejected; nothing was changed. */
export class IngestStrictError extends Error {
  readonly exitCode = 3;
  constructor(public readonly report: IngestReport) {
    super(
      `--strict: ${report.totals.rows_rejected} of ${report.totals.rows_read} rows were rejected, so nothing was loaded. ` +
        `Fix the rows listed above (file, line, reason) or run without --strict to load the good rows.`,
    );
  }
}

interface Source {
  input: InputFile;
  sheet: string;
  encoding: Encoding | 'xlsx';
  csvPath: string;
  delimiter: string;
  /** Headers without our XLSX row-number column. */
  headers: string[];
  fromXlsx: boolean;
  mapping: Mapping;
  resolution: Resolution;
}

interface Batch {
  id: number;
  mapping: Mapping;
  resolution: Resolution;
  delimiter: string;
  width: number;
  fromXlsx: boolean;
  sources: Source[];
}

function describePreset(m: Mapping): string {
  return `"${m.id}"${m.label ? ` (${m.label})` : ''}`;
}

function forcedMapping(opts: IngestOptions): Mapping | undefined {
  if (opts.mappingFile) return loadMappingFile(opts.mappingFile);
  if (opts.preset) {
    const found = presetById(opts.preset);
    if (!found) {
      throw new IngestInputError([
        `Unknown preset "${opts.preset}". Known presets: ${PRESETS.map((p) => p.id).join(', ')} (see \`salesight presets\`).`,
      ]);
    }
    return found;
  }
  return undefined;
}

async function prepareSources(
  opts: IngestOptions,
  inputs: InputFile[],
  tmpDir: string,
  progress: IngestProgress,
): Promise<{ sources: Source[]; skipped: FileReport[]; problems: string[] }> {
  const forced = forcedMapping(opts);
  const sources: Source[] = [];
  const skipped: FileReport[] = [];
  const problems: string[] = [];
  const skip = (input: InputFile, sheet: string, encoding: string | null, message: string) =>
    skipped.push({ file: input.display, sheet, preset: null, table: null, encoding, status: 'skipped', rows_read: 0, rows_loaded: 0, rows_rejected: 0, message });

  const instance = await createInstance(':memory:');
  const connection = await instance.connect();
  try {
    for (const [i, input] of inputs.entries()) {
      progress.preparing(i, inputs.length, input.display);
      const size = fs.statSync(input.absPath).size;
      if (size === 0) {
        skip(input, '', null, 'empty file (0 bytes): nothing to load');
        continue;
      }
      let pieces: { sheet: string; csvPath: string; encoding: Encoding | 'xlsx'; fromXlsx: boolean }[];
      try {
        const head = Buffer.alloc(4);
        const fd = fs.openSync(input.absPath, 'r');
        fs.readSync(fd, head, 0, 4, 0);
        fs.closeSync(fd);
        if (isZip(head) || /\.xlsx$/i.test(input.absPath)) {
          const sheets = await xlsxToCsv(input.absPath, tmpDir);
          if (sheets.length === 0) {
            skip(input, '', 'xlsx', 'workbook has no sheet with a header row: nothing to load');
            continue;
          }
          pieces = sheets.map((s) => ({ sheet: s.sheet, csvPath: s.csvPath, encoding: 'xlsx' as const, fromXlsx: true }));
        } else {
          const encoding = detectEncoding(input.absPath);
          pieces = [{ sheet: '', csvPath: await toUtf8(input.absPath, encoding, tmpDir), encoding, fromXlsx: false }];
        }
      } catch (err) {
        if (err instanceof UnreadableFileError) {
          problems.push(err.message);
          continue;
        }
        throw err;
      }
      for (const piece of pieces) {
        const where = piece.sheet ? `${input.display} (sheet "${piece.sheet}")` : input.display;
        const delimiter = piece.fromXlsx ? ',' : detectDelimiter(piece.csvPath);
        let headers = await readHeader(connection, piece.csvPath, delimiter);
        if (piece.fromXlsx) headers = headers.slice(0, -1);
        if (headers.length === 0) {
          skip(input, piece.sheet, piece.encoding, 'no header row (the file holds only blank lines): nothing to load');
          continue;
        }
        let mapping = forced;
        if (!mapping) {
          const found = recognise(headers);
          if (found.preset) mapping = found.preset;
          else if (found.nearest) {
            problems.push(
              `${where}: missing required column${found.nearest.missing.length > 1 ? 's' : ''} ${found.nearest.missing.map((h) => `"${h}"`).join(', ')} ` +
                `for preset ${describePreset(found.nearest.preset)}. The file's headers are: ${headers.join(', ')}. ` +
                `Add the column to the export, or pass --preset/--mapping if this is another layout.`,
            );
            continue;
          } else if (input.discovered && pieces.length === 1) {
            skip(input, piece.sheet, piece.encoding, `not a known export layout (headers: ${headers.slice(0, 8).join(', ')}${headers.length > 8 ? ', …' : ''}); pass it with --preset or --mapping to load it`);
            continue;
          } else if (piece.fromXlsx && pieces.length > 1) {
            skip(input, piece.sheet, piece.encoding, `sheet "${piece.sheet}" is not a known export layout; skipped`);
            continue;
          } else {
            problems.push(
              `${where}: these headers match no preset: ${headers.join(', ')}. ` +
                `Pass --preset (see \`salesight presets\`) or write a mapping file (docs/ingest.md) and pass --mapping.`,
            );
            continue;
          }
        }
        const resolution = resolveColumns(mapping, headers);
        for (const miss of resolution.missingRequired) {
          problems.push(
            `${where}: missing required column "${miss.headers[0]}" (${miss.column}${miss.headers.length > 1 ? `; also accepted: ${miss.headers.slice(1).join(', ')}` : ''}) for preset ${describePreset(mapping)}. The file's headers are: ${headers.join(', ')}.`,
          );
        }
        if (mapping.table === 'opportunities' && !resolution.columns.has('stage') && !resolution.columns.has('status')) {
          const stageHeaders = (mapping.columns.stage?.from ?? []).map(sourceHeader);
          problems.push(
            `${where}: needs a stage column${stageHeaders.length ? ` ("${stageHeaders[0]}")` : ''} or a status column for preset ${describePreset(mapping)}; neither was found.`,
          );
        }
        for (const amb of resolution.ambiguousHeaders) {
          problems.push(`${where}: header "${amb.header}" appears ${amb.positions.length} times (columns ${amb.positions.join(', ')}), so it is unclear which one to load. Rename or remove the extra column.`);
        }
        if (resolution.missingRequired.length || resolution.ambiguousHeaders.length) continue;
        sources.push({ input, sheet: piece.sheet, encoding: piece.encoding, csvPath: piece.csvPath, delimiter, headers, fromXlsx: piece.fromXlsx, mapping, resolution });
      }
    }
    progress.preparing(inputs.length, inputs.length, '');
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
  return { sources, skipped, problems };
}

function groupIntoBatches(sources: Source[]): Batch[] {
  const batches = new Map<string, Batch>();
  for (const s of sources) {
    const key = [s.mapping.id, s.delimiter, s.fromXlsx, s.headers.join('\u0001')].join('\u0000');
    let batch = batches.get(key);
    if (!batch) {
      batch = {
        id: batches.size,
        mapping: s.mapping,
        resolution: s.resolution,
        delimiter: s.delimiter,
        width: s.headers.length + (s.fromXlsx ? 1 : 0),
        fromXlsx: s.fromXlsx,
        sources: [],
      };
      batches.set(key, batch);
    }
    batch.sources.push(s);
  }
  return [...batches.values()];
}

function addCounts(into: Record<string, MergeCounts>, table: string, c: MergeCounts): void {
  const prev = into[table] ?? { inserted: 0, updated: 0, unchanged: 0 };
  into[table] = { inserted: prev.inserted + c.inserted, updated: prev.updated + c.updated, unchanged: prev.unchanged + c.unchanged };
}

async function saveStageSet(connection: DuckDBConnection, set: StageSet): Promise<void> {
  await connection.run(`DELETE FROM stages WHERE stage_set = ${sqlString(set.id)}`);
  for (const [i, s] of set.stages.entries()) {
    await connection.run(
      `INSERT INTO stages VALUES (?, ?, ?, ?, ?, ?, ?)`,
      [set.id, i + 1, s.stage, s.name_zh, s.name_en, s.is_won ?? false, s.is_won ? null : (s.stagnation_days ?? null)],
    );
  }
}

async function loadBatch(
  connection: DuckDBConnection,
  batch: Batch,
  runId: number,
  tables: Record<string, MergeCounts>,
  fileReports: FileReport[],
): Promise<void> {
  const { mapping } = batch;
  const staged = await stageCsvBatch(
    connection,
    batch.id,
    batch.sources.map((s) => s.csvPath),
    batch.width,
    batch.delimiter,
    batch.fromXlsx ? batch.width - 1 : undefined,
  );
  const stageSet = ['opportunities', 'stage_events'].includes(mapping.table) ? mappingStageSet(mapping) : undefined;
  const typed = `typed_${batch.id}`;
  await connection.run(
    buildTransformSql({ mapping, resolution: batch.resolution, stageSet, recordsTable: staged.records, outTable: typed }),
  );
  const duplicates = duplicateKeysSql(typed, mapping.table);
  const repeatsInAFile = await queryValue<boolean>(connection, duplicates.check);
  if (repeatsInAFile) await connection.run(duplicates.mark);
  const displays = batch.sources.map((s) => s.input.display);
  const sheets = batch.sources.map((s) => s.sheet);
  const fileCase = (col: string, values: string[]) => `CASE ${col} ${values.map((v, i) => `WHEN ${i} THEN ${sqlString(v)}`).join(' ')} END`;

  await connection.run(`
    INSERT INTO rejected_rows (run_id, file, sheet, line, raw_record, reason)
    SELECT ${runId}, ${fileCase('t.file_idx', displays)}, ${fileCase('t.file_idx', sheets)}, t.line,
           ${csvTextSql(batch.fromXlsx ? batch.width - 1 : batch.width, 'r.')}, t.__reasons
    FROM ${typed} t JOIN ${staged.records} r ON r.file_idx = t.file_idx AND r.line = t.line
    WHERE t.__reasons IS NOT NULL
    UNION ALL
    SELECT ${runId}, ${fileCase('file_idx', displays)}, ${fileCase('file_idx', sheets)}, line, raw, reason
    FROM ${staged.parserRejects}
  `);
  const perFile = await queryRows<{ file_idx: number; loaded: number; rejected: number }>(
    connection,
    `SELECT file_idx, count(*) FILTER (__reasons IS NULL) AS loaded, count(*) FILTER (__reasons IS NOT NULL) AS rejected FROM ${typed} GROUP BY file_idx
     UNION ALL SELECT file_idx, 0, count(*) FROM ${staged.parserRejects} GROUP BY file_idx`,
  );
  for (const [i, s] of batch.sources.entries()) {
    const rows = perFile.filter((r) => r.file_idx === i);
    const loaded = rows.reduce((a, r) => a + r.loaded, 0);
    const rejected = rows.reduce((a, r) => a + r.rejected, 0);
    fileReports.push({
      file: s.input.display,
      sheet: s.sheet,
      preset: mapping.id,
      table: mapping.table,
      encoding: s.encoding,
      status: 'loaded',
      rows_read: loaded + rejected,
      rows_loaded: loaded,
      rows_rejected: rejected,
      message: null,
    });
  }
  const accepted = `accepted_${batch.id}`;
  // a view, not a copy: at 5M rows the copy alone took 7 s
  await connection.run(`CREATE TEMP VIEW ${accepted} AS SELECT * EXCLUDE (__reasons) FROM ${typed} WHERE __reasons IS NULL`);
  // one file without a repeated key: the merge need not look for repeats again
  const keysUnique = batch.sources.length === 1 && !repeatsInAFile;
  addCounts(tables, mapping.table, await mergeInto(connection, mapping.table, accepted, displays, runId, keysUnique));
  if (mapping.derive_customers) {
    addCounts(tables, 'customers', await deriveCustomersFromOrders(connection, accepted, displays, runId));
  }
  if (stageSet) await saveStageSet(connection, { ...stageSet, id: stageSetIdOf(mapping) });
  await connection.run(`DROP VIEW ${accepted}`);
  await connection.run(`DROP TABLE ${typed}`);
  await staged.drop();
}

export async function runIngest(opts: IngestOptions): Promise<IngestReport> {
  const progress = opts.progress ?? silentProgress;
  const startedAt = new Date();
  const inputs = discoverInputs(opts.inputs, opts.cwd);
  if (inputs.length === 0) {
    throw new IngestInputError([`No CSV or XLSX files found in ${opts.inputs.join(', ')}.`]);
  }
  const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'salesight-ingest-'));
  try {
    const { sources, skipped, problems } = await prepareSources(opts, inputs, tmpDir, progress);
    if (problems.length) throw new IngestInputError(problems);
    const batches = groupIntoBatches(sources);

    return await withWarehouseWrite(opts.dbPath, async (connection) => {
      await installParseMacros(connection);
      const runId = await queryValue<number>(connection, `SELECT coalesce(max(run_id), 0) + 1 FROM ingest_runs`);
      const tables: Record<string, MergeCounts> = {};
      const fileReports: FileReport[] = [];
      const loadsOpportunities = batches.some((b) => b.mapping.table === 'opportunities');
      if (loadsOpportunities) await rememberOpportunityStates(connection);
      for (const batch of batches) {
        progress.step(
          `loading ${batch.sources.length} file${batch.sources.length > 1 ? 's' : ''} as ${batch.mapping.id} → ${batch.mapping.table}`,
        );
        await loadBatch(connection, batch, runId, tables, fileReports);
      }
      if (loadsOpportunities) {
        const derived = await deriveStageEventsFromSnapshots(connection, runId, startedAt);
        if (derived > 0) {
          progress.step(`${derived} stage change${derived > 1 ? 's' : ''} derived from the snapshot (opportunities whose stage moved since the last load)`);
          addCounts(tables, 'stage_events', { inserted: derived, updated: 0, unchanged: 0 });
        }
      }
      if (Object.keys(tables).some((t) => ['opportunities', 'reps', 'customers'].includes(t))) {
        progress.step('filling team/region/industry of opportunities from reps and customers');
        await enrichOpportunities(connection);
      }
      // Report files in the order they were given.
      const order = new Map(inputs.map((f, i) => [f.display, i]));
      const files = [...fileReports, ...skipped].sort((a, b) => (order.get(a.file)! - order.get(b.file)!) || a.sheet.localeCompare(b.sheet));
      const sum = (k: 'rows_read' | 'rows_loaded' | 'rows_rejected') => files.reduce((a, f) => a + f[k], 0);
      const tableSum = (k: keyof MergeCounts) => Object.values(tables).reduce((a, c) => a + c[k], 0);
      const finishedAt = new Date();
      const report: IngestReport = {
        run_id: runId,
        status: sum('rows_rejected') > 0 ? 'loaded_with_rejects' : 'loaded',
        db: opts.dbPath,
        started_at: startedAt.toISOString(),
        finished_at: finishedAt.toISOString(),
        duration_ms: finishedAt.getTime() - startedAt.getTime(),
        totals: {
          files: files.length,
          rows_read: sum('rows_read'),
          rows_loaded: sum('rows_loaded'),
          rows_rejected: sum('rows_rejected'),
          rows_inserted: tableSum('inserted'),
          rows_updated: tableSum('updated'),
          rows_unchanged: tableSum('unchanged'),
        },
        tables,
        files,
        rejected_rows: await queryRows<RejectedRowReport>(
          connection,
          `SELECT file, sheet, line, reason, left(raw_record, 500) AS raw_record FROM rejected_rows WHERE run_id = ${runId} ORDER BY file, sheet, line LIMIT ${REJECTED_SAMPLE_SIZE}`,
        ),
        errors: [],
      };
      if (opts.strict && report.totals.rows_rejected > 0) {
        throw new IngestStrictError({ ...report, run_id: null, status: 'failed', errors: [] });
      }
      for (const f of files) {
        await connection.run(`INSERT INTO ingest_files VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, [
          runId, f.file, f.sheet, f.preset, f.table, f.encoding, f.status, f.rows_read, f.rows_loaded, f.rows_rejected, f.message,
        ]);
      }
      const t = report.totals;
      await connection.run(`INSERT INTO ingest_runs VALUES (?, ?::TIMESTAMP, ?::TIMESTAMP, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, [
        runId, report.started_at, report.finished_at, report.status, t.files, t.rows_read, t.rows_loaded, t.rows_rejected,
        t.rows_inserted, t.rows_updated, t.rows_unchanged,
        JSON.stringify({ inputs: opts.inputs, preset: opts.preset ?? null, mapping: opts.mappingFile ?? null, strict: !!opts.strict }),
        SALESIGHT_VERSION,
      ]);
      progress.step('publishing the new warehouse state');
      return report;
    });
  } finally {
    progress.finish();
    fs.rmSync(tmpDir, { recursive: true, force: true });
  }
}
