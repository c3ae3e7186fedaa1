/**
 * A floor query run the way a CLI command runs: a new Node process that loads DuckDB, opens the
 * warehouse read-only with the same memory cap, runs the one query and prints its rows as JSON.
 * The bench's warm floor runs on a connection whose buffers are already loaded; a command never
 * has that, so this is the floor a command is compared with like for like.
 *
 *   node floor-process.cjs <warehouse.duckdb> <query.sql>
 *
 * CommonJS and plain JavaScript, like the compiled CLI: no TypeScript loader in the timing.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { DuckDBInstance } = require('@duckdb/node-api');

async function main() {
  const [db, sqlFile] = process.argv.slice(2);
  // the cap (runFloorProcess passes Salesight's) and spill directory every Salesight instance gets
  // (src/lib/warehouse/duckdb.server.ts)
  const spill = path.join(os.tmpdir(), `salesight-spill-${process.pid}`);
  const instance = await DuckDBInstance.create(db, { access_mode: 'READ_ONLY', memory_limit: process.env.SALESIGHT_MEMORY_LIMIT, temp_directory: spill });
  const connection = await instance.connect();
  const reader = await connection.runAndReadAll(fs.readFileSync(sqlFile, 'utf8'));
  process.stdout.write(`${JSON.stringify(reader.getRowObjectsJson())}\n`);
  connection.closeSync();
  instance.closeSync();
  fs.rmSync(spill, { recursive: true, force: true });
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
