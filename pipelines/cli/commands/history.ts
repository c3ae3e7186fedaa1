/** `salesight runs` and `salesight rejects`: what past ingests did, from the warehouse itself. */
import type { Command } from 'commander';
import type { ReadOnlyWarehouse } from '../../../src/lib/warehouse/warehouse.server.ts';
import type { IngestTotals } from '../../ingest/run-ingest.ts';
import { resolveDbPath } from '../../../src/lib/warehouse/location.ts';
import { formatCount, renderTextTable } from '../text-table.ts';
import { EXIT, fail, printJson } from '../output.ts';

/** A row of `salesight runs --json`: the run's counts have the same names as in the ingest report. */
export interface IngestRunRow extends IngestTotals {
  run_id: number;
  started_at: string;
  finished_at: string;
  status: string;
}

async function withWarehouse<T>(cmd: Command, json: boolean | undefined, fn: (w: ReadOnlyWarehouse) => Promise<T>): Promise<T> {
  const { openReadOnly, WarehouseMissingError } = await import('../../../src/lib/warehouse/warehouse.server.ts');
  let warehouse: ReadOnlyWarehouse;
  try {
    warehouse = await openReadOnly(resolveDbPath(cmd.optsWithGlobals().db));
  } catch (err) {
    if (err instanceof WarehouseMissingError) fail(err.message, EXIT.input, json);
    throw err;
  }
  try {
    return await fn(warehouse);
  } finally {
    warehouse.close();
  }
}

async function queryRows<T>(w: ReadOnlyWarehouse, sql: string, params: (string | number)[] = []): Promise<T[]> {
  const { queryRows: run } = await import('../../../src/lib/warehouse/warehouse.server.ts');
  return run<T>(w.connection, sql, params);
}

export async function recentRuns(w: ReadOnlyWarehouse, limit: number): Promise<IngestRunRow[]> {
  return queryRows<IngestRunRow>(
    w,
    `SELECT run_id, strftime(started_at, '%Y-%m-%d %H:%M:%S') AS started_at, strftime(finished_at, '%Y-%m-%d %H:%M:%S') AS finished_at,
            status, files, rows_read, rows_loaded, rows_rejected, rows_inserted, rows_updated, rows_unchanged
     FROM ingest_runs ORDER BY run_id DESC LIMIT ?`,
    [limit],
  );
}

export function registerHistory(program: Command): void {
  program
    .command('runs')
    .description('Recent ingest runs: when, how many rows were read, loaded and rejected.')
    .option('--limit <n>', 'how many runs', '20')
    .option('--json', 'print JSON')
    .action(async (opts: { limit: string; json?: boolean }, cmd: Command) => {
      const limit = Number.parseInt(opts.limit, 10);
      if (!Number.isInteger(limit) || limit < 1) fail('--limit must be a positive whole number.', EXIT.input, opts.json);
      await withWarehouse(cmd, opts.json, async (w) => {
        const runs = await recentRuns(w, limit);
        if (opts.json) return printJson(runs);
        if (runs.length === 0) {
          process.stdout.write('No ingest runs yet. Load exports with `salesight ingest <files>`.\n');
          return;
        }
        process.stdout.write(
          `${renderTextTable(
            ['run', 'started (UTC)', 'status', 'files', 'read', 'loaded', 'rejected', 'new', 'updated', 'unchanged'],
            runs.map((r) => [
              String(r.run_id), r.started_at, r.status, formatCount(r.files), formatCount(r.rows_read), formatCount(r.rows_loaded),
              formatCount(r.rows_rejected), formatCount(r.rows_inserted), formatCount(r.rows_updated), formatCount(r.rows_unchanged),
            ]),
            { alignRight: new Set([0, 3, 4, 5, 6, 7, 8, 9]) },
          )}\n`,
        );
      });
    });

  program
    .command('rejects')
    .description('Rows an ingest refused, with file, line and reason (default: the latest run).')
    .option('--run <id>', 'run number (see `salesight runs`)')
    .option('--limit <n>', 'how many rows', '50')
    .option('--json', 'print JSON')
    .action(async (opts: { run?: string; limit: string; json?: boolean }, cmd: Command) => {
      await withWarehouse(cmd, opts.json, async (w) => {
        const runId = opts.run
          ? Number.parseInt(opts.run, 10)
          : ((await queryRows<{ id: number | null }>(w, 'SELECT max(run_id) AS id FROM ingest_runs'))[0]?.id ?? null);
        if (runId === null || !Number.isInteger(runId)) fail('No ingest runs yet.', EXIT.input, opts.json);
        const rows = await queryRows<{ file: string; sheet: string; line: number; reason: string; raw_record: string }>(
          w,
          `SELECT file, sheet, line, reason, left(raw_record, 500) AS raw_record FROM rejected_rows WHERE run_id = ? ORDER BY file, sheet, line LIMIT ?`,
          [runId, Number.parseInt(opts.limit, 10) || 50],
        );
        if (opts.json) return printJson({ run_id: runId, rows });
        if (rows.length === 0) {
          process.stdout.write(`Run ${runId} rejected no rows.\n`);
          return;
        }
        process.stdout.write(
          `${renderTextTable(['file', 'line', 'reason', 'record'], rows.map((r) => [r.sheet ? `${r.file} [${r.sheet}]` : r.file, String(r.line), r.reason, r.raw_record]), { alignRight: new Set([1]), maxCellWidth: 70 })}\n`,
        );
      });
    });
}
