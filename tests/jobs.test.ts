/**
 * Pipeline jobs: the inbox ingest (files move to processed/ or failed/ with a reason), the run
 * history, no overlapping runs, and the scheduler picking up the shared Online Retail per-day
 * files dropped one day at a time, ending with the same cohort figures as one ingest of them all.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/lib/config/config.ts';
import { readHistory } from '../src/lib/jobs/job-history.ts';
import { runJob } from '../pipelines/jobs/run-job.ts';
import { startScheduler } from '../pipelines/jobs/scheduler.ts';
import { ONLINE_RETAIL_DIR, runCli, tempDir } from './helpers.ts';

const quiet = () => {};

function waitFor(check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const tick = () => {
      if (check()) return resolve();
      if (Date.now() > deadline) return reject(new Error('timed out waiting for the scheduler'));
      setTimeout(tick, 50);
    };
    tick();
  });
}

describe('ingest job', () => {
  it('loads good files, moves a bad one to failed/ with its reason, and records the run', async () => {
    const dir = tempDir();
    const db = path.join(dir, 'w.duckdb');
    fs.mkdirSync(path.join(dir, 'inbox'));
    const day = '2010-12-01.csv';
    fs.copyFileSync(path.join(ONLINE_RETAIL_DIR, day), path.join(dir, 'inbox', day));
    fs.writeFileSync(path.join(dir, 'inbox', 'notes.csv'), 'a,b\n1,2\n');
    const config = parseConfig({ jobs: { ingest: { type: 'ingest', settle_seconds: 0 } } });
    // A fixed "now" names the processed/ folder; the files must have been written before it, or
    // they are not settled yet (this test broke when the clock passed the fixed time).
    const now = new Date('2026-11-23T08:00:00Z');
    const before = new Date(now.getTime() - 3_600_000);
    for (const f of [day, 'notes.csv']) fs.utimesSync(path.join(dir, 'inbox', f), before, before);
    const run = await runJob('ingest', { dbPath: db, config, cwd: dir, trigger: 'manual', log: quiet, now: () => now });

    // 2010-12-01.csv, read with Python's csv module: 3,108 rows; one (536589, Quantity -10, not a
    // "C" cancellation) is a negative amount and is refused (rule: tests/ingest-online-retail.test.ts);
    // 3,108 − 1 = 3,107 load
    expect(run).toMatchObject({ job: 'ingest', status: 'partial', files_processed: 1, files_failed: 1, rows_loaded: 3107, rows_rejected: 1 });
    expect(fs.existsSync(path.join(dir, 'inbox/processed/2026-11-23', day))).toBe(true);
    expect(fs.readFileSync(path.join(dir, 'inbox/failed/notes.csv.reason.txt'), 'utf8')).toMatch(/match no preset/);
    expect(fs.readdirSync(path.join(dir, 'inbox')).sort()).toEqual(['failed', 'processed']);
    expect(readHistory(db)[0]).toEqual(run);

    // nothing new: an idle run is ok and changes nothing
    const idle = await runJob('ingest', { dbPath: db, config, cwd: dir, trigger: 'manual', log: quiet });
    expect(idle).toMatchObject({ status: 'ok', files_processed: 0, files_failed: 0 });
    expect(readHistory(db).map((r) => r.status)).toEqual(['ok', 'partial']);
  });

  it('leaves a file that is still being written, and skips a run while another holds the job', async () => {
    const dir = tempDir();
    const db = path.join(dir, 'w.duckdb');
    fs.mkdirSync(path.join(dir, 'inbox'));
    fs.copyFileSync(path.join(ONLINE_RETAIL_DIR, '2010-12-02.csv'), path.join(dir, 'inbox/today.csv'));
    const config = parseConfig({ jobs: { ingest: { type: 'ingest', settle_seconds: 60 } } });
    // modified just now: not settled for 60 s, so not touched
    const early = await runJob('ingest', { dbPath: db, config, cwd: dir, trigger: 'manual', log: quiet });
    expect(early.files_processed).toBe(0);
    expect(fs.existsSync(path.join(dir, 'inbox/today.csv'))).toBe(true);

    // another live process (this one) holds the lock: the run is skipped, not run twice
    fs.writeFileSync(`${db}.job-ingest.lock`, String(process.pid));
    const skipped = await runJob('ingest', { dbPath: db, config, cwd: dir, trigger: 'manual', log: quiet, now: () => new Date(Date.now() + 120_000) });
    expect(skipped.status).toBe('skipped');
    expect(fs.existsSync(path.join(dir, 'inbox/today.csv'))).toBe(true);
    // a lock left by a process that died is taken over
    fs.writeFileSync(`${db}.job-ingest.lock`, '999999999');
    const after = await runJob('ingest', { dbPath: db, config, cwd: dir, trigger: 'manual', log: quiet, now: () => new Date(Date.now() + 120_000) });
    expect(after.files_processed).toBe(1);
  });

  it('`salesight run` and `salesight jobs` from the command line', () => {
    const dir = tempDir();
    fs.mkdirSync(path.join(dir, 'inbox'));
    fs.writeFileSync(path.join(dir, 'salesight.config.json'), JSON.stringify({ jobs: { ingest: { type: 'ingest', settle_seconds: 0, cron: '0 7 * * 1', timezone: 'Asia/Shanghai' } } }));
    fs.copyFileSync(path.join(ONLINE_RETAIL_DIR, '2010-12-03.csv'), path.join(dir, 'inbox/2010-12-03.csv'));
    const run = runCli(['run', 'ingest', '--db', 'w.duckdb', '--json'], { cwd: dir });
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ status: 'ok', files_processed: 1 });
    const jobs = JSON.parse(runCli(['jobs', '--db', 'w.duckdb', '--json'], { cwd: dir }).stdout);
    // Mondays 07:00 in Shanghai = Sunday 23:00 UTC
    expect(jobs.jobs[0]).toMatchObject({ name: 'ingest', cron: '0 7 * * 1', timezone: 'Asia/Shanghai' });
    expect(jobs.jobs[0].next_run).toMatch(/T23:00:00\.000Z$/);
    expect(jobs.runs).toHaveLength(1);
    expect(runCli(['run', 'nope', '--db', 'w.duckdb'], { cwd: dir })).toMatchObject({ code: 2 });
  });
});

describe('scheduled ingest of the Online Retail days, one day at a time', () => {
  // All 305 days by default; SALESIGHT_INBOX_DAYS=20 for a quicker local run.
  const days = fs.readdirSync(ONLINE_RETAIL_DIR).filter((f) => f.endsWith('.csv')).sort().slice(0, Number(process.env.SALESIGHT_INBOX_DAYS) || undefined);

  it(`picks up each of ${days.length} days and ends with the cohorts of a one-shot ingest`, { timeout: 1_800_000 }, async () => {
    const dir = tempDir();
    const db = path.join(dir, 'scheduled.duckdb');
    const inbox = path.join(dir, 'inbox');
    fs.mkdirSync(inbox);
    // every second (croner's optional seconds field)
    const config = parseConfig({ jobs: { ingest: { type: 'ingest', cron: '* * * * * *', settle_seconds: 0 } } });
    const scheduler = startScheduler({ dbPath: db, config, cwd: dir, log: quiet });
    try {
      for (const day of days) {
        fs.copyFileSync(path.join(ONLINE_RETAIL_DIR, day), path.join(inbox, day));
        await waitFor(() => !fs.existsSync(path.join(inbox, day)), 60_000);
      }
    } finally {
      scheduler.stop();
    }
    const runs = readHistory(db, 10_000).filter((r) => r.files_processed > 0);
    expect(runs.reduce((n, r) => n + r.files_processed, 0)).toBe(days.length);
    expect(runs.every((r) => r.trigger === 'schedule' && r.files_failed === 0)).toBe(true);

    const oneShotDir = path.join(dir, 'one-shot');
    fs.mkdirSync(oneShotDir);
    for (const day of days) fs.copyFileSync(path.join(ONLINE_RETAIL_DIR, day), path.join(oneShotDir, day));
    const oneShot = path.join(dir, 'one-shot.duckdb');
    expect(runCli(['ingest', oneShotDir, '--db', oneShot]).code).toBe(0);

    const cohorts = (file: string) => {
      const r = runCli(['metrics', 'cohorts', '--db', file, '--json']);
      expect(r.code, r.stderr).toBe(0);
      const { customers, leads, params } = JSON.parse(r.stdout);
      return { customers, leads, params };
    };
    expect(cohorts(db)).toEqual(cohorts(oneShot));
  });
});

describe('refresh job', () => {
  it('records the open pipeline per stage and every customer’s segment for the as-of date, once per date', async () => {
    const dir = tempDir();
    const db = path.join(dir, 'demo.duckdb');
    expect(runCli(['demo', '--db', db]).code).toBe(0);
    const config = parseConfig({});
    const first = await runJob('refresh', { dbPath: db, config, cwd: dir, trigger: 'manual', log: quiet });
    expect(first.status).toBe('ok');
    const again = await runJob('refresh', { dbPath: db, config, cwd: dir, trigger: 'manual', log: quiet });
    expect(again.status).toBe('ok');

    // the figures the families give for the same warehouse
    const funnel = JSON.parse(runCli(['metrics', 'funnel', '--db', db, '--json']).stdout);
    const value = JSON.parse(runCli(['metrics', 'customer-value', '--db', db, '--json']).stdout);
    const { query } = await import('./helpers.ts');
    const stages = await query<{ stage: string; open_opportunities: number; day: string }>(
      db,
      `SELECT stage, open_opportunities, strftime(snapshot_date, '%Y-%m-%d') AS day FROM pipeline_snapshots ORDER BY open_opportunities DESC, stage`,
    );
    // refreshed twice on the same as-of date: one set of rows, not two
    expect(stages.map((s) => s.day)).toEqual(stages.map(() => funnel.params.as_of));
    const expected = [...funnel.weighted_pipeline.by_stage].sort((a: { open: number; stage: string }, b: { open: number; stage: string }) => b.open - a.open || (a.stage < b.stage ? -1 : 1));
    expect(stages.map((s) => [s.stage, s.open_opportunities])).toEqual(expected.map((s: { stage: string; open: number }) => [s.stage, s.open]));
    const segments = await query<{ n: number; champions: number }>(db, `SELECT count(*)::INTEGER AS n, count(*) FILTER (segment = 'champions')::INTEGER AS champions FROM segment_history`);
    expect(segments[0]!.n).toBe(value.customers.length);
    expect(segments[0]!.champions).toBe(value.segments.find((s: { id: string }) => s.id === 'champions').customers);
  });
});
