/**
 * Targets and OKR on the demo warehouse (`salesight demo`, built from data/sample/), against
 * figures computed independently from the CSV files with Python's csv module:
 *
 * ```python
 * import csv
 * from collections import defaultdict
 * S = 'data/sample/'
 * money = lambda s: float(s.replace('¥', '').replace(',', ''))
 * reps = {r['owner']: r for r in csv.DictReader(open(S + 'reps.csv', encoding='utf-8-sig'))}
 * orders = list(csv.DictReader(open(S + 'orders.csv', encoding='utf-8-sig')))
 * targets = list(csv.DictReader(open(S + 'targets.csv', encoding='utf-8-sig')))
 * def revenue(a, b, keep=lambda o: True):
 *     return sum(money(o['金额']) for o in orders if a <= o['下单时间'][:10] <= b and keep(o))
 * def target(a, b, dim, val):
 *     [t] = [t for t in targets if (t['开始日期'], t['结束日期'], t['维度'], t['维度值']) == (a, b, dim, val)]
 *     return float(t['目标值(万元)']) * 10000
 * q3 = revenue('2026-07-01', '2026-09-30')
 * print('company 2026-Q3', q3, target('2026-07-01', '2026-09-30', 'company', 'all'), q3 / target('2026-07-01', '2026-09-30', 'company', 'all'))
 * print('company 2026-Q3 yoy', q3 / revenue('2025-07-01', '2025-09-30') - 1)
 * east = revenue('2026-09-01', '2026-09-30', lambda o: reps[o['负责人']]['region'] == '华东')
 * print('华东 2026-09', east, east / target('2026-09-01', '2026-09-30', 'region', '华东'))
 * oct_ = revenue('2026-10-01', '2026-10-31')
 * q4 = target('2026-10-01', '2026-12-31', 'company', 'all')
 * print('company 2026-Q4 as of 10-31', oct_, oct_ / q4, (oct_ / q4) / (31 / 92))
 * # mismatches: parent target − Σ children targets, same period, children from reps.csv
 * teams_of = defaultdict(set); reps_of = defaultdict(set)
 * for r in reps.values(): teams_of[r['region']].add(r['team']); reps_of[r['team']].add(r['owner'])
 * tv = {(t['开始日期'], t['结束日期'], t['维度'], t['维度值']): float(t['目标值(万元)']) * 10000 for t in targets}
 * periods = sorted({(a, b) for (a, b, d, v) in tv})
 * kids = lambda p, dim, vals: sum(tv.get((*p, dim, v), 0) for v in vals)
 * for p in periods:
 *     out = []
 *     c = tv.get((*p, 'company', 'all'))
 *     s = kids(p, 'region', teams_of.keys())
 *     if c is not None and abs(c - s) > 0.005: out.append(('company', c - s))
 *     for g in teams_of:
 *         if (*p, 'region', g) in tv and abs(tv[(*p, 'region', g)] - kids(p, 'team', teams_of[g])) > 0.005: out.append((g, tv[(*p, 'region', g)] - kids(p, 'team', teams_of[g])))
 *     for t in reps_of:
 *         if (*p, 'team', t) in tv and abs(tv[(*p, 'team', t)] - kids(p, 'rep', reps_of[t])) > 0.005: out.append((t, tv[(*p, 'team', t)] - kids(p, 'rep', reps_of[t])))
 *     if out: print('mismatch', p, out)
 * first = {}
 * for o in sorted(orders, key=lambda o: (o['下单时间'], o['订单编号'])):
 *     first.setdefault(o['客户编号'], o)
 * new_east = [c for c, o in first.items() if '2026-01-01' <= o['下单时间'][:10] <= '2026-10-31' and reps[o['负责人']]['region'] == '华东']
 * print('华东 new customers 2026 to 10-31', len(new_east))
 * ytd, ly = revenue('2026-01-01', '2026-10-31'), revenue('2025-01-01', '2025-10-31')
 * print('revenue 2026 YTD', ytd, 'same window 2025', ly, 'growth', ytd / ly - 1)
 * new_rev = revenue('2026-01-01', '2026-10-31', lambda o: first[o['客户编号']]['下单时间'][:10] >= '2026-01-01')
 * print('new customers share of 2026 YTD revenue', new_rev / ytd)
 * ```
 * Its output (run from the repository root):
 *   company 2026-Q3 55003135.0 51475000.0 1.0685407479358913
 *   company 2026-Q3 yoy 0.6668537477085477
 *   华东 2026-09 2461376.0 0.7538670750382849
 *   company 2026-Q4 as of 10-31 16725939.0 0.3478772670549085 1.0324099538403737
 *   mismatch ('2025-10-01', '2025-12-31') [('company', 1960000.0)]
 *   mismatch ('2026-01-01', '2026-01-31') [('华北', 360000.0)]
 *   … one line per period, as in EXPECTED_MISMATCHES below …
 *   华东 new customers 2026 to 10-31 28
 *   revenue 2026 YTD 169617069.0 same window 2025 84079667.0 growth 1.0173375448787159
 *   new customers share of 2026 YTD revenue 0.4159949786657379
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../src/lib/config/config.ts';
import { resolveParams } from '../src/lib/metrics/params.ts';
import { bonusConfigSchema } from '../src/lib/metrics/targets/bonus-config.ts';
import { okrsConfigSchema, SEED_003_OKRS } from '../src/lib/metrics/targets/okr-config.ts';
import { computeTargets, targetsFamily, type TargetsResult } from '../src/lib/metrics/targets/targets.ts';
import { openReadOnly, type ReadOnlyWarehouse } from '../src/lib/warehouse/warehouse.server.ts';
import { runCli, tempDir } from './helpers.ts';

/** The Python script's mismatch lines, as [period_start, period_end, node, target − Σ children]. */
const EXPECTED_MISMATCHES: [string, string, string, number][] = [
  ['2025-10-01', '2025-12-31', 'company', 1960000],
  ['2026-01-01', '2026-01-31', '华北', 360000],
  ['2026-01-01', '2026-03-31', '华北', 1195000],
  ['2026-02-01', '2026-02-28', '华北', 355000],
  ['2026-03-01', '2026-03-31', '华北', 480000],
  ['2026-04-01', '2026-04-30', '华北', 365000],
  ['2026-04-01', '2026-06-30', '华北', 1235000],
  ['2026-05-01', '2026-05-31', '华北', 435000],
  ['2026-06-01', '2026-06-30', '华北', 435000],
  ['2026-07-01', '2026-07-31', '华北', 505000],
  ['2026-07-01', '2026-09-30', '华北', 1555000],
  ['2026-07-01', '2026-09-30', '华南二组', 325000],
  ['2026-08-01', '2026-08-31', '华北', 480000],
  ['2026-08-01', '2026-08-31', '华南二组', 160000],
  ['2026-09-01', '2026-09-30', '华北', 570000],
  ['2026-09-01', '2026-09-30', '华南二组', 165000],
  ['2026-10-01', '2026-10-31', '华北', 635000],
  ['2026-10-01', '2026-10-31', '华南二组', 145000],
  ['2026-10-01', '2026-12-31', '华北', 1530000],
  ['2026-10-01', '2026-12-31', '华南二组', 635000],
  ['2026-11-01', '2026-11-30', '华北', 455000],
  ['2026-11-01', '2026-11-30', '华南二组', 245000],
  ['2026-12-01', '2026-12-31', '华北', 440000],
  ['2026-12-01', '2026-12-31', '华南二组', 245000],
];

