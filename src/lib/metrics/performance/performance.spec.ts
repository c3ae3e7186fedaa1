/**
 * Performance indices on a fixture small enough to work out by hand: March 2024 (31 days,
 * 31 ÷ 7 = 4.4286 weeks), as of 2024-03-31, three reps in two teams.
 *
 *  rep   team  region  hired       left        active in March
 *  王磊  A组   华东    2020-01-01              yes
 *  李娜  A组   华东    2023-01-01              yes
 *  张伟  B组   华南    2024-03-15              yes (hired mid-month)
 *  赵强  B组   华南    2019-01-01  2024-02-20  no (and credited with nothing in March: not listed)
 *
 *  orders (customer, owner)             March revenue      orders  new customers (first order in March)
 *  SO1 2023-11-10 C1 王磊 1,000          -
 *  SO2 2024-01-15 C1 王磊 2,000          -
 *  SO3 2024-03-05 C1 王磊 30,000         王磊 30,000
 *  SO5 2024-03-10 C2 王磊 10,000         王磊 10,000        王磊: SO3 SO5 = 2    C2 → 王磊
 *  SO0 2023-12-01 C3 李娜 5,000          -
 *  SO4 2024-03-20 C4 李娜 8,000 + 2,000  李娜 10,000                             C4 → 李娜
 *  SO4C 2024-03-25 C4 李娜 −2,000 (cancellation)  李娜 −2,000  李娜: SO4 = 1 (a cancellation is no order)
 *  SO6 2024-03-25 C5 张伟 20,000         张伟 20,000                             C5 → 张伟
 *  SO7 2024-03-26 C6 张伟 20,000         张伟 20,000        张伟: 2              C6 → 张伟
 *
 *  opportunities        owner  created     status / closed          in the March cohort (stage rows)
 *  O1                   王磊   2024-02-01  won 2024-03-20, 30,000   no
 *  O2                   王磊   2024-03-02  lost 2024-03-25 at 需求挖掘  yes
 *  O3                   李娜   2024-03-03  open at 需求挖掘          yes
 *  O4                   李娜   2024-01-10  won 2024-03-12           no
 *  O5                   张伟   2024-03-16  open at 潜在接触          yes
 *  O6                   李娜   2024-03-05  invalid 2024-03-10 (no closing event)  yes
 *  O7                   张伟   2024-02-10  open (taken over from 赵强)  no
 *
 *  follow-ups (event: opportunity, time, rep, method, plan → what happened)
 *  e1  O1 03-01 王磊 电话 plan 03-05 → e2 03-05           timely (same day)
 *  e2  O1 03-05 王磊 面谈 plan 03-10 → e3 03-12           LATE (2 days)
 *  e3  O1 03-12 王磊 电话 plan 03-20 → e4 03-20           timely
 *  e4  O1 03-20 王磊 面谈 won
 *  e5  O2 03-02 王磊 电话 plan 03-04 → e6 03-04           timely
 *  e6  O2 03-04 王磊 微信 plan 03-25 → e7 03-25           timely
 *  e7  O2 03-25 王磊 电话 lost
 *  e8  O3 03-03 李娜 面谈 plan 03-06 → e9 03-06           timely
 *  e9  O3 03-06 李娜 电话 plan 03-20 → nothing by 03-31   MISSED (11 days overdue)
 *  e10 O4 03-01 李娜 邮件 plan 03-08 → e11 03-08          timely
 *  e11 O4 03-08 李娜 电话 plan 03-12 → e12 03-12          timely
 *  e12 O4 03-12 李娜 面谈 won
 *  e13 O6 03-05 李娜 微信 plan 03-15 → O6 closed 03-10, no event: moot (not judged)
 *  e14 O5 03-16 张伟 电话 plan 03-18 → e15 03-18          timely
 *  e15 O5 03-18 张伟 微信 plan 03-31 → due on as_of: pending (not judged)
 *  e17 O7 02-15 赵强 电话 plan 03-05 → e18 03-04 by 张伟  timely, credited to 张伟 who did it
 *  e18 O7 03-04 张伟 电话
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig, type SalesightConfig } from '../../config/config.ts';
import { createFixtureWarehouse, type FixtureWarehouse } from '../testing/fixture-warehouse.ts';
import type { ResolvedParams } from '../params.ts';
import { computeFunnel } from '../funnel/funnel.ts';
import {
  baseWeights,
  competitionRanks,
  computePerformance,
  computePerformanceHeadline,
  effectiveWeights,
  performanceFamily,
  SCORE_INPUT_IDS,
  type PerformanceResult,
  type PerformanceTotal,
  type ScoreInputId,
} from './performance.ts';
import { attributedFilterSql, eventsCte, plansCte, salesSql, targetSql, timelinessSql, type PerformanceQueryInput } from './performance-queries.ts';
import { queryRows } from '../../warehouse/warehouse.server.ts';

const REPS = [
  { owner: '王磊', team: 'A组', region: '华东', hired_at: '2020-01-01' },
  { owner: '李娜', team: 'A组', region: '华东', hired_at: '2023-01-01' },
  { owner: '张伟', team: 'B组', region: '华南', hired_at: '2024-03-15' },
  { owner: '赵强', team: 'B组', region: '华南', hired_at: '2019-01-01', left_at: '2024-02-20' },
];
const CUSTOMERS = [
  { customer_id: 'C1', customer_name: '客户一', owner: '王磊' },
  { customer_id: 'C2', customer_name: '客户二', owner: '王磊' },
  { customer_id: 'C3', customer_name: '客户三', owner: '李娜' },
  { customer_id: 'C4', customer_name: '客户四', owner: '李娜' },
  { customer_id: 'C5', customer_name: '客户五', owner: '张伟' },
  { customer_id: 'C6', customer_name: '客户六', owner: '张伟' },
];
const order = (order_id: string, customer_id: string, day: string, amount: number, owner: string, extra: Record<string, unknown> = {}) => ({
  order_id, customer_id, ordered_at: `${day} 10:00:00`, amount, owner, product: '产品甲', ...extra,
});
const ORDERS = [
  order('SO1', 'C1', '2023-11-10', 1000, '王磊'),
  order('SO2', 'C1', '2024-01-15', 2000, '王磊'),
  order('SO3', 'C1', '2024-03-05', 30000, '王磊'),
  order('SO5', 'C2', '2024-03-10', 10000, '王磊'),
  order('SO0', 'C3', '2023-12-01', 5000, '李娜'),
  order('SO4', 'C4', '2024-03-20', 8000, '李娜', { order_line: 1 }),
  order('SO4', 'C4', '2024-03-20', 2000, '李娜', { order_line: 2 }),
  order('SO4C', 'C4', '2024-03-25', -2000, '李娜', { is_cancellation: true }),
  order('SO6', 'C5', '2024-03-25', 20000, '张伟'),
  order('SO7', 'C6', '2024-03-26', 20000, '张伟'),
];
const OPPORTUNITIES = [
  { opportunity_id: 'O1', owner: '王磊', team: 'A组', region: '华东', stage: '已成交', status: 'won', created_at: '2024-02-01', closed_at: '2024-03-20 11:00:00', amount: 30000 },
  { opportunity_id: 'O2', owner: '王磊', team: 'A组', region: '华东', stage: '需求挖掘', status: 'lost', created_at: '2024-03-02', closed_at: '2024-03-25 16:00:00' },
  { opportunity_id: 'O3', owner: '李娜', team: 'A组', region: '华东', stage: '需求挖掘', status: 'open', created_at: '2024-03-03' },
  { opportunity_id: 'O4', owner: '李娜', team: 'A组', region: '华东', stage: '已成交', status: 'won', created_at: '2024-01-10', closed_at: '2024-03-12 10:00:00', amount: 12000 },
  { opportunity_id: 'O5', owner: '张伟', team: 'B组', region: '华南', stage: '潜在接触', status: 'open', created_at: '2024-03-16' },
  { opportunity_id: 'O6', owner: '李娜', team: 'A组', region: '华东', stage: '潜在接触', status: 'invalid', created_at: '2024-03-05', closed_at: '2024-03-10' },
  { opportunity_id: 'O7', owner: '张伟', team: 'B组', region: '华南', stage: '潜在接触', status: 'open', created_at: '2024-02-10' },
];
const ev = (event_id: string, opportunity_id: string, at: string, owner: string, method: string, next: string | null, extra: Record<string, unknown> = {}) => ({
  event_id, opportunity_id, occurred_at: `2024-${at}:00`, owner, method, next_followup_at: next ? `2024-${next} 10:00:00` : null, ...extra,
});
const EVENTS = [
  ev('e1', 'O1', '03-01 10:00', '王磊', '电话', '03-05'),
  ev('e2', 'O1', '03-05 15:00', '王磊', '面谈', '03-10'),
  ev('e3', 'O1', '03-12 09:00', '王磊', '电话', '03-20'),
  ev('e4', 'O1', '03-20 11:00', '王磊', '面谈', null, { from_stage: '成交待签约', to_stage: '已成交', to_status: 'won' }),
  ev('e5', 'O2', '03-02 10:00', '王磊', '电话', '03-04', { to_stage: '潜在接触' }),
  ev('e6', 'O2', '03-04 10:00', '王磊', '微信', '03-25', { from_stage: '潜在接触', to_stage: '需求挖掘' }),
  ev('e7', 'O2', '03-25 16:00', '王磊', '电话', null, { to_status: 'lost' }),
  ev('e8', 'O3', '03-03 09:00', '李娜', '面谈', '03-06', { to_stage: '潜在接触' }),
  ev('e9', 'O3', '03-06 10:00', '李娜', '电话', '03-20', { from_stage: '潜在接触', to_stage: '需求挖掘' }),
  ev('e10', 'O4', '03-01 14:00', '李娜', '邮件', '03-08'),
  ev('e11', 'O4', '03-08 17:00', '李娜', '电话', '03-12'),
  ev('e12', 'O4', '03-12 10:00', '李娜', '面谈', null, { from_stage: '成交待签约', to_stage: '已成交', to_status: 'won' }),
  ev('e13', 'O6', '03-05 11:00', '李娜', '微信', '03-15', { to_stage: '潜在接触' }),
  ev('e14', 'O5', '03-16 10:00', '张伟', '电话', '03-18', { to_stage: '潜在接触' }),
  ev('e15', 'O5', '03-18 11:00', '张伟', '微信', '03-31'),
  ev('e17', 'O7', '02-15 10:00', '赵强', '电话', '03-05', { to_stage: '潜在接触' }),
  ev('e18', 'O7', '03-04 15:00', '张伟', '电话', null),
];
const TARGETS = [
  { period_start: '2024-03-01', period_end: '2024-03-31', dimension: 'rep', dimension_value: '王磊', metric: 'revenue', target_value: 50000 },
  { period_start: '2024-01-01', period_end: '2024-03-31', dimension: 'rep', dimension_value: '王磊', metric: 'revenue', target_value: 150000 },
  { period_start: '2024-03-01', period_end: '2024-03-31', dimension: 'rep', dimension_value: '王磊', metric: 'revenue', tier: 'challenge', target_value: 80000 },
  { period_start: '2024-01-01', period_end: '2024-03-31', dimension: 'rep', dimension_value: '李娜', metric: 'revenue', target_value: 30000 },
  { period_start: '2024-03-01', period_end: '2024-03-31', dimension: 'team', dimension_value: 'A组', metric: 'revenue', target_value: 60000 },
];

const PARAMS: ResolvedParams = { from: '2024-03-01', to: '2024-03-31', as_of: '2024-03-31', filters: {}, by: null };
const WEEKS = 31 / 7;

/** High value needs ≥ 12 orders a year by default; 0.25 a month (3 in 12 months) lets C1 qualify. */
function config(): SalesightConfig {
  const c = defaultConfig();
  return { ...c, rfm: { ...c.rfm, high_value: { ...c.rfm.high_value, min_orders_per_month: 0.25 } } };
}

