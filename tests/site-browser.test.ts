/// <reference lib="dom" />
/**
 * The report site in a real browser: Debian's chromium (apt, /usr/bin/chromium) driven by
 * playwright-core, against `salesight serve` on a real warehouse file. Covers the empty state
 * and a live refresh (the warehouse appears while the site runs), every page in both languages
 * with its charts, page figures against `salesight metrics --json` for the same filters, a
 * filter change (figures and URL), a drill-down, an Excel download read back with exceljs, the
 * remembered language switch, and no console errors. Screenshots go to tests/artifacts/.
 */
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli, startServe, tempDir } from './helpers.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = path.join(REPO_ROOT, 'tests/artifacts');
const dir = tempDir();
const db = path.join(dir, 'live.duckdb');

let server: ChildProcess;
let base: string;
let browser: Browser;
const consoleErrors: string[] = [];

async function openPage(url: string, lang: 'zh' | 'en' = 'zh', width = 1280): Promise<Page> {
  const context = await browser.newContext({ viewport: { width, height: 900 }, locale: lang === 'zh' ? 'zh-CN' : 'en-US', acceptDownloads: true });
  const page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(`${url}: ${m.text()}`);
  });
  page.on('pageerror', (e) => consoleErrors.push(`${url}: ${e.message}`));
  const response = await page.goto(new URL(url, base).href, { waitUntil: 'load' });
  expect(response?.status(), url).toBe(200);
  // security headers on every page (a CSP violation would also show as a console error below)
  const headers = response!.headers();
  expect(headers['content-security-policy'], url).toContain("script-src 'self'");
  expect(headers['content-security-policy'], url).toContain("frame-ancestors 'none'");
  expect(headers['x-content-type-options'], url).toBe('nosniff');
  return page;
}

/** The exact figure behind a KPI tile (data-value carries the unformatted number). */
async function kpi(page: Page, id: string): Promise<number> {
  return Number(await page.locator(`[data-testid="kpi-${id}"] .value`).getAttribute('data-value'));
}

