#!/usr/bin/env node
// Compiles the CLI to build/cli so `salesight` starts without transpiling TypeScript (about half a
// second saved per command). Run by `npm ci` / `npm install` (the `prepare` script). It never
// fails the install: without a build, the launcher runs the sources through tsx instead.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const stamp = path.join(root, 'build/cli/.stamp');
fs.rmSync(stamp, { force: true });
let tsc;
try {
  tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
} catch {
  console.warn('salesight: TypeScript is not installed (production install?); the CLI will run from source.');
  process.exit(0);
}
const r = spawnSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
if (r.status === 0) {
  await bundle();
  fs.writeFileSync(stamp, new Date().toISOString());
} else {
  console.warn('salesight: compiling the CLI failed (see above); it will run from source until `npm run build:cli` succeeds.');
}

/**
 * zod's index re-exports all 60-odd message locales as \`z.locales\`, 400 KB a command would parse
 * at start; Salesight uses only English messages (zod loads \`en\` itself), so the bundle gets an
 * empty \`locales\` instead (measured: main chunk import 150 → 120 ms).
 */
function zodWithoutLocales() {
  return {
    name: 'zod-without-locales',
    setup(build) {
      build.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
        args.importer.includes(`${path.sep}zod${path.sep}`) ? { path: 'zod-locales', namespace: 'salesight-empty' } : undefined);
      build.onLoad({ filter: /.*/, namespace: 'salesight-empty' }, () => ({ contents: 'export {};', loader: 'js' }));
    },
  };
}

/**
 * src/lib/warehouse/duckdb.server.ts require()s @duckdb/node-api at run time (faster than Node's
 * ESM loader on its 60 CommonJS files). In the bundle it is imported statically instead, so esbuild
 * inlines the API's JavaScript and only the native binding stays a separate load (measured: the
 * API's load 95 → 45 ms, every command).
 */
function duckdbApiBundled() {
  return {
    name: 'duckdb-api-bundled',
    setup(build) {
      build.onLoad({ filter: /[\\/]warehouse[\\/]duckdb\.server\.js$/ }, (args) => {
        const source = fs.readFileSync(args.path, 'utf8');
        const required = /createRequire\(import\.meta\.url\)\((['"])@duckdb\/node-api\1\)/;
        if (!required.test(source)) throw new Error(`${args.path}: the require of @duckdb/node-api this plugin replaces is gone; update build-cli.js`);
        return { contents: `import __duckdbApi from '@duckdb/node-api';\n${source.replace(required, '__duckdbApi')}`, resolveDir: path.dirname(args.path), loader: 'js' };
      });
    },
  };
}

/**
 * Bundles the compiled CLI (our modules, commander, zod, …) into a few files in build/cli/bundle:
 * loading ~200 small modules one by one costs a command 50–100 ms more (measured: metrics cohorts
 * 637 → 557 ms median). Native and heavy optional modules stay external and load on demand.
 * Without esbuild the launcher uses the unbundled build.
 */
async function bundle() {
  const out = path.join(root, 'build/cli/bundle');
  fs.rmSync(out, { recursive: true, force: true });
  let esbuild;
  try {
    esbuild = await import('esbuild');
  } catch {
    return;
  }
  await esbuild.build({
    entryPoints: [path.join(root, 'build/cli/pipelines/cli/main.js')],
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    outdir: out,
    external: ['@duckdb/node-bindings', 'exceljs', 'nodemailer', 'croner', 'tsx', 'esbuild'],
    // CommonJS dependencies (commander) require node built-ins: give the ESM chunks a require
    banner: { js: "import { createRequire as __salesightRequire } from 'node:module'; const require = __salesightRequire(import.meta.url);" },
    logLevel: 'warning',
    plugins: [zodWithoutLocales(), duckdbApiBundled()],
  });
}
