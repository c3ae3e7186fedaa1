/**
 * The built site (SvelteKit, adapter-node) lives in build/site. `npm ci` builds it (prepare);
 * `salesight serve` rebuilds it first when any source is newer than the last build, so an edited
 * checkout never serves stale pages.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { REPO_ROOT } from '../repo-root.ts';

export const SITE_DIR = path.join(REPO_ROOT, 'build/site');
const STAMP = path.join(SITE_DIR, '.stamp');
const SOURCES = ['src', 'static', 'svelte.config.js', 'vite.config.ts', 'package.json'];

function newest(file: string): number {
  const s = fs.statSync(file, { throwIfNoEntry: false });
  if (!s) return 0;
  if (!s.isDirectory()) return s.mtimeMs;
  let max = 0;
  for (const entry of fs.readdirSync(file)) max = Math.max(max, newest(path.join(file, entry)));
  return max;
}

export function siteIsStale(): boolean {
  const built = fs.statSync(STAMP, { throwIfNoEntry: false });
  if (!built || !fs.existsSync(path.join(SITE_DIR, 'handler.js'))) return true;
  return SOURCES.some((s) => newest(path.join(REPO_ROOT, s)) > built.mtimeMs);
}

/** Runs `vite build`; throws with vite's output when it fails. */
export function buildSite(log: (line: string) => void = () => {}): void {
  let vite: string;
  try {
    vite = path.join(path.dirname(createRequire(path.join(REPO_ROOT, 'package.json')).resolve('vite/package.json')), 'bin/vite.js');
  } catch {
    throw new Error('Cannot build the site: vite is not installed. Run `npm ci` (dev dependencies included) first.');
  }
  log('Building the site (once after each change, about 15 s)…');
  fs.rmSync(STAMP, { force: true });
  // the stamp says when the build began: a source edited during the build is newer, so the next
  // serve builds again instead of serving a site without the edit
  const startedAt = new Date();
  const r = spawnSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], { cwd: REPO_ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`Building the site failed:\n${r.stdout}${r.stderr}`);
  fs.writeFileSync(STAMP, startedAt.toISOString());
  fs.utimesSync(STAMP, startedAt, startedAt);
}

const LOCK = path.join(REPO_ROOT, 'build/site-build.lock');
/** How long to wait for another process's build before giving up. */
const LOCK_WAIT_MS = 5 * 60 * 1000;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The build lock, or false while a live process holds it (a dead holder's lock is taken over). */
function takeLock(): boolean {
  fs.mkdirSync(path.dirname(LOCK), { recursive: true });
  try {
    fs.writeFileSync(LOCK, String(process.pid), { flag: 'wx' });
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    const holder = Number.parseInt(fs.readFileSync(LOCK, 'utf8'), 10);
    if (Number.isFinite(holder) && alive(holder)) return false;
    fs.rmSync(LOCK, { force: true });
    return takeLock();
  }
}

/**
 * Builds the site when it is stale, one process at a time: two vite builds into build/site at
 * once break each other, so a second `serve` (tests start several) waits for the first's build.
 */
export function buildSiteIfStale(log: (line: string) => void = () => {}): void {
  const deadline = Date.now() + LOCK_WAIT_MS;
  let told = false;
  while (siteIsStale()) {
    if (takeLock()) {
      try {
        if (siteIsStale()) buildSite(log);
      } finally {
        fs.rmSync(LOCK, { force: true });
      }
      return;
    }
    if (Date.now() > deadline) throw new Error(`Another process has been building the site for ${LOCK_WAIT_MS / 60_000} minutes (lock ${LOCK}); stop it or delete the lock.`);
    if (!told) log('Waiting for another process to finish building the site…');
    told = true;
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);
  }
}
