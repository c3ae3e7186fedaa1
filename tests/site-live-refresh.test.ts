/**
 * Live refresh: while three ingests replace the warehouse back to back, a load loop of page
 * and API requests against `salesight serve` on 127.0.0.1 gets no errors, and every response
 * shows one warehouse state: the Customers page computes two families (customer-value and
 * customer-timeline), and the pair of figures it shows must be the pair of one complete state,
 * never the old one of one family beside the new one of the other.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, ONLINE_RETAIL_DIR, REPO_ROOT, runCli, startServe, tempDir } from './helpers.ts';

const dir = tempDir();
const DAYS = ['2010-12-01.csv', '2010-12-02.csv', '2010-12-03.csv', '2010-12-05.csv'];
let server: ChildProcess | undefined;

afterAll(() => server?.kill('SIGTERM'));

function runAsync(args: string[]): Promise<number> {
  return new Promise((resolve) => spawn(process.execPath, [BIN, ...args], { cwd: REPO_ROOT, stdio: 'ignore' }).once('exit', (code) => resolve(code ?? -1)));
}

function kpi(html: string, id: string): number | null {
  const m = new RegExp(`data-testid="kpi-${id}"[\\s\\S]*?data-value="([^"]+)"`).exec(html);
  return m ? Number(m[1]) : null;
}

describe('the site during refreshes', () => {
  it('answers every request, each from one complete warehouse state', { timeout: 600_000 }, async () => {
    // The four states: day 1, then days 1–2, 1–3, 1–4, each saved as it stood.
    const build = path.join(dir, 'build.duckdb');
    const states: { scored: number; customers: number }[] = [];
    for (const [i, day] of DAYS.entries()) {
      expect(runCli(['ingest', path.join(ONLINE_RETAIL_DIR, day), '--db', build]).code).toBe(0);
      fs.copyFileSync(build, path.join(dir, `state-${i}.duckdb`));
      const value = JSON.parse(runCli(['metrics', 'customer-value', '--db', build, '--json']).stdout);
      const timeline = JSON.parse(runCli(['metrics', 'customer-timeline', '--db', build, '--json']).stdout);
      states.push({ scored: value.population.scored_customers, customers: timeline.customers });
    }
    // each day adds customers, so the states are told apart by either figure
    expect(new Set(states.map((s) => s.scored)).size).toBe(DAYS.length);
    expect(new Set(states.map((s) => s.customers)).size).toBe(DAYS.length);
    const known = new Set(states.map((s) => `${s.scored}/${s.customers}`));

    const live = path.join(dir, 'live.duckdb');
    fs.copyFileSync(path.join(dir, 'state-0.duckdb'), live);
    const started = await startServe(live);
    server = started.server;
    const base = started.base;

    let requests = 0;
    const errors: string[] = [];
    const mixes: string[] = [];
    const seen = new Set<string>();
    let refreshing = true;
    const worker = async (kind: 'page' | 'api') => {
      while (refreshing) {
        requests += 1;
        try {
          if (kind === 'page') {
            const res = await fetch(new URL('/customers', base));
            const html = await res.text();
            if (res.status !== 200) errors.push(`page ${res.status}`);
            const pair = `${kpi(html, 'scored_customers')}/${kpi(html, 'customers')}`;
            if (!known.has(pair)) mixes.push(pair);
            seen.add(pair);
          } else {
            const res = await fetch(new URL('/api/metrics/customer-value', base));
            const body = (await res.json()) as { population?: { scored_customers: number } };
            if (res.status !== 200) errors.push(`api ${res.status}`);
            if (!states.some((s) => s.scored === body.population?.scored_customers)) mixes.push(`api ${body.population?.scored_customers}`);
          }
        } catch (err) {
          errors.push((err as Error).message);
        }
      }
    };
    const load = Promise.all([worker('page'), worker('page'), worker('api'), worker('api')]);
    // three refreshes back to back, each a real ingest replacing the served file
    for (const day of DAYS.slice(1)) expect(await runAsync(['ingest', path.join(ONLINE_RETAIL_DIR, day), '--db', live])).toBe(0);
    // let the loop see the last state before it stops
    const last = `${states.at(-1)!.scored}/${states.at(-1)!.customers}`;
    for (let i = 0; i < 200 && !seen.has(last); i++) await new Promise((r) => setTimeout(r, 50));
    refreshing = false;
    await load;

    console.log(`live refresh: ${requests} requests during 3 refreshes, ${errors.length} errors, ${mixes.length} mixed responses, states seen: ${[...seen].join(', ')}`);
    expect(errors).toEqual([]);
    expect(mixes).toEqual([]);
    expect(seen.has(last)).toBe(true);
    expect(requests).toBeGreaterThan(20);
  });
});