describe('performance on the hand-worked fixture', () => {
  let w: FixtureWarehouse;
  let r: PerformanceResult;
  const row = (key: string) => r.leaderboard.find((x) => x.key === key)!;
  const score = (key: string) => r.scorecard.rows.find((x) => x.key === key)!;
  beforeAll(async () => {
    w = await createFixtureWarehouse({ reps: REPS, customers: CUSTOMERS, orders: ORDERS, opportunities: OPPORTUNITIES, stage_events: EVENTS, targets: TARGETS });
    r = await computePerformance({ connection: w.connection, params: PARAMS, config: config() });
  });
  afterAll(() => w.close());

  it('lists the reps active or credited in the period, by revenue rank (1224 on ties)', () => {
    expect(r.level).toBe('owner');
    expect(r.revenue_basis).toBe('orders');
    expect(r.period).toEqual({ from: '2024-03-01', to: '2024-03-31', through: '2024-03-31', days: 31, weeks: WEEKS });
    // 王磊 30,000 + 10,000 = 40,000; 张伟 20,000 + 20,000 = 40,000; 李娜 8,000 + 2,000 − 2,000 = 8,000
    expect(r.leaderboard.map((x) => [x.key, x.team, x.region, x.revenue, x.ranks.revenue])).toEqual([
      ['张伟', 'B组', '华南', 40000, 1],
      ['王磊', 'A组', '华东', 40000, 1],
      ['李娜', 'A组', '华东', 8000, 3],
    ]);
    expect(r.totals).toMatchObject({ revenue: 88000, orders: 5, new_customers: 4, active_reps: 3, unattributed_revenue: 0 });
  });

  it('orders, average order value and new customers', () => {
    // orders: 王磊 SO3 SO5 = 2; 李娜 SO4 = 1 (its two lines are one order, the cancellation none); 张伟 2
    // AOV: 40,000 ÷ 2 = 20,000 (tie with 张伟 40,000 ÷ 2), 8,000 ÷ 1 = 8,000
    expect(['王磊', '李娜', '张伟'].map((k) => [row(k).orders, row(k).avg_order_value, row(k).ranks.avg_order_value])).toEqual([
      [2, 20000, 1], [1, 8000, 3], [2, 20000, 1],
    ]);
    // first orders in March: C2 (王磊), C4 (李娜), C5 and C6 (张伟); C1 and C3 first ordered in 2023
    expect(['王磊', '李娜', '张伟'].map((k) => [row(k).new_customers, row(k).ranks.new_customers])).toEqual([[1, 2], [1, 2], [2, 1]]);
  });

  it('target completion uses the finest target granularity, pro rata', () => {
    // 王磊: a March target (50,000) and a Q1 one both cover the 31 days; the month is finer: 40,000 ÷ 50,000
    expect(row('王磊')).toMatchObject({ target: 50000, target_actual: 40000, target_completion: 0.8, target_granularity: 'month', target_coverage: 1 });
    // 李娜: only Q1 (91 days) 30,000; March is 31 of them: 30,000 × 31 ÷ 91 = 10,219.78; 8,000 ÷ that = 728 ÷ 930
    expect(row('李娜').target).toBeCloseTo((30000 * 31) / 91, 9);
    expect(row('李娜').target_completion).toBeCloseTo(728 / 930, 12);
    expect(row('李娜').target_granularity).toBe('quarter');
    // 张伟: no target
    expect(row('张伟')).toMatchObject({ target: null, target_completion: null, ranks: { target_completion: null } });
    expect([row('王磊').ranks.target_completion, row('李娜').ranks.target_completion]).toEqual([1, 2]);
  });

  it('win rate and cycle from deals closed in March; stage conversions from the March cohort', () => {
    // 王磊: O1 won, O2 lost → 1 ÷ 2; 李娜: O4 won → 1; 张伟: nothing closed (O6 invalid is no loss)
    expect(['王磊', '李娜', '张伟'].map((k) => [row(k).closed_deals, row(k).won_deals, row(k).win_rate, row(k).ranks.win_rate])).toEqual([
      [2, 1, 0.5, 2], [1, 1, 1, 1], [0, 0, null, null],
    ]);
    // cycle: O1 02-01 → 03-20 = 29 + 19 = 48 days; O4 01-10 → 03-12 = 31 + 29 + 2 = 62 days; shorter ranks first
    expect([row('王磊').cycle_days_mean, row('李娜').cycle_days_mean, row('王磊').ranks.cycle_days_mean, row('李娜').ranks.cycle_days_mean]).toEqual([48, 62, 1, 2]);
    const conv = (k: string) => row(k).stage_conversions.slice(0, 2).map((s) => [s.stage, s.advanced, s.exited, s.conversion]);
    // 王磊: O2 reached 需求挖掘 and was lost there
    expect(conv('王磊')).toEqual([['潜在接触', 1, 1, 1], ['需求挖掘', 0, 1, 0]]);
    // 李娜: O3 advanced past 潜在接触, O6 invalid at it → 1 ÷ 2; O3 still open at 需求挖掘 (censored)
    expect(conv('李娜')).toEqual([['潜在接触', 1, 2, 0.5], ['需求挖掘', 0, 0, null]]);
    // 张伟: O5 still open at 潜在接触
    expect(conv('张伟')).toEqual([['潜在接触', 0, 0, null], ['需求挖掘', 0, 0, null]]);
  });

  it('agrees with the funnel family on win rate, cycle and conversions', async () => {
    const f = await computeFunnel({ connection: w.connection, params: { ...PARAMS, by: 'owner' }, config: config() });
    for (const g of f.groups!.rows.filter((x) => x.key !== '赵强')) {
      const mine = row(g.key!);
      expect([mine.win_rate, mine.cycle_days_mean, mine.cycle_days_median]).toEqual([g.outcomes.win_rate, g.outcomes.cycle_days_mean, g.outcomes.cycle_days_median]);
      expect(mine.stage_conversions.map((s) => s.conversion)).toEqual(g.stages.filter((s) => s.stage !== '已成交').map((s) => s.conversion));
    }
  });

  it('follow-ups per week by method', () => {
    // 王磊 e1–e7: 电话 e1 e3 e5 e7 = 4, 面谈 e2 e4 = 2, 微信 e6 = 1 → 7 ÷ (31 ÷ 7) = 49 ÷ 31
    expect(row('王磊').followups).toBe(7);
    expect(row('王磊').followups_per_week).toBeCloseTo(49 / 31, 12);
    expect(row('王磊').followups_per_week_by_method['电话']).toBeCloseTo(28 / 31, 12);
    expect(row('王磊').followups_per_week_by_method['面谈']).toBeCloseTo(14 / 31, 12);
    expect(row('王磊').followups_per_week_by_method['邮件']).toBe(0);
    // 李娜 e8–e13 = 6; 张伟 e14 e15 e18 = 3 (赵强's e17 was in February)
    expect([row('李娜').followups, row('张伟').followups]).toEqual([6, 3]);
    expect(['王磊', '李娜', '张伟'].map((k) => row(k).ranks.followups_per_week)).toEqual([1, 2, 3]);
    // weeks start on Monday: 2024-02-26 holds 03-01 … 03-03 (王磊 e1 电话, e5 电话)
    expect(r.followups_by_week.filter((x) => x.key === '王磊' && x.week_start === '2024-02-26')).toEqual([
      { week_start: '2024-02-26', key: '王磊', method: '电话', followups: 2 },
    ]);
    const total = r.followups_by_week.reduce((a, x) => a + x.followups, 0);
    expect(total).toBe(16);
  });

  it('timeliness floor: timely ÷ (timely + late + missed), pending and moot plans not judged', () => {
    const floor = (k: string) => r.floors.rows.find((x) => x.key === k)!;
    // 王磊: e1 e3 e5 e6 timely, e2 late → 4 ÷ 5 = 0.8 < 0.95
    expect(floor('王磊')).toMatchObject({ due: 5, timely: 4, late: 1, missed: 0, pending: 0, moot: 0, judged: 5, followup_timeliness: 0.8, timeliness_breach: true });
    // 李娜: e8 e10 e11 timely, e9 missed, e13 moot → 3 ÷ 4 = 0.75
    expect(floor('李娜')).toMatchObject({ due: 5, timely: 3, late: 0, missed: 1, pending: 0, moot: 1, judged: 4, followup_timeliness: 0.75, timeliness_breach: true });
    // 张伟: e14 timely, e17 (赵强's plan) timely credited to 张伟 who did it, e15 due on as_of pending → 2 ÷ 2
    expect(floor('张伟')).toMatchObject({ due: 3, timely: 2, late: 0, missed: 0, pending: 1, moot: 0, judged: 2, followup_timeliness: 1, timeliness_breach: false });
    expect(r.floors.breaches).toEqual(['王磊', '李娜']);
    expect(['王磊', '李娜', '张伟'].map((k) => row(k).ranks.followup_timeliness)).toEqual([2, 3, 1]);
    const complaint = r.floors.indicators.find((i) => i.id === 'complaint_rate')!;
    expect(complaint).toMatchObject({ available: false, threshold: 0.01 });
    expect(floor('王磊').complaint_rate).toBeNull();
    // 5 + 4 + 2 = 11 plans judged company-wide, 4 + 3 + 2 = 9 timely
    expect(r.totals).toMatchObject({ plans_judged: 11, followup_timeliness: 9 / 11 });
  });

  it('drills into the late follow-ups of a rep', async () => {
    const ctx = { connection: w.connection, params: PARAMS, config: config() };
    const late = await performanceFamily.drill!(ctx, { target: 'late_followups', keys: { group: '王磊' }, limit: 10 });
    expect(late.rows).toEqual([
      expect.objectContaining({ opportunity_id: 'O1', owner: '王磊', status: 'late', due_date: '2024-03-10', done_at: '2024-03-12 09:00', days_after_due: 2, plan_event_id: 'e2', done_event_id: 'e3' }),
    ]);
    const missed = await performanceFamily.drill!(ctx, { target: 'late_followups', keys: { group: '李娜' }, limit: 10 });
    expect(missed.rows).toEqual([expect.objectContaining({ opportunity_id: 'O3', status: 'missed', due_date: '2024-03-20', done_at: null, days_after_due: 11 })]);
    const credited = await performanceFamily.drill!(ctx, { target: 'plans', keys: { group: '张伟', status: 'timely' }, limit: 10 });
    expect(credited.rows.map((x) => [(x as { plan_event_id: string }).plan_event_id, (x as { planner: string }).planner])).toEqual([['e17', '赵强'], ['e14', '张伟']]);
    const revenue = await performanceFamily.drill!(ctx, { target: 'revenue', keys: { group: '李娜' }, limit: 10 });
    expect(revenue.rows.map((x) => (x as { amount: number }).amount)).toEqual([8000, 2000, -2000]);
    const target = await performanceFamily.drill!(ctx, { target: 'target', keys: { group: '李娜' }, limit: 10 });
    expect(target.rows).toEqual([expect.objectContaining({ period_start: '2024-01-01', period_end: '2024-03-31', days_counted: 31, target_days: 91, actual: 8000 })]);
  });

  it('every drill target answers, for one group and for all', async () => {
    const ctx = { connection: w.connection, params: PARAMS, config: config() };
    const counts: Record<string, number> = {};
    for (const target of Object.keys(performanceFamily.drillTargets!)) {
      counts[target] = (await performanceFamily.drill!(ctx, { target, keys: { group: '李娜' }, limit: 100 })).rows.length;
      await performanceFamily.drill!(ctx, { target, keys: {}, limit: 100 });
    }
    // revenue: SO4 ×2 + SO4C; new: C4; target: Q1; closed: O4; follow-ups: e8–e13; plans: e8 e9 e10 e11 e13;
    // late: e9; customers: C3 C4; reps: 李娜
    expect(counts).toEqual({ revenue: 3, new_customers: 1, target: 1, closed_deals: 1, followups: 6, plans: 5, late_followups: 1, customers: 2, active_reps: 1 });
    await expect(performanceFamily.drill!(ctx, { target: 'nope', keys: {}, limit: 1 })).rejects.toThrow(/no drill target/);
  });

  it('scorecard: missing inputs left out, their weight spread proportionally', () => {
    // base weights: performance 0.4 → completion 0.2, new customers 0.2; customer value 0.3 → 0.1 each of
    // three; ability 0.2 → 0.1 each of two; team 0.1 → 0.05 each of two
    expect(r.scorecard.missing_inputs.map((m) => m.id)).toEqual(['satisfaction', 'training_score', 'data_usage', 'collaboration']);
    // present everywhere: 0.2 + 0.2 + 0.1 + 0.1 + 0.05 = 0.65 → 4/13, 4/13, 2/13, 2/13, 1/13
    expect(r.scorecard.effective_weights.revenue_completion).toBeCloseTo(4 / 13, 12);
    expect(r.scorecard.effective_weights.team_completion).toBeCloseTo(1 / 13, 12);
    expect(r.scorecard.effective_weights.satisfaction).toBe(0);

    // 王磊: completion 0.8 → 100 × 0.8 ÷ 1.5 = 160/3; new customers 1 of the best 2 → 50; high value: C1
    // (R 26 days, 3 orders, M 33,000 above 5 of 6) of C1 C2 → 50; repeat: C1 (ordered before March)
    // ordered again → 100; team A组 48,000 ÷ 60,000 = 0.8 → 160/3
    // total = (4 × 160/3 + 4 × 50 + 2 × 50 + 2 × 100 + 1 × 160/3) ÷ 13 = 2300/39
    const wang = score('王磊');
    expect(wang.sub_scores).toMatchObject({ new_customers: 50, high_value_share: 50, repeat_purchase_rate: 100 });
    expect(wang.sub_scores.revenue_completion).toBeCloseTo(160 / 3, 10);
    expect(wang.sub_scores.team_completion).toBeCloseTo(160 / 3, 10);
    expect(wang.total).toBeCloseTo(2300 / 39, 10);
    expect(wang).toMatchObject({ customers: 2, high_value_customers: 1, existing_customers: 1, repeat_customers: 1 });

    // 李娜: completion 728/930 → 100 × 728/930 ÷ 1.5; new 50; high value 0 of 2; repeat: C3 did not
    // order in March → 0; team 160/3. total = (4 × 52.1864 + 4 × 50 + 0 + 0 + 160/3) ÷ 13
    const li = score('李娜');
    const liCompletion = (100 * (728 / 930)) / 1.5;
    expect(li.sub_scores.high_value_share).toBe(0);
    expect(li.sub_scores.repeat_purchase_rate).toBe(0);
    expect(li.total).toBeCloseTo((4 * liCompletion + 4 * 50 + 160 / 3) / 13, 10);

    // 张伟: no target, no team target, no customer before March (repeat rate 0 ÷ 0): only new customers
    // (100) and high-value share (0) remain: 0.2 ÷ 0.3 = 2/3 and 1/3 → total 66.67
    const zhang = score('张伟');
    expect(zhang.missing_inputs).toEqual(['revenue_completion', 'repeat_purchase_rate', 'satisfaction', 'training_score', 'data_usage', 'team_completion', 'collaboration']);
    expect(zhang.effective_weights.new_customers).toBeCloseTo(2 / 3, 12);
    expect(zhang.effective_weights.high_value_share).toBeCloseTo(1 / 3, 12);
    expect(zhang.total).toBeCloseTo(200 / 3, 10);
    expect(zhang.dimension_scores).toEqual({ performance: 100, customer_value: 0, ability: null, team: null });

    expect(r.scorecard.rows.map((x) => [x.key, x.rank])).toEqual([['张伟', 1], ['王磊', 2], ['李娜', 3]]);
    for (const x of r.scorecard.rows) expect(SCORE_INPUT_IDS.reduce((s, id) => s + x.effective_weights[id], 0)).toBeCloseTo(1, 12);
  });

  it('team level: per-capita output = revenue ÷ reps active in the period', async () => {
    const t = await computePerformance({ connection: w.connection, params: { ...PARAMS, by: 'team' }, config: config() });
    // A组: 40,000 + 8,000 = 48,000 ÷ 2 (王磊 李娜) = 24,000; B组: 40,000 ÷ 1 (张伟; 赵强 left 02-20)
    expect(t.leaderboard.map((x) => [x.key, x.region, x.revenue, x.active_reps, x.per_capita_output, x.ranks.per_capita_output, x.target_completion])).toEqual([
      ['A组', '华东', 48000, 2, 24000, 2, 0.8],
      ['B组', '华南', 40000, 1, 40000, 1, null],
    ]);
    // timeliness per team: A组 (4 + 3) ÷ (5 + 4) = 7/9; B组 2 ÷ 2
    expect(t.floors.rows.map((x) => [x.key, x.timely, x.judged])).toEqual([['A组', 7, 9], ['B组', 2, 2]]);
  });

  it('filters: owner selects reps; product narrows facts and switches target completion off', async () => {
    const one = await computePerformance({ connection: w.connection, params: { ...PARAMS, filters: { owner: ['李娜'] } }, config: config() });
    expect(one.leaderboard.map((x) => [x.key, x.revenue, x.followups])).toEqual([['李娜', 8000, 6]]);
    // the team's completion is still the whole team's (48,000 ÷ 60,000)
    expect(one.scorecard.rows[0]!.values.team_completion).toBe(0.8);
    const product = await computePerformance({ connection: w.connection, params: { ...PARAMS, filters: { product: ['产品乙'] } }, config: config() });
    expect(product.leaderboard.every((x) => x.revenue === 0 && x.target_completion === null)).toBe(true);
    expect(product.scorecard.missing_inputs.map((m) => m.id)).toContain('revenue_completion');
  });

  it('headline: only the totals asked for, each equal to the whole family\'s', async () => {
    // the overview's key figures: 88,000 over 5 orders (see above) = 17,600 per order, 4 new customers
    const kpis = await computePerformanceHeadline({ connection: w.connection, params: PARAMS, config: config() }, ['revenue', 'new_customers', 'avg_order_value']);
    expect(kpis.totals).toEqual({ revenue: 88000, new_customers: 4, avg_order_value: 17600 });
    // every total, one at a time (so each runs only its own queries), under filters and levels
    const all = Object.keys(r.totals) as PerformanceTotal[];
    for (const params of [PARAMS, { ...PARAMS, by: 'team' as const }, { ...PARAMS, filters: { owner: ['李娜'] } }, { ...PARAMS, filters: { product: ['产品乙'] } }]) {
      const whole = await computePerformance({ connection: w.connection, params, config: config() });
      for (const field of all) {
        const one = await computePerformanceHeadline({ connection: w.connection, params, config: config() }, [field]);
        expect(one.totals, `${field} for ${JSON.stringify(params)}`).toEqual({ [field]: whole.totals[field] });
      }
    }
    await expect(computePerformanceHeadline({ connection: w.connection, params: PARAMS, config: config() }, ['revenu'])).rejects.toThrow(/no total revenu/);
  });

  it('lays the figures out as workbook tables', () => {
    const tables = performanceFamily.tables(r);
    expect(tables.map((t) => t.name)).toEqual(['Leaderboard', 'Scorecard', 'Floors', 'Follow-ups by week', 'About']);
    const lb = tables[0]!;
    expect(lb.rows).toHaveLength(3);
    expect(lb.columns.map((c) => c.key)).toEqual(expect.arrayContaining(['revenue', 'rank_revenue', 'method_电话', 'conversion_潜在接触', 'followup_timeliness']));
    expect(tables[1]!.title_en).toContain('not available: Customer satisfaction, Training score, Data usage, Collaboration score');
    for (const t of tables) expect(t.name).not.toMatch(/[[\]:*?/\\]/);
  });
});

