/**
 * The one place DuckDB is loaded. @duckdb/node-api is CommonJS spread over many files; importing
 * it through Node's ESM loader scans every file for its exports, which costs ~90 ms more per
 * process than require() (measured: `node scratch`-style import vs require, 208 vs 115 ms).
 * Every CLI command pays it, so it is required here and its types imported separately.
 * (The CLI bundle imports it statically instead: see pipelines/bin/build-cli.js.)
 */
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import type * as DuckDBApi from '@duckdb/node-api';

export type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
export const { DuckDBInstance, JSDuckDBValueConverter } = createRequire(import.meta.url)('@duckdb/node-api') as typeof DuckDBApi;
export type DuckDBInstance = DuckDBApi.DuckDBInstance;

/**
 * DuckDB's own default memory_limit is 80% of the machine's RAM, per instance: an ingest of a few
 * million rows then holds 9 GB. Salesight caps each instance and lets DuckDB spill the rest to
 * disk, so every command stays within a few GB on any warehouse size (SALESIGHT_MEMORY_LIMIT
 * changes the cap, e.g. `8GB` on a big server).
 */
export const DEFAULT_MEMORY_LIMIT = '2GB';

/** Where an instance spills: one directory per process, since DuckDB's spill file names are not unique across processes. */
export function spillDirectory(): string {
  return path.join(os.tmpdir(), `salesight-spill-${process.pid}`);
}

/** Every Salesight DuckDB instance is made here, with the memory cap and spill directory above. */
export async function createInstance(file: string, options: Record<string, string> = {}): Promise<DuckDBInstance> {
  return DuckDBInstance.create(file, {
    memory_limit: process.env.SALESIGHT_MEMORY_LIMIT || DEFAULT_MEMORY_LIMIT,
    temp_directory: spillDirectory(),
    ...options,
  });
}
