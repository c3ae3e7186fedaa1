/**
 * `npm run bench`: Salesight at scale against its floors (issue 7). Not part of `npm test`.
 *
 *   npm run bench [-- --sizes 100k,1m,5m --runs 3 --page-requests 100 --page-budget 30]
 *   npm run bench -- --data-only [--sizes 5m]   (only build the cached warehouses)
 *
 * 1. Generates seeded CRM exports of 100k / 1M / 5M opportunities (~4 follow-ups each) and
 *    ingests them into a warehouse per size, cached in bench/cache/ until the generator changes.
 * 2. ingest: `salesight ingest opportunities.csv` into a fresh warehouse vs a bare
 *    CREATE TABLE AS SELECT * FROM read_csv(...) of the same file (1M, 5M).
 * 3. metrics: `salesight metrics <family> --json` vs the family's hand-written floor query (floors.ts)
 *    on an open connection, and vs the same query run as a command (floor-process.cjs: a new
 *    process, DuckDB loaded, the warehouse opened cold); at 1M also the family computed in this
 *    process on the floor's open connection (what a page pays), and the CLI's own start
 *    (`salesight --version`), to tell those costs apart.
 * 4. pages: server time of each page at 1M, filtered to one rep per request (each request a
 *    different rep, so no answer comes from the result cache), p50/p95 vs the floor queries of
 *    the page's families run one after another; and the p95 of one rep's page asked again (its
 *    figures from the result cache: what building and sending the page costs without computing).
 *    Each page is first asked once, unmeasured, for a rep with no data (WARM_UP_OWNER).
 * 5. workbook: a 1M-row funnel drill-down streamed by Salesight (the site's download path) vs a
 *    bare exceljs streaming writer of the same rows.
 * 6. naive: the funnel's "reached" counts from streaming the CSVs in plain JavaScript.
 * Peak RSS is recorded for every process. Results: bench/results/latest.json and a Markdown
 * table on stdout. Medians of --runs runs where a run takes under 5 s, else one run (said so).
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { REPO_ROOT } from '../../repo-root.ts';
import { createInstance } from '../../../src/lib/warehouse/duckdb.server.ts';
import { openReadOnly, queryValue, sqlString } from '../../../src/lib/warehouse/warehouse.server.ts';
import { FAMILY_IDS, loadFamily, type FamilyId } from '../../../src/lib/metrics/registry.ts';
import { resolveParams } from '../../../src/lib/metrics/params.ts';
import { loadConfig } from '../../../src/lib/config/config.ts';
import { MAX_DOWNLOAD_ROWS } from '../../../src/lib/metrics/family.ts';
import { BENCH_SEED, GENERATOR_VERSION, writeExports, type ExportFiles } from './generate.ts';
import { FLOOR_COMPUTES_FAMILY_FIGURES, floorSql } from './floors.ts';
import { naiveFunnel } from './naive-funnel.ts';
import { formatMs, median, peakRssMb, percentile, ratio, runCli, runFloorProcess, startServe, timed } from './measure.ts';
import { PAGES } from '../../../src/lib/site/pages/index.ts';

const SIZES: Record<string, number> = { '100k': 100_000, '1m': 1_000_000, '5m': 5_000_000 };
/** Requests of one rep's page after the first, answered from the result cache. */
const CACHED_PAGE_REQUESTS = 20;
/**
 * A rep with no data, whose page is asked once before a page's measured requests: the server's
 * first request of a route loads its code and the filter lists (cached per warehouse version),
 * which no later request pays (at 1M the Overview's first took 3.4 s, the next ones 1.6-2.2 s),
 * and with 15 requests in the time budget that one request was the p95. Its figures are empty,
 * so nothing a measured request reads is cached by it.
 */
const WARM_UP_OWNER = 'bench-warm-up-nobody';
const TARGETS = { ingest: 1.5, metrics: 1.3, metrics_1m_ms: 1000, pages_p95: 1.5, workbook: 1.2, workbook_rss_mb: 500, rss_5m_mb: 4096 };
/** A measurement slower than this is taken once, not --runs times. */
const REPEAT_BELOW_MS = 5000;
/**
 * A floor slower than this warm is not also run as a command: a process's start (about 0.3 s and
 * a cold read) is within a run's noise there, and at 5M the work-reports and customer-timeline
 * floors as commands took 103 and 83 s of a 1,429 s run, near the issue's 30 minutes.
 */
