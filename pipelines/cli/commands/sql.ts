import type { Command } from 'commander';
import type { DuckDBMaterializedResult } from '@duckdb/node-api';
import { resolveDbPath } from '../../../src/lib/warehouse/location.ts';
import { renderTextTable } from '../text-table.ts';
import { EXIT, fail, printJson } from '../output.ts';

/** Rows shown by `--format table`; csv and json print everything. */
export const MAX_TABLE_ROWS = 1000;

/** DuckDB type names whose values print as JSON numbers. */
const NUMERIC_TYPES = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|DECIMAL)/;

export interface QueryResultTable {
  columns: string[];
  numeric: boolean[];
  /** Values as DuckDB's JSON conversion gives them: exact decimals and big integers as strings. */
  rows: Record<string, unknown>[];
}

export async function readResult(result: DuckDBMaterializedResult): Promise<QueryResultTable> {
  const columns = result.columnNames();
  const numeric = result.columnTypes().map((t) => NUMERIC_TYPES.test(t.toString()));
  const reader = await result.getRowObjectsJson();
  return { columns, numeric, rows: reader as Record<string, unknown>[] };
}

function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function toCsv(t: QueryResultTable): string {
  return [t.columns.map(csvCell).join(','), ...t.rows.map((r) => t.columns.map((c) => csvCell(r[c])).join(','))].join('\n');
}

/** JSON numbers for numeric columns (a DECIMAL keeps its digits as written by DuckDB). */
export function toJsonRows(t: QueryResultTable): Record<string, unknown>[] {
  return t.rows.map((r) => {
    const out: Record<string, unknown> = {};
    t.columns.forEach((c, i) => {
      const v = r[c];
      out[c] = t.numeric[i] && typeof v === 'string' ? Number(v) : v;
    });
    return out;
  });
}

export function registerSql(program: Command): void {
  program
    .command('sql')
    .description('Run a read-only SQL query against the warehouse (tables: docs/warehouse.md).')
    .argument('<query>', 'one SQL statement, e.g. "SELECT stage, count(*) FROM opportunities GROUP BY ALL"')
    .option('--format <format>', 'table, csv or json', 'table')
    .option('--json', 'same as --format json')
    .action(async (query: string, opts: { format: string; json?: boolean }, cmd: Command) => {
      const format = opts.json ? 'json' : opts.format;
      if (!['table', 'csv', 'json'].includes(format)) fail(`--format must be table, csv or json (got "${format}").`, EXIT.input);
      const asJson = format === 'json';
      const db = resolveDbPath(cmd.optsWithGlobals().db);
      const { openReadOnly, WarehouseMissingError } = await import('../../../src/lib/warehouse/warehouse.server.ts');
      let warehouse;
      try {
        warehouse = await openReadOnly(db);
      } catch (err) {
        if (err instanceof WarehouseMissingError) fail(err.message, EXIT.input, asJson);
        throw err;
      }
      try {
        let table: QueryResultTable;
        try {
          table = await readResult(await warehouse.connection.run(query));
        } catch (err) {
          const message = (err as Error).message;
          const hint = /read-only mode/i.test(message)
            ? ' (`salesight sql` never changes the warehouse; load data with `salesight ingest`)'
            : /does not exist/i.test(message)
              ? ' (tables: opportunities, stage_events, orders, customers, reps, targets, products, stages, ingest_runs, ingest_files, rejected_rows)'
              : '';
          fail(`${message}${hint}`, EXIT.input, asJson);
        }
        if (format === 'json') printJson(toJsonRows(table));
        else if (format === 'csv') process.stdout.write(`${toCsv(table)}\n`);
        else {
          const shown = table.rows.slice(0, MAX_TABLE_ROWS);
          const text = (v: unknown) => (v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));
          process.stdout.write(
            `${renderTextTable(table.columns, shown.map((r) => table.columns.map((c) => text(r[c]))), {
              alignRight: new Set(table.numeric.flatMap((n, i) => (n ? [i] : []))),
            })}\n`,
          );
          process.stderr.write(
            `(${table.rows.length} row${table.rows.length === 1 ? '' : 's'}${table.rows.length > shown.length ? `, first ${shown.length} shown; use --format csv for all` : ''})\n`,
          );
        }
      } finally {
        warehouse.close();
      }
    });
}
