/**
 * The SQL sandbox: ad hoc queries from analysts (the `sql` command, and the site's console to
 * come) run here, never on the metrics' connections. What holds them:
 * - a DuckDB instance of its own, opened READ_ONLY, with external access disabled (no files,
 *   no ATTACH, no COPY, no extensions installed or loaded) and its configuration locked, so a
 *   query cannot SET its way out; and a memory limit;
 * - exactly one statement, and only a SELECT (DESCRIBE / SHOW / SUMMARIZE are SELECTs too):
 *   read-only DuckDB still allows TEMP tables and PRAGMAs, this does not;
 * - a time limit that interrupts the query (it really stops, the connection stays usable);
 * - a row cap: at most `maxRows` rows are read back, and the result says it was cut.
 */
import fs from 'node:fs';
import type { Scope } from '../access/roles.ts';
import { quoteIdentifier, ROWID_TABLES, SCOPED_TABLES, scopeViewStatements } from '../access/scope-sql.ts';
import { createInstance, type DuckDBConnection, type DuckDBInstance } from '../warehouse/duckdb.server.ts';
import { queryRows, sqlString, WarehouseMissingError } from '../warehouse/warehouse.server.ts';

/** Default wall time of a console query; `salesight serve --sql-timeout <s>` changes it. */
export const DEFAULT_SQL_TIMEOUT_MS = 15_000;

function timeoutFromEnv(): number {
  const seconds = Number(process.env.SALESIGHT_SQL_TIMEOUT);
  return Number.isFinite(seconds) && seconds > 0 ? Math.round(seconds * 1000) : DEFAULT_SQL_TIMEOUT_MS;
}

export const SANDBOX_LIMITS = {
  /** wall time before the query is interrupted */
  timeoutMs: timeoutFromEnv(),
  maxRows: 10_000,
  /** DuckDB memory_limit for the sandbox instance */
  memoryLimit: '1GB',
  threads: 2,
};

/** StatementType.SELECT in @duckdb/node-api's enums. */
const SELECT_STATEMENT = 1;

export class SandboxError extends Error {
  constructor(
    message: string,
    /** refused: never ran; stopped: ran and was interrupted; failed: DuckDB said no */
    readonly kind: 'refused' | 'stopped' | 'failed',
  ) {
    super(message);
  }
}

export interface SandboxResult {
  columns: { name: string; type: string }[];
  rows: Record<string, unknown>[];
  /** true when more rows existed than maxRows */
  truncated: boolean;
  elapsed_ms: number;
}

export interface Sandbox {
  run(sql: string, opts?: Partial<Pick<typeof SANDBOX_LIMITS, 'timeoutMs' | 'maxRows'>>): Promise<SandboxResult>;
  /** Stops the running query (the console's cancel button); false when none was running. */
  cancel(): boolean;
  close(): void;
}

function plain(v: unknown): unknown {
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  return v;
}

export async function openSandbox(dbPath: string, limits = SANDBOX_LIMITS): Promise<Sandbox> {
  if (!fs.existsSync(dbPath)) throw new WarehouseMissingError(dbPath);
  const instance = await createInstance(dbPath, {
    access_mode: 'READ_ONLY',
    ...LOCKED_DOWN,
    memory_limit: limits.memoryLimit,
    threads: String(limits.threads),
    lock_configuration: 'true',
  });
  return sandboxOn(instance, await instance.connect(), limits);
}

/**
 * A sandbox holding only `scope`'s rows: an in-memory database filled from the warehouse through
 * the scope's views (scope-sql.ts), after which the warehouse is detached, external access is
 * switched off and the configuration locked. Rows outside the scope are not in it at all, so no
 * query, however it names tables (`warehouse.main.opportunities`, query_table(…)), can reach them.
 * A scope of `all` opens the warehouse file itself (read-only), which costs no copy.
 */
