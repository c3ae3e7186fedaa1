/**
 * Running one named job now: `salesight run <job>`, and what the scheduler calls on each tick.
 * A job never throws: whatever happens is one JobRun, recorded in the history.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { SalesightConfig } from '../../src/lib/config/config.ts';
import type { IngestJobConfig, JobConfig, ReportsJobConfig } from '../../src/lib/config/jobs-config.ts';
import { recordRun, type JobRun } from '../../src/lib/jobs/job-history.ts';
import { tryLock } from './job-lock.ts';

export interface JobContext {
  dbPath: string;
  config: SalesightConfig;
  /** folder the job's relative paths (inbox, reports) are read from */
  cwd: string;
  trigger: JobRun['trigger'];
  log: (line: string) => void;
  /** "now" for file ages and dated folders (tests pass one) */
  now?: () => Date;
}

export class UnknownJobError extends Error {}

type Outcome = Pick<JobRun, 'status' | 'files_processed' | 'files_failed' | 'rows_loaded' | 'rows_rejected' | 'ingest_runs' | 'outputs' | 'failed_files' | 'error'>;

const EMPTY: Outcome = { status: 'ok', files_processed: 0, files_failed: 0, rows_loaded: 0, rows_rejected: 0, ingest_runs: [], outputs: [], failed_files: [], error: null };

export async function runJob(name: string, ctx: JobContext): Promise<JobRun> {
  const job = ctx.config.jobs[name];
  if (!job) throw new UnknownJobError(`No job "${name}". Jobs: ${Object.keys(ctx.config.jobs).join(', ') || '(none)'} (config key "jobs", docs/config.md).`);
  const started = new Date();
  const lock = tryLock(`${ctx.dbPath}.job-${name}.lock`);
  let outcome: Outcome;
  if (!lock) {
    outcome = { ...EMPTY, status: 'skipped', error: `${name} is already running (lock ${ctx.dbPath}.job-${name}.lock); this run was skipped.` };
  } else {
    try {
      outcome = job.type === 'ingest' ? await ingestInbox(job, ctx) : await writeReports(job, ctx);
    } catch (err) {
      outcome = { ...EMPTY, status: 'failed', error: (err as Error).message };
    } finally {
      lock.release();
    }
  }
  const run: JobRun = { job: name, type: job.type, started_at: started.toISOString(), finished_at: new Date().toISOString(), trigger: ctx.trigger, ...outcome };
  recordRun(ctx.dbPath, run);
  ctx.log(describeRun(run));
  return run;
}

export function describeRun(r: JobRun): string {
  const parts = [`${r.job}: ${r.status}`];
  if (r.type === 'ingest') parts.push(`${r.files_processed} file(s) loaded, ${r.files_failed} failed, ${r.rows_loaded} rows loaded, ${r.rows_rejected} rejected`);
  if (r.outputs.length) parts.push(`${r.outputs.length} workbook(s) in ${path.dirname(r.outputs[0]!)}`);
  for (const f of r.failed_files) parts.push(`${path.basename(f.file)}: ${f.reason}`);
  if (r.error) parts.push(r.error);
  return parts.join('; ');
}

/** A free name in `dir` for `base` (a second export with the same name gets " (2)"). */
function freeName(dir: string, base: string): string {
  const ext = path.extname(base);
  const stem = base.slice(0, base.length - ext.length);
  let candidate = base;
  for (let i = 2; fs.existsSync(path.join(dir, candidate)); i++) candidate = `${stem} (${i})${ext}`;
  return path.join(dir, candidate);
}

function moveInto(file: string, dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  const target = freeName(dir, path.basename(file));
  fs.renameSync(file, target);
  return target;
}

const dayOf = (d: Date) => d.toISOString().slice(0, 10);

/**
 * Each settled file in the inbox is loaded in its own ingest run (one bad file cannot hold the
 * others back), oldest name first, then moved: processed/<date>/ or failed/ with a reason file.
 */
