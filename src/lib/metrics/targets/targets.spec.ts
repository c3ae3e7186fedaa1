/**
 * Targets and OKR on a fixture small enough to work out by hand.
 * Period 2026-07-01 … 2026-09-30 (Q3), as of 2026-08-15: Q3 has 92 days, 46 of them gone
 * (31 in July + 15 in August), so its elapsed share is exactly 0.5.
 *
 * reps: A1, A2 in team T1; B1, D1 in T2 (D1 hired 2026-07-01); T1, T2 in region R1; C1 in T3, R2.
 * X sells but is not in `reps`.
 *
 *  order  day         owner  customer  product  amount
 *  L1     2025-07-15  A1     K1        P1        25,000   last year, in last year's window
 *  L2     2025-08-10  C1     K4        P1        30,000   last year, in last year's window
 *  L3     2025-08-20  A1     K2        P1        10,000   last year, after the window's 08-15
 *  L4     2025-09-01  C1     K7        P2        20,000   last year; K7 never buys again
 *  O1     2026-07-10  A1     K1        P1        30,000
 *  O11    2026-07-05  D1     K2        P2         5,000
 *  O6     2026-07-20  C1     K4        P1        50,000
 *  O7     2026-08-01  X      K5        P1        10,000   K5's first order: new
 *  O3     2026-08-03  A2     K6        P1        15,000   K6's first order: new
 *  O4     2026-08-04  A2     K6        P1        −5,000   cancellation of part of O3
 *  O2     2026-08-05  A1     K2        P2        20,000
 *  O5     2026-09-10  B1     K3        P2        40,000   after as_of: never counted
 *
 * Revenue 2026-07-01 … 08-15: 30 + 5 + 50 + 10 + 15 − 5 + 20 = 125,000.
 * The same window a year earlier (2025-07-01 … 08-15): L1 + L2 = 55,000.
 * Data starts 2024-12-20 (an opportunity's created_at), so last year's windows are covered.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../config/config.ts';
import type { ResultTable } from '../family.ts';
import type { ResolvedParams } from '../params.ts';
import { createFixtureWarehouse, type FixtureWarehouse } from '../testing/fixture-warehouse.ts';
import { bonusConfigSchema } from './bonus-config.ts';
import { okrsConfigSchema, SEED_003_OKRS } from './okr-config.ts';
import { computeTargets, targetsFamily, type TargetProgressRow, type TargetsResult, type TreeNode } from './targets.ts';
import { okrSql, targetProgressSql, targetScopeSql, treeSql, yearEarlier } from './targets-queries.ts';

const REPS = [
  { owner: 'A1', team: 'T1', region: 'R1', hired_at: '2020-01-01' },
  { owner: 'A2', team: 'T1', region: 'R1', hired_at: '2020-01-01' },
  { owner: 'B1', team: 'T2', region: 'R1', hired_at: '2020-01-01' },
  { owner: 'D1', team: 'T2', region: 'R1', hired_at: '2026-07-01' },
  { owner: 'C1', team: 'T3', region: 'R2', hired_at: '2020-01-01' },
];

const order = (order_id: string, day: string, owner: string, customer_id: string, product: string, amount: number, is_cancellation = false) => ({
  order_id,
  ordered_at: `${day} 10:00:00`,
  owner,
  customer_id,
  product,
  amount,
  quantity: amount < 0 ? -1 : 1,
  is_cancellation,
});

const ORDERS = [
  order('L1', '2025-07-15', 'A1', 'K1', 'P1', 25000),
  order('L2', '2025-08-10', 'C1', 'K4', 'P1', 30000),
  order('L3', '2025-08-20', 'A1', 'K2', 'P1', 10000),
  order('L4', '2025-09-01', 'C1', 'K7', 'P2', 20000),
  order('O1', '2026-07-10', 'A1', 'K1', 'P1', 30000),
  order('O11', '2026-07-05', 'D1', 'K2', 'P2', 5000),
  order('O6', '2026-07-20', 'C1', 'K4', 'P1', 50000),
  order('O7', '2026-08-01', 'X', 'K5', 'P1', 10000),
  order('O3', '2026-08-03', 'A2', 'K6', 'P1', 15000),
  order('O4', '2026-08-04', 'A2', 'K6', 'P1', -5000, true),
  order('O2', '2026-08-05', 'A1', 'K2', 'P2', 20000),
  order('O5', '2026-09-10', 'B1', 'K3', 'P2', 40000),
];

const OPPORTUNITIES = [
  { opportunity_id: 'W1', customer_name: 'K1', owner: 'A1', product: 'P1', status: 'won', stage: '已成交', created_at: '2024-12-20 09:00:00', closed_at: '2026-08-10 15:00:00', amount: 50000 },
];

const target = (period_start: string, period_end: string, dimension: string, dimension_value: string, target_value: number, metric = 'revenue', tier = 'base') => ({
  period_start,
  period_end,
  dimension,
  dimension_value,
  metric,
  tier,
  target_value,
});
const Q3: [string, string] = ['2026-07-01', '2026-09-30'];

const TARGETS = [
  // company Q3 300,000 but its months add up to 290,000, and its regions to 200,000 + 90,000
  target(...Q3, 'company', 'all', 300000),
  target('2026-07-01', '2026-07-31', 'company', 'all', 100000),
  target('2026-08-01', '2026-08-31', 'company', 'all', 100000),
  target('2026-09-01', '2026-09-30', 'company', 'all', 90000),
  target(...Q3, 'region', 'R1', 200000),
  target(...Q3, 'region', 'R2', 90000),
  target(...Q3, 'team', 'T1', 120000),
  target(...Q3, 'team', 'T2', 80000),
  target(...Q3, 'team', 'T3', 100000),
  target(...Q3, 'rep', 'A1', 70000),
  target(...Q3, 'rep', 'A2', 40000),
  target(...Q3, 'rep', 'B1', 80000),
  target(...Q3, 'rep', 'C1', 100000),
  // the sheet's own words: 客户类型 / 新客户 fold to customer_type / new
  target(...Q3, '客户类型', '新客户', 50000),
  target('2026-01-01', '2026-12-31', 'region', 'R1', 4, 'new_customers'),
  target(...Q3, 'rep', 'A1', 2, 'won_deals'),
  // a challenge tier, and a metric this family does not compute
  target(...Q3, 'company', 'all', 360000, 'revenue', 'challenge'),
  target(...Q3, 'company', 'all', 0.3, 'gross_margin'),
];

const BONUS_OFF = bonusConfigSchema.parse({ enabled: false });
const NO_EXTRAS = { okrs: [], bonus: BONUS_OFF };

const PARAMS: ResolvedParams = { from: Q3[0], to: Q3[1], as_of: '2026-08-15', filters: {}, by: null };

const rowsOf = (t: ResultTable) => t.rows as Record<string, unknown>[];

function find(r: TargetsResult, p: Partial<TargetProgressRow>): TargetProgressRow {
  const rows = r.targets.filter((t) => Object.entries(p).every(([k, v]) => t[k as keyof TargetProgressRow] === v));
  expect(rows, JSON.stringify(p)).toHaveLength(1);
  return rows[0]!;
}

function node(r: TargetsResult, path: string, metric = 'revenue', period_label = '2026-Q3'): TreeNode {
  const n = r.tree.find((x) => x.path === path && x.metric === metric && x.period_label === period_label);
  expect(n, path).toBeDefined();
  return n!;
}

describe('targets SQL', () => {
  it('pins the windows, the netting of cancellations, the overlap rule and the escaped filters', () => {
    const input = { params: { ...PARAMS, filters: { region: ["华东'"] } }, basis: 'orders' as const, coverage_start: '2024-12-20' };
    const sql = targetProgressSql(input);
    expect(sql).toContain('CASE WHEN o.is_cancellation THEN -abs(o.amount) ELSE o.amount END AS amount');
    expect(sql).toContain("WHERE tg.period_start <= DATE '2026-09-30' AND tg.period_end >= DATE '2026-07-01'");
    expect(sql).toContain("least(period_end, DATE '2026-08-15') AS cur_to");
    expect(sql).toContain("CAST(cur_to + INTERVAL 1 DAY - INTERVAL 1 YEAR AS DATE) - 1 AS ly_to");
    expect(sql).toContain("CAST(cur_from - INTERVAL 1 YEAR AS DATE) >= DATE '2024-12-20'");
    expect(sql).toContain("QUALIFY row_number() OVER (PARTITION BY customer_key ORDER BY ts, ref_id, ref_line) = 1");
    expect(sql).toContain("region IN ('华东''')");
    expect(treeSql(input)).toContain('CASE WHEN k.children_with_target > 0 THEN n.target - k.children_target_sum END AS mismatch');
    const fallback = targetProgressSql({ ...input, basis: 'won_opportunities' });
    expect(fallback).toContain("WHERE op.status = 'won' AND op.closed_at IS NOT NULL");
    expect(fallback).not.toContain('FROM orders o');
  });

  it('keeps targets inside a filter, and matches nothing for dimensions without targets', () => {
    expect(targetScopeSql({}, 'dimension', 'v')).toBe('true');
    expect(targetScopeSql({ owner: ['A1'] }, 'dimension', 'v')).toBe("(dimension = 'rep' AND v IN ('A1'))");
    expect(targetScopeSql({ industry: ['制造业'] }, 'dimension', 'v')).toBe('false');
  });

  it('shifts a window back a year the same way in TS and SQL (month ends stay month ends)', () => {
    expect(yearEarlier({ from: '2025-02-01', to: '2025-02-28' })).toEqual({ from: '2024-02-01', to: '2024-02-29' });
    expect(yearEarlier({ from: '2026-07-01', to: '2026-08-15' })).toEqual({ from: '2025-07-01', to: '2025-08-15' });
  });

  it('builds one query for every computed key result', () => {
    const sql = okrSql('orders', [{ metric: 'revenue_share', scope: { dimension: 'product', value: 'P1' }, current: { from: '2026-07-01', to: '2026-08-15' }, last_year: null }]);
    expect(sql).toContain("s.product = 'P1'");
    expect(sql).toContain('AS k0_cn');
    expect(sql).toContain('NULL AS k0_ln');
  });
});

describe('targets on the hand-worked fixture', () => {
  let w: FixtureWarehouse;
  let r: TargetsResult;
  beforeAll(async () => {
    w = await createFixtureWarehouse({ reps: REPS, orders: ORDERS, opportunities: OPPORTUNITIES, targets: TARGETS });
    r = await computeTargets({ connection: w.connection, params: PARAMS, config: defaultConfig() }, NO_EXTRAS);
  });
  afterAll(() => w.close());

  it('says which basis and dates it used', () => {
    expect(r.revenue_basis).toBe('orders');
    expect(r.data_from).toBe('2024-12-20');
    // 18 targets, all overlapping Q3 (the 2026 year target too)
    expect(r.summary.targets).toBe(18);
  });

  it('company Q3: progress, pace and YoY', () => {
    const t = find(r, { dimension: 'company', metric: 'revenue', tier: 'base', period_label: '2026-Q3' });
    expect(t.actual).toBe(125000); // see the header: 30 + 5 + 50 + 10 + 15 − 5 + 20 thousand
    expect(t.actual_through).toBe('2026-08-15');
    expect(t.elapsed_share).toBe(0.5); // 46 of 92 days
    expect(t.progress).toBeCloseTo(125000 / 300000, 12); // 0.41667
    expect(t.pace).toBeCloseTo(0.41666666 / 0.5, 6); // 0.8333: behind
    expect(t.on_track).toBe(false);
    expect(t.last_year_from).toBe('2025-07-01');
    expect(t.last_year_to).toBe('2025-08-15');
    expect(t.last_year_actual).toBe(55000); // L1 25,000 + L2 30,000 (L3 is 08-20)
    expect(t.yoy_growth).toBeCloseTo(125000 / 55000 - 1, 12); // 1.2727
    // months: 100,000 + 100,000 + 90,000 = 290,000 against 300,000
    expect(t.months_target_sum).toBe(290000);
    expect(t.months_mismatch).toBe(10000);
  });

  it('monthly targets: a finished month, the current one, a future one', () => {
    const jul = find(r, { dimension: 'company', metric: 'revenue', period_label: '2026-07' });
    // July: O1 30,000 + O11 5,000 + O6 50,000 = 85,000; finished, so pace = progress
    expect(jul.actual).toBe(85000);
    expect(jul.elapsed_share).toBe(1);
    expect(jul.progress).toBeCloseTo(0.85, 12);
    expect(jul.pace).toBeCloseTo(0.85, 12);
    const aug = find(r, { dimension: 'company', metric: 'revenue', period_label: '2026-08' });
    // Aug 1–15: O7 10,000 + O3 15,000 − O4 5,000 + O2 20,000 = 40,000; 15 of 31 days gone
    expect(aug.actual).toBe(40000);
    expect(aug.elapsed_share).toBeCloseTo(15 / 31, 12);
    expect(aug.progress).toBeCloseTo(0.4, 12);
    expect(aug.pace).toBeCloseTo((0.4 * 31) / 15, 12); // 0.8267
    const sep = find(r, { dimension: 'company', metric: 'revenue', period_label: '2026-09' });
    // September has not started: nothing sold yet, no pace; O5 (09-10) is after as_of
    expect(sep.actual).toBe(0);
    expect(sep.actual_through).toBeNull();
    expect(sep.elapsed_share).toBe(0);
    expect(sep.pace).toBeNull();
    expect(sep.on_track).toBeNull();
  });

  it('region, team and rep actuals come from the order owner and reps', () => {
    // R1: A1 (O1 30,000 + O2 20,000) + A2 (15,000 − 5,000) + D1 5,000 = 65,000 of 200,000
    const r1 = find(r, { dimension: 'region', dimension_value: 'R1', metric: 'revenue' });
    expect(r1.actual).toBe(65000);
    expect(r1.pace).toBeCloseTo(0.325 / 0.5, 12); // 0.65
    // R2: C1 O6 50,000 of 90,000 → pace 0.5556 / 0.5 = 1.111: on track; last year L2 30,000
    const r2 = find(r, { dimension: 'region', dimension_value: 'R2' });
    expect(r2.actual).toBe(50000);
    expect(r2.on_track).toBe(true);
    expect(r2.yoy_growth).toBeCloseTo(50000 / 30000 - 1, 12);
    // T1: 60,000 of 120,000 = 0.5 at half time: pace exactly 1, on track
    const t1 = find(r, { dimension: 'team', dimension_value: 'T1' });
    expect(t1.actual).toBe(60000);
    expect(t1.pace).toBeCloseTo(1, 12);
    expect(t1.on_track).toBe(true);
    // A2 sold nothing in last year's window: growth from 0 is unknown
    const a2 = find(r, { dimension: 'rep', dimension_value: 'A2', metric: 'revenue' });
    expect(a2.actual).toBe(10000);
    expect(a2.last_year_actual).toBe(0);
    expect(a2.yoy_growth).toBeNull();
    // B1's only order (O5) is after as_of
    expect(find(r, { dimension: 'rep', dimension_value: 'B1' }).actual).toBe(0);
  });

  it('new-customer revenue, new customers and won deals', () => {
    // new = first order inside Q3's window: K5 (O7 10,000) and K6 (O3 15,000 − O4 5,000) = 20,000
    const ct = find(r, { dimension: 'customer_type' });
    expect(ct.dimension_value).toBe('新客户');
    expect(ct.actual).toBe(20000);
    expect(ct.progress).toBeCloseTo(0.4, 12);
    // R1 new customers 2026-01-01 … 08-15: K6 (A2); K5 is X's, in no region. 1 of 4.
    const nc = find(r, { metric: 'new_customers' });
    expect(nc.actual).toBe(1);
    expect(nc.elapsed_share).toBeCloseTo(227 / 365, 12); // Jan–Jul 212 days + 15
    expect(nc.pace).toBeCloseTo(0.25 / (227 / 365), 12);
    // last year 2025-01-01 … 08-15 in R1: K1 (L1, A1); K2's first order L3 is 08-20 → 1; growth 0
    expect(nc.last_year_actual).toBe(1);
    expect(nc.yoy_growth).toBe(0);
    // A1 won W1 on 2026-08-10: 1 of 2
    const wd = find(r, { metric: 'won_deals' });
    expect(wd.actual).toBe(1);
    expect(wd.progress).toBe(0.5);
  });

  it('lists other tiers, and says when a metric is not computed', () => {
    const challenge = find(r, { tier: 'challenge' });
    expect(challenge.progress).toBeCloseTo(125000 / 360000, 12);
    const margin = find(r, { metric: 'gross_margin' });
    expect(margin.actual).toBeNull();
    expect(margin.progress).toBeNull();
    expect(margin.note).toContain('gross_margin');
    expect(r.summary.not_computed).toBe(1);
  });

  it('builds the tree and finds where it does not add up', () => {
    const company = node(r, 'company');
    // regions 200,000 + 90,000 = 290,000 against 300,000
    expect(company).toMatchObject({ target: 300000, children: 2, children_with_target: 2, children_target_sum: 290000, mismatch: 10000, status: 'mismatch' });
    expect(company.mismatch_share).toBeCloseTo(10000 / 300000, 12);
    // company actual 125,000; R1 65,000 + R2 50,000 = 115,000: X's 10,000 is in no region
    expect(company.actual).toBe(125000);
    expect(company.children_actual_sum).toBe(115000);
    expect(node(r, 'company / R1')).toMatchObject({ target: 200000, children_target_sum: 200000, mismatch: 0, status: 'ok', actual: 65000 });
    // T1: A1 70,000 + A2 40,000 = 110,000 against 120,000
    expect(node(r, 'company / R1 / T1')).toMatchObject({ target: 120000, children_target_sum: 110000, mismatch: 10000, status: 'mismatch', actual: 60000, progress: 0.5 });
    // T2: B1 80,000; D1 sold 5,000 without a target and counts as a child without one
    expect(node(r, 'company / R1 / T2')).toMatchObject({ children: 2, children_with_target: 1, children_target_sum: 80000, mismatch: 0, status: 'ok', actual: 5000, children_actual_sum: 5000 });
    expect(node(r, 'company / R1 / T2 / D1')).toMatchObject({ target: null, status: 'no_target', actual: 5000, depth: 3 });
    // R2 asks 90,000 of T3, which carries 100,000: negative mismatch
    expect(node(r, 'company / R2')).toMatchObject({ target: 90000, children_target_sum: 100000, mismatch: -10000, status: 'mismatch' });
    // X is not in reps: an orphan, outside every sum
    expect(node(r, 'company / ? / ? / X')).toMatchObject({ status: 'orphan', actual: 10000, parent_value: null });
    expect(r.mismatches.filter((m) => m.metric === 'revenue' && m.period_label === '2026-Q3').map((m) => m.path)).toEqual(['company', 'company / R1 / T1', 'company / R2']);
    // depth-first order: company, R1, T1, A1, A2, T2, B1, D1, R2, T3, C1, then the orphan
    const q3 = r.tree.filter((n) => n.metric === 'revenue' && n.period_label === '2026-Q3').map((n) => n.dimension_value);
    expect(q3).toEqual(['all', 'R1', 'T1', 'A1', 'A2', 'T2', 'B1', 'D1', 'R2', 'T3', 'C1', 'X']);
  });

  it('a region filter keeps the region, its teams and reps, and its subtree', async () => {
    const f = await computeTargets({ connection: w.connection, params: { ...PARAMS, filters: { region: ['R1'] } }, config: defaultConfig() }, NO_EXTRAS);
    const kept = f.targets.map((t) => `${t.metric}:${t.dimension}:${t.dimension_value}`).sort();
    expect(kept).toEqual(['new_customers:region:R1', 'revenue:region:R1', 'revenue:rep:A1', 'revenue:rep:A2', 'revenue:rep:B1', 'revenue:team:T1', 'revenue:team:T2', 'won_deals:rep:A1']);
    const q3 = f.tree.filter((n) => n.metric === 'revenue' && n.period_label === '2026-Q3').map((n) => n.dimension_value);
    expect(q3).toEqual(['R1', 'T1', 'A1', 'A2', 'T2', 'B1', 'D1']);
    const byRegion = await computeTargets({ connection: w.connection, params: { ...PARAMS, by: 'region' }, config: defaultConfig() }, NO_EXTRAS);
    expect(byRegion.targets.map((t) => t.dimension_value).sort()).toEqual(['R1', 'R1', 'R2']);
  });

  it('an owner filter keeps that rep’s targets and tree node, with the actuals they have unfiltered', async () => {
    const f = await computeTargets({ connection: w.connection, params: { ...PARAMS, filters: { owner: ['A1'] } }, config: defaultConfig() }, NO_EXTRAS);
    // A1's revenue: O1 30,000 + O2 20,000 = 50,000 (last year's window: L1 25,000; L3 on 08-20 is
    // after it); won deals: W1 on 08-10 = 1, none a year earlier
    expect(f.targets.map((t) => [t.metric, t.dimension, t.dimension_value, t.actual, t.last_year_actual])).toEqual([
      ['revenue', 'rep', 'A1', 50000, 25000],
      ['won_deals', 'rep', 'A1', 1, 0],
    ]);
    const q3 = f.tree.filter((n) => n.period_label === '2026-Q3').map((n) => [n.metric, n.dimension_value, n.actual]);
    expect(q3).toEqual([['revenue', 'A1', 50000], ['won_deals', 'A1', 1]]);
  });

  it('drills into the orders behind an actual and the children behind a mismatch', async () => {
    const ctx = { connection: w.connection, params: PARAMS, config: defaultConfig() };
    const lines = await targetsFamily.drill!(ctx, { target: 'actual', keys: { metric: 'revenue', dimension: 'company', dimension_value: 'all', period_start: Q3[0], period_end: Q3[1] }, limit: 100 });
    expect(rowsOf(lines).map((x) => x.order_id)).toEqual(['O11', 'O1', 'O6', 'O7', 'O3', 'O4', 'O2']);
    expect(rowsOf(lines).reduce((s, x) => s + (x.amount as number), 0)).toBe(125000);
    const lastYear = await targetsFamily.drill!(ctx, { target: 'actual', keys: { metric: 'revenue', dimension: 'region', dimension_value: 'R2', period_start: Q3[0], period_end: Q3[1], window: 'last_year' }, limit: 100 });
    expect(rowsOf(lastYear).map((x) => x.order_id)).toEqual(['L2']);
    const fresh = await targetsFamily.drill!(ctx, { target: 'actual', keys: { metric: 'revenue', dimension: '客户类型', dimension_value: '新客户', period_start: Q3[0], period_end: Q3[1] }, limit: 100 });
    expect(rowsOf(fresh).map((x) => x.order_id)).toEqual(['O7', 'O3', 'O4']);
    const capped = await targetsFamily.drill!(ctx, { target: 'actual', keys: { metric: 'revenue', dimension: 'company', dimension_value: 'all', period_start: Q3[0], period_end: Q3[1] }, limit: 2 });
    expect(capped.rows).toHaveLength(2);
    const won = await targetsFamily.drill!(ctx, { target: 'actual', keys: { metric: 'won_deals', dimension: 'rep', dimension_value: 'A1', period_start: Q3[0], period_end: Q3[1] }, limit: 100 });
    expect(rowsOf(won).map((x) => x.opportunity_id)).toEqual(['W1']);
    const newcomers = await targetsFamily.drill!(ctx, { target: 'actual', keys: { metric: 'new_customers', dimension: 'region', dimension_value: 'R1', period_start: '2026-01-01', period_end: '2026-12-31' }, limit: 100 });
    expect(rowsOf(newcomers).map((x) => [x.customer, x.first_sale_ref])).toEqual([['K6', 'O3']]);
    await expect(targetsFamily.drill!(ctx, { target: 'nope', keys: {}, limit: 1 })).rejects.toThrow('no drill target');
    const kids = await targetsFamily.drill!(ctx, { target: 'children', keys: { metric: 'revenue', dimension: 'team', dimension_value: 'T1', period_start: Q3[0], period_end: Q3[1] }, limit: 100 });
    expect(rowsOf(kids).map((x) => [x.dimension_value, x.target])).toEqual([['A1', 70000], ['A2', 40000]]);
  });

  it('lays the result out as tables with en and zh headers', () => {
    const tables = targetsFamily.tables(r);
    expect(tables.map((t) => t.name)).toEqual(['Targets', 'Target tree', 'Tree mismatches', 'OKR']);
    for (const t of tables) for (const c of t.columns) expect(c.header_zh.length).toBeGreaterThan(0);
    expect(tables[1]!.rows).toHaveLength(r.tree.length);
  });
});

describe('OKR key results on the fixture', () => {
  let w: FixtureWarehouse;
  beforeAll(async () => {
    w = await createFixtureWarehouse({ reps: REPS, orders: ORDERS, opportunities: OPPORTUNITIES, targets: TARGETS });
  });
  afterAll(() => w.close());

  it('computes each bound metric and the manual one', async () => {
    const okrs = okrsConfigSchema.parse([
      {
        objective: 'Q3',
        period: { from: Q3[0], to: Q3[1] },
        key_results: [
          { title: 'growth', metric: 'revenue_growth_yoy', target: 0.5 },
          { title: 'new share', metric: 'revenue_share', scope: { dimension: 'customer_type', value: 'new' }, target: 0.4 },
          { title: 'P1 share', metric: 'revenue_share', scope: { dimension: 'product', value: 'P1' }, target: 0.5 },
          { title: 'repeat', metric: 'repeat_purchase_rate', target: 0.9, baseline: 0.6 },
          { title: 'per head', metric: 'per_capita_revenue_growth_yoy', target: 0.2 },
          { title: 'new customers', metric: 'new_customers', target: 4 },
          { title: 'R2 growth', metric: 'revenue_growth_yoy', scope: { dimension: 'region', value: 'R2' }, target: 0.35 },
          { title: 'satisfaction', metric: 'manual', current: 4.3, target: 4.5 },
        ],
      },
    ]);
    const r = await computeTargets({ connection: w.connection, params: PARAMS, config: defaultConfig() }, { okrs, bonus: BONUS_OFF });
    const [o] = r.okrs;
    expect(o!.through).toBe('2026-08-15');
    expect(o!.elapsed_share).toBe(0.5);
    const kr = Object.fromEntries(o!.key_results.map((k) => [k.title, k]));
    // 125,000 ÷ 55,000 − 1 = 1.2727; target 0.5 → progress 2.545, achieved
    expect(kr.growth!.current).toBeCloseTo(125000 / 55000 - 1, 12);
    expect(kr.growth!.achieved).toBe(true);
    // new customers' revenue 20,000 ÷ 125,000 = 0.16 → progress 0.4
    expect(kr['new share']!.current).toBeCloseTo(0.16, 12);
    expect(kr['new share']!.progress).toBeCloseTo(0.4, 12);
    // P1: O1 30 + O6 50 + O7 10 + O3 15 − O4 5 = 100,000 of 125,000
    expect(kr['P1 share']!.current).toBeCloseTo(0.8, 12);
    // customers with an order before 07-01: K1, K4, K2, K7; of them K1, K4, K2 ordered again → 3/4;
    // from baseline 0.6 to 0.9: (0.75 − 0.6) ÷ 0.3 = 0.5
    expect(kr.repeat!.current).toBe(0.75);
    expect(kr.repeat!.progress).toBeCloseTo(0.5, 12);
    // reps employed in the window: A1 A2 B1 C1 D1 = 5 → 25,000 per head; a year earlier 4 (D1 not
    // hired) → 55,000 ÷ 4 = 13,750; 25,000 ÷ 13,750 − 1 = 0.8182
    expect(kr['per head']!.detail).toEqual({ numerator: 125000, denominator: 5, last_year_numerator: 55000, last_year_denominator: 4 });
    expect(kr['per head']!.current).toBeCloseTo(25000 / 13750 - 1, 12);
    // K5 and K6
    expect(kr['new customers']!.current).toBe(2);
    expect(kr['new customers']!.progress).toBe(0.5);
    expect(kr['R2 growth']!.current).toBeCloseTo(50000 / 30000 - 1, 12);
    expect(kr.satisfaction).toMatchObject({ source: 'manual', current: 4.3, achieved: false });
    expect(kr.satisfaction!.progress).toBeCloseTo(4.3 / 4.5, 12);
    // objective: mean of clamped progress: growth 1, new share 0.4, P1 1, repeat 0.5,
    // per head 1, new customers 0.5, R2 1, satisfaction 0.9556 → 6.3556 / 8
    expect(o!.progress).toBeCloseTo((1 + 0.4 + 1 + 0.5 + 1 + 0.5 + 1 + 4.3 / 4.5) / 8, 12);
  });

  it('validates the config: defaults, scopes, manual values', () => {
    expect(defaultConfig().okrs).toEqual([]);
    expect(okrsConfigSchema.safeParse(SEED_003_OKRS).success).toBe(true);
    const bad = okrsConfigSchema.safeParse([{ objective: 'x', key_results: [{ title: 'r', metric: 'repeat_purchase_rate', scope: { dimension: 'region', value: 'R1' }, target: 1 }] }]);
    expect(bad.success).toBe(false);
    expect(okrsConfigSchema.safeParse([{ objective: 'x', key_results: [{ title: 'r', metric: 'manual', target: 1 }] }]).success).toBe(false);
    expect(okrsConfigSchema.safeParse([{ objective: 'x', key_results: [{ title: 'r', metric: 'revenue_share', target: 1 }] }]).success).toBe(false);
  });
});

describe('targets without orders', () => {
  it('falls back to won opportunities by closed_at and says so', async () => {
    const w = await createFixtureWarehouse({
      reps: REPS,
      opportunities: [
        { opportunity_id: 'W1', owner: 'A1', status: 'won', stage: '已成交', created_at: '2026-01-05', closed_at: '2026-07-10', amount: 40000 },
        { opportunity_id: 'W2', owner: 'A1', status: 'won', stage: '已成交', created_at: '2026-01-05', closed_at: '2026-08-20', amount: 10000 },
        { opportunity_id: 'W3', owner: 'A2', status: 'lost', stage: '需求挖掘', created_at: '2026-01-05', closed_at: '2026-07-15' },
        { opportunity_id: 'W4', owner: 'A2', status: 'won', stage: '已成交', created_at: '2026-01-05', closed_at: '2026-08-01', amount: 25000 },
      ],
      targets: [target(...Q3, 'company', 'all', 300000), target(...Q3, 'team', 'T1', 100000)],
    });
    try {
      const r = await computeTargets({ connection: w.connection, params: PARAMS, config: defaultConfig() }, NO_EXTRAS);
      expect(r.revenue_basis).toBe('won_opportunities');
      expect(r.notes.join(' ')).toContain('no orders');
      // W1 40,000 + W4 25,000 (W2 closes after as_of, W3 was lost)
      expect(find(r, { dimension: 'company' }).actual).toBe(65000);
      expect(find(r, { dimension: 'team' }).actual).toBe(65000);
      // data starts 2026-01-05: no window a year earlier
      expect(find(r, { dimension: 'company' }).yoy_growth).toBeNull();
    } finally {
      w.close();
    }
  });
});

describe('tiered bonus (seed 001)', () => {
  it('pays rising rates above base, challenge and excellence', async () => {
    const w = await createFixtureWarehouse({
      reps: [{ owner: 'Z', team: 'T' }, { owner: 'Y', team: 'T' }, { owner: 'V', team: 'T' }],
      orders: [
        { order_id: 'Z1', ordered_at: '2026-07-10 10:00:00', owner: 'Z', customer_id: 'K1', amount: 160000 },
        { order_id: 'Y1', ordered_at: '2026-08-10 10:00:00', owner: 'Y', customer_id: 'K2', amount: 110000 },
        { order_id: 'V1', ordered_at: '2026-09-10 10:00:00', owner: 'V', customer_id: 'K3', amount: 90000 },
      ],
      targets: [
        target(...Q3, 'rep', 'Z', 100000),
        target(...Q3, 'rep', 'Z', 130000, 'revenue', 'challenge'),
        target(...Q3, 'rep', 'Y', 100000),
        target(...Q3, 'rep', 'V', 100000),
        target('2026-07-01', '2026-07-31', 'rep', 'Z', 30000), // a month: not paid on a quarterly scheme
      ],
    });
    try {
      const bonus = bonusConfigSchema.parse({ rates: { within_base: 0.01 } }); // 1% / 2% / 4% / 8%, factors 1.2 and 1.5
      const params = { ...PARAMS, as_of: '2026-09-30' };
      const r = await computeTargets({ connection: w.connection, params, config: defaultConfig() }, { okrs: [], bonus });
      const rows = Object.fromEntries(r.bonus!.rows.map((b) => [b.dimension_value, b]));
      expect(r.bonus!.rows).toHaveLength(3);
      // Z: challenge 130,000 from the targets, excellence 100,000 × 1.5 = 150,000; actual 160,000:
      // 1% × 100,000 + 2% × 30,000 + 4% × 20,000 + 8% × 10,000 = 1,000 + 600 + 800 + 800 = 3,200
      expect(rows.Z).toMatchObject({ challenge_target: 130000, excellence_target: 150000, tiers_from: 'targets and factors', tier_reached: 'excellence', final: true });
      expect(rows.Z!.payout).toBeCloseTo(3200, 9);
      // Y: tiers 120,000 and 150,000 from the factors; 110,000: 1,000 + 2% × 10,000 = 1,200
      expect(rows.Y).toMatchObject({ challenge_target: 120000, tiers_from: 'factors', tier_reached: 'base' });
      expect(rows.Y!.payout).toBeCloseTo(1200, 9);
      // V: 90,000 below base: 1% × 90,000 = 900
      expect(rows.V).toMatchObject({ tier_reached: 'below_base' });
      expect(rows.V!.payout).toBeCloseTo(900, 9);
      expect(r.bonus!.total_final).toBeCloseTo(5300, 9);
      expect(r.bonus!.total_provisional).toBe(0);
      expect(targetsFamily.tables(r).map((t) => t.name)).toContain('Bonus');
      expect(defaultConfig().bonus).toMatchObject({ enabled: true, period: 'quarter', rates: { above_base: 0.02 } });
    } finally {
      w.close();
    }
  });
});

describe('targets properties', () => {
  const day = (n: number) => new Date(Date.UTC(2026, 0, 1) + n * 86_400_000).toISOString().slice(0, 10);

  it('pace = progress ÷ elapsed share; share is the days gone out of the period', async () => {
    const targetArb = fc.record({ start: fc.integer({ min: 0, max: 300 }), length: fc.integer({ min: 1, max: 120 }), value: fc.integer({ min: 1, max: 1_000_000 }) });
    const orderArb = fc.record({ at: fc.integer({ min: 0, max: 400 }), amount: fc.integer({ min: -50_000, max: 200_000 }) });
    await fc.assert(
      fc.asyncProperty(fc.array(targetArb, { minLength: 1, maxLength: 8 }), fc.array(orderArb, { maxLength: 15 }), fc.integer({ min: 0, max: 400 }), async (targets, orders, asOf) => {
        const w = await createFixtureWarehouse({
          orders: orders.map((o, i) => ({ order_id: `O${i}`, ordered_at: `${day(o.at)} 12:00:00`, owner: 'A', customer_id: 'K', amount: o.amount, is_cancellation: o.amount < 0 })),
          targets: targets.map((t, i) => target(day(t.start), day(t.start + t.length - 1), 'rep', `R${i}`, t.value)),
        });
        try {
          const params: ResolvedParams = { from: day(0), to: day(600), as_of: day(asOf), filters: {}, by: null };
          const r = await computeTargets({ connection: w.connection, params, config: defaultConfig() }, NO_EXTRAS);
          expect(r.targets).toHaveLength(targets.length);
          for (const t of r.targets) {
            const g = targets[Number(t.dimension_value.slice(1))]!;
            const gone = Math.min(g.length, Math.max(0, asOf - g.start + 1));
            expect(t.elapsed_share).toBeCloseTo(gone / g.length, 12);
            if (gone === 0) expect(t.pace).toBeNull();
            else expect(t.pace!).toBeCloseTo(t.progress! / t.elapsed_share, 9);
            expect(t.on_track).toBe(t.pace === null ? null : t.pace >= 1);
          }
        } finally {
          w.close();
        }
      }),
      { numRuns: 15, seed: 20260815 },
    );
  });

  it('mismatch = target − Σ children targets; actuals add up when every seller is in reps', async () => {
    const orgArb = fc.array(
      fc.record({
        team: fc.constantFrom('T1', 'T2', 'T3'),
        target: fc.option(fc.integer({ min: 1, max: 500 }), { nil: null }),
        sold: fc.integer({ min: 0, max: 300 }),
      }),
      { minLength: 1, maxLength: 8 },
    );
    const parentArb = fc.record({
      company: fc.option(fc.integer({ min: 1, max: 3000 }), { nil: null }),
      teams: fc.record({ T1: fc.option(fc.integer({ min: 1, max: 1000 }), { nil: null }), T2: fc.option(fc.integer({ min: 1, max: 1000 }), { nil: null }), T3: fc.option(fc.integer({ min: 1, max: 1000 }), { nil: null }) }),
      region: fc.option(fc.integer({ min: 1, max: 2000 }), { nil: null }),
    });
    const TEAM_REGION: Record<string, string> = { T1: 'N', T2: 'N', T3: 'S' };
    await fc.assert(
      fc.asyncProperty(orgArb, parentArb, async (reps, parents) => {
        const money = (n: number) => n * 1000 + 0.01 * (n % 7); // cents, to catch float drift
        const targets = [
          ...(parents.company !== null ? [target(...Q3, 'company', 'all', money(parents.company))] : []),
          ...(parents.region !== null ? [target(...Q3, 'region', 'N', money(parents.region))] : []),
          ...Object.entries(parents.teams).flatMap(([team, v]) => (v !== null ? [target(...Q3, 'team', team, money(v))] : [])),
          ...reps.flatMap((p, i) => (p.target !== null ? [target(...Q3, 'rep', `P${i}`, money(p.target))] : [])),
        ];
        if (targets.length === 0) return;
        const w = await createFixtureWarehouse({
          reps: reps.map((p, i) => ({ owner: `P${i}`, team: p.team, region: TEAM_REGION[p.team] })),
          orders: reps.flatMap((p, i) => (p.sold ? [{ order_id: `O${i}`, ordered_at: '2026-07-15 10:00:00', owner: `P${i}`, customer_id: `K${i}`, amount: p.sold * 100 }] : [])),
          targets,
        });
        try {
          const r = await computeTargets({ connection: w.connection, params: PARAMS, config: defaultConfig() }, NO_EXTRAS);
          const tree = r.tree.filter((n) => n.metric === 'revenue');
          for (const n of tree) {
            const kids = tree.filter((c) => c.depth === n.depth + 1 && c.parent_value === (n.dimension === 'company' ? 'all' : n.dimension_value));
            expect(n.children).toBe(kids.length);
            const withTarget = kids.filter((c) => c.target !== null);
            expect(n.children_with_target).toBe(withTarget.length);
            const sumCents = withTarget.reduce((s, c) => s + Math.round(c.target! * 100), 0);
            if (withTarget.length === 0) {
              expect(n.mismatch).toBeNull();
            } else {
              expect(Math.round(n.children_target_sum! * 100)).toBe(sumCents);
              if (n.target === null) expect(n.mismatch).toBeNull();
              else {
                expect(Math.round(n.mismatch! * 100)).toBe(Math.round(n.target * 100) - sumCents);
                expect(n.status === 'mismatch').toBe(Math.round(n.target * 100) !== sumCents);
              }
            }
            if (kids.length) expect(n.children_actual_sum).toBe(n.actual);
          }
          expect(r.mismatches).toEqual(tree.filter((n) => n.status === 'mismatch'));
        } finally {
          w.close();
        }
      }),
      { numRuns: 25, seed: 20260701 },
    );
  });
});