/** Filters whose narrowed results must equal the whole computed, then filtered. */
const NARROWING_CASES: ResolvedParams['filters'][] = [
  { owner: ['王磊'] }, { owner: ['张伟'] }, { owner: ['赵强'] }, { owner: ['李娜', '张伟'] },
  { team: ['A组'] }, { team: ['B组'] }, { region: ['华南'] }, { team: ['B组'], owner: ['张伟'] },
  { product: ['不存在'] }, { source: ['官网'], team: ['A组'] },
];

describe('plans under filters', () => {
  it('narrowing the window to the opportunities a filter can reach loses no plan the filter selects', async () => {
    // reference: every plan computed without filters, then the filter applied to the plans.
    // O7 is 赵强's here, so 张伟 reaches e17 only by having done its follow-up (e18).
    const opportunities = OPPORTUNITIES.map((o) => (o.opportunity_id === 'O7' ? { ...o, owner: '赵强' } : o));
    const w = await createFixtureWarehouse({ reps: REPS, customers: CUSTOMERS, orders: ORDERS, opportunities, stage_events: EVENTS, targets: TARGETS });
    try {
      const plans = async (computedWith: ResolvedParams['filters'], selectedBy: ResolvedParams['filters']) =>
        queryRows(w.connection, `WITH ${plansCte({ ...PARAMS, filters: computedWith })}
          SELECT event_id, done_event_id, status, rep, rep_team, rep_region FROM plans WHERE ${attributedFilterSql(selectedBy)} ORDER BY event_id`);
      for (const filters of NARROWING_CASES) {
        const reference = await plans({}, filters);
        expect(await plans(filters, filters), JSON.stringify(filters)).toEqual(reference);
      }
      // 张伟 is credited with e17 (赵强's plan on 赵强's deal, followed up by 张伟), and e14, e15 of his own
      expect((await plans({ owner: ['张伟'] }, { owner: ['张伟'] })).map((p) => (p as { event_id: string }).event_id)).toEqual(['e14', 'e15', 'e17']);
    } finally {
      w.close();
    }
  });

  it('narrowing the follow-up records to the opportunities a filter can reach loses no record the filter selects', async () => {
    // reference: every record of March without filters, then the filter applied to the records.
    // O7 is 赵强's here, and e19 on it has no owner, so it is credited to 赵强 through O7.
    const opportunities = OPPORTUNITIES.map((o) => (o.opportunity_id === 'O7' ? { ...o, owner: '赵强' } : o));
    const events = [...EVENTS, { ...ev('e19', 'O7', '03-10 09:00', '', '电话', null), owner: null }];
    const w = await createFixtureWarehouse({ reps: REPS, customers: CUSTOMERS, orders: ORDERS, opportunities, stage_events: events, targets: TARGETS });
    try {
      const records = async (computedWith: ResolvedParams['filters'], selectedBy: ResolvedParams['filters']) =>
        queryRows<{ event_id: string }>(w.connection, `WITH ${eventsCte({ ...PARAMS, filters: computedWith })}
          SELECT event_id, rep, rep_team, rep_region FROM ev WHERE ${attributedFilterSql(selectedBy)} ORDER BY event_id`);
      for (const filters of NARROWING_CASES) {
        const reference = await records({}, filters);
        expect(await records(filters, filters), JSON.stringify(filters)).toEqual(reference);
      }
      // in March, 张伟 has e14, e15 (O5) and e18 (on 赵强's O7); 赵强 only e19 (his e17 is from February)
      expect((await records({ owner: ['张伟'] }, { owner: ['张伟'] })).map((r) => r.event_id)).toEqual(['e14', 'e15', 'e18']);
      expect((await records({ owner: ['赵强'] }, { owner: ['赵强'] })).map((r) => r.event_id)).toEqual(['e19']);
    } finally {
      w.close();
    }
  });
});

