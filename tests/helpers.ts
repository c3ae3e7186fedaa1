/** Shared by the tests: temp folders, running the real CLI, and reading a warehouse. */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openReadOnly, queryRows, type Row } from '../src/lib/warehouse/warehouse.server.ts';
import { spawnServe } from '../pipelines/site/spawn-serve.ts';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const SHARED_DATA = path.resolve(REPO_ROOT, '../shared/data');
export const MAVEN_DIR = path.join(SHARED_DATA, 'maven_crm');
export const ONLINE_RETAIL_DIR = path.join(SHARED_DATA, 'online_retail/by-day');
export const BIN = path.join(REPO_ROOT, 'pipelines/bin/salesight.js');

export function tempDir(prefix = 'salesight-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `salesight` as a user would: a real child process. */
export function runCli(args: string[], opts: { cwd?: string; env?: Record<string, string>; input?: string } = {}): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: opts.cwd ?? REPO_ROOT,
    input: opts.input,
    env: { ...process.env, ...opts.env },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export async function query<T = Row>(dbPath: string, sql: string): Promise<T[]> {
  const w = await openReadOnly(dbPath);
  try {
    return await queryRows<T>(w.connection, sql);
  } finally {
    w.close();
  }
}

/** Writes text files into a fresh folder; returns their paths by name. */
export function writeFiles(files: Record<string, string | Buffer>): { dir: string; path: (name: string) => string } {
  const dir = tempDir();
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), content);
  }
  return { dir, path: (name) => path.join(dir, name) };
}

/**
 * `salesight serve --port 0` on a warehouse; resolves with the process and its URL once it listens.
 * Without `args`, every visitor is the demo leader (`--auth demo`): tests of the pages themselves;
 * the access tests pass their own `--auth` and `--users`.
 */
export async function startServe(db: string, args: string[] = ['--auth', 'demo']): Promise<{ server: import('node:child_process').ChildProcess; base: string }> {
  const { child, base } = await spawnServe(db, { extraArgs: args });
  return { server: child, base };
}
