/**
 * Running one named job now: `salesight run <job>`, and what the scheduler calls on each tick.
 * A job never throws: whatever happens is one JobRun, recorded in the history.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { SalesightConfig } from '../../src/lib/config/config.ts';
import type { AlertsJobConfig, IngestJobConfig, JobConfig, ReportsJobConfig } from '../../src/lib/config/jobs-config.ts';
import type { Notice } from '../delivery/messages.ts';
import { recordRun, type JobRun } from '../../src/lib/jobs/job-history.ts';
import { tryLock } from '../warehouse/pid-lock.ts';

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

type Outcome = Pick<JobRun, 'status' | 'files_processed' | 'files_failed' | 'rows_loaded' | 'rows_rejected' | 'ingest_runs' | 'outputs' | 'failed_files' | 'error'> & {
  /** what to tell the job's notify channels, if anything */
  notice?: Notice;
};

/** A run that did nothing yet; fresh lists each time, since the jobs push into them. */
function emptyOutcome(): Outcome {
  return { status: 'ok', files_processed: 0, files_failed: 0, rows_loaded: 0, rows_rejected: 0, ingest_runs: [], outputs: [], failed_files: [], error: null };
}

export async function runJob(name: string, ctx: JobContext): Promise<JobRun> {
  const job = ctx.config.jobs[name];
  if (!job) throw new UnknownJobError(`No job "${name}". Jobs: ${Object.keys(ctx.config.jobs).join(', ') || '(none)'} (config key "jobs", docs/config.md).`);
  const started = new Date();
  const lock = tryLock(`${ctx.dbPath}.job-${name}.lock`);
  let outcome: Outcome;
  if (!('release' in lock)) {
    outcome = { ...emptyOutcome(), status: 'skipped', error: `${name} is already running (lock ${ctx.dbPath}.job-${name}.lock); this run was skipped.` };
  } else {
    try {
      outcome =
        job.type === 'ingest'
          ? await ingestInbox(job, ctx)
          : job.type === 'reports'
            ? await writeReports(job, ctx)
            : job.type === 'alerts'
              ? await computeAlerts(job, ctx)
              : await refresh(ctx);
    } catch (err) {
      outcome = { ...emptyOutcome(), status: 'failed', error: (err as Error).message };
    } finally {
      lock.release();
    }
  }
  const { notice, ...figures } = outcome;
  const deliveries = [];
  const tell = notice ?? (figures.status === 'failed' ? failureNotice(name, figures.error ?? figures.failed_files.map((f) => f.reason).join('; ')) : undefined);
  if (tell && job.notify.length > 0) {
    const { deliver } = await import('../delivery/send.ts');
    deliveries.push(...(await deliver(ctx.config.delivery, job.notify, { ...tell, ...(ctx.config.delivery.site_url ? { link: new URL(linkPath(tell), ctx.config.delivery.site_url).href } : {}) })));
    const failed = deliveries.filter((d) => d.status === 'failed');
    if (failed.length > 0) {
      if (figures.status === 'ok') figures.status = 'partial';
      const words = failed.map((d) => `delivery to ${d.channel} failed after ${d.attempts} attempt(s): ${d.error}`).join('; ');
      figures.error = figures.error ? `${figures.error}; ${words}` : words;
    }
  }
  const run: JobRun = { job: name, type: job.type, started_at: started.toISOString(), finished_at: new Date().toISOString(), trigger: ctx.trigger, ...figures, deliveries };
  recordRun(ctx.dbPath, run);
  ctx.log(describeRun(run));
  return run;
}

function linkPath(notice: Notice): string {
  return notice.kind === 'alerts' ? '/alerts' : '/data';
}

function failureNotice(job: string, reason: string): Notice {
  return {
    kind: 'job_failed',
    job,
    title: { zh: `任务 ${job} 运行失败`, en: `Job ${job} failed` },
    lines: { zh: [reason], en: [reason] },
    data: { reason },
  };
}

