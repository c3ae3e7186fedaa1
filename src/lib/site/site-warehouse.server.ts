/**
 * The site's view of the warehouse. The pipeline replaces the file whole (write to a copy, then
 * rename; see docs/warehouse.md), so the site keeps one read-only DuckDB instance per file
 * version: when the path points at a new inode, new requests get a new instance and the old one
 * is closed once its last request is done. Requests never see a half-written warehouse, and a
 * refresh needs no restart.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createInstance, type DuckDBInstance, type DuckDBConnection } from '../warehouse/duckdb.server.ts';
import { resolveDbPath, WarehouseMissingError } from '../warehouse/warehouse.server.ts';

interface Opened {
  instance: DuckDBInstance;
  /** identity of the file version: inode + size + mtime */
  version: string;
  users: number;
  retired: boolean;
}

let current: Opened | null = null;
let opening: Promise<Opened> | null = null;

export function sitedbPath(): string {
  return path.resolve(resolveDbPath(process.env.SALESIGHT_DB));
}

function versionOf(file: string): string | null {
  try {
    const s = fs.statSync(file);
    return `${s.ino}:${s.size}:${s.mtimeMs}`;
  } catch {
    return null;
  }
}

function release(o: Opened): void {
  o.users -= 1;
  if (o.retired && o.users === 0) o.instance.closeSync();
}

async function currentVersion(file: string): Promise<Opened> {
  const version = versionOf(file);
  if (version === null) throw new WarehouseMissingError(file);
  if (current?.version === version) return current;
  opening ??= (async () => {
    const instance = await createInstance(file, { access_mode: 'READ_ONLY' });
    const previous = current;
    current = { instance, version, users: 0, retired: false };
    if (previous) {
      previous.retired = true;
      if (previous.users === 0) previous.instance.closeSync();
    }
    return current;
  })().finally(() => {
    opening = null;
  });
  return opening;
}

export interface WarehouseSession {
  connection: DuckDBConnection;
  /** changes whenever the warehouse file is replaced: part of every cache key */
  version: string;
  dbPath: string;
}

/**
 * Runs `work` on a connection of its own (TEMP tables some metrics build are per connection)
 * against the current warehouse version.
 */
export async function withWarehouse<T>(work: (session: WarehouseSession) => Promise<T>): Promise<T> {
  const dbPath = sitedbPath();
  const opened = await currentVersion(dbPath);
  opened.users += 1;
  const connection = await opened.instance.connect();
  try {
    return await work({ connection, version: opened.version, dbPath });
  } finally {
    connection.closeSync();
    release(opened);
  }
}