const FLOOR_COMMAND_BELOW_MS = 20_000;

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '100k,1m,5m' },
    runs: { type: 'string', default: '3' },
    'page-requests': { type: 'string', default: '100' },
    'page-budget': { type: 'string', default: '30' },
    'data-only': { type: 'boolean', default: false },
  },
});
const sizes = values.sizes!.split(',').map((s) => s.trim().toLowerCase()).filter((s) => s in SIZES);
const runs = Math.max(1, Number.parseInt(values.runs!, 10) || 3);
const pageRequests = Math.max(1, Number.parseInt(values['page-requests']!, 10) || 100);
const pageBudgetMs = Math.max(1, Number(values['page-budget']) || 30) * 1000;
const CACHE = path.join(REPO_ROOT, 'bench/cache');
const RESULTS = path.join(REPO_ROOT, 'bench/results');
const benchStart = performance.now();
const log = (line: string) => process.stderr.write(`[${((performance.now() - benchStart) / 1000).toFixed(0).padStart(5)} s] ${line}\n`);

interface Prepared {
  label: string;
  dir: string;
  files: ExportFiles;
  warehouse: string;
  counts: Record<string, number>;
  build: { generate_ms: number; ingest_ms: number; ingest_peak_rss_mb: number | null };
  /** true when this run reused the cache (build then says what building it took) */
  cached?: boolean;
}

/** Repeats `fn` up to `runs` times (once if the first run is slow); the median and how many runs. */
async function measure(fn: () => Promise<number>): Promise<{ ms: number; runs: number }> {
  const first = await fn();
  if (first >= REPEAT_BELOW_MS || runs === 1) return { ms: first, runs: 1 };
  const all = [first];
  for (let i = 1; i < runs; i++) all.push(await fn());
  return { ms: median(all), runs: all.length };
}

// ---------------------------------------------------------------------------------------------
// 1. data

async function prepare(label: string): Promise<Prepared> {
  const n = SIZES[label]!;
  const dir = path.join(CACHE, `${label}-g${GENERATOR_VERSION}-s${BENCH_SEED}`);
  const manifestPath = path.join(dir, 'manifest.json');
  const warehouse = path.join(dir, 'warehouse.duckdb');
  if (fs.existsSync(manifestPath) && fs.existsSync(warehouse)) {
    const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8')) as Prepared;
    log(`${label}: cached in ${path.relative(REPO_ROOT, dir)}`);
    return { ...manifest, dir, warehouse, cached: true };
  }
  fs.rmSync(dir, { recursive: true, force: true });
  log(`${label}: generating exports of ${n.toLocaleString('en-US')} opportunities…`);
  const instance = await createInstance(':memory:');
  const connection = await instance.connect();
  const gen = await timed(() => writeExports(connection, dir, n));
  const counts: Record<string, number> = {};
  for (const [table, file] of Object.entries(gen.value)) {
    counts[table] = Number(await queryValue(connection, `SELECT count(*) FROM read_csv(${sqlString(file)})`));
  }
  connection.closeSync();
  instance.closeSync();
  log(`${label}: ingesting the six exports (${Object.entries(counts).map(([t, c]) => `${t} ${c.toLocaleString('en-US')}`).join(', ')})…`);
  const ingest = await runCli(['ingest', ...Object.values(gen.value), '--db', warehouse, '--json']);
  const prepared: Prepared = {
    label,
    dir,
    files: gen.value,
    warehouse,
    counts,
    build: { generate_ms: gen.ms, ingest_ms: ingest.ms, ingest_peak_rss_mb: ingest.peak_rss_mb },
  };
  fs.writeFileSync(manifestPath, JSON.stringify(prepared, null, 2));
  log(`${label}: ready (${formatMs(gen.ms)} to generate, ${formatMs(ingest.ms)} to ingest)`);
  return prepared;
}

