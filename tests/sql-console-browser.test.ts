/// <reference lib="dom" />
/**
 * The SQL console in a real browser: Debian's chromium driven by playwright-core against
 * `salesight serve --auth demo` (every visitor is the demo leader) on the demo warehouse. Types
 * into CodeMirror and runs with Ctrl+Enter, checks a figure against the sample CSV counted here
 * with fs, the virtualised table, cancel of a slow query, a refused query, the CSV and Excel
 * downloads read back, the quick chart, a saved query and a shared link, and no console errors.
 */
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAudit } from '../src/lib/access/audit.server.ts';
import { REPO_ROOT, runCli, startServe, tempDir } from './helpers.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = path.join(REPO_ROOT, 'tests/artifacts');
const SAMPLE_OPPORTUNITIES = path.join(REPO_ROOT, 'data/sample/opportunities.csv');
const dir = tempDir('salesight-sql-console-');
const db = path.join(dir, 'demo.duckdb');

let server: ChildProcess;
let base: string;
let browser: Browser;
let page: Page;
const consoleErrors: string[] = [];

/** The sample's opportunity rows, read with fs: the file has no quoted fields, so a line is a row. */
function sampleOpportunities(): Record<string, string>[] {
  const text = fs.readFileSync(SAMPLE_OPPORTUNITIES, 'utf8').replace(/^\uFEFF/, '');
  expect(text.includes('"'), 'the naive split below needs a file without quoted fields').toBe(false);
  const [header, ...lines] = text.split(/\r?\n/).filter((l) => l !== '');
  const names = header!.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [names[i]!, v])));
}

async function typeQuery(sql: string): Promise<void> {
  await page.locator('.cm-content').click();
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  await page.keyboard.type(sql);
  await page.keyboard.press('Escape'); // close a completion list left open by the last word
  expect(await page.locator('.cm-content').innerText()).toBe(sql);
}

async function runTyped(sql: string): Promise<void> {
  await typeQuery(sql);
  await page.keyboard.press('Control+Enter');
  await page.locator('[data-testid="sql-summary"], [data-testid="sql-message"]').first().waitFor();
}

/** The text of the result table's cell (row index from 0, column by position from 0). */
async function cell(row: number, column: number): Promise<string> {
  return page.locator(`[data-testid="sql-result-table"] tr[data-row="${row}"] td`).nth(column + 1).innerText();
}

async function openConsole(url = '/sql?lang=en'): Promise<void> {
  const response = await page.goto(new URL(url, base).href, { waitUntil: 'load' });
  expect(response?.status(), url).toBe(200);
  const csp = response!.headers()['content-security-policy'];
  // kit.csp: SvelteKit's bootstrap script is allowed by its nonce, nothing else inline
  expect(csp).toMatch(/script-src 'self' 'nonce-[^']+'/);
  expect(csp).toContain("frame-ancestors 'none'");
  await page.locator('[data-testid="sql-editor"][data-ready="true"] .cm-content').waitFor();
}