describe('follow-up of a plan when records share a time', () => {
  it('is the first record (smallest event_id) at the next later time, never a record at the same time', async () => {
    // O8: e30 at 03-01 plans 03-05; e31 and e32 both at 03-07 10:00 plan 03-08; e33 at 03-08 09:00.
    //  e30 → next later time 03-07: e31 and e32, smallest id e31 (李娜) → done 03-07 > due 03-05: late, credited to 李娜
    //  e31, e32 → next later time 03-08 (not each other): e33 (王磊) → done 03-08 ≤ due 03-08: timely, credited to 王磊
    //  e33 plans nothing. Due in March: 3 plans; 王磊 2 timely, 李娜 1 late.
    const w = await createFixtureWarehouse({
      reps: REPS,
      opportunities: [{ opportunity_id: 'O8', owner: '王磊', team: 'A组', region: '华东', stage: '潜在接触', status: 'open', created_at: '2024-02-20' }],
      stage_events: [
        ev('e32', 'O8', '03-07 10:00', '张伟', '微信', '03-08'),
        ev('e30', 'O8', '03-01 10:00', '王磊', '电话', '03-05'),
        ev('e33', 'O8', '03-08 09:00', '王磊', '面谈', null),
        ev('e31', 'O8', '03-07 10:00', '李娜', '电话', '03-08'),
      ],
    });
    try {
      const plans = await queryRows(w.connection, `WITH ${plansCte(PARAMS)} SELECT event_id, done_event_id, status, rep FROM plans ORDER BY event_id`);
      expect(plans).toEqual([
        { event_id: 'e30', done_event_id: 'e31', status: 'late', rep: '李娜' },
        { event_id: 'e31', done_event_id: 'e33', status: 'timely', rep: '王磊' },
        { event_id: 'e32', done_event_id: 'e33', status: 'timely', rep: '王磊' },
      ]);
    } finally {
      w.close();
    }
  });
});

