/**
 * Scope on a real warehouse (the demo, built by the CLI): the views of scope-sql.ts narrow every
 * table to what a rep or a manager may see, every metric family still computes through them, and
 * the scoped SQL console sandbox holds only the scope's rows.
 *
 * Reference figures, from the demo's own CSVs with Python's csv module (data/sample):
 *   import csv
 *   opps = list(csv.DictReader(open('opportunities.csv', encoding='utf-8-sig')))
 *   reps = list(csv.DictReader(open('reps.csv', encoding='utf-8-sig')))
 *   team = {r['owner'] for r in reps if r['team'] == '华东一组'}           # 刘洋 周敏 王磊 陈浩
 *   sum(o['owner'] == '王磊' for o in opps)                                  # 80
 *   sum(o['owner'] == '王磊' and o['status'] == 'won' for o in opps)         # 18
 *   sum(o['team'] == '华东一组' or o['owner'] in team for o in opps)         # 295
 *   orders = list(csv.DictReader(open('orders.csv', encoding='utf-8-sig')))
 *   sum(o['负责人'] == '王磊' for o in orders)                               # 63
 *   cust = list(csv.DictReader(open('customers.csv', encoding='utf-8-sig')))
 *   own = {c['客户编号'] for c in cust if c['负责人'] == '王磊'}             # 19
 *   own | {o['客户编号'] for o in orders if o['负责人'] == '王磊'}           # still 19
 * (The demo's other inputs, the 华南 XLSX template and the follow-up log, add no 华东 deals.)
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Scope } from '../src/lib/access/roles.ts';
import { scopeViewStatements } from '../src/lib/access/scope-sql.ts';
import { loadConfig } from '../src/lib/config/config.ts';
import { resolveParams } from '../src/lib/metrics/params.ts';
import { FAMILY_IDS, loadFamily } from '../src/lib/metrics/registry.ts';
import { openScopedSandbox, SandboxError, type Sandbox } from '../src/lib/sql/sandbox.server.ts';
import { openReadOnly, queryRows, type ReadOnlyWarehouse } from '../src/lib/warehouse/warehouse.server.ts';
import { runCli, tempDir } from './helpers.ts';

const db = path.join(tempDir(), 'demo.duckdb');
const REP: Scope = { kind: 'rep', owner: '王磊' };
const MANAGER: Scope = { kind: 'teams', teams: ['华东一组'], regions: [] };
const TEAM = ['刘洋', '周敏', '王磊', '陈浩'];

let warehouse: ReadOnlyWarehouse;

beforeAll(() => {
  expect(runCli(['demo', '--db', db]).code).toBe(0);
});

/** A fresh connection narrowed to `scope`, as the site's withWarehouse makes one. */
async function scoped<T>(scope: Scope, work: (w: ReadOnlyWarehouse) => Promise<T>): Promise<T> {
  const w = await openReadOnly(db);
  try {
    for (const s of scopeViewStatements(scope, 'demo')) await w.connection.run(s);
    return await work(w);
  } finally {
    w.close();
  }
}

const count = async (w: ReadOnlyWarehouse, sql: string) => Number(Object.values((await queryRows(w.connection, sql))[0]!)[0]);

