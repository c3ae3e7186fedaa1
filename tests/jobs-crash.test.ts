/**
 * kill -9 of the ingest job at 10 points spread over a run of six inbox files: after each kill
 * the warehouse opens and holds exactly the state after some whole number of files (never half
 * a file), every file is either still in the inbox or processed, and the next run completes,
 * ending with the state of all six.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openReadOnly, queryValue } from '../src/lib/warehouse/warehouse.server.ts';
import { BIN, ONLINE_RETAIL_DIR, runCli, tempDir } from './helpers.ts';

const KILL_POINTS = 10;
const DAYS = fs.readdirSync(ONLINE_RETAIL_DIR).filter((f) => f.endsWith('.csv')).sort().slice(0, 6);
const CONFIG = JSON.stringify({ jobs: { ingest: { type: 'ingest', settle_seconds: 0 } } });

function setUp(): { dir: string; db: string; inbox: string } {
  const dir = tempDir();
  const inbox = path.join(dir, 'inbox');
  fs.mkdirSync(inbox);
  for (const day of DAYS) fs.copyFileSync(path.join(ONLINE_RETAIL_DIR, day), path.join(inbox, day));
  fs.writeFileSync(path.join(dir, 'salesight.config.json'), CONFIG);
  return { dir, db: path.join(dir, 'w.duckdb'), inbox };
}

function startJob(cwd: string) {
  const child = spawn(process.execPath, [BIN, 'run', 'ingest', '--db', 'w.duckdb'], { cwd, stdio: 'ignore' });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return { child, exit };
}

async function orderLines(db: string): Promise<number | null> {
  if (!fs.existsSync(db)) return null; // killed before the first file landed: no warehouse yet
  const w = await openReadOnly(db);
  try {
    return await queryValue<number>(w.connection, 'SELECT count(*) FROM orders');
  } finally {
    w.close();
  }
}

describe('kill -9 during the ingest job', () => {
  it(`holds a whole-file state at ${KILL_POINTS} kill points, and the next run completes`, { timeout: 900_000 }, async () => {
    // The state after each whole file, from one run file by file: prefix[k] = orders after k files.
    const probe = setUp();
    const prefix: (number | null)[] = [null];
    const build = path.join(probe.dir, 'build.duckdb');
    for (const day of DAYS) {
      expect(runCli(['ingest', path.join(probe.inbox, day), '--db', build]).code).toBe(0);
      prefix.push(await orderLines(build));
    }
    const t0 = Date.now();
    expect((await startJob(probe.dir).exit).code).toBe(0);
    const fullMs = Date.now() - t0;
    expect(await orderLines(probe.db)).toBe(prefix.at(-1));

    const killedAt: number[] = [];
    for (let i = 0; i < KILL_POINTS; i++) {
      let delay = Math.round((fullMs * (i + 0.5)) / KILL_POINTS);
      for (let attempt = 0; ; attempt++) {
        const { dir, db, inbox } = setUp();
        const run = startJob(dir);
        await new Promise((r) => setTimeout(r, delay));
        run.child.kill('SIGKILL');
        if ((await run.exit).signal !== 'SIGKILL') {
          // finished before the kill (the machine is shared): try a little earlier
          expect(attempt, 'runs keep finishing before the kill').toBeLessThan(8);
          delay = Math.round(delay * 0.7);
          continue;
        }
        killedAt.push(delay);
        const lines = await orderLines(db);
        const k = prefix.indexOf(lines);
        expect(k, `killed after ${delay} ms: ${lines} order lines is no whole-file state`).toBeGreaterThanOrEqual(0);
        const waiting = fs.readdirSync(inbox).filter((f) => f.endsWith('.csv'));
        const processedDir = path.join(inbox, 'processed');
        const processed = fs.existsSync(processedDir) ? fs.readdirSync(processedDir).flatMap((d) => fs.readdirSync(path.join(processedDir, d))) : [];
        expect(waiting.length + processed.length).toBe(DAYS.length);
        // a file moves after its run lands, so k files landed and k or k − 1 moved
        expect(processed.length === k || processed.length === k - 1).toBe(true);

        // the next run picks up where it stopped (a file loaded twice merges as unchanged)
        expect(runCli(['run', 'ingest', '--db', 'w.duckdb'], { cwd: dir }).code).toBe(0);
        expect(await orderLines(db)).toBe(prefix.at(-1));
        expect(fs.readdirSync(inbox).filter((f) => f.endsWith('.csv'))).toEqual([]);
        break;
      }
    }
    console.log(`jobs kill -9: run ~${fullMs} ms, killed at ${killedAt.join(', ')} ms`);
    expect(new Set(killedAt).size).toBe(KILL_POINTS);
  });
});
