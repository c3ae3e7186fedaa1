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
import { createInstance, type DuckDBConnection } from '../warehouse/duckdb.server.ts';
import { WarehouseMissingError } from '../warehouse/warehouse.server.ts';

export const SANDBOX_LIMITS = {
  /** wall time before the query is interrupted */
  timeoutMs: 15_000,
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
    enable_external_access: 'false',
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
    allow_community_extensions: 'false',
    memory_limit: limits.memoryLimit,
    threads: String(limits.threads),
    lock_configuration: 'true',
  });
  const connection: DuckDBConnection = await instance.connect();
  let busy = false;

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
    close() {
      connection.closeSync();
      instance.closeSync();
    },
  };
}