describe('targets on the demo warehouse', () => {
  let w: ReadOnlyWarehouse;
  let r: TargetsResult;
  beforeAll(async () => {
    const db = path.join(tempDir(), 'demo.duckdb');
    const built = runCli(['demo', '--db', db]);
    expect(built.code, built.stderr).toBe(0);
    w = await openReadOnly(db);
    // the whole plan: FY2025 and FY2026, as of the demo's last day (2026-10-31)
    const params = await resolveParams(w.connection, { from: '2025-01-01', to: '2026-12-31', as_of: '2026-10-31' });
    const ctx = { connection: w.connection, params, config: defaultConfig() };
    r = await computeTargets(ctx, { okrs: okrsConfigSchema.parse(SEED_003_OKRS), bonus: bonusConfigSchema.parse({}) });
  });
  afterAll(() => w?.close());

  const row = (period_start: string, period_end: string, dimension: string, dimension_value: string, metric = 'revenue') => {
    const found = r.targets.filter((t) => t.period_start === period_start && t.period_end === period_end && t.dimension === dimension && t.dimension_value === dimension_value && t.metric === metric);
    expect(found).toHaveLength(1);
    return found[0]!;
  };

  it('revenue comes from orders', () => {
    expect(r.revenue_basis).toBe('orders');
  });

  it('company revenue progress for 2026-Q3 and its YoY growth match the CSV', () => {
    const q3 = row('2026-07-01', '2026-09-30', 'company', 'all');
    expect(q3.actual).toBe(55003135);
    expect(q3.target).toBe(51475000);
    expect(q3.progress).toBeCloseTo(1.0685407479358913, 12);
    expect(q3.pace).toBeCloseTo(1.0685407479358913, 12); // finished
    expect(q3.yoy_growth).toBeCloseTo(0.6668537477085477, 12);
  });

  it('华东 2026-09 progress, and the pace of a quarter one month in', () => {
    const east = row('2026-09-01', '2026-09-30', 'region', '华东');
    expect(east.actual).toBe(2461376);
    expect(east.progress).toBeCloseTo(0.7538670750382849, 12);
    const q4 = row('2026-10-01', '2026-12-31', 'company', 'all');
    expect(q4.actual).toBe(16725939);
    expect(q4.elapsed_share).toBeCloseTo(31 / 92, 12);
    expect(q4.pace).toBeCloseTo(1.0324099538403737, 12);
  });

  it('new customers of 华东 in 2026 so far', () => {
    expect(row('2026-01-01', '2026-12-31', 'region', '华东', 'new_customers').actual).toBe(28);
  });

  it('the tree finds exactly the deliberate mismatches (华北 2026, 华南二组 after 邓超 left, company 2025-Q4)', () => {
    const found = r.mismatches
      .filter((m) => m.metric === 'revenue')
      .map((m) => [m.period_start, m.period_end, m.dimension === 'company' ? 'company' : m.dimension_value, m.mismatch] as const);
    const key = (m: readonly [string, string, string, number | null]) => m.slice(0, 3).join(' ');
    expect([...found].sort((a, b) => key(a).localeCompare(key(b)))).toEqual([...EXPECTED_MISMATCHES].sort((a, b) => key(a).localeCompare(key(b))));
    const north = r.mismatches.find((m) => m.dimension_value === '华北' && m.period_start === '2026-09-01')!;
    expect(north.path).toBe('company / 华北');
    expect(north.mismatch_share).toBeCloseTo(570000 / 5320000, 12); // ≈ 10.7%: 12% above the teams' sum
  });

  it('the seed 003 OKR set on 2026 so far', () => {
    const kr = Object.fromEntries(r.okrs[0]!.key_results.map((k) => [k.id, k]));
    expect(kr.KR1!.current).toBeCloseTo(1.0173375448787159, 12);
    expect(kr.KR2!.current).toBeCloseTo(0.4159949786657379, 12);
    expect(kr.KR10).toMatchObject({ source: 'manual', current: 4.3, achieved: false });
    for (const k of Object.values(kr)) expect(k.current, k.id).not.toBeNull();
  });

  it('drills into the order lines behind 华东 2026-09', async () => {
    const table = await targetsFamily.drill!(
      { connection: w.connection, params: r.params, config: defaultConfig() },
      { target: 'actual', keys: { metric: 'revenue', dimension: 'region', dimension_value: '华东', period_start: '2026-09-01', period_end: '2026-09-30' }, limit: 10_000 },
    );
    expect((table.rows as { amount: number }[]).reduce((s, x) => s + x.amount, 0)).toBe(2461376);
  });

});