describe('scope views on the demo warehouse', () => {
  it('a rep sees their own opportunities, orders, customers and targets, and nothing of anyone else', async () => {
    await scoped(REP, async (w) => {
      expect(await count(w, 'SELECT count(*) FROM opportunities')).toBe(80);
      expect(await count(w, "SELECT count(*) FROM opportunities WHERE status = 'won'")).toBe(18);
      expect(await count(w, 'SELECT count(*) FROM orders')).toBe(63);
      expect(await count(w, 'SELECT count(*) FROM customers')).toBe(19);
      expect(await count(w, "SELECT count(*) FROM opportunities WHERE owner <> '王磊'")).toBe(0);
      expect(await count(w, 'SELECT count(*) FROM stage_events e WHERE e.opportunity_id NOT IN (SELECT opportunity_id FROM opportunities)')).toBe(0);
      expect(await count(w, 'SELECT count(*) FROM stage_events')).toBeGreaterThan(80);
      expect(await queryRows(w.connection, 'SELECT DISTINCT dimension, dimension_value FROM targets')).toEqual([{ dimension: 'rep', dimension_value: '王磊' }]);
      expect(await queryRows(w.connection, 'SELECT owner FROM reps')).toEqual([{ owner: '王磊' }]);
      expect(await count(w, 'SELECT count(*) FROM rejected_rows')).toBe(0);
      // unqualified "main." still means the narrowed view
      expect(await count(w, 'SELECT count(*) FROM main.opportunities')).toBe(80);
    });
  });

  it("a manager sees their team's reps and deals, and the team's targets but not the company's", async () => {
    await scoped(MANAGER, async (w) => {
      expect((await queryRows<{ owner: string }>(w.connection, 'SELECT owner FROM reps ORDER BY owner')).map((r) => r.owner)).toEqual([...TEAM].sort());
      expect(await count(w, 'SELECT count(*) FROM opportunities')).toBe(295);
      const dims = (await queryRows<{ dimension: string }>(w.connection, 'SELECT DISTINCT dimension FROM targets ORDER BY 1')).map((r) => r.dimension);
      expect(dims).not.toContain('company');
      expect(dims).not.toContain('region');
      expect(await count(w, `SELECT count(*) FROM targets WHERE dimension = 'rep' AND dimension_value NOT IN (${TEAM.map((t) => `'${t}'`).join(',')})`)).toBe(0);
    });
  });

  it('every metric family computes through the views; the rep funnel equals the unscoped funnel filtered to the rep', async () => {
    const { config } = loadConfig(undefined);
    const unscoped = await openReadOnly(db);
    let filtered: any;
    try {
      const params = await resolveParams(unscoped.connection, { filters: { owner: ['王磊'] } });
      filtered = await (await loadFamily('funnel'))!.compute({ connection: unscoped.connection, params, config });
    } finally {
      unscoped.close();
    }
    for (const scope of [REP, MANAGER]) {
      await scoped(scope, async (w) => {
        const params = await resolveParams(w.connection, { from: filtered.params.from, to: filtered.params.to, as_of: filtered.params.as_of });
        for (const id of FAMILY_IDS) {
          const result: any = await (await loadFamily(id))!.compute({ connection: w.connection, params, config });
          expect(result.family, `${id} in scope ${JSON.stringify(scope)}`).toBe(id);
          if (id === 'funnel' && scope === REP) {
            expect(result.stages.map((s: any) => s.reached)).toEqual(filtered.stages.map((s: any) => s.reached));
            expect(result.stages[0].reached).toBe(80);
          }
          if (id === 'performance') {
            const keys = new Set(result.leaderboard.map((r: any) => r.key));
            for (const k of keys) expect(scope === REP ? ['王磊'] : TEAM).toContain(k);
          }
        }
      });
    }
  }, 120_000);
});

describe('the scoped SQL console sandbox', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await openScopedSandbox(db, MANAGER, { timeoutMs: 3_000, maxRows: 1_000, memoryLimit: '512MB', threads: 2 });
  });
  afterAll(() => sandbox?.close());

  it("holds the manager's rows only", async () => {
    const r = await sandbox.run('SELECT count(*) AS n FROM opportunities');
    expect(r.rows[0]!.n).toBe(295);
  });

  // [what it tries, the query, what the answer must say]
  const ESCAPES: [string, string, RegExp][] = [
    ['name the warehouse catalog', 'SELECT count(*) FROM warehouse.main.opportunities', /Catalog|does not exist/i],
    ['name the demo catalog', 'SELECT count(*) FROM demo.main.opportunities', /Catalog|does not exist/i],
    ['query_table on the catalog', "SELECT * FROM query_table('warehouse.main.opportunities')", /Catalog|does not exist/i],
    ['re-attach the warehouse', `ATTACH '${db}' AS again (READ_ONLY)`, /Only SELECT/],
    ['read the file as a table', `SELECT * FROM '${db}'`, /disabled|does not exist/],
    ['switch external access back on', 'SET enable_external_access = true', /Only SELECT/],
  ];
  for (const [what, sql, message] of ESCAPES) {
    it(`refuses to ${what}`, async () => {
      const err = await sandbox.run(sql).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err, sql).toBeInstanceOf(SandboxError);
      expect((err as Error).message).toMatch(message);
    });
  }

  it('sees no other team: every row it can find is in the team', async () => {
    const r = await sandbox.run("SELECT count(*) AS n FROM opportunities WHERE team <> '华东一组' AND owner NOT IN (SELECT owner FROM reps)");
    expect(r.rows[0]!.n).toBe(0);
    const owners = await sandbox.run('SELECT DISTINCT owner FROM orders ORDER BY 1');
    for (const row of owners.rows) expect(TEAM).toContain(row.owner);
  });
});
