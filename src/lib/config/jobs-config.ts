/**
 * Named pipeline jobs (config key `jobs`): what `salesight run <job>` and the scheduler run.
 * Two kinds so far:
 * - ingest: load every export dropped into an inbox folder; each file then moves to
 *   processed/<date>/ or, when it cannot be loaded, to failed/ with a <file>.reason.txt;
 * - reports: write workbooks of metric families into <dir>/<date>/.
 * A job with `cron` runs on that schedule (with seconds as an optional sixth field) in
 * `timezone`; without it, only when asked.
 */
import { z } from 'zod';

const common = {
  /** "0 7 * * 1" = Mondays 07:00; omitted: run by hand only */
  cron: z.string().min(1).optional(),
  /** IANA zone the cron expression is read in */
  timezone: z.string().min(1).default('UTC'),
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

export const jobSchema = z.discriminatedUnion('type', [ingestJobSchema, reportsJobSchema]);
export type JobConfig = z.infer<typeof jobSchema>;
export type IngestJobConfig = z.infer<typeof ingestJobSchema>;
export type ReportsJobConfig = z.infer<typeof reportsJobSchema>;

export const jobsConfigSchema = z
  .record(z.string().regex(/^[a-z][a-z0-9_-]*$/, 'job names are lower-case letters, digits, - and _'), jobSchema)
  .default({ ingest: { type: 'ingest', timezone: 'UTC', inbox: 'inbox', settle_seconds: 5 }, reports: { type: 'reports', timezone: 'UTC', dir: 'reports', lang: 'zh' } });
