/// <reference lib="dom" />
/**
 * Access control in a real browser (Debian's chromium via playwright-core) against `salesight
 * serve --auth password` on the demo warehouse, with users made by `salesight users add`:
 * signed-out requests to every page and API are turned away; each role signs in through the form
 * and sees exactly its scope on a page, a drill-down and a download; wrong passwords are rate
 * limited; a state-changing request without the CSRF token is refused; the audit log has it all.
 *
 * Reference figures (Python's csv module on data/sample, as in tests/access-scope.test.ts):
 * 王磊 owns 80 opportunities; 华东一组 (刘洋 周敏 王磊 陈浩) has 295; region 西南 (吕倩 彭宇 曹磊 蒋军) has
 *   sw = {r['owner'] for r in reps if r['region'] == '西南'}
 *   sum(o['region'] == '西南' or o['owner'] in sw for o in opps)            # 258
 * the leader's and admin's figure is the unscoped CLI's (`salesight metrics funnel --json`).
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
const dir = tempDir();
const db = path.join(dir, 'demo.duckdb');
const usersFile = path.join(dir, 'salesight-users.json');
const auditFile = path.join(dir, 'salesight-audit.jsonl');
const TEAM = ['刘洋', '周敏', '王磊', '陈浩'];
/** every period: the figures below count all of a scope's deals */
const ALL = 'period=all&lang=en';

const USERS: { name: string; password: string; args: string[] }[] = [
  { name: 'lead', password: 'top-of-sales-1', args: ['--role', 'leader'] },
  { name: 'zhou', password: 'manager-password-1', args: ['--role', 'manager', '--team', '华东一组'] },
  { name: 'wang', password: 'rep-password-123', args: ['--role', 'rep', '--owner', '王磊'] },
  { name: 'ana', password: 'numbers-and-sql-1', args: ['--role', 'analyst'] },
  { name: 'root', password: 'keeper-of-keys-1', args: ['--role', 'admin'] },
  { name: 'xinan', password: 'southwest-data-1', args: ['--role', 'analyst', '--region', '西南'] },
];

let server: ChildProcess;
let base: string;
let browser: Browser;
const consoleErrors: string[] = [];

beforeAll(async () => {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  expect(runCli(['demo', '--db', db]).code).toBe(0);
  for (const u of USERS) {
    const r = runCli(['users', 'add', u.name, ...u.args, '--password-stdin', '--db', db], { input: `${u.password}\n` });
    expect(r.code, r.stderr).toBe(0);
  }
  ({ server, base } = await startServe(db, ['--auth', 'password', '--no-warm-up']));
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  server?.kill('SIGTERM');
});

async function signIn(name: string, password: string, next = '/'): Promise<Page> {
  const context = await browser.newContext({ locale: 'en-US', acceptDownloads: true });
  const page = await context.newPage();
  page.on('pageerror', (e) => consoleErrors.push(`${name}: ${e.message}`));
  page.on('console', (m) => m.type() === 'error' && consoleErrors.push(`${name}: ${m.text()}`));
  await page.goto(new URL(next, base).href);
  // a signed-out visitor lands on the sign-in form, which brings them back where they were going
  expect(new URL(page.url()).pathname).toBe('/signin');
  await page.locator('input[name="username"]').fill(name);
  await page.locator('input[name="password"]').fill(password);
  await Promise.all([page.waitForURL((u) => u.pathname !== '/signin'), page.locator('[data-testid="signin-form"] button').click()]);
  return page;
}

async function kpi(page: Page, id: string): Promise<number> {
  return Number(await page.locator(`[data-testid="kpi-${id}"] .value`).getAttribute('data-value'));
}

/** The owners in a drill-down download: the workbook read back with exceljs. */
async function downloadOwners(page: Page, href: string): Promise<string[]> {
  const response = await page.request.get(new URL(href, base).href);
  expect(response.status()).toBe(200);
  const file = path.join(dir, `dl-${Date.now()}.xlsx`);
  fs.writeFileSync(file, await response.body());
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(file);
  const sheet = wb.worksheets[0]!;
  const header = (sheet.getRow(1).values as ExcelJS.CellValue[]).map((v) => String(v ?? ''));
  const col = header.findIndex((h) => /^owner$/i.test(h));
  expect(col, `owner column in ${header.join('|')}`).toBeGreaterThan(0);
  const owners: string[] = [];
  for (let r = 2; r <= sheet.rowCount; r++) owners.push(String(sheet.getRow(r).getCell(col).value));
  return owners;
}