// ---------------------------------------------------------------------------------------------
// 2. ingest

async function ctasFloorMs(file: string, scratchDb: string): Promise<number> {
  fs.rmSync(scratchDb, { force: true });
  const instance = await createInstance(scratchDb);
  const connection = await instance.connect();
  const t = await timed(() => connection.run(`CREATE TABLE t AS SELECT * FROM read_csv(${sqlString(file)})`));
  await connection.run('CHECKPOINT');
  connection.closeSync();
  instance.closeSync();
  fs.rmSync(scratchDb, { force: true });
  return t.ms;
}

async function benchIngest(p: Prepared) {
  const scratchDb = path.join(p.dir, 'ingest-check.duckdb');
  let peak: number | null = null;
  log(`${p.label}: ingest of opportunities.csv…`);
  const ours = await measure(async () => {
    fs.rmSync(scratchDb, { force: true });
    const r = await runCli(['ingest', p.files.opportunities, '--db', scratchDb, '--json']);
    peak = Math.max(peak ?? 0, r.peak_rss_mb ?? 0);
    fs.rmSync(scratchDb, { force: true });
    return r.ms;
  });
  const floor = await measure(() => ctasFloorMs(p.files.opportunities, scratchDb));
  return { size: p.label, file: 'opportunities.csv', rows: p.counts.opportunities, ms: ours.ms, runs: ours.runs, floor_ms: floor.ms, ratio: ratio(ours.ms, floor.ms), peak_rss_mb: peak, target: TARGETS.ingest };
}

// ---------------------------------------------------------------------------------------------
// 3. metrics

/** `salesight metrics funnel`'s reached per stage, per size: the naive baseline must agree with it. */
const funnelReached = new Map<string, number[]>();

/** The family as a page computes it: parameters resolved and computed on an open connection. */
async function computeInProcess(connection: Parameters<typeof resolveParams>[0], family: FamilyId): Promise<number> {
  const definition = await loadFamily(family);
  if (!definition) throw new Error(`no family ${family}`);
  const config = loadConfig().config;
  return (await timed(async () => definition.compute({ connection, params: await resolveParams(connection, {}), config }))).ms;
}

/** What a CLI command costs before it computes anything: `salesight --version` starts Node and loads DuckDB. */
async function benchCliStart() {
  log('CLI start (salesight --version)…');
  return measure(async () => (await runCli(['--version'])).ms);
}

