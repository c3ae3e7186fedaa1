#!/usr/bin/env node
// Completes package-lock.json with the other platforms' optional binary packages.
//
// Why: the registry reachable here lacks some of them (e.g. @duckdb/node-bindings-darwin-arm64
// answers 404). npm then leaves *all* foreign-platform optional packages out of the lock, and
// `npm ci` refuses the lock as out of sync with package.json. Entries for other platforms are
// never fetched on this one, so an entry with name, version, os and cpu is all `npm ci` needs.
// Run after any `npm install` that changes dependencies: node .ci/complete-lockfile.mjs
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

const LOCK = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(fs.readFileSync(LOCK, 'utf8'));
const packages = lock.packages;

/** os/cpu/libc from names like foo-darwin-arm64, foo-linux-x64-musl, foo-win32-x64-msvc. */
function platformFromName(name) {
  const m = /-(darwin|linux|win32|freebsd|openbsd|netbsd|android|openharmony|sunos|aix)-([a-z0-9]+)(?:-(gnu|musl|msvc|gnueabihf|musleabihf|eabi))?$/.exec(name);
  if (!m) return undefined;
  const entry = { os: [m[1]], cpu: [m[2]] };
  if (m[3] === 'gnu' || m[3] === 'gnueabihf') entry.libc = ['glibc'];
  if (m[3] === 'musl' || m[3] === 'musleabihf') entry.libc = ['musl'];
  if (m[1] === 'linux' && !m[3]) entry.libc = ['glibc'];
  return entry;
}

function registryManifest(name, version) {
  try {
    return JSON.parse(execFileSync('npm', ['view', `${name}@${version}`, '--json', 'os', 'cpu', 'libc', 'license'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }) || '{}');
  } catch {
    return undefined; // not on this registry
  }
}

let added = 0;
for (const [where, pkg] of Object.entries(packages)) {
  for (const [name, range] of Object.entries(pkg.optionalDependencies ?? {})) {
    const nested = `${where ? `${where}/` : ''}node_modules/${name}`;
    if (packages[nested] || packages[`node_modules/${name}`]) continue;
    const version = range.replace(/^[\^~=]/, '');
    const manifest = registryManifest(name, version);
    const platform = manifest && (manifest.os || manifest.cpu) ? { os: manifest.os, cpu: manifest.cpu, libc: manifest.libc } : platformFromName(name);
    if (!platform) {
      console.warn(`skipped ${name}@${version}: cannot tell its platform`);
      continue;
    }
    const entry = { version, optional: true, ...(manifest?.license ? { license: manifest.license } : {}) };
    for (const k of ['cpu', 'libc', 'os']) if (platform[k]) entry[k] = [].concat(platform[k]);
    packages[`node_modules/${name}`] = entry;
    added++;
  }
}
lock.packages = Object.fromEntries(Object.entries(packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))));
fs.writeFileSync(LOCK, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`package-lock.json: added ${added} optional platform package entries`);