describe('signed out', () => {
  const PAGES = ['/', '/funnel', '/channels', '/cohorts', '/customers', '/team', '/targets', '/alerts', '/data', '/sql', '/drill/funnel/reached?k.stage=潜在接触', '/download/funnel.xlsx', '/data/warehouse-data.xlsx'];
  it('every page and download redirects to the sign-in page, every API call gets 401', async () => {
    for (const p of PAGES) {
      const r = await fetch(new URL(p, base), { redirect: 'manual' });
      expect(r.status, p).toBe(303);
      expect(r.headers.get('location'), p).toMatch(/^\/signin\?next=/);
    }
    for (const p of ['/api/metrics/funnel', '/api/metrics/performance']) {
      const r = await fetch(new URL(p, base));
      expect(r.status, p).toBe(401);
      expect(((await r.json()) as { errors: string[] }).errors[0]).toMatch(/Sign in/);
    }
    const post = await fetch(new URL('/signout', base), { method: 'POST', redirect: 'manual' });
    expect(post.status).toBe(401);
  });
});

describe('each role sees its scope', () => {
  it('a rep: their 80 deals on the page, in the drill-down and in its download; no SQL console', async () => {
    const page = await signIn('wang', 'rep-password-123', `/funnel?${ALL}`);
    expect(new URL(page.url()).pathname).toBe('/funnel');
    await expect(page.getByTestId('signed-in-as').textContent()).resolves.toContain('wang');
    expect(await kpi(page, 'opportunities')).toBe(80);
    await page.goto(new URL(`/drill/funnel/reached?k.stage=潜在接触&${ALL}`, base).href);
    expect(await page.locator('tbody tr').count()).toBe(80);
    const owners = await downloadOwners(page, `/drill/funnel/reached/rows.xlsx?k.stage=潜在接触&${ALL}`);
    expect(owners.length).toBe(80);
    expect(new Set(owners)).toEqual(new Set(['王磊']));
    const api = await page.request.get(new URL('/api/metrics/funnel?period=all', base).href);
    expect(((await api.json()) as { stages: { reached: number }[] }).stages[0]!.reached).toBe(80);
    const sql = await page.request.get(new URL('/sql', base).href);
    expect(sql.status()).toBe(403);
    // and the menu does not offer it
    expect(await page.locator('nav a[href^="/sql"]').count()).toBe(0);
    await page.screenshot({ path: path.join(ARTIFACTS, 'access-rep-funnel.png'), fullPage: false });
    await page.context().close();
  });

  it("a manager: the team's 295 deals, only the team's reps in downloads", async () => {
    const page = await signIn('zhou', 'manager-password-1', `/funnel?${ALL}`);
    expect(await kpi(page, 'opportunities')).toBe(295);
    const owners = await downloadOwners(page, `/drill/funnel/reached/rows.xlsx?k.stage=潜在接触&${ALL}`);
    expect(owners.length).toBe(295);
    for (const o of new Set(owners)) expect(TEAM).toContain(o);
    await page.goto(new URL(`/team?${ALL}`, base).href);
    const reps = await page.locator('[data-testid="table-Leaderboard"] tbody tr td:first-child').allTextContents();
    for (const r of reps) expect(TEAM).toContain(r.trim());
    await page.context().close();
  });

  it('a leader and an admin: every deal, as the unscoped CLI counts them', async () => {
    const cli = runCli(['metrics', 'funnel', '--db', db, '--json']);
    const all = (JSON.parse(cli.stdout) as { stages: { reached: number }[] }).stages[0]!.reached;
    for (const [name, password] of [['lead', 'top-of-sales-1'], ['root', 'keeper-of-keys-1']] as const) {
      const page = await signIn(name, password, `/funnel?${ALL}`);
      expect(await kpi(page, 'opportunities'), name).toBe(all);
      await page.context().close();
    }
  });

  it("an analyst given a region: that region's 258 deals on the pages and in downloads", async () => {
    const page = await signIn('xinan', 'southwest-data-1', `/funnel?${ALL}`);
    expect(await kpi(page, 'opportunities')).toBe(258);
    expect(await page.locator('nav a[href^="/sql"]').count()).toBe(1);
    const owners = await downloadOwners(page, `/drill/funnel/reached/rows.xlsx?k.stage=潜在接触&${ALL}`);
    expect(new Set(owners)).toEqual(new Set(['吕倩', '彭宇', '曹磊', '蒋军']));
    await page.context().close();
  });
});

