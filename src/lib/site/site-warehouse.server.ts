/**
 * The site's view of the warehouse. The pipeline replaces the file whole (write to a copy, then
 * rename; see docs/warehouse.md), so the site keeps one read-only DuckDB instance per file
 * version: when the path points at a new inode, new requests get a new instance and the old one
 * is closed once its last request is done. Requests never see a half-written warehouse, and a
 * refresh needs no restart.
 */
import crypto from 'node:crypto';
import path from 'node:path';
import { scopeKey, type Scope } from '../access/roles.ts';
import { scopeViewStatements } from '../access/scope-sql.ts';
import { createInstance, type DuckDBInstance, type DuckDBConnection } from '../warehouse/duckdb.server.ts';
import { fileVersion } from '../warehouse/location.ts';
import { queryRows, resolveDbPath, WarehouseMissingError } from '../warehouse/warehouse.server.ts';

interface Opened {
  instance: DuckDBInstance;
  /** identity of the file version: inode + size + mtime */
  version: string;
  /** its database name (the file's stem), which the scope views read the real tables through */
  catalog: string;
  tables: Set<string>;
  users: number;
  retired: boolean;
}

let current: Opened | null = null;
let opening: Promise<Opened> | null = null;

export function sitedbPath(): string {
  return path.resolve(resolveDbPath(process.env.SALESIGHT_DB));
}

function release(o: Opened): void {
  o.users -= 1;
  if (o.retired && o.users === 0) o.instance.closeSync();
}

async function currentVersion(file: string): Promise<Opened> {
  const version = fileVersion(file);
  if (version === null) throw new WarehouseMissingError(file);
  if (current?.version === version) return current;
  opening ??= (async () => {
    const instance = await createInstance(file, { access_mode: 'READ_ONLY' });
    const probe = await instance.connect();
    let catalog: string;
    let tables: Set<string>;
    try {
      catalog = (await queryRows<{ db: string }>(probe, 'SELECT current_database() AS db'))[0]!.db;
      tables = new Set((await queryRows<{ name: string }>(probe, "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'main' AND table_catalog = current_database()")).map((r) => r.name));
    } finally {
      probe.closeSync();
    }
    const previous = current;
    current = { instance, version, catalog, tables, users: 0, retired: false };
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
  /** narrowed to the user's scope: its tables show only the rows the user may see */
  connection: DuckDBConnection;
  /** changes whenever the warehouse file is replaced, and differs per scope: part of every cache key */
  version: string;
  dbPath: string;
}

/**
 * Runs `work` on a connection of its own (TEMP tables some metrics build are per connection)
 * against the current warehouse version, narrowed to `scope`: this is where a user's scope is
 * enforced for every page, drill-down, download and API call (scope-sql.ts).
 */
export async function withWarehouse<T>(scope: Scope, work: (session: WarehouseSession) => Promise<T>): Promise<T> {
  const dbPath = sitedbPath();
  const opened = await currentVersion(dbPath);
  opened.users += 1;
  const connection = await opened.instance.connect();
  try {
    for (const statement of scopeViewStatements(scope, opened.catalog, opened.tables)) await connection.run(statement);
    // a short hash: the version also goes out in a header, which must be ASCII
    const version = scope.kind === 'all' ? opened.version : `${opened.version}|scope-${crypto.createHash('sha256').update(scopeKey(scope)).digest('hex').slice(0, 16)}`;
    return await work({ connection, version, dbPath });
  } finally {
    connection.closeSync();
    release(opened);
  }
}
