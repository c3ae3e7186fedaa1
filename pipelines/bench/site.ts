/// <reference lib="dom" />
/**
 * How fast the report site answers on a warehouse (default: the demo's):
 * - per page, the server time of the first request after start (nothing cached: every metric
 *   family computed) and of a repeat (served from the result cache), from the page's own
 *   "server N ms" line, plus the HTML size;
 * - the Funnel page in chromium: load to network idle, and the bytes transferred.
 *
 *   npm run bench:site [-- --db data/demo.duckdb]
 *
 * Prints numbers against the goals of issue 4 (server < 300 ms, funnel < 0.5 s and < 1 MB);
 * asserts nothing.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { DEMO_DB } from '../demo/paths.ts';
import { startServe } from './scale/measure.ts';

const { values } = parseArgs({ options: { db: { type: 'string', default: DEMO_DB }, chromium: { type: 'string', default: '/usr/bin/chromium' } } });
const PAGES = ['/', '/funnel', '/channels', '/cohorts', '/customers', '/team', '/targets', '/alerts', '/data'];

// the first request of each page is measured cold, so no warm-up computes them beforehand
const server = await startServe(path.resolve(values.db!), ['--no-warm-up', '--auth', 'demo']);
const base = server.base;

async function serverMs(url: string): Promise<{ ms: number; bytes: number }> {
  const html = await (await fetch(new URL(url, base))).text();
  const m = /server (\d+) ms/.exec(html);
  return { ms: m ? Number(m[1]) : Number.NaN, bytes: Buffer.byteLength(html) };
}

try {
  console.log(`site on ${values.db}\n\n${'page'.padEnd(12)} ${'first'.padStart(8)} ${'repeat'.padStart(8)} ${'html'.padStart(9)}`);
  for (const url of PAGES) {
    const first = await serverMs(url);
    const repeats: number[] = [];
    for (let i = 0; i < 5; i++) repeats.push((await serverMs(url)).ms);
    const repeat = repeats.sort((a, b) => a - b)[2]!;
    const show = (ms: number) => (Number.isNaN(ms) ? '—' : `${ms} ms`);
    console.log(`${url.padEnd(12)} ${show(first.ms).padStart(8)} ${show(repeat).padStart(8)} ${`${(first.bytes / 1024).toFixed(0)} KB`.padStart(9)}`);
  }

  const browser = await chromium.launch({ executablePath: values.chromium, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  const loads: { ms: number; bytes: number }[] = [];
  for (let i = 0; i < 5; i++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    let bytes = 0;
    cdp.on('Network.loadingFinished', (e) => (bytes += e.encodedDataLength));
    const start = performance.now();
    await page.goto(new URL('/funnel', base).href, { waitUntil: 'networkidle' });
    // networkidle waits 500 ms of quiet after the last request; that wait is not load time
    const nav = await page.evaluate(() => performance.getEntriesByType('navigation').map((e) => (e as PerformanceNavigationTiming).toJSON())[0]!);
    const ms = nav.loadEventEnd as number;
    if (i === 0) console.log(`  first load: response ${Math.round(nav.responseEnd)} ms, DOM ready ${Math.round(nav.domContentLoadedEventEnd)} ms, load ${Math.round(ms)} ms`);
    loads.push({ ms, bytes });
    void start;
    await context.close();
  }
  await browser.close();
  const median = loads.sort((a, b) => a.ms - b.ms)[2]!;
  console.log(`\n/funnel in chromium (median of 5, result cache warm): load event ${median.ms.toFixed(0)} ms, ${(median.bytes / 1024).toFixed(0)} KB transferred`);
  console.log('goals (issue 4): server < 300 ms, funnel load < 500 ms and < 1 MB');
} finally {
  server.stop();
}