async function benchMetrics(p: Prepared, inProcessToo: boolean) {
  const rows = [];
  const warehouse = await openReadOnly(p.warehouse);
  try {
    // the floors' as-of and first day: the data's defaults, as the commands use them
    const { as_of: asOf, from } = await resolveParams(warehouse.connection, {});
    for (const family of FAMILY_IDS) {
      log(`${p.label}: metrics ${family}…`);
      let peak: number | null = null;
      let stdout = '';
      let ours: { ms: number; runs: number } | null = null;
      let error: string | null = null;
      try {
        ours = await measure(async () => {
          const r = await runCli(['metrics', family, '--json', '--db', p.warehouse]);
          peak = Math.max(peak ?? 0, r.peak_rss_mb ?? 0);
          stdout = r.stdout;
          return r.ms;
        });
      } catch (e) {
        // a command that fails (e.g. out of memory at the cap) is a result, not the end of the run
        error = (e instanceof Error ? e.message : String(e)).replace(/^salesight .*? exited \d+: /s, '').split('\n').find((l) => l.startsWith('salesight:')) ?? String(e);
        log(`${p.label}: metrics ${family} FAILED: ${error}`);
      }
      if (family === 'funnel' && ours) funnelReached.set(p.label, (JSON.parse(stdout) as { stages: { reached: number }[] }).stages.map((s) => s.reached));
      const sql = floorSql(family, { asOf, from });
      const floor = sql ? await measure(async () => (await timed(() => warehouse.connection.run(sql))).ms) : null;
      const floorCommand = sql && floor && floor.ms < FLOOR_COMMAND_BELOW_MS ? await measure(async () => (await runFloorProcess(p.warehouse, sql)).ms) : null;
      // in process at 1M only: there the CLI's start is a large part of a command's time
      const inProcess = inProcessToo && ours ? await measure(() => computeInProcess(warehouse.connection, family)) : null;
      rows.push({
        size: p.label, family, ms: ours?.ms ?? null, runs: ours?.runs ?? 0, floor_ms: floor?.ms ?? null, ratio: ratio(ours?.ms, floor?.ms), peak_rss_mb: peak, error,
        floor_kind: !sql ? null : FLOOR_COMPUTES_FAMILY_FIGURES.has(family) ? 'family figures' : 'headline',
        in_process_ms: inProcess?.ms ?? null, in_process_ratio: ratio(inProcess?.ms, floor?.ms),
        floor_command_ms: floorCommand?.ms ?? null, command_ratio: ratio(ours?.ms, floorCommand?.ms),
      });
    }
  } finally {
    warehouse.close();
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------
// 4. pages

/** Every report page (the definitions the site serves) and the JSON API of the funnel. */
const BENCH_PAGES: { path: string; families: FamilyId[] }[] = [
  ...Object.values(PAGES).map((page) => ({ path: page.id === 'overview' ? '/' : `/${page.id}`, families: page.families })),
  { path: '/api/metrics/funnel', families: ['funnel'] },
];

/** A page's floor for one rep: its families' floor queries one after another; null when one has none. */
function pageFloorSql(families: FamilyId[], owner: string, asOf: string, from: string): string[] | null {
  const sqls = families.map((f) => floorSql(f, { owner, asOf, from }));
  return sqls.every((q): q is string => q !== null) ? sqls : null;
}

/** One request for `pagePath` filtered to `owner`, read whole: its time in ms (throws unless it succeeded). */
async function timedGet(base: string, pagePath: string, owner: string): Promise<number> {
  const t = performance.now();
  const res = await fetch(new URL(`${pagePath}?owner=${owner}`, base));
  await res.arrayBuffer();
  if (!res.ok) throw new Error(`${pagePath}: HTTP ${res.status}`);
  return performance.now() - t;
}

async function benchPages(p: Prepared) {
  const rows = [];
  const server = await startServe(p.warehouse, ['--no-warm-up', '--auth', 'demo']);
  const warehouse = await openReadOnly(p.warehouse);
  try {
    const { as_of: asOf, from } = await resolveParams(warehouse.connection, {});
    let rep = 0;
    for (const page of BENCH_PAGES) {
      const times: number[] = [];
      const firstMs = await timedGet(server.base, page.path, WARM_UP_OWNER);
      const started = performance.now();
      while (times.length < pageRequests && performance.now() - started < pageBudgetMs) {
        const owner = `R${String(rep++ % 400).padStart(4, '0')}`;
        times.push(await timedGet(server.base, page.path, owner));
      }
      const sqls = pageFloorSql(page.families, 'R0001', asOf, from);
      const floor = sqls ? await measure(async () => (await timed(async () => { for (const q of sqls) await warehouse.connection.run(q); })).ms) : null;
      const p95 = percentile(times, 95);
      // one rep's page again and again: the first request computes, the rest find its figures cached
      const again: number[] = [];
      for (let i = 0; i <= CACHED_PAGE_REQUESTS; i++) {
        const ms = await timedGet(server.base, page.path, 'R0001');
        if (i > 0) again.push(ms);
      }
      const cachedP95 = percentile(again, 95);
      rows.push({
        size: p.label, page: page.path, warm_up_ms: firstMs, requests: times.length, p50_ms: percentile(times, 50), p95_ms: p95, floor_ms: floor?.ms ?? null, ratio: ratio(p95, floor?.ms),
        cached_p95_ms: cachedP95, cached_ratio: ratio(cachedP95, floor?.ms),
      });
      log(`${p.label}: ${page.path} p50 ${formatMs(percentile(times, 50))} p95 ${formatMs(p95)} over ${times.length} requests`);
    }
    return { pages: rows, server_peak_rss_mb: peakRssMb(server.pid) };
  } finally {
    warehouse.close();
    server.stop();
  }
}

// ---------------------------------------------------------------------------------------------
// 5. workbook

function runChild(args: string[]): Promise<{ ms: number; rows: number; peak_rss_mb: number | null; bytes: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'workbook-child.ts'), ...args], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, TZ: 'UTC' } });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop()!)) : reject(new Error(`workbook-child ${args[0]} exited ${code}`))));
  });
}

