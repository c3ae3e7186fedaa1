/**
 * The console's server side: one query in the user's scoped sandbox (console-sandbox.server.ts),
 * its outcome as the JSON the page reads, and an audit line for every query whatever its outcome.
 */
import type { RequestEvent } from '@sveltejs/kit';
import { z } from 'zod';
import { audit } from '../access/access.server.ts';
import type { AccessUser } from '../access/roles.ts';
import { consoleSandbox } from '../sql/console-sandbox.server.ts';
import { SANDBOX_LIMITS, SandboxError } from '../sql/sandbox.server.ts';
import { WarehouseMissingError } from '../warehouse/warehouse.server.ts';
import { deduplicatedColumns, jsonRows, type ConsoleColumn, type JsonCell } from './json-values.ts';

/** Longest query text accepted (a pasted report query fits; a pasted data dump does not). */
export const MAX_SQL_CHARS = 100_000;
/** Rows a download re-runs the query for (the page itself shows SANDBOX_LIMITS.maxRows). */
export const MAX_CONSOLE_DOWNLOAD_ROWS = 100_000;
/** Columns the schema browser lists (every table of the warehouse has far fewer together). */
export const MAX_SCHEMA_COLUMNS = 5_000;

export const sqlText = z.string().trim().min(1, 'Write a query first.').max(MAX_SQL_CHARS, `A query may be at most ${MAX_SQL_CHARS.toLocaleString('en')} characters.`);
export const runBody = z.object({ sql: sqlText });

export type QueryFailure = 'refused' | 'stopped' | 'failed';

export type RunResponse =
  | { status: 'ok'; columns: ConsoleColumn[]; rows: Record<string, JsonCell>[]; truncated: boolean; elapsed_ms: number; max_rows: number }
  | { status: QueryFailure; message: string };

/**
 * HTTP status per outcome. refused (never ran: not a SELECT, several statements, busy) and
 * stopped (time limit, cancel) → 422: understood, not carried out. failed (DuckDB's own error,
 * e.g. a typo) → 400. Not 408 for stopped: Chromium re-sends a request answered 408 on a
 * reused connection, which would run the slow query again.
 */
export const HTTP_STATUS: Record<QueryFailure, number> = { refused: 422, stopped: 422, failed: 400 };

export type ConsoleOutcome =
  | { status: 'ok'; columns: ConsoleColumn[]; rows: Record<string, JsonCell>[]; truncated: boolean; elapsed_ms: number }
  | { status: QueryFailure; message: string; elapsed_ms: number };

/** Runs one console query for the user: never throws for anything the query did. */
export async function runConsoleQuery(user: AccessUser, sql: string, maxRows: number = SANDBOX_LIMITS.maxRows): Promise<ConsoleOutcome> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const sandbox = await consoleSandbox(user);
    const result = await sandbox.run(sql, { maxRows, timeoutMs: SANDBOX_LIMITS.timeoutMs });
    const columns = deduplicatedColumns(result.columns);
    return { status: 'ok', columns, rows: jsonRows(columns, result.rows), truncated: result.truncated, elapsed_ms: result.elapsed_ms };
  } catch (err) {
    if (err instanceof SandboxError) return { status: err.kind, message: err.message, elapsed_ms: elapsed() };
    if (err instanceof WarehouseMissingError) return { status: 'failed', message: 'There is no warehouse yet: load your CRM exports first (salesight ingest).', elapsed_ms: elapsed() };
    console.error('SQL console:', err);
    return { status: 'failed', message: 'The query could not be run; the details are in the server log.', elapsed_ms: elapsed() };
  }
}

/** The audit line of one console query. */
export function auditQuery(event: Pick<RequestEvent, 'getClientAddress' | 'locals'>, sql: string, outcome: ConsoleOutcome): void {
  audit(event, 'sql', {
    sql,
    status: outcome.status,
    rows: outcome.status === 'ok' ? outcome.rows.length : 0,
    elapsed_ms: outcome.elapsed_ms,
    ...(outcome.status === 'ok' ? {} : { message: outcome.message }),
  });
}

export interface SchemaTable {
  name: string;
  columns: { name: string; type: string }[];
}

/** The tables and columns the user's sandbox holds (their scope's copy, or the warehouse). */
export async function consoleSchema(user: AccessUser): Promise<{ tables: SchemaTable[] } | { error: string }> {
  const outcome = await runConsoleQuery(
    user,
    "SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = 'main' ORDER BY table_name, ordinal_position",
    MAX_SCHEMA_COLUMNS,
  );
  if (outcome.status !== 'ok') return { error: outcome.message };
  const tables = new Map<string, SchemaTable>();
  for (const r of outcome.rows) {
    const name = String(r.table_name);
    let table = tables.get(name);
    if (!table) tables.set(name, (table = { name, columns: [] }));
    table.columns.push({ name: String(r.column_name), type: String(r.data_type) });
  }
  return { tables: [...tables.values()] };
}