describe('sign-in defences', () => {
  it('limits wrong passwords: the sixth attempt is refused even with the right one', async () => {
    const context = await browser.newContext({ locale: 'en-US' });
    const page = await context.newPage();
    await page.goto(new URL('/signin', base).href);
    for (let i = 0; i < 5; i++) {
      await page.locator('input[name="username"]').fill('ana');
      await page.locator('input[name="password"]').fill(`wrong-password-${i}`);
      await Promise.all([page.waitForLoadState('load'), page.locator('[data-testid="signin-form"] button').click()]);
      await expect(page.getByTestId('signin-error').textContent()).resolves.toMatch(/Wrong user name or password/);
    }
    await page.locator('input[name="username"]').fill('ana');
    await page.locator('input[name="password"]').fill('numbers-and-sql-1');
    await Promise.all([page.waitForLoadState('load'), page.locator('[data-testid="signin-form"] button').click()]);
    await expect(page.getByTestId('signin-error').textContent()).resolves.toMatch(/Too many failed sign-ins: try again in 15 minutes/);
    await context.close();
  });

  it('refuses a state-changing request without the CSRF token, and signs out with it', async () => {
    const page = await signIn('lead', 'top-of-sales-1');
    const forged = await page.request.post(new URL('/signout', base).href, { form: { nothing: '1' }, headers: { origin: base.replace(/\/$/, '') } });
    expect(forged.status()).toBe(403);
    // still signed in; the real button carries the token
    await page.goto(new URL('/funnel', base).href);
    expect(new URL(page.url()).pathname).toBe('/funnel');
    await Promise.all([page.waitForURL(/\/signin/), page.getByTestId('signout').click()]);
    await page.goto(new URL('/funnel', base).href);
    expect(new URL(page.url()).pathname).toBe('/signin');
    await page.context().close();
  });
});

describe('audit log', () => {
  it('records sign-ins, failures, downloads and sign-outs with who and when', () => {
    const entries = readAudit(auditFile);
    const has = (action: string, user: string) => entries.some((e) => e.action === action && e.user === user && !Number.isNaN(Date.parse(e.at)));
    for (const u of ['wang', 'zhou', 'lead']) expect(has('sign_in', u), u).toBe(true);
    expect(entries.filter((e) => e.action === 'sign_in_failed' && e.user === 'ana').length).toBe(5);
    expect(entries.some((e) => e.action === 'download' && e.user === 'wang' && String(e.detail.path).endsWith('rows.xlsx'))).toBe(true);
    expect(has('sign_out', 'lead')).toBe(true);
    expect(consoleErrors).toEqual([]);
  });
});

describe('behind a trusted SSO proxy (--auth proxy)', () => {
  it("believes the proxy's header only from a trusted address, and only for a user in the users file", async () => {
    const trusted = await startServe(db, ['--auth', 'proxy', '--no-warm-up', '--trusted-proxy', '127.0.0.1']);
    const untrusted = await startServe(db, ['--auth', 'proxy', '--no-warm-up', '--trusted-proxy', '10.9.9.9']);
    try {
      const get = (b: string, user: string | null) =>
        fetch(new URL('/api/metrics/funnel?period=all', b), { headers: user ? { 'x-forwarded-user': user } : {}, redirect: 'manual' });
      const rep = await get(trusted.base, 'wang');
      expect(rep.status).toBe(200);
      expect(((await rep.json()) as { stages: { reached: number }[] }).stages[0]!.reached).toBe(80);
      expect((await get(trusted.base, 'nobody')).status).toBe(401);
      expect((await get(trusted.base, null)).status).toBe(401);
      // the same header from an address that is not the proxy is ignored
      expect((await get(untrusted.base, 'wang')).status).toBe(401);
    } finally {
      trusted.server.kill('SIGTERM');
      untrusted.server.kill('SIGTERM');
    }
  }, 60_000);
});

describe('first run (no users yet)', () => {
  it('every page leads to /setup, which makes the admin once and signs them in', async () => {
    const fresh = tempDir();
    const freshDb = path.join(fresh, 'demo.duckdb');
    fs.copyFileSync(db, freshDb);
    const started = await startServe(freshDb, ['--auth', 'password', '--no-warm-up']);
    try {
      const r = await fetch(new URL('/team', started.base), { redirect: 'manual' });
      expect(r.status).toBe(303);
      expect(r.headers.get('location')).toBe('/setup');
      const page = await (await browser.newContext({ locale: 'en-US' })).newPage();
      await page.goto(new URL('/funnel', started.base).href);
      expect(new URL(page.url()).pathname).toBe('/setup');
      await page.locator('input[name="username"]').fill('boss');
      await page.locator('input[name="password"]').fill('first-admin-pass');
      await page.locator('input[name="password2"]').fill('first-admin-pass');
      await Promise.all([page.waitForURL((u) => u.pathname === '/'), page.locator('[data-testid="setup-form"] button').click()]);
      await expect(page.getByTestId('signed-in-as').textContent()).resolves.toContain('boss');
      const users = JSON.parse(fs.readFileSync(path.join(fresh, 'salesight-users.json'), 'utf8')) as { users: { username: string; role: string }[] };
      expect(users.users.map((u) => [u.username, u.role])).toEqual([['boss', 'admin']]);
      // once an admin exists, setup is closed
      const again = await fetch(new URL('/setup', started.base), { redirect: 'manual' });
      expect(again.status).toBe(303);
      expect(again.headers.get('location')).toBe('/signin');
      await page.context().close();
    } finally {
      started.server.kill('SIGTERM');
    }
  }, 60_000);
});
