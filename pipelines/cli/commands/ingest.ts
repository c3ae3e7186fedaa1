import type { Command } from 'commander';
import { resolveDbPath } from '../../../src/lib/warehouse/location.ts';
import type { IngestReport } from '../../ingest/run-ingest.ts';
import { terminalProgress } from '../progress.ts';
import { formatCount, renderTextTable } from '../text-table.ts';
import { EXIT, fail, printJson } from '../output.ts';

const MAX_FILES_LISTED = 25;
const MAX_REJECTS_LISTED = 10;

export function renderIngestSummary(report: IngestReport): string {
  const out: string[] = [];
  const files = report.files;
  const shown = files.length > MAX_FILES_LISTED ? files.slice(0, MAX_FILES_LISTED) : files;
  out.push(
    renderTextTable(
      ['file', 'preset → table', 'read', 'loaded', 'rejected', 'note'],
      shown.map((f) => [
        f.sheet ? `${f.file} [${f.sheet}]` : f.file,
        f.status === 'loaded' ? `${f.preset} → ${f.table}` : 'skipped',
        formatCount(f.rows_read),
        formatCount(f.rows_loaded),
        formatCount(f.rows_rejected),
        f.message ?? (f.encoding && f.encoding !== 'utf-8' ? f.encoding : ''),
      ]),
      { alignRight: new Set([2, 3, 4]) },
    ),
  );
  if (files.length > shown.length) out.push(`… and ${files.length - shown.length} more files (all of them: --json, or the ingest_files table)`);
  const t = report.totals;
  out.push('');
  out.push(
    renderTextTable(
      ['table', 'new', 'updated', 'unchanged'],
      Object.entries(report.tables).map(([name, c]) => [name, formatCount(c.inserted), formatCount(c.updated), formatCount(c.unchanged)]),
      { alignRight: new Set([1, 2, 3]) },
    ),
  );
  out.push('');
  out.push(
    `run ${report.run_id}: ${formatCount(t.files)} files, ${formatCount(t.rows_read)} rows read = ${formatCount(t.rows_loaded)} loaded + ${formatCount(t.rows_rejected)} rejected, in ${(report.duration_ms / 1000).toFixed(1)} s → ${report.db}`,
  );
  if (report.rejected_rows.length) {
    out.push('');
    out.push(`Rejected rows (first ${Math.min(MAX_REJECTS_LISTED, report.rejected_rows.length)}; all: salesight rejects --run ${report.run_id ?? ''}):`);
    for (const r of report.rejected_rows.slice(0, MAX_REJECTS_LISTED)) {
      out.push(`  ${r.file}${r.sheet ? ` [${r.sheet}]` : ''}:${r.line}  ${r.reason}`);
    }
  }
  return out.join('\n');
}

export function registerIngest(program: Command): void {
  program
    .command('ingest')
    .description('Load CRM exports (CSV/XLSX files, folders or globs) into the warehouse. A run lands whole or not at all.')
    .argument('<inputs...>', 'files, directories (searched recursively for .csv/.tsv/.txt/.xlsx) or globs')
    .option('--preset <id>', 'treat every file as this layout instead of recognising it (see `salesight presets`)')
    .option('--mapping <file>', 'a JSON mapping file for your own export layout (docs/ingest.md)')
    .option('--strict', 'fail the whole run, changing nothing, if any row is rejected')
    .option('--json', 'print one JSON report on stdout (progress stays on stderr)')
    .addHelpText(
      'after',
      `
Exit codes: 0 loaded (rejected rows, if any, are in the rejected_rows table),
            2 input problem such as a missing required column (nothing changed),
            3 --strict and some rows were rejected (nothing changed).
Examples:
  salesight ingest exports/                       # every CSV/XLSX below exports/
  salesight ingest '2024-*.csv' --preset canonical-opportunities
  salesight ingest crm.xlsx --mapping my-crm.json --strict`,
    )
    .action(async (inputs: string[], opts: { preset?: string; mapping?: string; strict?: boolean; json?: boolean }, cmd: Command) => {
      const db = resolveDbPath(cmd.optsWithGlobals().db);
      if (opts.preset && opts.mapping) fail('Give --preset or --mapping, not both.', EXIT.input, opts.json);
      const { IngestInputError, IngestStrictError, runIngest } = await import('../../ingest/run-ingest.ts');
      const { InputNotFoundError } = await import('../../ingest/discover.ts');
      const { MappingFileError } = await import('../../ingest/mapping.ts');
      const { WarehouseBusyError } = await import('../../warehouse/write-transaction.ts');
      try {
        const report = await runIngest({
          dbPath: db,
          inputs,
          preset: opts.preset,
          mappingFile: opts.mapping,
          strict: opts.strict,
          progress: terminalProgress(),
        });
        if (opts.json) printJson(report);
        else process.stdout.write(`${renderIngestSummary(report)}\n`);
      } catch (err) {
        if (err instanceof IngestStrictError) {
          if (opts.json) printJson({ ...err.report, errors: [err.message] });
          else process.stderr.write(`${renderIngestSummary({ ...err.report, run_id: null })}\n\n`);
          fail(err.message, err.exitCode, opts.json, true);
        }
        if (err instanceof IngestInputError) {
          fail(`Nothing was loaded:\n${err.problems.map((p) => `  - ${p}`).join('\n')}`, err.exitCode, opts.json);
        }
        if (err instanceof InputNotFoundError || err instanceof MappingFileError || err instanceof WarehouseBusyError) {
          fail(err.message, EXIT.input, opts.json);
        }
        throw err;
      }
    });
}
