/**
 * Opening the warehouse for reading, and small query helpers shared by the CLI, the metrics and
 * the site. Writers go through pipelines/warehouse/write-transaction.ts instead: the file at
 * `dbPath` is only ever replaced whole (see docs/warehouse.md, "Readers and the writer").
 */
import fs from 'node:fs';
import { createInstance, type DuckDBConnection, type DuckDBValue } from './duckdb.server.ts';

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
  const instance = await createInstance(dbPath, { access_mode: 'READ_ONLY' });
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

/**
 * Rows as plain JS objects: BIGINT/HUGEINT become numbers (our counts fit); DECIMAL already
 * comes back as a number. Converted in place: copying every row costs more than the query on
 * wide results (work reports: ~40 ms of 3,678 rows).
 */
export async function queryRows<T = Row>(
  connection: DuckDBConnection,
  sql: string,
  params?: DuckDBValue[] | Record<string, DuckDBValue>,
): Promise<T[]> {
  const reader = await connection.runAndReadAll(sql, params);
  const rows = reader.getRowObjectsJS() as Row[];
  const names = reader.columnNames();
  // which columns hold bigints: the column's type decides, so its first non-null value tells
  const big = names.filter((n) => {
    for (const row of rows) if (row[n] !== null && row[n] !== undefined) return typeof row[n] === 'bigint';
    return false;
  });
  if (big.length > 0) {
    for (const row of rows) for (const n of big) if (typeof row[n] === 'bigint') row[n] = Number(row[n]);
  }
  return rows as T[];
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