describe('performance without orders, and on an empty warehouse', () => {
  it('falls back to won deals by closed_at (the targets family rule); customer inputs are left out', async () => {
    const opportunities = OPPORTUNITIES.map((o) => (o.opportunity_id === 'O1' ? { ...o, customer_name: '客户一' } : o.opportunity_id === 'O4' ? { ...o, customer_name: '客户四' } : o));
    const w = await createFixtureWarehouse({ reps: REPS, opportunities, stage_events: EVENTS, targets: TARGETS });
    try {
      const r = await computePerformance({ connection: w.connection, params: PARAMS, config: config() });
      expect(r.revenue_basis).toBe('won_opportunities');
      // O1 won 03-20 30,000 (王磊), O4 won 03-12 12,000 (李娜): one "order" each; their customers' first wins
      expect(r.leaderboard.map((x) => [x.key, x.revenue, x.orders, x.avg_order_value, x.new_customers])).toEqual([
        ['王磊', 30000, 1, 30000, 1],
        ['李娜', 12000, 1, 12000, 1],
        ['张伟', 0, 0, null, 0],
      ]);
      // 30,000 ÷ 50,000; 12,000 ÷ (30,000 × 31 ÷ 91)
      expect(r.leaderboard[0]!.target_completion).toBe(0.6);
      expect(r.leaderboard[1]!.target_completion).toBeCloseTo((12000 * 91) / (30000 * 31), 12);
      expect(r.scorecard.missing_inputs.filter((m) => m.id === 'high_value_share' || m.id === 'repeat_purchase_rate').map((m) => m.reason)).toEqual([
        'no orders in the warehouse: customer tiers and repeat purchases need orders',
        'no orders in the warehouse: customer tiers and repeat purchases need orders',
      ]);
      expect(r.notes.some((n) => n.startsWith('The warehouse has no orders'))).toBe(true);
    } finally {
      w.close();
    }
  });

  it('a plan’s follow-up is the first record at a strictly later time; same-time records are not it, ties go to the smallest event_id', async () => {
    // O9 (王磊): p1 at 03-05 10:00 plans 03-06. q at the same 10:00 (张伟) is not a follow-up.
    // At 03-06 09:00 two records: a2 (李娜) and a1's twin b9 (王磊); the smaller event_id, a2, is
    // the follow-up: timely (03-06 ≤ 03-06), credited to 李娜. a2 plans 03-08; nothing follows
    // by as_of 03-31 → missed, credited to the owner 王磊. Were q taken, 张伟 would be credited;
    // were b9 taken, 王磊 would have 2 plans.
    const w = await createFixtureWarehouse({
      reps: REPS,
      opportunities: [{ opportunity_id: 'O9', owner: '王磊', team: 'A组', region: '华东', stage: '需求挖掘', status: 'open', created_at: '2024-03-01' }],
      stage_events: [
        ev('p1', 'O9', '03-05 10:00', '王磊', '电话', '03-06'),
        ev('q', 'O9', '03-05 10:00', '张伟', '电话', null),
        ev('b9', 'O9', '03-06 09:00', '王磊', '面谈', null),
        ev('a2', 'O9', '03-06 09:00', '李娜', '面谈', '03-08'),
      ],
    });
    try {
      const r = await computePerformance({ connection: w.connection, params: PARAMS, config: config() });
      const floor = (k: string) => r.floors.rows.find((x) => x.key === k);
      expect(floor('李娜')).toMatchObject({ due: 1, timely: 1, late: 0, missed: 0 });
      expect(floor('王磊')).toMatchObject({ due: 1, timely: 0, late: 0, missed: 1 });
      expect(floor('张伟')?.due ?? 0).toBe(0);
    } finally {
      w.close();
    }
  });

  it('an empty warehouse gives empty tables, not an error', async () => {
    const w = await createFixtureWarehouse({});
    try {
      const r = await computePerformance({ connection: w.connection, params: PARAMS, config: config() });
      expect(r.leaderboard).toEqual([]);
      expect(r.totals).toMatchObject({ revenue: 0, followups: 0, followup_timeliness: null });
      expect(r.scorecard.inputs.every((i) => !i.supplied)).toBe(true);
      expect(performanceFamily.tables(r).map((t) => t.rows.length).slice(0, 4)).toEqual([0, 0, 0, 0]);
    } finally {
      w.close();
    }
  });
});

