/**
 * The one place DuckDB is loaded. @duckdb/node-api is CommonJS spread over many files; importing
 * it through Node's ESM loader scans every file for its exports, which costs ~90 ms more per
 * process than require() (measured: `node scratch`-style import vs require, 208 vs 115 ms).
 * Every CLI command pays it, so it is required here and its types imported separately.
 */
import { createRequire } from 'node:module';
import type * as DuckDBApi from '@duckdb/node-api';

export type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
export const { DuckDBInstance } = createRequire(import.meta.url)('@duckdb/node-api') as typeof DuckDBApi;
export type DuckDBInstance = DuckDBApi.DuckDBInstance;