export function describeRun(r: JobRun): string {
  const parts = [`${r.job}: ${r.status}`];
  if (r.type === 'ingest') parts.push(`${r.files_processed} file(s) loaded, ${r.files_failed} failed, ${r.rows_loaded} rows loaded, ${r.rows_rejected} rejected`);
  if (r.type === 'reports' && r.outputs.length) parts.push(`${r.outputs.length} workbook(s) in ${path.dirname(r.outputs[0]!)}`);
  if (r.type === 'refresh') parts.push(...r.outputs);
  for (const f of r.failed_files) parts.push(`${path.basename(f.file)}: ${f.reason}`);
  for (const d of r.deliveries ?? []) if (d.status === 'sent') parts.push(`sent to ${d.channel}`);
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
  const out: Outcome = emptyOutcome();
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
  if (out.files_failed > 0) {
    out.status = out.files_processed > 0 ? 'partial' : 'failed';
    out.notice = {
      kind: 'job_failed',
      job: 'ingest',
      title: { zh: `${out.files_failed} 个导出文件无法导入`, en: `${out.files_failed} export file(s) could not be loaded` },
      lines: { zh: out.failed_files.map((f) => `${path.basename(f.file)}：${f.reason}`), en: out.failed_files.map((f) => `${path.basename(f.file)}: ${f.reason}`) },
      data: { failed_files: out.failed_files, files_processed: out.files_processed },
    };
  }
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
  const out: Outcome = emptyOutcome();
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
  if (out.outputs.length > 0) {
    const names = out.outputs.map((f) => path.basename(f));
    out.notice = {
      kind: 'report_ready',
      job: 'reports',
      title: { zh: `报表已生成：${path.basename(dir)}（${names.length} 个工作簿）`, en: `Reports ready: ${path.basename(dir)} (${names.length} workbooks)` },
      lines: { zh: out.outputs, en: out.outputs },
      data: { dir, files: out.outputs, failed: out.failed_files },
    };
  }
  return out;
}

/** Snapshot rows written (pipeline stages + customers) count as rows loaded. */
async function refresh(ctx: JobContext): Promise<Outcome> {
  const { refreshSnapshots } = await import('./refresh-snapshots.ts');
  const r = await refreshSnapshots(ctx.dbPath, ctx.config);
  return { ...emptyOutcome(), outputs: [`pipeline_snapshots ${r.snapshot_date}: ${r.stages} stages`, `segment_history ${r.snapshot_date}: ${r.customers} customers`], rows_loaded: r.stages + r.customers };
}

const SEVERITY_RANK = { high: 0, medium: 1, low: 2 } as const;
const SEVERITY_ZH = { high: '高', medium: '中', low: '低' } as const;

/** The risk alerts as of the latest data, at or above min_severity, as a notice (none: nothing is sent). */
async function computeAlerts(job: AlertsJobConfig, ctx: JobContext): Promise<Outcome> {
  const { openReadOnly } = await import('../../src/lib/warehouse/warehouse.server.ts');
  const { resolveParams } = await import('../../src/lib/metrics/params.ts');
  const { computeAlerts: compute } = await import('../../src/lib/metrics/alerts/alerts.ts');
  const warehouse = await openReadOnly(ctx.dbPath);
  try {
    const params = await resolveParams(warehouse.connection, {});
    const result = await compute({ connection: warehouse.connection, params, config: ctx.config });
    const alerts = result.alerts
      .filter((a) => SEVERITY_RANK[a.severity] <= SEVERITY_RANK[job.min_severity])
      .sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity]);
    const out: Outcome = emptyOutcome();
    if (alerts.length === 0) return out;
    const count = (s: keyof typeof SEVERITY_RANK) => alerts.filter((a) => a.severity === s).length;
    const listed = alerts.slice(0, job.max_listed);
    const more = alerts.length - listed.length;
    out.notice = {
      kind: 'alerts',
      job: 'alerts',
      title: {
        zh: `风险预警：截至 ${params.as_of} 共 ${alerts.length} 条（高 ${count('high')}，中 ${count('medium')}，低 ${count('low')}）`,
        en: `Risk alerts as of ${params.as_of}: ${alerts.length} (${count('high')} high, ${count('medium')} medium, ${count('low')} low)`,
      },
      lines: {
        zh: [...listed.map((a) => `[${SEVERITY_ZH[a.severity]}] ${a.title_zh}`), ...(more > 0 ? [`另有 ${more} 条`] : [])],
        en: [...listed.map((a) => `[${a.severity}] ${a.title_en}`), ...(more > 0 ? [`and ${more} more`] : [])],
      },
      data: { as_of: params.as_of, alerts: alerts.map((a) => ({ id: a.id, severity: a.severity, area: a.area, title_zh: a.title_zh, title_en: a.title_en, rows: a.rows.count })) },
    };
    return out;
  } finally {
    warehouse.close();
  }
}

export type { JobConfig };
