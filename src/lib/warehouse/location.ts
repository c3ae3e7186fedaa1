/** Where the warehouse file is. Kept free of DuckDB so the CLI can answer --help instantly. */
import path from 'node:path';

export const DEFAULT_DB_PATH = 'data/warehouse.duckdb';

/** `--db` beats SALESIGHT_DB beats the default. */
export function resolveDbPath(explicit?: string): string {
  return path.resolve(explicit ?? process.env.SALESIGHT_DB ?? DEFAULT_DB_PATH);
}
