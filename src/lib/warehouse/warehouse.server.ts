/**
 * Opening the warehouse for reading, and small query helpers shared by the CLI, the metrics and
 * the site. Writers go through pipelines/warehouse/write-transaction.ts instead: the file at
 * `dbPath` is only ever replaced whole (see docs/warehouse.md, "Readers and the writer").
 */
import fs from 'node:fs';
import { DuckDBInstance, type DuckDBConnection, type DuckDBValue } from './duckdb.server.ts';

export { DEFAULT_DB_PATH, resolveDbPath } from './location.ts';

export class WarehouseMissingError extends Error {
  constructor(public readonly dbPath: string) {
    super(
      `No warehouse at ${dbPath}. Load some exports first: \`salesight ingest <files>\` ` +
        `(or \`npm run demo\` for the sample data), or point --db at an existing warehouse.`,
    );
  }
}

export interface ReadOnlyWarehouse {
  connection: DuckDBConnection;
  dbPath: string;
  close(): void;
}

/**
 * Opens the current warehouse file read-only. Because writers never modify this file in place
 * (they build a copy and rename it over), a reader can never see a half-loaded state, and the
 * copy it opened stays readable (same inode) even after a swap.
 */
export async function openReadOnly(dbPath: string): Promise<ReadOnlyWarehouse> {
  if (!fs.existsSync(dbPath)) throw new WarehouseMissingError(dbPath);
  const instance = await DuckDBInstance.create(dbPath, { access_mode: 'READ_ONLY' });
  const connection = await instance.connect();
  return {
    connection,
    dbPath,
    close() {
      connection.closeSync();
      instance.closeSync();
    },
  };
}

export type Row = Record<string, unknown>;

/** Plain JS values: BIGINT/HUGEINT become numbers (our counts fit), DECIMAL becomes number. */
function plain(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  return value;
}

export async function queryRows<T = Row>(
  connection: DuckDBConnection,
  sql: string,
  params?: DuckDBValue[] | Record<string, DuckDBValue>,
): Promise<T[]> {
  const reader = await connection.runAndReadAll(sql, params);
  return reader.getRowObjectsJS().map((row) => {
    const out: Row = {};
    for (const [k, v] of Object.entries(row)) out[k] = plain(v);
    return out as T;
  });
}

export async function queryValue<T = unknown>(
  connection: DuckDBConnection,
  sql: string,
  params?: DuckDBValue[] | Record<string, DuckDBValue>,
): Promise<T> {
  const rows = await queryRows(connection, sql, params);
  const first = rows[0];
  if (!first) throw new Error(`query returned no rows: ${sql}`);
  return Object.values(first)[0] as T;
}

/** SQL string literal. Used for file paths and identifiers we built ourselves, never user SQL. */
export function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}