async function benchWorkbook(p: Prepared) {
  const rows = p.counts.opportunities!;
  const out = path.join(p.dir, 'bench-drill.xlsx');
  log(`${p.label}: workbook of ${rows.toLocaleString('en-US')} drill-down rows…`);
  const ours = await runChild(['salesight', p.warehouse, out, String(rows)]);
  // the same number of rows as Salesight wrote
  const floor = await runChild(['bare', p.warehouse, out, String(ours.rows)]);
  fs.rmSync(out, { force: true });
  return { size: p.label, rows_asked: rows, rows: ours.rows, ms: ours.ms, peak_rss_mb: ours.peak_rss_mb, floor_ms: floor.ms, floor_peak_rss_mb: floor.peak_rss_mb, ratio: ratio(ours.ms, floor.ms) };
}

// ---------------------------------------------------------------------------------------------

function machine() {
  return {
    cpus: os.cpus().length,
    cpu_model: os.cpus()[0]?.model ?? 'unknown',
    memory_gb: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    memory_limit_per_duckdb_instance: process.env.SALESIGHT_MEMORY_LIMIT || '2GB (default)',
  };
}

const pct = (x: number | null | undefined) => (x === null || x === undefined ? '—' : `${x.toFixed(2)}×`);
const mb = (x: number | null | undefined) => (x === null || x === undefined ? '—' : `${Math.round(x)} MB`);
const met = (ok: boolean | null) => (ok === null ? '—' : ok ? 'yes' : '**no**');

// Time the compiled CLI users run, not the from-source fallback an edited checkout would use.
log('building the CLI…');
const build = spawnSync(process.execPath, [path.join(REPO_ROOT, 'pipelines/bin/build-cli.js')], { stdio: ['ignore', 'ignore', 'inherit'] });
if (build.status !== 0) throw new Error('building the CLI failed');

const prepared: Prepared[] = [];
for (const label of sizes) prepared.push(await prepare(label));
if (values['data-only']) {
  log(`data ready: ${prepared.map((p) => path.relative(REPO_ROOT, p.dir)).join(', ')}`);
  process.exit(0);
}
// the issue measures ingest and metrics at 1M and 5M; a run with only 100k (a smoke test) measures that
const large = prepared.length > 1 ? prepared.filter((p) => p.label !== '100k') : prepared;
const ingest = [];
for (const p of large) ingest.push(await benchIngest(p));
const cliStart = await benchCliStart();
const at1m = prepared.find((p) => p.label === '1m') ?? prepared[0]!;
const metrics = [];
for (const p of large) metrics.push(...(await benchMetrics(p, p === at1m)));
const pages = await benchPages(at1m);
const workbook = await benchWorkbook(at1m);
log(`${at1m.label}: naive JavaScript funnel…`);
const naive = await naiveFunnel(at1m.files.opportunities, at1m.files.stage_events);
const funnelAt1m = metrics.find((m) => m.size === at1m.label && m.family === 'funnel');
const sameReached = JSON.stringify(funnelReached.get(at1m.label) ?? null) === JSON.stringify(naive.reached);

const result = {
  generated_at: new Date().toISOString(),
  duration_s: Math.round((performance.now() - benchStart) / 1000),
  machine: machine(),
  seed: BENCH_SEED,
  generator_version: GENERATOR_VERSION,
  targets: TARGETS,
  sizes: prepared.map((p) => ({ size: p.label, counts: p.counts, build: p.build, cached: p.cached === true })),
  ingest,
  metrics,
  cli_start_ms: cliStart.ms,
  pages: pages.pages,
  server_peak_rss_mb: pages.server_peak_rss_mb,
  workbook,
  naive: { size: at1m.label, ms: naive.ms, reached: naive.reached, agrees_with_salesight: sameReached, salesight_funnel_command_ms: funnelAt1m?.ms ?? null, floor_ms: funnelAt1m?.floor_ms ?? null },
};
fs.mkdirSync(RESULTS, { recursive: true });
fs.writeFileSync(path.join(RESULTS, 'latest.json'), `${JSON.stringify(result, null, 2)}\n`);