async function ingestInbox(job: IngestJobConfig, ctx: JobContext): Promise<Outcome> {
  const { runIngest, IngestInputError } = await import('../ingest/run-ingest.ts');
  const now = ctx.now?.() ?? new Date();
  const inbox = path.resolve(ctx.cwd, job.inbox);
  const processed = path.resolve(ctx.cwd, job.processed ?? path.join(job.inbox, 'processed'));
  const failed = path.resolve(ctx.cwd, job.failed ?? path.join(job.inbox, 'failed'));
  if (!fs.existsSync(inbox)) fs.mkdirSync(inbox, { recursive: true });
  const files = fs
    .readdirSync(inbox, { withFileTypes: true })
    .filter((e) => e.isFile() && !e.name.startsWith('.') && !e.name.endsWith('.reason.txt') && !e.name.startsWith('~$'))
    .map((e) => path.join(inbox, e.name))
    .filter((f) => now.getTime() - fs.statSync(f).mtimeMs >= job.settle_seconds * 1000)
    .sort();
  const out: Outcome = { ...EMPTY, ingest_runs: [], outputs: [], failed_files: [] };
  for (const file of files) {
    let reason: string | null = null;
    try {
      const report = await runIngest({ dbPath: ctx.dbPath, inputs: [file], preset: job.preset, mappingFile: job.mapping ? path.resolve(ctx.cwd, job.mapping) : undefined });
      if (report.files.every((f) => f.status === 'skipped')) reason = report.files.map((f) => f.message).filter(Boolean).join('; ') || 'nothing in it could be loaded';
      else {
        out.files_processed += 1;
        out.rows_loaded += report.totals.rows_loaded;
        out.rows_rejected += report.totals.rows_rejected;
        if (report.run_id !== null) out.ingest_runs.push(report.run_id);
      }
    } catch (err) {
      if (!(err instanceof IngestInputError)) throw err; // the warehouse itself is in trouble: stop, keep the file
      reason = err.message;
    }
    if (reason === null) moveInto(file, path.join(processed, dayOf(now)));
    else {
      const target = moveInto(file, failed);
      fs.writeFileSync(`${target}.reason.txt`, `${reason}\n\nFix the file and drop it into ${inbox} again.\n`);
      out.files_failed += 1;
      out.failed_files.push({ file: target, reason });
    }
  }
  if (out.files_failed > 0) out.status = out.files_processed > 0 ? 'partial' : 'failed';
  return out;
}

/** One workbook per family, for the default period (all data up to its latest date). */
async function writeReports(job: ReportsJobConfig, ctx: JobContext): Promise<Outcome> {
  const { openReadOnly } = await import('../../src/lib/warehouse/warehouse.server.ts');
  const { resolveParams } = await import('../../src/lib/metrics/params.ts');
  const { FAMILY_IDS, loadFamily } = await import('../../src/lib/metrics/registry.ts');
  const { writeWorkbook } = await import('../../src/lib/workbook/workbook.server.ts');
  const { parameterRows } = await import('../../src/lib/workbook/parameters.ts');
  const ids = job.families ?? FAMILY_IDS;
  const dir = path.resolve(ctx.cwd, job.dir, dayOf(ctx.now?.() ?? new Date()));
  fs.mkdirSync(dir, { recursive: true });
  const warehouse = await openReadOnly(ctx.dbPath);
  const out: Outcome = { ...EMPTY, ingest_runs: [], outputs: [], failed_files: [] };
  try {
    const params = await resolveParams(warehouse.connection, {});
    for (const id of ids) {
      const family = await loadFamily(id);
      if (!family) {
        out.failed_files.push({ file: id, reason: `no metric family "${id}"` });
        continue;
      }
      try {
        const tables = family.tables(await family.compute({ connection: warehouse.connection, params, config: ctx.config }));
        const file = path.join(dir, `${id}.xlsx`);
        await writeWorkbook(file, tables, { title: `${family.title_en} ${family.title_zh}`, language: job.lang, parameters: parameterRows(['family', id], params, { dbPath: ctx.dbPath, configFile: null }) });
        out.outputs.push(file);
      } catch (err) {
        // e.g. a funnel on an orders-only warehouse: the other workbooks still get written
        out.failed_files.push({ file: id, reason: (err as Error).message });
      }
    }
  } finally {
    warehouse.close();
  }
  out.files_failed = out.failed_files.length;
  if (out.files_failed > 0) out.status = out.outputs.length > 0 ? 'partial' : 'failed';
  return out;
}

export type { JobConfig };
