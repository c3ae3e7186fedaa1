/**
 * Named pipeline jobs (config key `jobs`): what `salesight run <job>` and the scheduler run.
 * - ingest: load every export dropped into an inbox folder; each file then moves to
 *   processed/<date>/ or, when it cannot be loaded, to failed/ with a <file>.reason.txt;
 * - reports: write workbooks of metric families into <dir>/<date>/;
 * - alerts: compute the risk alerts and send them to the job's `notify` channels;
 * - refresh: record the open pipeline per stage and every customer's segment as of the data's
 *   latest date (tables pipeline_snapshots, segment_history) for trends over time.
 * A job with `cron` runs on that schedule (with seconds as an optional sixth field) in
 * `timezone`; without it, only when asked.
 */
import { z } from 'zod';

const common = {
  /** "0 7 * * 1" = Mondays 07:00; omitted: run by hand only */
  cron: z.string().min(1).optional(),
  /** IANA zone the cron expression is read in */
  timezone: z.string().min(1).default('UTC'),
  /** delivery channels (config key delivery.channels) told about the outcome */
  notify: z.array(z.string().min(1)).default([]),
};

export const ingestJobSchema = z
  .object({
    type: z.literal('ingest'),
    ...common,
    inbox: z.string().min(1).default('inbox'),
    /** default: <inbox>/processed and <inbox>/failed */
    processed: z.string().min(1).optional(),
    failed: z.string().min(1).optional(),
    /** a file is picked up only once unchanged this long (still being copied otherwise) */
    settle_seconds: z.number().min(0).default(5),
    preset: z.string().optional(),
    mapping: z.string().optional(),
  })
  .strict();

export const reportsJobSchema = z
  .object({
    type: z.literal('reports'),
    ...common,
    /** metric families to write, one workbook each; default: all */
    families: z.array(z.string().min(1)).optional(),
    dir: z.string().min(1).default('reports'),
    lang: z.enum(['zh', 'en']).default('zh'),
  })
  .strict();

/** Computes the risk alerts and sends them to `notify`, most severe first. */
export const alertsJobSchema = z
  .object({
    type: z.literal('alerts'),
    ...common,
    min_severity: z.enum(['high', 'medium', 'low']).default('medium'),
    /** at most this many alerts listed in one message (the count is always complete) */
    max_listed: z.number().int().min(1).default(10),
  })
  .strict();

/** Records today's open pipeline per stage and each customer's segment (tables pipeline_snapshots, segment_history). */
export const refreshJobSchema = z.object({ type: z.literal('refresh'), ...common }).strict();

export const jobSchema = z.discriminatedUnion('type', [ingestJobSchema, reportsJobSchema, alertsJobSchema, refreshJobSchema]);
export type JobConfig = z.infer<typeof jobSchema>;
export type IngestJobConfig = z.infer<typeof ingestJobSchema>;
export type ReportsJobConfig = z.infer<typeof reportsJobSchema>;
export type AlertsJobConfig = z.infer<typeof alertsJobSchema>;

export const jobsConfigSchema = z
  .record(z.string().regex(/^[a-z][a-z0-9_-]*$/, 'job names are lower-case letters, digits, - and _'), jobSchema)
  .default({
    ingest: { type: 'ingest', timezone: 'UTC', notify: [], inbox: 'inbox', settle_seconds: 5 },
    reports: { type: 'reports', timezone: 'UTC', notify: [], dir: 'reports', lang: 'zh' },
    alerts: { type: 'alerts', timezone: 'UTC', notify: [], min_severity: 'medium', max_listed: 10 },
    refresh: { type: 'refresh', timezone: 'UTC', notify: [] },
  });