describe('performance SQL', () => {
  const input: PerformanceQueryInput = { params: PARAMS, level: 'owner', basis: 'orders', weekStart: 'monday', hasReps: true };
  it('reuses the targets family’s revenue relation and first sales', () => {
    const sql = salesSql(input);
    expect(sql).toContain('CASE WHEN o.is_cancellation THEN -abs(o.amount) ELSE o.amount END AS amount');
    expect(sql).toContain('QUALIFY row_number() OVER (PARTITION BY customer_key ORDER BY ts, ref_id, ref_line) = 1');
    expect(sql).toContain(`day BETWEEN DATE '2024-03-01' AND DATE '2024-03-31'`);
  });
  it('picks the target granularity covering most of the period, finer on a tie, pro rata', () => {
    const sql = targetSql(input, ['owner', 'team']);
    expect(sql).toContain('ORDER BY covered_days DESC, grain_months) = 1');
    expect(sql).toContain('sum(target * (date_diff(\'day\', o_from, o_to) + 1) / target_days) AS target');
    expect(sql).toContain(`(VALUES ('owner', 'rep'), ('team', 'team')) AS lv(level, dimension)`);
  });
  it('judges a plan by the next event strictly after it, at date granularity', () => {
    // the next distinct time's records (GROUPS frame), the smallest event_id among them
    expect(plansCte(PARAMS)).toContain('min(e.occurred_at) OVER w AS done_at, arg_min(e.rowid, e.event_id) OVER w AS done_rid');
    expect(plansCte(PARAMS)).toContain('PARTITION BY e.opportunity_id ORDER BY e.occurred_at GROUPS BETWEEN 1 FOLLOWING AND 1 FOLLOWING');
    expect(plansCte(PARAMS)).toContain('JOIN next_at n ON n.rid = p.rowid');
    const sql = timelinessSql(input);
    expect(sql).toContain(`WHEN pl.done_at IS NOT NULL AND pl.done_at::DATE <= pl.due_date THEN 'timely'`);
    expect(sql).toContain(`WHEN pl.due_date < DATE '2024-03-31' THEN 'missed'`);
    expect(sql).toContain('coalesce(pl.done_by, pl.opp_owner, pl.planner) AS rep');
  });
});