beforeAll(async () => {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const demo = runCli(['demo', '--db', db]);
  expect(demo.code, demo.stderr).toBe(0);
  ({ server, base } = await startServe(db, ['--auth', 'demo']));
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US', acceptDownloads: true });
  page = await context.newPage();
  page.on('console', (m) => {
    // A refused, failed or stopped query is answered 400/422 on purpose; Chromium logs any 4xx
    // fetch as "Failed to load resource". Those, for /sql/run only, are not page errors.
    if (m.type() !== 'error') return;
    if (/Failed to load resource: the server responded with a status of 4\d\d/.test(m.text()) && m.location().url.endsWith('/sql/run')) return;
    consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => consoleErrors.push(e.message));
});

afterAll(async () => {
  await browser?.close();
  server?.kill('SIGTERM');
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('SQL console in chromium', () => {
  it('runs a typed query with Ctrl+Enter and shows the figure the sample file holds', async () => {
    await openConsole();
    await expect(page.getByTestId('sql-limits').innerText()).resolves.toContain('10,000 rows');
    // the schema browser lists the warehouse tables with their columns
    await expect(page.getByTestId('schema-browser').innerText()).resolves.toContain('opportunities');
    await runTyped("SELECT count(*) AS n FROM opportunities WHERE opportunity_id LIKE 'OPP-%'");
    // every row of data/sample/opportunities.csv has an OPP- id (the seed template's rows do not)
    const sample = sampleOpportunities();
    expect(sample.every((r) => r.opportunity_id!.startsWith('OPP-'))).toBe(true);
    expect(Number(await cell(0, 0))).toBe(sample.length);
    expect(sample.length).toBe(2228);
  });

  it('shows 10,000 rows of a longer result in a virtualised table, says it was cut, and scrolls to the last', async () => {
    await runTyped('SELECT range AS i, range * 2 AS doubled FROM range(25000)');
    await expect(page.getByTestId('sql-summary').innerText()).resolves.toContain('10,000 rows');
    await expect(page.getByTestId('sql-truncated').innerText()).resolves.toContain('10,000');
    const table = page.getByTestId('sql-result-table');
    expect(await table.getAttribute('data-rows')).toBe('10000');
    // only the rows in view are in the DOM: 420 px / 28 px = 15 rows, plus 8 either side
    const drawn = await table.locator('tr[data-row]').count();
    expect(drawn).toBeGreaterThan(10);
    expect(drawn).toBeLessThan(60);
    await table.evaluate((el) => (el.scrollTop = el.scrollHeight));
    await page.locator('[data-testid="sql-result-table"] tr[data-row="9999"]').waitFor();
    expect(await cell(9999, 0)).toBe('9999');
    expect(await cell(9999, 1)).toBe('19998');
    // numbers align right
    const align = await page.locator('[data-testid="sql-result-table"] tr[data-row="9999"] td').nth(1).evaluate((td) => getComputedStyle(td).textAlign);
    expect(align).toBe('right');
    expect(await table.locator('tr[data-row]').count()).toBeLessThan(60);
  });

  it('cancels a slow query well before the time limit', async () => {
    await typeQuery('SELECT count(*) FROM range(10000000000)');
    const started = Date.now();
    await page.getByTestId('run').click();
    await page.getByTestId('sql-running').waitFor();
    await page.waitForTimeout(500);
    await page.getByTestId('cancel').click();
    const message = page.getByTestId('sql-message');
    await message.waitFor();
    expect(await message.getAttribute('data-status')).toBe('stopped');
    await expect(message.innerText()).resolves.toMatch(/Cancelled/);
    // the time limit is 15 s: stopping in well under it was the cancel
    expect(Date.now() - started).toBeLessThan(8_000);
    // and the sandbox is free again (a repeated column name keeps both values)
    await runTyped('SELECT 42 AS answer, 43 AS answer');
    expect([await cell(0, 0), await cell(0, 1)]).toEqual(['42', '43']);
  });

  it('shows the refusal of a hostile query', async () => {
    await runTyped("SELECT 1; COPY opportunities TO '/tmp/stolen.csv'");
    const message = page.getByTestId('sql-message');
    expect(await message.getAttribute('data-status')).toBe('refused');
    await expect(message.innerText()).resolves.toContain('exactly one statement');
    expect(fs.existsSync('/tmp/stolen.csv')).toBe(false);
  });

  it('downloads the result as CSV and Excel with the figures of the sample file, and charts it', async () => {
    await runTyped("SELECT region, count(*) AS n, '=1+1' AS formula FROM opportunities WHERE opportunity_id LIKE 'OPP-%' GROUP BY region ORDER BY region");
    // the same figures, counted from the file
    const expected = new Map<string, number>();
    for (const r of sampleOpportunities()) expected.set(r.region!, (expected.get(r.region!) ?? 0) + 1);
    const regions = [...expected.keys()].sort();

    const [csvDownload] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-csv').click()]);
    expect(csvDownload.suggestedFilename()).toMatch(/^salesight-sql-.*\.csv$/);
    const csvBytes = fs.readFileSync((await csvDownload.path())!);
    expect([...csvBytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = csvBytes.toString('utf8').slice(1).split('\r\n').filter(Boolean);
    expect(lines[0]).toBe('region,n,formula');
    const csvRows = lines.slice(1).map((l) => l.split(','));
    expect(csvRows.map((r) => r[0])).toEqual(regions);
    for (const r of csvRows) {
      expect(Number(r[1]), r[0]).toBe(expected.get(r[0]!));
      expect(r[2]).toBe("'=1+1");
    }

    const [xlsxDownload] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-xlsx').click()]);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile((await xlsxDownload.path())!);
    const sheet = wb.getWorksheet('SQL')!;
    expect((sheet.getRow(1).values as ExcelJS.CellValue[]).slice(1)).toEqual(['region', 'n', 'formula']);
    const xlsxRows: ExcelJS.CellValue[][] = [];
    sheet.eachRow((row, i) => i > 1 && xlsxRows.push((row.values as ExcelJS.CellValue[]).slice(1)));
    expect(xlsxRows).toEqual(regions.map((r) => [r, expected.get(r), '=1+1']));
    // the formula-looking text is a string cell, not a formula
    expect(sheet.getCell('C2').type).toBe(ExcelJS.ValueType.String);

    // the quick chart draws the result: bars of n by region
    await page.locator('[data-testid="sql-chart"] svg').first().waitFor();
    expect(await page.locator('[data-testid="sql-chart"] svg rect').count()).toBeGreaterThanOrEqual(regions.length);
    // the busy bar a submit shows does not stay after a download
    await page.waitForTimeout(1200);
    expect(await page.locator('html.loading').count()).toBe(0);
    await page.screenshot({ path: path.join(ARTIFACTS, 'sql-console.png'), fullPage: true });
  });

  it('saves a query, opens it by its URL, and shares a link that pre-fills the editor', async () => {
    const sql = 'SELECT stage, count(*) AS n FROM opportunities GROUP BY stage ORDER BY n DESC';
    await typeQuery(sql);
    await page.locator('[data-testid="save-form"] input[name="name"]').fill('按阶段 by stage');
    await Promise.all([page.waitForURL(/\/sql\?saved=[a-z0-9]+$/), page.getByTestId('save').click()]);
    await page.locator('[data-testid="sql-editor"][data-ready="true"] .cm-content').waitFor();
    await expect(page.getByTestId('opened-query').innerText()).resolves.toContain('按阶段 by stage');
    expect(await page.locator('.cm-content').innerText()).toBe(sql);
    await expect(page.getByTestId('saved-queries').innerText()).resolves.toContain('按阶段 by stage');

    await page.getByTestId('copy-link').click();
    const link = await page.getByTestId('share-link').inputValue();
    expect(new URL(link).searchParams.get('q')).toBe(sql);
    await openConsole(link);
    expect(await page.locator('.cm-content').innerText()).toBe(sql);

    // the other pages are server-rendered only: leaving the console is a full page load
    await Promise.all([page.waitForEvent('load'), page.locator('header nav a[href^="/data"]').click()]);
    expect(new URL(page.url()).pathname).toBe('/data');
    expect(await page.locator('table').count()).toBeGreaterThan(0);
  });

  it('audited every query with its outcome, and each download', () => {
    // the users file, hence the audit log and the saved queries, sit beside the warehouse
    const entries = readAudit(path.join(dir, 'salesight-audit.jsonl'));
    const sql = entries.filter((e) => e.action === 'sql');
    const statuses = new Set(sql.map((e) => e.detail.status));
    for (const status of ['ok', 'refused', 'stopped']) expect(statuses.has(status), status).toBe(true);
    const counted = sql.find((e) => String(e.detail.sql).startsWith('SELECT count(*) AS n FROM opportunities'));
    expect(counted?.detail).toMatchObject({ status: 'ok', rows: 1 });
    expect(counted?.user).toBe('demo');
    const downloads = entries.filter((e) => e.action === 'download' && e.detail.what === 'sql');
    expect(downloads.map((e) => e.detail.format).sort()).toEqual(['csv', 'xlsx']);
    // one row per region of the sample file
    expect(downloads[0]!.detail.rows).toBe(new Set(sampleOpportunities().map((r) => r.region)).size);
    expect(fs.existsSync(path.join(dir, 'salesight-saved-queries.json'))).toBe(true);
  });

  it('logged no console errors and no CSP violations', () => {
    expect(consoleErrors).toEqual([]);
  });
});
