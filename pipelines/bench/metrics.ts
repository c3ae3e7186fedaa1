/**
 * How long each metric family takes on a warehouse (default: the demo's), two ways:
 * - compute: in one warm process (what the site pays per request), median of several runs;
 * - command: `salesight metrics <family> --json` as a fresh process, median of three, beside
 *   the floor every command pays (`salesight sql "SELECT 1"`: Node, the DuckDB library, opening the file).
 *
 *   npm run bench:metrics [-- --db data/demo.duckdb --runs 5]
 *
 * Prints numbers and ratios; asserts nothing (timings belong to the machine, not to the tests).
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { REPO_ROOT } from '../repo-root.ts';
import { DEMO_DB } from '../demo/paths.ts';
import { openReadOnly } from '../../src/lib/warehouse/warehouse.server.ts';
import { resolveParams } from '../../src/lib/metrics/params.ts';
import { loadConfig } from '../../src/lib/config/config.ts';
import { FAMILY_IDS, loadFamily } from '../../src/lib/metrics/registry.ts';

const { values } = parseArgs({ options: { db: { type: 'string', default: DEMO_DB }, runs: { type: 'string', default: '5' } } });
const db = path.resolve(values.db!);
const runs = Math.max(1, Number.parseInt(values.runs!, 10) || 5);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const cli = path.join(REPO_ROOT, 'pipelines/bin/salesight.js');

function commandMs(args: string[]): number {
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    const start = performance.now();
    const r = spawnSync(process.execPath, [cli, ...args, '--db', db], { encoding: 'utf8', maxBuffer: 1 << 30 });
    if (r.status !== 0) throw new Error(`salesight ${args.join(' ')} failed (${r.status ?? r.signal}): ${r.stderr}`);
    times.push(performance.now() - start);
  }
  return median(times);
}

// Time the compiled CLI users run, not the from-source fallback an edited checkout would use.
const build = spawnSync(process.execPath, [path.join(REPO_ROOT, 'pipelines/bin/build-cli.js')], { stdio: 'inherit' });
if (build.status !== 0) throw new Error('building the CLI failed');

const warehouse = await openReadOnly(db);
const ctx = { connection: warehouse.connection, params: await resolveParams(warehouse.connection, {}), config: loadConfig().config };
const floor = commandMs(['sql', 'SELECT 1']);
console.log(`warehouse ${db}\ncommand floor (salesight sql "SELECT 1"): ${floor.toFixed(0)} ms\n`);
console.log(`${'family'.padEnd(18)} ${'compute'.padStart(9)} ${'command'.padStart(9)} ${'command/floor'.padStart(14)}`);
for (const id of FAMILY_IDS) {
  const family = (await loadFamily(id))!;
  await family.compute(ctx); // warm-up: first run pays for loading and planning caches
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await family.compute(ctx);
    times.push(performance.now() - start);
  }
  const command = commandMs(['metrics', id, '--json']);
  console.log(`${id.padEnd(18)} ${`${median(times).toFixed(0)} ms`.padStart(9)} ${`${command.toFixed(0)} ms`.padStart(9)} ${(command / floor).toFixed(2).padStart(14)}`);
}
warehouse.close();
