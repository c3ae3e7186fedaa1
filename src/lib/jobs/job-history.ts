/**
 * Every job run, one JSON line each, in <warehouse>.jobs.jsonl beside the warehouse: written
 * outside the warehouse so a run whose load failed (and left the warehouse untouched) is still
 * on record. `salesight jobs` and the site's Data page read it. Its line shape, JobRun, is a
 * public interface.
 */
import fs from 'node:fs';

export type JobRunStatus = 'ok' | 'partial' | 'failed' | 'skipped';

/** One channel's delivery of a job's notice. */
export interface DeliveryRecord {
  channel: string;
  type: string;
  status: 'sent' | 'failed';
  attempts: number;
  error: string | null;
}

export interface JobRun {
  job: string;
  type: string;
  started_at: string;
  finished_at: string;
  /** ok: all done; partial: some files failed (see failed_files); failed: nothing done (see error); skipped: the job was already running */
  status: JobRunStatus;
  /** what triggered it: "manual" or "schedule" */
  trigger: 'manual' | 'schedule';
  files_processed: number;
  files_failed: number;
  rows_loaded: number;
  rows_rejected: number;
  /** ingest run ids this job made (see `salesight runs`) */
  ingest_runs: number[];
  /** workbooks written (reports), or the snapshot rows written (refresh) */
  outputs: string[];
  failed_files: { file: string; reason: string }[];
  /** notices sent to the job's `notify` channels (a failed one also makes the run partial) */
  deliveries: DeliveryRecord[];
  error: string | null;
}

export function historyPath(dbPath: string): string {
  return `${dbPath}.jobs.jsonl`;
}

export function recordRun(dbPath: string, run: JobRun): void {
  // one write of one line with O_APPEND: concurrent jobs never interleave within a line
  fs.appendFileSync(historyPath(dbPath), `${JSON.stringify(run)}\n`);
}

/** The latest runs first; a torn last line (a crash mid-write) is skipped. */
export function readHistory(dbPath: string, limit = 50): JobRun[] {
  let text: string;
  try {
    text = fs.readFileSync(historyPath(dbPath), 'utf8');
  } catch {
    return [];
  }
  const runs: JobRun[] = [];
  for (const line of text.split('\n').reverse()) {
    if (!line.trim()) continue;
    try {
      runs.push(JSON.parse(line) as JobRun);
    } catch {
      continue;
    }
    if (runs.length >= limit) break;
  }
  return runs;
}