function cliJson(family: string, args: string[] = []): any {
  const r = runCli(['metrics', family, '--db', db, '--json', ...args]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}

beforeAll(async () => {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  ({ server, base } = await startServe(db));
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

afterAll(async () => {
  await browser?.close();
  server?.kill('SIGTERM');
});

describe('report site in chromium', () => {
  it('says how to load data while the warehouse is missing, then shows it without a restart', async () => {
    const page = await openPage('/funnel');
    await expect(page.getByTestId('empty-state').textContent()).resolves.toContain('salesight ingest');
    // the pipeline writes the warehouse while the site runs
    expect(runCli(['demo', '--db', db]).code).toBe(0);
    await page.reload();
    // demo: 2,268 opportunities (data/sample, see tests/demo.test.ts)
    expect(await kpi(page, 'opportunities')).toBe(2268);
    await page.context().close();
  });

  const PAGES = ['/', '/funnel', '/channels', '/cohorts', '/customers', '/team', '/targets', '/alerts', '/data'];
  for (const lang of ['zh', 'en'] as const) {
    it(`every page renders in ${lang}, with its charts, and is saved as a screenshot`, async () => {
      for (const url of PAGES) {
        const page = await openPage(`${url}?lang=${lang}`, lang);
        await expect(page.locator('html').getAttribute('lang')).resolves.toBe(lang === 'zh' ? 'zh-CN' : 'en');
        expect(await page.getByTestId('error-state').count(), url).toBe(0);
        expect(await page.getByTestId('family-failure').count(), url).toBe(0);
        if (url !== '/data') expect(await page.locator('[data-testid^="chart-"] svg').count(), `${url} charts`).toBeGreaterThan(0);
        expect(await page.locator('table').count(), `${url} tables`).toBeGreaterThan(0);
        const name = url === '/' ? 'overview' : url.slice(1);
        await page.screenshot({ path: path.join(ARTIFACTS, `${name}-${lang}.png`), fullPage: true });
        await page.context().close();
      }
    });
  }

  it('shows the same figures as `salesight metrics --json` for the same filters', async () => {
    const funnel = cliJson('funnel');
    const page = await openPage('/funnel');
    expect(await kpi(page, 'opportunities')).toBe(funnel.cohort.opportunities);
    expect(await kpi(page, 'win_rate')).toBe(funnel.outcomes.win_rate);
    expect(await kpi(page, 'won_amount')).toBe(funnel.outcomes.won_amount);
    expect(await kpi(page, 'stagnating')).toBe(funnel.stagnation.count);
    // the stage table: reached per stage, in stage order
    const reached = await page.locator('[data-testid="table-Funnel"] tbody tr td:nth-child(2)').evaluateAll((tds) => tds.map((td) => Number(td.getAttribute('data-value'))));
    expect(reached).toEqual(funnel.stages.map((s: { reached: number }) => s.reached));
    await page.context().close();

    const team = await openPage('/team');
    const perf = cliJson('performance');
    expect(await kpi(team, 'revenue')).toBe(perf.totals.revenue);
    expect(await kpi(team, 'active_reps')).toBe(perf.totals.active_reps);
    await team.context().close();

    const alerts = await openPage('/alerts');
    expect(await kpi(alerts, 'total')).toBe(cliJson('alerts').counts.total);
    await alerts.context().close();

    const customers = await openPage('/customers');
    expect(await kpi(customers, 'scored_customers')).toBe(cliJson('customer-value').population.scored_customers);
    await customers.context().close();

    const targets = await openPage('/targets');
    expect(await kpi(targets, 'targets')).toBe(cliJson('targets').summary.targets);
    await targets.context().close();

    const channels = await openPage('/channels');
    const byChannel = cliJson('channels').channels as { leads: number }[];
    expect(await kpi(channels, 'leads')).toBe(byChannel.reduce((n, c) => n + c.leads, 0));
    expect(await kpi(channels, 'sources')).toBe(byChannel.length);
    await channels.context().close();

    const cohorts = await openPage('/cohorts');
    const cohortJson = cliJson('cohorts');
    expect(await kpi(cohorts, 'customers_in_cohorts')).toBe(cohortJson.customers.customers_in_cohorts);
    expect(await kpi(cohorts, 'leads_in_cohorts')).toBe(cohortJson.leads.leads_in_cohorts);
    await cohorts.context().close();

    const overview = await openPage('/');
    expect(await kpi(overview, 'revenue')).toBe(perf.totals.revenue);
    expect(await kpi(overview, 'win_rate')).toBe(funnel.outcomes.win_rate);
    await overview.context().close();
  });

  it('compares key figures with the period before it (the deltas), as the whole family computes them', async () => {
    // July–September 2026 is 92 days (31 + 31 + 30), judged as of the latest data (2026-10-31)
    // as the site does; the period before is the 92 days up to 2026-06-30, i.e. from
    // 2026-03-31, judged as of its own last day
    const now = cliJson('performance', ['--from', '2026-07-01', '--to', '2026-09-30', '--as-of', '2026-10-31']);
    const before = cliJson('performance', ['--from', '2026-03-31', '--to', '2026-06-30', '--as-of', '2026-06-30']);
    const relative = (a: number, b: number) => `${a >= b ? '+' : ''}${(((a - b) / Math.abs(b)) * 100).toFixed(1)}%`;
    const points = (a: number, b: number) => `${a >= b ? '+' : ''}${((a - b) * 100).toFixed(1)} pt`;
    const delta = (page: Page, id: string) => page.locator(`[data-testid="kpi-${id}"] .delta`).textContent();
    const search = '?period=custom&from=2026-07-01&to=2026-09-30&lang=en';
    expect(before.totals.revenue).toBeGreaterThan(0);

    const overview = await openPage(`/${search}`, 'en');
    expect(await kpi(overview, 'revenue')).toBe(now.totals.revenue);
    expect(await delta(overview, 'revenue')).toContain(relative(now.totals.revenue, before.totals.revenue));
    expect(await delta(overview, 'new_customers')).toContain(relative(now.totals.new_customers, before.totals.new_customers));
    expect(await delta(overview, 'avg_order_value')).toContain(relative(now.totals.avg_order_value, before.totals.avg_order_value));
    await overview.context().close();

    const team = await openPage(`/team${search}`, 'en');
    expect(await delta(team, 'per_capita_output')).toContain(relative(now.totals.per_capita_output, before.totals.per_capita_output));
    expect(await delta(team, 'followup_timeliness')).toContain(points(now.totals.followup_timeliness, before.totals.followup_timeliness));
    await team.context().close();
  });

  it('a filter change updates the figures and the URL, and matches the CLI with that filter', async () => {
    const page = await openPage('/funnel');
    const before = await kpi(page, 'opportunities');
    await Promise.all([page.waitForURL(/region=/), page.getByTestId('filter-region').selectOption('华东')]);
    expect(decodeURIComponent(page.url())).toContain('region=华东');
    const after = await kpi(page, 'opportunities');
    expect(after).toBeLessThan(before);
    expect(after).toBe(cliJson('funnel', ['--filter', 'region=华东']).cohort.opportunities);
    // a period preset, resolved against the as-of date: the CLI gets the same dates
    await Promise.all([page.waitForURL(/period=this-quarter/), page.getByTestId('filter-period').selectOption('this-quarter')]);
    // demo as-of 2026-10-31 → calendar Q4 2026 starts 2026-10-01
    await expect(page.getByTestId('covering').textContent()).resolves.toContain('2026-10-01 – 2026-10-31');
    const quarter = cliJson('funnel', ['--filter', 'region=华东', '--from', '2026-10-01', '--to', '2026-10-31']);
    expect(await kpi(page, 'opportunities')).toBe(quarter.cohort.opportunities);
    await page.context().close();
  });

  it('a figure clicks through to the rows behind it', async () => {
    const page = await openPage('/funnel');
    const stagnating = await kpi(page, 'stagnating');
    await Promise.all([page.waitForURL(/\/drill\/funnel\/stagnating/), page.locator('[data-testid="kpi-stagnating"] a').click()]);
    await expect(page.getByTestId('drill-title').textContent()).resolves.toContain('stagnating');
    // one row per stagnating deal (fewer than the page's 200-row cap)
    expect(stagnating).toBeLessThan(200);
    expect(await page.locator('tbody tr').count()).toBe(stagnating);
    await page.context().close();
  });

  it('the Excel download has the figures shown on the page', async () => {
    const page = await openPage('/funnel?lang=en', 'en');
    const shown = await page.locator('[data-testid="table-Funnel"] tbody tr').evaluateAll((trs) =>
      trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.getAttribute('data-value') ?? td.textContent!.trim())),
    );
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download').click()]);
    const file = path.join(dir, 'funnel.xlsx');
    await download.saveAs(file);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    const sheet = wb.getWorksheet('Funnel')!;
    const header = (sheet.getRow(1).values as ExcelJS.CellValue[]).slice(1).map(String);
    // the page shows the English name column and the counts; find each in the sheet by header
    const reachedCol = header.indexOf('Reached') + 1;
    const nameCol = header.indexOf('Stage') + 1;
    expect(reachedCol).toBeGreaterThan(0);
    shown.forEach((row, i) => {
      expect(sheet.getRow(i + 2).getCell(nameCol).value).toBe(row[0]);
      expect(sheet.getRow(i + 2).getCell(reachedCol).value).toBe(Number(row[1]));
    });
    expect(wb.getWorksheet('Parameters')).toBeDefined();
    await page.context().close();
  });

  it('the language switch changes every label and is remembered', async () => {
    const page = await openPage('/funnel', 'zh');
    await expect(page.locator('h1').textContent()).resolves.toBe('销售漏斗');
    await Promise.all([page.waitForURL(/lang=en/), page.getByTestId('lang-switch').click()]);
    await expect(page.locator('h1').textContent()).resolves.toBe('Funnel');
    // a plain link afterwards: the cookie keeps English
    await page.goto(new URL('/channels', base).href);
    await expect(page.locator('h1').textContent()).resolves.toBe('Channels');
    await page.context().close();
  });

  it('fits a 375-px phone screen', async () => {
    const page = await openPage('/', 'zh', 375);
    // the page itself does not scroll sideways; wide tables scroll inside their own box
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: path.join(ARTIFACTS, 'overview-phone-zh.png'), fullPage: true });
    await page.context().close();
  });

  it('logged no console errors on any page', () => {
    expect(consoleErrors).toEqual([]);
  });
});
