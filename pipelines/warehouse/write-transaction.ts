/**
 * The only way anything writes to the warehouse.
 *
 * DuckDB lets one process hold a file read-write, and a reader cannot open a file a writer holds.
 * So writers never touch the live file: they copy it to `<db>.next-<pid>`, make all changes there,
 * checkpoint, close, fsync, and rename the copy over the live file (rename is atomic on POSIX).
 * Readers (the site, `salesight sql`) therefore always open a complete state, and a process
 * killed at any point leaves the live file exactly as it was; its leftover copy is removed by the
 * next writer. A lock file keeps two writers from racing.
 *
 * The copy is the transaction: a run that throws discards it. The statements themselves run in
 * autocommit on purpose: inside one explicit transaction DuckDB keeps every uncommitted staging
 * table in memory it cannot spill, and a 5M-row export then failed at the memory cap (measured:
 * out of memory at 2 GB; without it, 85 s and 2.5 GB peak).
 */
import fs from 'node:fs';
import path from 'node:path';
import { createInstance, type DuckDBInstance, type DuckDBConnection } from '../../src/lib/warehouse/duckdb.server.ts';
import { createAllTablesSql, SCHEMA_VERSION } from '../../src/lib/warehouse/schema.ts';
import { queryRows, sqlString } from '../../src/lib/warehouse/warehouse.server.ts';
import { processAlive, tryLock } from './pid-lock.ts';

export class WarehouseBusyError extends Error {}

function acquireLock(lockPath: string): () => void {
  const lock = tryLock(lockPath, { ownIsStale: true });
  if ('release' in lock) return lock.release;
  throw new WarehouseBusyError(
    `Another Salesight process (pid ${lock.heldBy}) is writing ${path.dirname(lockPath)}; ` +
      `wait for it to finish and run again. If no such process exists, delete ${lockPath}.`,
  );
}

/** Copies left by writers that were killed mid-run. */
function removeStaleCopies(dbPath: string): void {
  const dir = path.dirname(dbPath);
  const prefix = `${path.basename(dbPath)}.next-`;
  for (const name of fs.readdirSync(dir)) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number.parseInt(name.slice(prefix.length), 10);
    if (!processAlive(pid) || pid === process.pid) fs.rmSync(path.join(dir, name), { force: true });
  }
}

function fsyncPath(p: string): void {
  const fd = fs.openSync(p, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

export async function ensureSchema(connection: DuckDBConnection): Promise<void> {
  for (const sql of createAllTablesSql()) await connection.run(sql);
  const rows = await queryRows<{ value: string }>(
    connection,
    `SELECT value FROM salesight_meta WHERE key = 'schema_version'`,
  );
  const found = rows[0] ? Number(rows[0].value) : undefined;
  if (found !== undefined && found > SCHEMA_VERSION) {
    throw new Error(
      `This warehouse was written by a newer Salesight (schema ${found}, this one knows ${SCHEMA_VERSION}). Upgrade Salesight.`,
    );
  }
  await connection.run(`DELETE FROM salesight_meta WHERE key = 'schema_version'`);
  await connection.run(
    `INSERT INTO salesight_meta VALUES ('schema_version', ${sqlString(String(SCHEMA_VERSION))})`,
  );
}

/**
 * Runs `work` against a private copy of the warehouse and, if it returns, atomically publishes
 * the copy. If it throws, the copy is discarded and the live warehouse is untouched.
 */
export async function withWarehouseWrite<T>(
  dbPath: string,
  work: (connection: DuckDBConnection) => Promise<T>,
): Promise<T> {
  fs.mkdirSync(path.dirname(dbPath), { recursive: true });
  const release = acquireLock(`${dbPath}.lock`);
  const nextPath = `${dbPath}.next-${process.pid}`;
  let instance: DuckDBInstance | undefined;
  let connection: DuckDBConnection | undefined;
  try {
    removeStaleCopies(dbPath);
    if (fs.existsSync(dbPath)) fs.copyFileSync(dbPath, nextPath);
    instance = await createInstance(nextPath);
    connection = await instance.connect();
    await ensureSchema(connection);
    const result = await work(connection);
    await connection.run('CHECKPOINT');
    connection.closeSync();
    instance.closeSync();
    connection = undefined;
    instance = undefined;
    if (fs.existsSync(`${nextPath}.wal`)) {
      throw new Error(`DuckDB left a write-ahead log beside ${nextPath}; refusing to publish a partial file.`);
    }
    fsyncPath(nextPath);
    fs.renameSync(nextPath, dbPath);
    fsyncPath(path.dirname(dbPath));
    return result;
  } finally {
    try {
      connection?.closeSync();
      instance?.closeSync();
    } catch {
      // already failing; the copy is discarded below
    }
    fs.rmSync(nextPath, { force: true });
    fs.rmSync(`${nextPath}.wal`, { force: true });
    release();
  }
}
