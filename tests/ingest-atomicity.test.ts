/**
 * A run is all-or-nothing: killed at any point (kill -9), the warehouse is exactly as before,
 * opens, and the next run completes. Readers never see a half-loaded state.
 * Kill points are spread over the duration of a measured full run, so they land in every phase
 * (reading files, staging, validating, merging, publishing).
 */
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, MAVEN_DIR, ONLINE_RETAIL_DIR, query, REPO_ROOT, runCli, tempDir } from './helpers.ts';
import { openReadOnly, queryValue } from '../src/lib/warehouse/warehouse.server.ts';

const KILL_POINTS = 10;
/** 60 days of Online Retail: big enough that a run takes a few seconds. */
const files = fs.readdirSync(ONLINE_RETAIL_DIR).sort().slice(0, 60).map((f) => path.join(ONLINE_RETAIL_DIR, f));

function sha256(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** Starts an ingest; `exit` is captured at once so a run that ends before we look is not missed. */
function startIngest(db: string) {
  const child = spawn(process.execPath, [BIN, 'ingest', ...files, '--db', db], { cwd: REPO_ROOT, stdio: 'ignore' });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, exit };
}

describe('kill -9 during ingest', () => {
  it(`leaves the warehouse as it was at ${KILL_POINTS} different points, and the next run completes`, { timeout: 300_000 }, async () => {
    const dir = tempDir();
    const db = path.join(dir, 'w.duckdb');
    expect(runCli(['ingest', MAVEN_DIR, '--db', db]).code).toBe(0);
    const before = sha256(db);

    const pristine = path.join(dir, 'pristine.duckdb');
    fs.copyFileSync(db, pristine);

    // how long a full run of these files takes here, and what its finished state holds
    const probeDb = path.join(dir, 'probe.duckdb');
    fs.copyFileSync(db, probeDb);
    const t0 = Date.now();
    expect((await startIngest(probeDb).exit).code).toBe(0);
    const fullMs = Date.now() - t0;
    const [{ n: completeOrders }] = (await query<{ n: number }>(probeDb, 'SELECT count(*) AS n FROM orders')) as [{ n: number }];

    const killedAt: number[] = [];
    for (let i = 0; i < KILL_POINTS; i++) {
      let delay = Math.round((fullMs * (i + 0.5)) / KILL_POINTS);
      // A run can finish sooner than the probe did (the machine is shared with other tests):
      // that is no kill point, so try again a little earlier.
      for (let attempt = 0; ; attempt++) {
        fs.copyFileSync(pristine, db);
        const run = startIngest(db);
        await new Promise((r) => setTimeout(r, delay));
        run.child.kill('SIGKILL');
        const { signal } = await run.exit;
        if (signal !== 'SIGKILL') {
          expect(attempt, 'runs keep finishing before the kill').toBeLessThan(8);
          delay = Math.round(delay * 0.7);
          continue;
        }
        killedAt.push(delay);
        const w = await openReadOnly(db);
        const orders = await queryValue<number>(w.connection, 'SELECT count(*) FROM orders');
        expect(await queryValue<number>(w.connection, 'SELECT count(*) FROM opportunities')).toBe(8800);
        w.close();
        if (sha256(db) !== before) {
          // killed after the atomic rename: the new state is complete, never partial
          expect(orders, `killed after ${delay} ms of ~${fullMs} ms`).toBe(completeOrders);
        } else {
          expect(orders).toBe(0);
        }
        break;
      }
    }
    fs.copyFileSync(pristine, db);
    // the killed runs' leftovers (lock, half-built copy) do not block the next run
    const next = runCli(['ingest', ...files, '--db', db, '--json']);
    expect(next.code, next.stderr).toBe(0);
    const [{ n: loaded }] = (await query<{ n: number }>(db, 'SELECT count(*) AS n FROM orders')) as [{ n: number }];
    expect(loaded).toBe(completeOrders);
    expect(fs.readdirSync(dir).filter((f) => f.includes('.next-') || f.endsWith('.lock'))).toEqual([]);
    console.log(`kill points (ms into a ~${fullMs} ms run): ${killedAt.join(', ')}`);
  });

  it('a reader during a run sees the old state or the new one, never a mix, and never fails', async () => {
    const db = path.join(tempDir(), 'w.duckdb');
    expect(runCli(['ingest', MAVEN_DIR, '--db', db]).code).toBe(0);
    let running = true;
    const exited = startIngest(db).exit.then(({ code }) => {
      running = false;
      return code;
    });
    const seen = new Set<string>();
    let reads = 0;
    while (running) {
      const w = await openReadOnly(db);
      // one connection, one snapshot: both counts come from the same file
      const runs = await queryValue<number>(w.connection, 'SELECT count(*) FROM ingest_runs');
      const orders = await queryValue<number>(w.connection, 'SELECT count(*) FROM orders');
      w.close();
      seen.add(`${runs}:${orders > 0}`);
      reads++;
    }
    expect(await exited).toBe(0);
    expect(reads).toBeGreaterThan(3);
    for (const state of seen) expect(['1:false', '2:true']).toContain(state);
    expect(seen.has('1:false')).toBe(true);
  });
});