// Markdown
const m = result.machine;
const lines: string[] = [];
lines.push(`## Salesight bench (${result.generated_at.slice(0, 16)}Z, ${result.duration_s} s)`, '');
lines.push(`Machine: ${m.cpus} cores (${m.cpu_model}), ${m.memory_gb} GB, Node ${m.node}; DuckDB memory_limit ${m.memory_limit_per_duckdb_instance} per instance.`, '');
lines.push('| data | opportunities | follow-ups | orders | build |', '|---|---:|---:|---:|---|');
for (const s of result.sizes) {
  const b = `${s.cached ? 'cached; built by ' : ''}generate ${formatMs(s.build.generate_ms)}, ingest of all six exports ${formatMs(s.build.ingest_ms)} (peak ${mb(s.build.ingest_peak_rss_mb)})`;
  lines.push(`| ${s.size} | ${s.counts.opportunities?.toLocaleString('en-US')} | ${s.counts.stage_events?.toLocaleString('en-US')} | ${s.counts.orders?.toLocaleString('en-US')} | ${b} |`);
}
lines.push('', `### Ingest (target ≤ ${TARGETS.ingest}× a bare read_csv CTAS)`, '', '| size | file | rows | salesight ingest | floor | ratio | peak RSS | met |', '|---|---|---:|---:|---:|---:|---:|---|');
for (const r of ingest) lines.push(`| ${r.size} | ${r.file} | ${r.rows?.toLocaleString('en-US')} | ${formatMs(r.ms)} (${r.runs} run${r.runs > 1 ? 's' : ''}) | ${formatMs(r.floor_ms)} | ${pct(r.ratio)} | ${mb(r.peak_rss_mb)} | ${met(r.ratio !== null ? r.ratio <= TARGETS.ingest : null)} |`);
lines.push('', `### Metrics (\`salesight metrics <family> --json\`; target ≤ ${TARGETS.metrics}× the hand-written query, < 1 s at 1M)`, '');
lines.push(
  `A command's time includes the CLI's start: \`salesight --version\` takes ${formatMs(result.cli_start_ms)} (median of ${cliStart.runs} run${cliStart.runs > 1 ? 's' : ''}), and a new process reads the warehouse cold. ` +
    `"Floor query" runs on an open connection, warm; "floor as a command" is the same query in a new process (loads DuckDB, opens the warehouse, prints the rows), for floors under ${formatMs(FLOOR_COMMAND_BELOW_MS)} warm. ` +
    `"In process" is the family computed on the floor's open connection, as a page computes it (at ${at1m.label}). "Met" judges the command against the warm floor. ` +
    `"Floor computes": the family's own figures (tests/bench-floors.test.ts checks they agree), or only its headline aggregation, so that the ratio also counts what the family computes beyond it.`,
  '',
);
lines.push('| size | family | command | in process | floor computes | floor query | floor as a command | ratio | in-process ratio | command / floor command | peak RSS | met |', '|---|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---|');
for (const r of metrics) {
  const ok = r.error ? false : r.ratio === null ? null : r.ratio <= TARGETS.metrics && (r.size !== '1m' || (r.ms ?? Infinity) < TARGETS.metrics_1m_ms);
  lines.push(
    `| ${r.size} | ${r.family} | ${r.error ? `failed: ${r.error.replace(/\|/g, '/')}` : `${formatMs(r.ms)} (${r.runs})`} | ${formatMs(r.in_process_ms)} | ${r.floor_kind ?? '—'} | ${formatMs(r.floor_ms)} | ${formatMs(r.floor_command_ms)} | ${pct(r.ratio)} | ${pct(r.in_process_ratio)} | ${pct(r.command_ratio)} | ${mb(r.peak_rss_mb)} | ${met(ok)} |`,
  );
}
lines.push('', `### Pages at ${at1m.label} (one rep per request, none cached; target p95 ≤ ${TARGETS.pages_p95}× the floor query)`, '');
lines.push(
  `"Warm-up": the page's first request, for a rep with no data, not counted (it loads the route's code; the server's first also the filter lists). ` +
    `"Cached p95": one rep's page asked ${CACHED_PAGE_REQUESTS} more times, its figures from the result cache: building and sending the page without computing.`,
  '',
);
lines.push('| page | warm-up | requests | p50 | p95 | floor | p95 / floor | cached p95 | cached / floor | met |', '|---|---:|---:|---:|---:|---:|---:|---:|---:|---|');
for (const r of result.pages) lines.push(`| ${r.page} | ${formatMs(r.warm_up_ms)} | ${r.requests} | ${formatMs(r.p50_ms)} | ${formatMs(r.p95_ms)} | ${formatMs(r.floor_ms)} | ${pct(r.ratio)} | ${formatMs(r.cached_p95_ms)} | ${pct(r.cached_ratio)} | ${met(r.ratio !== null ? r.ratio <= TARGETS.pages_p95 : null)} |`);
lines.push(`\nServer peak RSS: ${mb(result.server_peak_rss_mb)}.`);
lines.push('', `### Workbook (target ≤ ${TARGETS.workbook}× bare exceljs, peak RSS < ${TARGETS.workbook_rss_mb} MB)`, '');
if (workbook.rows < workbook.rows_asked) lines.push(`Salesight wrote ${workbook.rows.toLocaleString('en-US')} of the ${workbook.rows_asked.toLocaleString('en-US')} rows asked (downloads stop at MAX_DOWNLOAD_ROWS, ${MAX_DOWNLOAD_ROWS.toLocaleString('en-US')}), so the bare writer is timed on the same ${workbook.rows.toLocaleString('en-US')}.`, '');
lines.push('| rows | salesight | bare exceljs | ratio | peak RSS (salesight / bare) | met |', '|---:|---:|---:|---:|---:|---|');
lines.push(`| ${workbook.rows.toLocaleString('en-US')} | ${formatMs(workbook.ms)} | ${formatMs(workbook.floor_ms)} | ${pct(workbook.ratio)} | ${mb(workbook.peak_rss_mb)} / ${mb(workbook.floor_peak_rss_mb)} | ${met((workbook.ratio ?? Infinity) <= TARGETS.workbook && (workbook.peak_rss_mb ?? Infinity) < TARGETS.workbook_rss_mb)} |`);
lines.push('', '### Naive baseline', '', `Funnel "reached" by streaming the ${at1m.label} CSVs in plain JavaScript: ${formatMs(naive.ms)} (reached ${naive.reached.map((x) => x.toLocaleString('en-US')).join(' → ')}, ${sameReached ? 'the same as' : '**not** the same as'} Salesight's); the hand-written DuckDB query on the warehouse: ${formatMs(funnelAt1m?.floor_ms)} (${pct(ratio(naive.ms, funnelAt1m?.floor_ms))} faster); \`salesight metrics funnel\`: ${formatMs(funnelAt1m?.ms)}.`);
const peak5m = Math.max(...[...ingest, ...metrics].filter((r) => r.size === '5m').map((r) => r.peak_rss_mb ?? 0), 0);
const failed5m = metrics.filter((r) => r.size === '5m' && r.error).map((r) => r.family);
if (peak5m || failed5m.length) {
  lines.push(
    '',
    `Highest peak RSS of any command on 5M: ${mb(peak5m)} (target < ${TARGETS.rss_5m_mb} MB): ${met(peak5m < TARGETS.rss_5m_mb && failed5m.length === 0)}` +
      (failed5m.length ? `; ${failed5m.join(', ')} failed at the DuckDB memory cap instead of spilling (see above).` : '.'),
  );
}
process.stdout.write(`${lines.join('\n')}\n`);
log(`wrote ${path.relative(REPO_ROOT, path.join(RESULTS, 'latest.json'))}`);
