#!/usr/bin/env node
// DuckDB builds DATE/TIMESTAMP values in the process's zone; exports carry naive local times,
// so the whole pipeline works in UTC wall-clock time (set before DuckDB loads).
process.env.TZ = 'UTC';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const bundled = path.join(root, 'build/cli/bundle/main.js');
const built = fs.existsSync(bundled) ? bundled : path.join(root, 'build/cli/pipelines/cli/main.js');
const stamp = path.join(root, 'build/cli/.stamp');

/** Newest modification time of the TypeScript sources below `dir`. */
function newestSource(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(full));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, fs.statSync(full).mtimeMs);
  }
  return newest;
}

// The compiled CLI (npm ci builds it) starts faster; it is used only while no source is newer,
// so an edited checkout never runs stale code.
let useBuild = false;
if (process.env.SALESIGHT_FROM_SOURCE !== '1' && fs.existsSync(stamp) && fs.existsSync(built)) {
  const builtAt = fs.statSync(stamp).mtimeMs;
  useBuild = newestSource(path.join(root, 'pipelines')) <= builtAt && newestSource(path.join(root, 'src/lib')) <= builtAt;
}
let main;
if (useBuild) {
  ({ main } = await import(pathToFileURL(built).href));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../cli/main.ts'));
}
await main(process.argv);
