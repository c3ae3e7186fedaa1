/** Timing and memory helpers for the scale benchmark: medians, percentiles, child processes with their peak RSS. */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../../repo-root.ts';
import { spawnServe } from '../../site/spawn-serve.ts';
import { DEFAULT_MEMORY_LIMIT } from '../../../src/lib/warehouse/duckdb.server.ts';

export const CLI = path.join(REPO_ROOT, 'pipelines/bin/salesight.js');

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Nearest-rank percentile (p in 0–100). */
export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

export async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await fn();
  return { ms: performance.now() - start, value };
}

/** Peak resident set of a live process in MB (Linux: VmHWM), or null where /proc is missing. */
export function peakRssMb(pid: number): number | null {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

export interface CommandRun {
  ms: number;
  /** highest VmHWM seen while it ran, polled every 20 ms (so a peak in the last 20 ms can be missed) */
  peak_rss_mb: number | null;
  stdout: string;
}

/** Runs `salesight <args>` as its own process, as a user would, and measures it. Throws on a non-zero exit. */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CommandRun> {
  return runNode([CLI, ...args], env);
}

/** A floor query as a process of its own (floor-process.cjs): the floor a CLI command is compared with like for like. */
export function runFloorProcess(warehouse: string, sql: string): Promise<CommandRun> {
  const file = path.join(path.dirname(warehouse), 'bench-floor.sql');
  fs.writeFileSync(file, sql);
  // the child is plain CommonJS and cannot import the default cap: it gets the one a command would use
  const env = { SALESIGHT_MEMORY_LIMIT: process.env.SALESIGHT_MEMORY_LIMIT || DEFAULT_MEMORY_LIMIT };
  return runNode([path.join(import.meta.dirname, 'floor-process.cjs'), warehouse, file], env).finally(() => fs.rmSync(file, { force: true }));
}

function runNode(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CommandRun> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    // Buffers joined once at the end: decoding chunk by chunk would split multi-byte characters
    // at chunk edges, and appending 100+ MB (work reports at 1M) a chunk at a time is slow
    const stdout: Buffer[] = [];
    let stderr = '';
    let peak: number | null = null;
    const poll = setInterval(() => {
      const now = child.pid ? peakRssMb(child.pid) : null;
      if (now !== null) peak = Math.max(peak ?? 0, now);
    }, 20);
    child.stdout.on('data', (d: Buffer) => stdout.push(d));
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    child.on('error', reject);
    child.on('close', (code) => {
      clearInterval(poll);
      const ms = performance.now() - start;
      if (code !== 0) reject(new Error(`${args[0] === CLI ? `salesight ${args.slice(1).join(' ')}` : args.join(' ')} exited ${code}: ${stderr.trim()}`));
      else resolve({ ms, peak_rss_mb: peak, stdout: Buffer.concat(stdout).toString('utf8') });
    });
  });
}

export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  return ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`;
}

export function ratio(a: number | null | undefined, b: number | null | undefined): number | null {
  return a && b ? a / b : null;
}

/** `salesight serve` on `db` (its messages shown), with its pid for peak RSS and a stop. */
export async function startServe(db: string, extraArgs: string[] = []): Promise<{ base: string; pid: number; stop: () => void }> {
  const { child, base } = await spawnServe(db, { extraArgs, echoStderr: true });
  return { base, pid: child.pid!, stop: () => child.kill('SIGTERM') };
}