export async function openScopedSandbox(dbPath: string, scope: Scope, limits = SANDBOX_LIMITS): Promise<Sandbox> {
  if (scope.kind === 'all') return openSandbox(dbPath, limits);
  if (!fs.existsSync(dbPath)) throw new WarehouseMissingError(dbPath);
  const instance = await createInstance(':memory:', {
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
    allow_community_extensions: 'false',
    memory_limit: limits.memoryLimit,
    threads: String(limits.threads),
  });
  const connection = await instance.connect();
  try {
    await connection.run(`ATTACH ${sqlString(dbPath)} AS warehouse (READ_ONLY)`);
    const tables = (await queryRows<{ name: string }>(connection, "SELECT table_name AS name FROM information_schema.tables WHERE table_catalog = 'warehouse' AND table_schema = 'main' AND table_type = 'BASE TABLE' ORDER BY 1")).map((r) => r.name);
    const present = new Set(tables);
    for (const statement of scopeViewStatements(scope, 'warehouse', present)) await connection.run(statement);
    for (const table of tables) {
      const from = (SCOPED_TABLES as readonly string[]).includes(table) ? `temp.main.${quoteIdentifier(table)}` : `warehouse.main.${quoteIdentifier(table)}`;
      const columns = ROWID_TABLES.has(table) ? '* EXCLUDE (rowid)' : '*';
      await connection.run(`CREATE TABLE memory.main.${quoteIdentifier(table)} AS SELECT ${columns} FROM ${from}`);
    }
    for (const table of SCOPED_TABLES) if (present.has(table)) await connection.run(`DROP VIEW temp.main.${quoteIdentifier(table)}`);
    await connection.run('DETACH warehouse');
    await connection.run('SET enable_external_access = false');
    await connection.run('SET lock_configuration = true');
  } catch (err) {
    connection.closeSync();
    instance.closeSync();
    throw err;
  }
  return sandboxOn(instance, connection, limits);
}

/** Settings that keep a query inside the database: no files, no network, no extensions. */
const LOCKED_DOWN = {
  enable_external_access: 'false',
  autoinstall_known_extensions: 'false',
  autoload_known_extensions: 'false',
  allow_community_extensions: 'false',
};

function sandboxOn(instance: DuckDBInstance, connection: DuckDBConnection, limits: typeof SANDBOX_LIMITS): Sandbox {
  let busy = false;
  let cancelled = false;

  return {
    async run(sql, opts = {}) {
      const timeoutMs = opts.timeoutMs ?? limits.timeoutMs;
      const maxRows = opts.maxRows ?? limits.maxRows;
      if (busy) throw new SandboxError('Another query is still running in this session; wait for it or cancel it.', 'refused');
      busy = true;
      const started = performance.now();
      try {
        let extracted;
        try {
          extracted = await connection.extractStatements(sql);
        } catch (err) {
          throw new SandboxError((err as Error).message, 'failed');
        }
        if (extracted.count !== 1) throw new SandboxError(`Send exactly one statement (this has ${extracted.count}).`, 'refused');
        let prepared;
        try {
          prepared = await extracted.prepare(0);
        } catch (err) {
          throw new SandboxError((err as Error).message, 'failed');
        }
        if (Number(prepared.statementType) !== SELECT_STATEMENT) {
          prepared.destroySync();
          throw new SandboxError('Only SELECT queries run here (also DESCRIBE, SHOW, SUMMARIZE): the console reads, it never changes anything.', 'refused');
        }
        cancelled = false;
        let timedOut = false;
        const timer = setTimeout(() => {
          timedOut = true;
          connection.interrupt();
        }, timeoutMs);
        try {
          const reader = await prepared.streamAndReadUntil(maxRows + 1);
          const names = reader.columnNames();
          const types = reader.columnTypes().map((t) => t.toString());
          const all = reader.getRowObjectsJS();
          const truncated = all.length > maxRows || !reader.done;
          const rows = all.slice(0, maxRows).map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, plain(v)])));
          return { columns: names.map((name, i) => ({ name, type: types[i]! })), rows, truncated, elapsed_ms: Math.round(performance.now() - started) };
        } catch (err) {
          if (cancelled) throw new SandboxError('Cancelled.', 'stopped');
          if (timedOut) throw new SandboxError(`Stopped after ${(timeoutMs / 1000).toFixed(0)} s (the time limit). Narrow the query (filters, LIMIT, fewer joins) and run it again.`, 'stopped');
          throw new SandboxError((err as Error).message, 'failed');
        } finally {
          clearTimeout(timer);
          prepared.destroySync();
        }
      } finally {
        busy = false;
      }
    },
    cancel() {
      if (!busy) return false;
      cancelled = true;
      connection.interrupt();
      return true;
    },
    close() {
      connection.closeSync();
      instance.closeSync();
    },
  };
}
