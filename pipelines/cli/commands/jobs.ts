/** `salesight run <job>`, `salesight jobs` and `salesight schedule`: the pipeline jobs of the config (key `jobs`). */
import type { Command } from 'commander';
import { resolveDbPath } from '../../../src/lib/warehouse/location.ts';
import { EXIT, fail, printJson } from '../output.ts';
import { renderTextTable } from '../text-table.ts';

async function configOrFail(file: string | undefined, json?: boolean) {
  const { loadConfig, ConfigError } = await import('../../../src/lib/config/config.ts');
  try {
    return loadConfig(file).config;
  } catch (err) {
    if (err instanceof ConfigError) fail(err.message, EXIT.input, json);
    throw err;
  }
}

const stamp = () => new Date().toISOString().replace('T', ' ').slice(0, 19);

export function registerJobs(program: Command): void {
  program
    .command('run')
    .description('Run one pipeline job now (e.g. ingest: load the inbox folder; reports: write workbooks).')
    .argument('<job>', 'job name from the config (defaults: ingest, reports)')
    .option('--config <file>', 'config file (default: $SALESIGHT_CONFIG or ./salesight.config.json)')
    .option('--json', 'print the run record as JSON')
    .action(async (name: string, opts: { config?: string; json?: boolean }, cmd: Command) => {
      const config = await configOrFail(opts.config, opts.json);
      const { runJob, UnknownJobError } = await import('../../jobs/run-job.ts');
      const dbPath = resolveDbPath(cmd.optsWithGlobals().db);
      try {
        const run = await runJob(name, { dbPath, config, cwd: process.cwd(), trigger: 'manual', log: opts.json ? () => {} : (l) => process.stdout.write(`${l}\n`) });
        if (opts.json) printJson(run);
        if (run.status === 'failed') process.exitCode = EXIT.unexpected;
      } catch (err) {
        if (err instanceof UnknownJobError) fail(err.message, EXIT.input, opts.json);
        throw err;
      }
    });

  program
    .command('jobs')
    .description('List the configured jobs with their schedules, and the latest runs.')
    .option('--config <file>', 'config file')
    .option('--limit <n>', 'runs to show', '20')
    .option('--json', 'print {jobs, runs} as JSON')
    .action(async (opts: { config?: string; limit: string; json?: boolean }, cmd: Command) => {
      const config = await configOrFail(opts.config, opts.json);
      const { readHistory } = await import('../../../src/lib/jobs/job-history.ts');
      const { Cron } = await import('croner');
      const dbPath = resolveDbPath(cmd.optsWithGlobals().db);
      const jobs = Object.entries(config.jobs).map(([name, job]) => {
        let next: string | null = null;
        if (job.cron) {
          try {
            next = new Cron(job.cron, { timezone: job.timezone, paused: true }).nextRun()?.toISOString() ?? null;
          } catch (err) {
            next = `invalid cron: ${(err as Error).message}`;
          }
        }
        return { name, type: job.type, cron: job.cron ?? null, timezone: job.timezone, next_run: next };
      });
      const runs = readHistory(dbPath, Number.parseInt(opts.limit, 10) || 20);
      if (opts.json) return printJson({ jobs, runs });
      process.stdout.write(`${renderTextTable(['job', 'type', 'cron', 'zone', 'next run'], jobs.map((j) => [j.name, j.type, j.cron ?? '(by hand)', j.timezone, j.next_run ?? '']))}\n\n`);
      process.stdout.write(
        runs.length === 0
          ? 'No runs yet: `salesight run <job>`, or `salesight schedule`.\n'
          : `${renderTextTable(['started', 'job', 'status', 'files', 'failed', 'rows', 'error'], runs.map((r) => [r.started_at.slice(0, 19), r.job, r.status, String(r.files_processed), String(r.files_failed), String(r.rows_loaded), r.error ?? r.failed_files.map((f) => f.reason).join('; ')]))}\n`,
      );
    });

  program
    .command('schedule')
    .description('Run the scheduler in the foreground: each job with a cron runs on it; one log line per run.')
    .option('--config <file>', 'config file')
    .action(async (opts: { config?: string }, cmd: Command) => {
      const config = await configOrFail(opts.config);
      const { startScheduler, ScheduleConfigError } = await import('../../jobs/scheduler.ts');
      const dbPath = resolveDbPath(cmd.optsWithGlobals().db);
      let scheduler;
      try {
        scheduler = startScheduler({ dbPath, config, cwd: process.cwd(), log: (l) => process.stdout.write(`${stamp()} ${l}\n`) });
      } catch (err) {
        if (err instanceof ScheduleConfigError) fail(err.message, EXIT.input);
        throw err;
      }
      if (scheduler.jobs.length === 0) fail('No job has a "cron" in the config (key "jobs", see docs/config.md); nothing to schedule. `salesight run <job>` runs one by hand.', EXIT.input);
      for (const j of scheduler.jobs) process.stdout.write(`${stamp()} scheduled ${j.name}: "${j.cron}" (${j.timezone}), next ${j.next?.toISOString() ?? 'never'}\n`);
      const stop = () => {
        scheduler.stop();
        process.exit(0);
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
