/**
 * The hostile-query corpus through the running server, as a signed-in analyst whose scope is one
 * team: every query is refused or stopped with its message (422/400), the server keeps answering,
 * the analyst's ordinary queries still see exactly the team's rows, and a manager (no console
 * rights) is refused outright. Reference: 华东一组 has 295 opportunities (Python's csv module on
 * data/sample; see tests/access-scope.test.ts).
 */
import type { ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAudit } from '../src/lib/access/audit.server.ts';
import { hostileQueries } from './hostile-queries.ts';
import { runCli, startServe, tempDir } from './helpers.ts';

const dir = tempDir();
const db = path.join(dir, 'demo.duckdb');
const secret = path.join(dir, 'secret.csv');
let server: ChildProcess;
let base: string;

const sha = (f: string) => crypto.createHash('sha256').update(fs.readFileSync(f)).digest('hex');

/** Signs in through the form as a browser would; returns the session cookie and its CSRF token. */
async function signIn(username: string, password: string): Promise<{ cookie: string; csrf: string }> {
  const form = await fetch(new URL('/signin', base));
  const formCookie = form.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const formToken = /name="csrf" value="([^"]+)"/.exec(await form.text())![1]!;
  const r = await fetch(new URL('/signin', base), {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: formCookie, origin: base.replace(/\/$/, ''), accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ csrf: formToken, username, password, next: '/' }),
  });
  expect(r.status, `sign-in of ${username}`).toBe(303);
  const cookie = r.headers.getSetCookie().map((c) => c.split(';')[0]!).find((c) => c.startsWith('salesight_session='))!;
  const page = await (await fetch(new URL('/', base), { headers: { cookie } })).text();
  return { cookie, csrf: /name="csrf" value="([^"]+)"/.exec(page)![1]! };
}

async function run(session: { cookie: string; csrf: string }, sql: string): Promise<{ status: number; body: any }> {
  const r = await fetch(new URL('/sql/run', base), {
    method: 'POST',
    headers: { cookie: session.cookie, 'x-csrf-token': session.csrf, 'content-type': 'application/json' },
    body: JSON.stringify({ sql }),
  });
  return { status: r.status, body: await r.json() };
}

beforeAll(async () => {
  expect(runCli(['demo', '--db', db]).code).toBe(0);
  fs.writeFileSync(secret, 'password\nhunter2\n');
  for (const [name, password, args] of [
    ['ana', 'team-numbers-1', ['--role', 'analyst', '--team', '华东一组']],
    ['zhou', 'manager-password-1', ['--role', 'manager', '--team', '华东一组']],
  ] as const) {
    const r = runCli(['users', 'add', name, ...args, '--password-stdin', '--db', db], { input: `${password}\n` });
    expect(r.code, r.stderr).toBe(0);
  }
  ({ server, base } = await startServe(db, ['--auth', 'password', '--no-warm-up', '--sql-timeout', '3']));
}, 120_000);

afterAll(() => server?.kill('SIGTERM'));

describe('the SQL console through the server', () => {
  it('refuses or stops every hostile query with its message, and stays healthy and scoped', { timeout: 300_000 }, async () => {
    const before = sha(db);
    const ana = await signIn('ana', 'team-numbers-1');
    const corpus = hostileQueries({ secret, dir });
    expect(corpus.length).toBeGreaterThanOrEqual(25);
    const escapes: [string, string, RegExp][] = [
      ['read the warehouse past the scope by its catalog', 'SELECT count(*) FROM warehouse.main.opportunities', /Catalog|does not exist/i],
      ['read it through query_table', "SELECT * FROM query_table('warehouse.main.opportunities')", /Catalog|does not exist/i],
    ];
    for (const [what, sql, , message] of [...corpus, ...escapes.map(([w, s, m]) => [w, s, 'blocked', m] as const)]) {
      const { status, body } = await run(ana, sql);
      expect([400, 422], `${what}: ${status} ${JSON.stringify(body)}`).toContain(status);
      expect(body.status, what).not.toBe('ok');
      expect(body.message, what).toMatch(message);
      expect(JSON.stringify(body), what).not.toMatch(/\n\s+at /); // no stack trace
    }
    // still healthy, still the team's rows only
    const ok = await run(ana, "SELECT count(*) AS n, count(*) FILTER (team <> '华东一组' AND owner NOT IN (SELECT owner FROM reps)) AS others FROM opportunities");
    expect(ok.status).toBe(200);
    expect(ok.body.rows).toEqual([{ n: 295, others: 0 }]);
    expect((await fetch(new URL('/api/metrics/funnel?period=all', base), { headers: { cookie: ana.cookie } })).status).toBe(200);
    expect(fs.existsSync(path.join(dir, 'out.csv'))).toBe(false);
    expect(sha(db)).toBe(before);
    // every query is in the audit log, with its outcome
    const audited = readAudit(path.join(dir, 'salesight-audit.jsonl')).filter((e) => e.action === 'sql' && e.user === 'ana');
    expect(audited.length).toBeGreaterThanOrEqual(corpus.length + escapes.length + 1);
    expect(audited.some((e) => e.detail.status === 'stopped')).toBe(true);
  });

  it('refuses the console to a manager, and a request without the CSRF token', async () => {
    const zhou = await signIn('zhou', 'manager-password-1');
    expect((await run(zhou, 'SELECT 1')).status).toBe(403);
    const ana = await signIn('ana', 'team-numbers-1');
    const forged = await fetch(new URL('/sql/run', base), { method: 'POST', headers: { cookie: ana.cookie, 'content-type': 'application/json' }, body: JSON.stringify({ sql: 'SELECT 1' }) });
    expect(forged.status).toBe(403);
  });
});
