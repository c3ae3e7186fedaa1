/**
 * The scheduler: every job with a `cron` runs on it (croner, in the job's time zone). A tick
 * that comes while the job still runs is skipped (croner's protect, and the job lock across
 * processes); a failing job is recorded and does not stop the others.
 */
import { Cron } from 'croner';
import type { SalesightConfig } from '../../src/lib/config/config.ts';
import { runJob } from './run-job.ts';

export interface Scheduler {
  jobs: { name: string; cron: string; timezone: string; next: Date | null }[];
  stop(): void;
}

export class ScheduleConfigError extends Error {}

export function startScheduler(opts: { dbPath: string; config: SalesightConfig; cwd: string; log: (line: string) => void }): Scheduler {
  const crons: { name: string; cron: Cron; expr: string; timezone: string }[] = [];
  for (const [name, job] of Object.entries(opts.config.jobs)) {
    if (!job.cron) continue;
    let cron: Cron;
    try {
      cron = new Cron(job.cron, { timezone: job.timezone, protect: true, catch: (err) => opts.log(`${name}: unexpected error: ${(err as Error).message}`) }, async () => {
        await runJob(name, { dbPath: opts.dbPath, config: opts.config, cwd: opts.cwd, trigger: 'schedule', log: opts.log });
      });
    } catch (err) {
      for (const c of crons) c.cron.stop();
      throw new ScheduleConfigError(`jobs.${name}: cron "${job.cron}" in ${job.timezone} is not valid: ${(err as Error).message}`);
    }
    crons.push({ name, cron, expr: job.cron, timezone: job.timezone });
  }
  return {
    jobs: crons.map((c) => ({ name: c.name, cron: c.expr, timezone: c.timezone, next: c.cron.nextRun() })),
    stop: () => crons.forEach((c) => c.cron.stop()),
  };
}