describe('performance invariants', () => {
  it('ranks are a standard competition ranking (1224)', () => {
    fc.assert(
      fc.property(fc.array(fc.option(fc.integer({ min: -5, max: 5 }), { nil: null }), { maxLength: 30 }), fc.constantFrom('desc' as const, 'asc' as const), (values, order) => {
        const ranks = competitionRanks(values, order);
        const better = (a: number, b: number) => (order === 'desc' ? a > b : a < b);
        values.forEach((v, i) => {
          if (v === null) return expect(ranks[i]).toBeNull();
          // 1 + the number strictly better; equal values share a rank
          expect(ranks[i]).toBe(1 + values.filter((u) => u !== null && better(u, v)).length);
        });
        // sorted, each rank is the previous one (a tie) or its position (the gap after a tie)
        const sorted = ranks.filter((x): x is number => x !== null).sort((a, b) => a - b);
        sorted.forEach((x, k) => expect(k === 0 ? x === 1 : x === sorted[k - 1] || x === k + 1).toBe(true));
      }),
      { seed: 20240331 },
    );
  });

  it('effective weights sum to 1 over the inputs present, in proportion to their base weights', () => {
    const fraction = fc.double({ min: 0, max: 1, noNaN: true });
    fc.assert(
      fc.property(fc.record({ performance: fraction, customer_value: fraction, ability: fraction, team: fraction }), fc.subarray(SCORE_INPUT_IDS), (weights, present) => {
        const base = baseWeights(weights);
        const has = (id: ScoreInputId) => present.includes(id);
        const eff = effectiveWeights(base, has);
        const presentBase = present.reduce((s, id) => s + base[id], 0);
        const sum = SCORE_INPUT_IDS.reduce((s, id) => s + eff[id], 0);
        if (presentBase > 0) expect(sum).toBeCloseTo(1, 9);
        else expect(sum).toBe(0);
        for (const id of SCORE_INPUT_IDS) {
          if (!has(id)) expect(eff[id]).toBe(0);
          else if (presentBase > 0) expect(eff[id]).toBeCloseTo(base[id] / presentBase, 9);
        }
      }),
      { seed: 7 },
    );
  });

  it('timeliness is in [0, 1] and every plan due is timely, late, missed, pending or moot', async () => {
    const eventArb = fc.record({
      opp: fc.integer({ min: 0, max: 3 }),
      day: fc.integer({ min: 1, max: 31 }),
      hour: fc.integer({ min: 8, max: 18 }),
      owner: fc.constantFrom('王磊', '李娜', '张伟'),
      plan: fc.option(fc.integer({ min: 0, max: 10 }), { nil: null }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(eventArb, { minLength: 1, maxLength: 15 }), fc.integer({ min: 1, max: 31 }), async (events, asOfDay) => {
        const day = (d: number) => `2024-03-${String(Math.min(d, 31)).padStart(2, '0')}`;
        const w = await createFixtureWarehouse({
          reps: REPS,
          opportunities: [0, 1, 2, 3].map((i) => ({ opportunity_id: `P${i}`, owner: ['王磊', '李娜', '张伟', '王磊'][i], status: i === 3 ? 'lost' : 'open', created_at: '2024-03-01', closed_at: i === 3 ? '2024-03-10' : null })),
          stage_events: events.map((e, i) => ({
            event_id: `x${i}`, opportunity_id: `P${e.opp}`, occurred_at: `${day(e.day)} ${String(e.hour).padStart(2, '0')}:00:00`, owner: e.owner, method: '电话',
            next_followup_at: e.plan === null ? null : `${day(e.day + e.plan)} 10:00:00`,
          })),
        });
        try {
          const res = await computePerformance({ connection: w.connection, params: { ...PARAMS, as_of: day(asOfDay), to: day(asOfDay) }, config: defaultConfig() });
          for (const f of res.floors.rows) {
            expect(f.timely + f.late + f.missed + f.pending + f.moot).toBe(f.due);
            expect(f.judged).toBe(f.timely + f.late + f.missed);
            if (f.followup_timeliness !== null) {
              expect(f.followup_timeliness).toBeGreaterThanOrEqual(0);
              expect(f.followup_timeliness).toBeLessThanOrEqual(1);
            } else expect(f.judged).toBe(0);
          }
          const due = events.filter((e) => e.plan !== null && e.day <= asOfDay && Math.min(e.day + e.plan, 31) <= asOfDay).length;
          expect(res.floors.rows.reduce((s, f) => s + f.due, 0)).toBe(due);
        } finally {
          w.close();
        }
      }),
      { numRuns: 30, seed: 31 },
    );
  });
});
