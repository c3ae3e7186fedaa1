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
  const r = spawnSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], { cwd: REPO_ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`Building the site failed:\n${r.stdout}${r.stderr}`);
  fs.writeFileSync(STAMP, new Date().toISOString());
}
