/**
 * Risk alerts on hand-worked data: one fixture in which every evaluated rule fires exactly once,
 * next to a near miss for each that must not fire; the SQL pinned where it carries a decision;
 * property tests over random warehouses.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig, type SalesightConfig } from '../../config/config.ts';
import type { MetricContext } from '../family.ts';
import type { ResolvedParams } from '../params.ts';
import { createFixtureWarehouse, type FixtureRows, type FixtureWarehouse } from '../testing/fixture-warehouse.ts';
import { stageSetById } from '../../config/stage-sets.ts';
import { RULES, RULE_IDS, ROW_KEYS_CAP } from './alerts-definitions.ts';
import {
  addDays,
  channelPeriod,
  coreRepeatSql,
  dormantSql,
  lastCompletedMonth,
  monthsBefore,
  monthShift,
  retentionAlertsSql,
  stagnationAlertsSql,
  timelinessAlertsSql,
} from './alerts-queries.ts';
import { alertsFamily, parseAlertId, type Alert, type AlertsResult } from './alerts.ts';

const AS_OF = '2026-06-30';
const params = (over: Partial<ResolvedParams> = {}): ResolvedParams => ({ from: '2024-07-01', to: AS_OF, as_of: AS_OF, filters: {}, by: null, ...over });

// ---------------------------------------------------------------------------------------------
// dates and SQL

describe('alerts: dates', () => {
  it('steps back by calendar months, clamping the day', () => {
    expect(monthsBefore('2026-10-31', 6)).toBe('2026-04-30');
    expect(monthsBefore('2026-10-31', 12)).toBe('2025-10-31');
    expect(monthsBefore('2026-03-31', 1)).toBe('2026-02-28');
    expect(monthsBefore('2024-03-31', 1)).toBe('2024-02-29');
    // a month's last day steps to a month's last day: half-years ending 06-30 and 12-31
    expect(monthsBefore('2026-06-30', 6)).toBe('2025-12-31');
    expect(monthsBefore('2026-02-28', 1)).toBe('2026-01-31');
    expect(monthsBefore('2026-04-15', 2)).toBe('2026-02-15');
    expect(monthShift('2026-01', -1)).toBe('2025-12');
    expect(addDays('2026-02-28', 1)).toBe('2026-03-01');
  });

  it('the last completed month is the as-of month only on its last day', () => {
    expect(lastCompletedMonth('2026-10-31')).toBe('2026-10');
    expect(lastCompletedMonth('2026-10-30')).toBe('2026-09');
    expect(lastCompletedMonth('2026-01-15')).toBe('2025-12');
  });
});

describe('alerts: SQL', () => {
  it('stagnation is the funnel’s, grouped per stage with the deals as rows', () => {
    const stages = { stage_set: 'default', stages: stageSetById('default')!.stages.map((s, i) => ({ position: i + 1, stage: s.stage, name_zh: s.name_zh, name_en: s.name_en, is_won: s.is_won ?? false, stagnation_days: s.is_won ? null : 15, probability: null })) };
    const sql = stagnationAlertsSql({ params: params(), stages, skippedStagesCountAsReached: true }, 50);
    expect(sql).toContain(`date_diff('day', b.stage_entered_at::DATE, DATE '2026-06-30') > t.days`);
    expect(sql).toContain(`list(s.opportunity_id ORDER BY s.dwell_days DESC, s.opportunity_id)[1:50] AS row_keys`);
    expect(sql).toContain(`o.stage_set = 'default' AND o.status = 'open'`);
  });

  it('timeliness: kept means a later record by the end of the planned day; closed deals and leavers are left out', () => {
    const sql = timelinessAlertsSql({ params: params(), window_from: '2026-03-31' }, 10, 50);
    expect(sql).toContain(`coalesce(next_touch_at < next_followup_at::DATE + INTERVAL 1 DAY, false) AS kept`);
    expect(sql).toContain(`next_followup_at::DATE BETWEEN DATE '2026-03-31' AND DATE '2026-06-30'`);
    expect(sql).toContain(`(p.kept OR p.closed_at IS NULL OR p.closed_at >= p.due_day + INTERVAL 1 DAY)`);
    expect(sql).toContain(`p.rep NOT IN (SELECT owner FROM reps WHERE left_at IS NOT NULL AND left_at <= DATE '2026-06-30')`);
    expect(sql).toContain(`HAVING count(*) >= 10`);
  });

  it('retention: employed on the start day, gone when left on or before as_of; no company row under a filter', () => {
    const sql = retentionAlertsSql({ params: params(), start: '2025-06-30' }, 50);
    expect(sql).toContain(`(x.hired_at IS NULL OR x.hired_at <= DATE '2025-06-30') AND (x.left_at IS NULL OR x.left_at > DATE '2025-06-30') AS at_start`);
    expect(sql).toContain(`x.left_at IS NOT NULL AND x.left_at <= DATE '2026-06-30' AS gone`);
    expect(sql).toContain(`SELECT 'company' AS kind`);
    const filtered = retentionAlertsSql({ params: params({ filters: { team: ['华东一组'] } }), start: '2025-06-30' }, 50);
    expect(filtered).not.toContain(`'company' AS kind`);
    expect(filtered).toContain(`x.team IN ('华东一组')`);
    // industry does not describe a rep: it matches none (the params.ts convention)
    expect(retentionAlertsSql({ params: params({ filters: { industry: ['零售'] } }), start: '2025-06-30' }, 50)).toContain('WHERE false');
  });

  it('channel windows: both compared months, up to as_of', () => {
    expect(channelPeriod(params(), 1)).toMatchObject({ from: '2026-05-01', to: '2026-06-30' });
    expect(channelPeriod(params({ as_of: '2026-06-15' }), 2)).toMatchObject({ from: '2026-03-01', to: '2026-06-15' });
  });

  it('core customers: high-value or A at the start of each half; dormant: tier or recency', () => {
    const h = { tables: ['t0', 't1', 't2'] as [string, string, string], days: ['2025-06-30', '2025-12-31', '2026-06-30'] as [string, string, string], filters: {} };
    const repeat = coreRepeatSql(h, 50);
    expect(repeat).toContain(`FROM t0 WHERE (tier = 'high_value' OR abc_class = 'A')`);
    expect(repeat).toContain(`b.day > c.after_day AND b.day <= c.through_day`);
    const dormant = dormantSql(h, 90);
    expect(dormant).toContain(`FROM t1 t JOIN t2 n USING (customer_id)`);
    expect(dormant).toContain(`t.tier = 'high_value' AND (n.tier IN ('dormant', 'low_value') OR n.recency_days >= 90)`);
    expect(() => dormantSql({ ...h, tables: ['t0', 'bad; DROP', 't2'] }, 90)).toThrow(/bad temp table/);
  });

  it('alert ids round-trip, keys may contain colons', () => {
    expect(parseAlertId('pipeline.stagnation:stage:需求挖掘')).toEqual({ rule: 'pipeline.stagnation', kind: 'stage', key: '需求挖掘' });
    expect(parseAlertId('channel.win_rate_drop:source:a:b')).toEqual({ rule: 'channel.win_rate_drop', kind: 'source', key: 'a:b' });
    expect(() => parseAlertId('nope:stage:x')).toThrow(/not an alert id/);
  });
});

// ---------------------------------------------------------------------------------------------
// The hand-worked fixture, as of 2026-06-30. Each block says what fires and what nearly does.

const ts = (day: string, time = '10:00') => `${day} ${time}:00`;

/** A lost deal worked by one rep: a record every 3 days, each planning the next; `missed` plans are due a day after their record, two days before the next one. */
function chain(id: string, rep: string, start: string, plans: number, missed: number[]) {
  const events: Record<string, unknown>[] = [];
  for (let k = 0; k <= plans; k++) {
    const day = addDays(start, 3 * k);
    const plan = k === plans ? null : ts(addDays(day, missed.includes(k) ? 1 : 3), '16:00');
    events.push({ opportunity_id: id, occurred_at: ts(day), owner: rep, method: '电话', next_followup_at: plan });
  }
  const last = addDays(start, 3 * plans);
  return {
    opportunity: { opportunity_id: id, owner: rep, stage: '需求挖掘', status: 'lost', created_at: ts('2026-03-25'), closed_at: ts(last, '11:00') },
    events,
  };
}

function closedDeals(source: string, month: string, won: number, lost: number, owner: string | null = null) {
  return Array.from({ length: won + lost }, (_, i) => ({
    opportunity_id: `CH-${source}-${month}-${i + 1}`,
    source,
    owner: i === won && owner ? owner : null,
    status: i < won ? 'won' : 'lost',
    stage: i < won ? '已成交' : '需求挖掘',
    amount: i < won ? 10000 : null,
    created_at: ts('2026-04-01'),
    closed_at: ts(`${month}-10`),
  }));
}

function monthlyOrders(customer: string, name: string, first: string, last: string, amount: number) {
  const out: Record<string, unknown>[] = [];
  for (let m = first; m <= last; m = monthShift(m, 1)) {
    out.push({ order_id: `${customer}-${m}`, customer_id: customer, customer_name: name, ordered_at: ts(`${m}-15`), amount, owner: '客服部', product: '数据分析平台' });
  }
  return out;
}

const rep = (owner: string, team: string, hired_at: string, left_at: string | null = null) => ({ owner, team, region: team.slice(0, 2), hired_at, left_at });
const target = (dimension: string, value: string, month: string, amount: number) => ({
  period_start: `${month}-01`, period_end: addDays(`${monthShift(month, 1)}-01`, -1), dimension, dimension_value: value, metric: 'revenue', tier: 'base', target_value: amount,
});
const guestOrder = (owner: string, day: string, amount: number) => ({ order_id: `G-${owner}-${day}`, customer_id: null, ordered_at: ts(day), amount, owner });

const C1 = chain('TL-赵强', '赵强', '2026-04-01', 10, [4]);
const C2 = chain('TL-周敏', '周敏', '2026-04-02', 20, [7]);
const C3 = chain('TL-陈浩', '陈浩', '2026-04-03', 9, [1, 2, 3]);

const FIXTURE: FixtureRows = {
  reps: [
    // retention, S = 2025-06-30. 华东一组: 王磊, 周敏, 陈浩, 刘洋 employed then (蒋军 had left by S); 刘洋 left → 3 / 4 = 75% < 80%: fires.
    rep('王磊', '华东一组', '2019-03-11'), rep('周敏', '华东一组', '2020-07-06'), rep('陈浩', '华东一组', '2021-09-13'),
    rep('刘洋', '华东一组', '2022-01-10', '2026-03-31'), rep('蒋军', '华东一组', '2021-01-01', '2025-05-31'),
    // near miss: 华东二组 5 employed on S (许晨 joined later), 吴静 left → 4 / 5 = 80%, not below 80%.
    rep('李娜', '华东二组', '2019-05-20'), rep('张伟', '华东二组', '2022-02-14'), rep('孙涛', '华东二组', '2023-06-03'),
    rep('朱丽', '华东二组', '2023-07-14'), rep('吴静', '华东二组', '2023-04-17', '2026-02-28'), rep('许晨', '华东二组', '2026-01-05'),
    // 华南一组: 郑凯 leaves after as_of, so still employed. Company: 12 on S, 10 left → 83.3%, no alert.
    rep('林志强', '华南一组', '2019-08-05'), rep('陈晓燕', '华南一组', '2020-11-16'), rep('郑凯', '华南一组', '2022-05-09', '2026-07-15'),
  ],
  opportunities: [
    // stagnation (threshold 15 days): A1 in 需求挖掘 since 06-01 = 29 days: fires; A2 in 方案提案 since 06-15 = 15 days: not over.
    { opportunity_id: 'A1', customer_name: '甲公司', owner: '王磊', stage: '需求挖掘', status: 'open', created_at: ts('2026-05-20'), stage_entered_at: ts('2026-06-01'), expected_amount: 200000 },
    { opportunity_id: 'A2', customer_name: '乙公司', owner: '李娜', stage: '方案提案', status: 'open', created_at: ts('2026-05-20'), stage_entered_at: ts('2026-06-15'), expected_amount: 100000 },
    // overdue: B1's only record plans 06-25 and nothing since: fires for 王磊; B2 plans 07-01, not yet due.
    { opportunity_id: 'B1', customer_name: '丙公司', owner: '王磊', stage: '潜在接触', status: 'open', created_at: ts('2026-06-20'), stage_entered_at: ts('2026-06-20'), expected_amount: 80000 },
    { opportunity_id: 'B2', customer_name: '丁公司', owner: '李娜', stage: '潜在接触', status: 'open', created_at: ts('2026-06-20'), stage_entered_at: ts('2026-06-20'), expected_amount: 60000 },
    // departed: 刘洋 left 03-31 and still owns D1: fires; 郑凯 leaves after as_of (D2), 吴静 owns only a lost deal (below).
    { opportunity_id: 'D1', customer_name: '戊公司', owner: '刘洋', stage: '潜在接触', status: 'open', created_at: ts('2026-03-01'), stage_entered_at: null, expected_amount: 50000 },
    { opportunity_id: 'D2', customer_name: '己公司', owner: '郑凯', stage: '潜在接触', status: 'open', created_at: ts('2026-06-20'), stage_entered_at: ts('2026-06-20'), expected_amount: 40000 },
    // timeliness chains (lost deals, no source)
    C1.opportunity, C2.opportunity, C3.opportunity,
    // channel (min 4 closed per month in this test's config): 展会 May 2/4 = 50% → June 1/4 = 25%: −50% fires;
    // 官网 50% → 2/5 = 40%: −20%; 电话 50% → 0/3: too few deals in June.
    ...closedDeals('展会', '2026-05', 2, 2), ...closedDeals('展会', '2026-06', 1, 3),
    ...closedDeals('官网', '2026-05', 2, 2, '吴静'), ...closedDeals('官网', '2026-06', 2, 3),
    ...closedDeals('电话', '2026-05', 2, 2), ...closedDeals('电话', '2026-06', 0, 3),
  ],
  stage_events: [
    { opportunity_id: 'B1', occurred_at: ts('2026-06-20'), to_stage: '潜在接触', owner: '王磊', method: '电话', next_followup_at: ts('2026-06-25', '16:00') },
    { opportunity_id: 'B2', occurred_at: ts('2026-06-20'), to_stage: '潜在接触', owner: '李娜', method: '电话', next_followup_at: ts('2026-07-01') },
    ...C1.events, ...C2.events, ...C3.events,
  ],
  targets: [
    // 王磊 60% then 30%: fires; 李娜 50% then 70% (not below); team 华南一组 10% then 80%.
    target('rep', '王磊', '2026-05', 100000), target('rep', '王磊', '2026-06', 100000),
    target('rep', '李娜', '2026-05', 100000), target('rep', '李娜', '2026-06', 100000),
    target('team', '华南一组', '2026-05', 100000), target('team', '华南一组', '2026-06', 100000),
  ],
  orders: [
    guestOrder('王磊', '2026-05-12', 60000), guestOrder('王磊', '2026-06-12', 30000),
    guestOrder('李娜', '2026-05-12', 50000), guestOrder('李娜', '2026-06-12', 70000),
    guestOrder('林志强', '2026-05-12', 10000), guestOrder('林志强', '2026-06-12', 80000),
    // K1 ordered ¥100,000 on the 15th of every month 2024-07 … 2025-12, then stopped.
    ...monthlyOrders('K1', '甲客户', '2024-07', '2025-12', 100000),
    // K2 ¥90,000 monthly 2025-01 … 2026-03, last on 2026-04-02: 89 days before as_of.
    ...monthlyOrders('K2', '乙客户', '2025-01', '2026-03', 90000),
    { order_id: 'K2-last', customer_id: 'K2', customer_name: '乙客户', ordered_at: ts('2026-04-02'), amount: 90000, owner: '客服部' },
    // eight small customers, one ¥1,000 order each on 2025-03-10 (so ten are scored on every date)
    ...Array.from({ length: 8 }, (_, i) => ({ order_id: `S${i + 1}-1`, customer_id: `S${i + 1}`, customer_name: `小客户${i + 1}`, ordered_at: ts('2025-03-10'), amount: 1000, owner: '客服部' })),
  ],
};

/** The shipped defaults, except channels.min_closed_for_alert (10) lowered to 4 to keep the fixture small. */
function fixtureConfig(over: Record<string, unknown> = {}): SalesightConfig {
  return parseConfig({ channels: { min_closed_for_alert: 4 }, ...over });
}

describe('alerts on the hand-worked fixture', () => {
  let w: FixtureWarehouse;
  let ctx: MetricContext;
  let r: AlertsResult;
  const only = (rule: string): Alert => {
    const list = r.alerts.filter((a) => a.rule === rule);
    expect(list, rule).toHaveLength(1);
    return list[0]!;
  };

  beforeAll(async () => {
    w = await createFixtureWarehouse(FIXTURE);
    ctx = { connection: w.connection, params: params(), config: fixtureConfig() };
    r = await alertsFamily.compute(ctx);
  });
  afterAll(() => w.close());

  it('every evaluated rule fires exactly once, on the planted subject', () => {
    expect(r.alerts.map((a) => a.id).sort()).toEqual(
      [
        'pipeline.stagnation:stage:需求挖掘',
        'pipeline.followup_overdue:rep:王磊',
        'pipeline.followup_timeliness:rep:赵强',
        'channel.win_rate_drop:source:展会',
        'team.rep_retention:team:华东一组',
        'team.departed_rep_open_deals:rep:刘洋',
        'team.target_completion:rep:王磊',
        'customer.core_repeat_rate_drop:company:all',
        'customer.high_value_dormant:customer:K1',
      ].sort(),
    );
    expect(r.counts).toMatchObject({ total: 9, rules_evaluated: 9, rules_not_evaluated: 3 });
    expect(r.counts.by_area).toEqual({ pipeline: 3, channel: 1, team: 3, customer: 2, market: 0 });
    expect(r.alerts.map((a) => a.severity)).toEqual([...r.alerts.map((a) => a.severity)].sort((a, b) => ['high', 'medium', 'low'].indexOf(a) - ['high', 'medium', 'low'].indexOf(b)));
  });

  it('stagnation: A1, 29 days in 需求挖掘, the only open deal there (100% → high)', () => {
    const a = only('pipeline.stagnation');
    // dwell = 2026-06-30 − 2026-06-01 = 29 > 15; 需求挖掘 has 1 open deal (the lost chains and channel deals are closed)
    expect(a.figures).toMatchObject({ stagnating: 1, open_in_stage: 1, share: 1, threshold_days: 15, longest_dwell_days: 29, expected_amount: 200000 });
    expect(a.severity).toBe('high');
    expect(a.rows).toEqual({ kind: 'opportunity', keys: ['A1'], count: 1, truncated: false });
    expect(a.related_drill).toEqual({ family: 'funnel', target: 'stagnating', keys: { stage: '需求挖掘' } });
    expect(a.detail_zh).toContain('1 个在途商机中有 1 个（100.0%）停留超过 15 天');
  });

  it('overdue: B1 was due 06-25, 5 days ago; half of 王磊’s open deals (A1, B1) → high', () => {
    const a = only('pipeline.followup_overdue');
    expect(a.figures).toMatchObject({ overdue: 1, open_deals_owned: 2, share_of_open_deals: 0.5, oldest_due: '2026-06-25', oldest_days_overdue: 5, rep_left_at: null });
    expect(a.severity).toBe('high');
    expect(a.rows.keys).toEqual(['B1']);
  });

  it('timeliness: 赵强 kept 9 of 10 plans (90% < 95%); missed 10% = 2 × the 5% allowed → medium', () => {
    const a = only('pipeline.followup_timeliness');
    // 10 plans due 04-04 … 05-01 (window 2026-04-01 … 06-30); plan 4 (made 04-13) was due 04-14, the next record came 04-16
    expect(a.figures).toMatchObject({ due: 10, missed: 1, timeliness: 0.9, floor: 0.95 });
    expect(a.severity).toBe('medium');
    expect(a.rows.count).toBe(1);
    // 周敏 kept 19 of 20 = 95% (not below), 陈浩 had only 9 plans due, 王磊 one (B1): none fires
    expect(r.alerts.filter((x) => x.rule === 'pipeline.followup_timeliness').map((x) => x.subject.key)).toEqual(['赵强']);
  });

  it('channel: 展会 50% → 25% is a 50% drop (> 30%, < 60% → medium); 官网 −20% and 电话 (3 deals) do not fire', () => {
    const a = only('channel.win_rate_drop');
    expect(a.subject.key).toBe('展会');
    expect(a.figures).toMatchObject({ relative_drop: 0.5, previous_win_rate: 0.5, current_win_rate: 0.25, previous_closed: 4, current_closed: 4, previous_window: '2026-05', current_window: '2026-06' });
    expect(a.severity).toBe('medium');
    // the 8 closed deals of both months, newest first
    expect(a.rows.count).toBe(8);
    expect(a.rows.keys.slice(0, 4).sort()).toEqual(['CH-展会-2026-06-1', 'CH-展会-2026-06-2', 'CH-展会-2026-06-3', 'CH-展会-2026-06-4']);
  });

  it('retention: 华东一组 3 of 4 = 75%; leavers 25% < 2 × 20% → medium; 华东二组 (80%) and the company (10/12) do not fire', () => {
    const a = only('team.rep_retention');
    expect(a.subject).toMatchObject({ kind: 'team', key: '华东一组' });
    expect(a.figures).toMatchObject({ employed_at_start: 4, retained: 3, retention: 0.75, minimum: 0.8 });
    expect(a.severity).toBe('medium');
    expect(a.rows).toMatchObject({ kind: 'rep', keys: ['刘洋'], count: 1 });
    expect(a.detail_zh).toContain('刘洋（2026-03-31）');
  });

  it('departed rep: 刘洋 left 03-31 and owns D1; 郑凯 (leaves 07-15) and 吴静 (a lost deal) do not fire', () => {
    const a = only('team.departed_rep_open_deals');
    expect(a.figures).toMatchObject({ open_deals: 1, customers: 1, expected_amount: 50000, left_at: '2026-03-31' });
    expect(a.severity).toBe('high');
    expect(a.rows.keys).toEqual(['D1']);
  });

  it('target completion: 王磊 60% (May) then 30% (June), the latest below 35% → high; 李娜 and 华南一组 do not fire', () => {
    const a = only('team.target_completion');
    expect(a.subject).toMatchObject({ kind: 'rep', key: '王磊' });
    // ¥60,000 ÷ ¥100,000 and ¥30,000 ÷ ¥100,000 (guest orders by ordered_at, credited to orders.owner)
    expect(a.figures).toMatchObject({ months: 2, minimum: 0.7, latest_month: '2026-06', latest_progress: 0.3, latest_actual: 30000, latest_target: 100000, first_progress: 0.6 });
    expect(a.severity).toBe('high');
    expect(a.rows).toMatchObject({ kind: 'month', keys: ['2026-05', '2026-06'], count: 2 });
  });

  it('core repeat purchase: 2 of 2 core customers bought again in 2025 H2, 1 of 2 in 2026 H1: −50% → high', () => {
    const a = only('customer.core_repeat_rate_drop');
    // core on 2025-06-30: K1 (high value: R 15, 12 orders, top M) and K2 (ABC A: ¥1.2M before it < 80% of ¥1,748,000);
    // core on 2025-12-31: K1 and K2 (both high value: 12 orders in 2025, R 16, M percentiles 0.9 and 0.8).
    // 2026 H1: K2 ordered, K1 did not. (1 − 0.5) ÷ 1 = 50% ≥ 2 × 10%.
    expect(a.figures).toMatchObject({
      previous_core: 2, previous_repeated: 2, previous_rate: 1, current_core: 2, current_repeated: 1, current_rate: 0.5, relative_drop: 0.5, point_drop: 0.5,
      previous_half: '2025-07-01..2025-12-31', current_half: '2026-01-01..2026-06-30',
    });
    expect(a.severity).toBe('high');
    expect(a.rows).toMatchObject({ kind: 'customer', keys: ['K1'], count: 1 });
  });

  it('high value → dormant: K1 (high value and A on 2025-12-31, no order for 197 days); K2 (89 days) does not fire', () => {
    const a = only('customer.high_value_dormant');
    // 2025-12-15 → 2026-06-30: 16 + 31 + 28 + 31 + 30 + 31 + 30 = 197 days. K1 is "regular" by tier (6 orders in the
    // 12-month window are more than the dormant tier's 2): the recency half of the dormant rule is what fires.
    expect(a.figures).toMatchObject({ tier_then: 'high_value', abc_then: 'A', monetary_then: 1200000, tier_now: 'regular', recency_days_now: 197, last_order_date: '2025-12-15' });
    expect(a.severity).toBe('high');
    expect(a.related_drill).toEqual({ family: 'customer-timeline', target: 'timeline', keys: { customer: 'K1' } });
  });

  it('a repeat-rate drop exactly at the threshold does not fire', async () => {
    const r2 = await alertsFamily.compute({ ...ctx, config: fixtureConfig({ alerts: { core_repeat_rate_drop: 0.5 } }) });
    expect(r2.alerts.some((a) => a.rule === 'customer.core_repeat_rate_drop')).toBe(false);
    expect(r2.alerts).toHaveLength(8);
  });

  it('lists every rule, the three without inputs as not evaluated with the reason', () => {
    expect(r.rules.map((x) => x.id)).toEqual([...RULE_IDS]);
    const notEvaluated = r.rules.filter((x) => !x.evaluated);
    expect(notEvaluated.map((x) => x.id)).toEqual(['customer.complaint_rate', 'market.industry_growth_decline', 'market.competitor_share_rise']);
    for (const x of notEvaluated) expect(x.reason_if_not).toMatch(/No .* in the warehouse/);
    expect(r.rules.find((x) => x.id === 'customer.complaint_rate')!.threshold).toBe(0.02);
    for (const x of r.rules) expect(x.alerts).toBe(r.alerts.filter((a) => a.rule === x.id).length);
  });

  it('drills to exactly the rows behind each alert', async () => {
    for (const a of r.alerts) {
      const t = await alertsFamily.drill!(ctx, { target: 'rows', keys: { alert: a.id }, limit: 1000 });
      expect(t.rows, a.id).toHaveLength(a.rows.count);
      const first = t.columns[0]!.key;
      const keyColumn = a.rows.kind === 'follow_up_plan' ? 'event_id' : a.rows.kind === 'customer' ? 'customer_id' : a.rows.kind === 'rep' ? 'owner' : a.rows.kind === 'month' ? 'month' : 'opportunity_id';
      expect(t.columns.map((c) => c.key), `${a.id} (first column ${first})`).toContain(keyColumn);
      expect((t.rows as Record<string, unknown>[]).map((x) => x[keyColumn])).toEqual(a.rows.keys);
    }
    await expect(alertsFamily.drill!(ctx, { target: 'rows', keys: { alert: 'pipeline.stagnation:stage:方案提案' }, limit: 10 })).rejects.toThrow(/no alert/);
    await expect(alertsFamily.drill!(ctx, { target: 'nope', keys: {}, limit: 10 })).rejects.toThrow(/no drill target/);
  });

  it('lays the alerts and the rules out as two sheets', () => {
    const [alerts, rules] = alertsFamily.tables(r);
    expect(alerts!.rows).toHaveLength(9);
    expect(rules!.rows).toHaveLength(RULE_IDS.length);
    expect(alerts!.columns.map((c) => c.key)).toContain('detail_zh');
  });

  it('filters: an owner filter keeps that rep’s deals, plans and targets only', async () => {
    const r3 = await alertsFamily.compute({ ...ctx, params: params({ filters: { owner: ['李娜'] } }) });
    // 李娜 has no stagnating or overdue deal, no leaver, her completion is fine: nothing about her fires,
    // and rules keyed on other reps are filtered out
    expect(r3.alerts.filter((a) => ['pipeline.stagnation', 'pipeline.followup_overdue', 'team.target_completion', 'team.departed_rep_open_deals'].includes(a.rule))).toEqual([]);
    // filtered to 赵强, his plans are all still read (the rule narrows to the deals he can be
    // credited on before its window): the same 9 of 10 kept as unfiltered
    const zq = await alertsFamily.compute({ ...ctx, params: params({ filters: { owner: ['赵强'] } }) });
    expect(zq.alerts.filter((a) => a.rule === 'pipeline.followup_timeliness').map((a) => [a.subject.key, a.figures.due, a.figures.missed])).toEqual([['赵强', 10, 1]]);
  });
});

// ---------------------------------------------------------------------------------------------
// spec coverage and properties

describe('alerts: rule catalogue', () => {
  it('covers every rule of spec §8, as worded there', () => {
    const specFile = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../../shared/spec/metrics.md');
    const text = fs.readFileSync(specFile, 'utf8');
    const section = text.slice(text.indexOf('## 8. Risk alerts'));
    const rows = section.split('\n').filter((l) => /^\| (pipeline|channel|team|customer|market)/.test(l));
    const spec = rows.flatMap((l) => {
      const [, area, rules] = l.split('|').map((c) => c.trim());
      return rules!.split('; ').map((rule) => `${area!.split(' ')[0]}: ${rule}`);
    });
    expect(spec.length).toBeGreaterThanOrEqual(10);
    const ours = new Set(Object.values(RULES).filter((d) => d.spec_rule).map((d) => `${d.area}: ${d.spec_rule}`));
    expect([...new Set(spec)].sort()).toEqual([...ours].sort());
    // rules beside the spec say so
    for (const d of Object.values(RULES)) expect(d.in_spec).toBe(d.spec_rule !== null);
  });
});

const REPS = ['王磊', '李娜', '赵强', '周敏'];
const STAGE_NAMES = ['潜在接触', '需求挖掘', '方案提案', '商务谈判', '成交待签约'];
const day = (offset: number) => addDays('2025-01-01', offset);

/**
 * Random warehouses shaped so every evaluated rule can fire: deals created over the whole span or
 * in its last quarter (stagnation, the two compared months), long follow-up chains (ten due plans
 * per rep), monthly buyers who start and stop (high value, dormant, repeat purchase) beside
 * one-order customers, and revenue targets for both of the last two months.
 */
const warehouseArb = fc.record({
  reps: fc.array(fc.record({ i: fc.nat(3), hired: fc.integer({ min: -400, max: 500 }), left: fc.option(fc.integer({ min: 0, max: 560 })), team: fc.constantFrom('一组', '二组') }), { maxLength: 4 }),
  opps: fc.array(
    fc.record({
      owner: fc.constantFrom(...REPS), stage: fc.nat(4), status: fc.constantFrom('open', 'won', 'lost'), source: fc.constantFrom('展会', '官网'),
      created: fc.oneof({ arbitrary: fc.integer({ min: 455, max: 540 }), weight: 2 }, { arbitrary: fc.integer({ min: 0, max: 540 }), weight: 1 }), entered: fc.integer({ min: 0, max: 60 }), closed: fc.integer({ min: 0, max: 60 }),
      events: fc.array(fc.record({ gap: fc.integer({ min: 1, max: 9 }), plan: fc.option(fc.integer({ min: -2, max: 8 })) }), { maxLength: 12 }),
    }),
    { maxLength: 14 },
  ),
  buyers: fc.array(
    fc.record({
      start: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 12 })),
      // 12–15 months from January 2025: a monthly buyer through 2025 who stopped by the spring
      months: fc.oneof(fc.integer({ min: 12, max: 15 }), fc.integer({ min: 1, max: 18 })),
      amount: fc.integer({ min: 1, max: 100 }),
    }),
    { maxLength: 3 },
  ),
  small: fc.array(fc.integer({ min: 0, max: 545 }), { minLength: 2, maxLength: 8 }),
  targets: fc.array(fc.record({ who: fc.constantFrom(...REPS), may: fc.integer({ min: 1, max: 200 }), june: fc.integer({ min: 1, max: 200 }) }), { maxLength: 3 }),
  minimum: fc.constantFrom(0.7, 0.99),
});

type RandomWarehouse = typeof warehouseArb extends fc.Arbitrary<infer T> ? T : never;

function randomRows(x: RandomWarehouse): FixtureRows {
  const seen = new Set<string>();
  const reps = x.reps.filter((r) => !seen.has(REPS[r.i]!) && seen.add(REPS[r.i]!)).map((r) => ({
    owner: REPS[r.i]!, team: r.team, hired_at: day(r.hired), left_at: r.left === null ? null : day(Math.max(r.hired + 1, r.left)),
  }));
  const opps: Record<string, unknown>[] = [];
  const events: Record<string, unknown>[] = [];
  x.opps.forEach((o, i) => {
    const id = `O${i}`;
    const created = o.created;
    const closed = o.status === 'open' ? null : ts(day(created + o.closed));
    opps.push({ opportunity_id: id, owner: o.owner, source: o.source, status: o.status, stage: o.status === 'won' ? '已成交' : STAGE_NAMES[o.stage],
      created_at: ts(day(created)), stage_entered_at: ts(day(created + o.entered)), closed_at: closed, expected_amount: 1000 * (i + 1) });
    let at = created;
    o.events.forEach((e, j) => {
      at += e.gap;
      events.push({ event_id: `${id}-${j}`, opportunity_id: id, occurred_at: ts(day(at)), owner: o.owner, next_followup_at: e.plan === null ? null : ts(day(at + e.plan), '16:00') });
    });
  });
  const orders: Record<string, unknown>[] = [];
  x.buyers.forEach((b, k) => {
    for (let m = 0; m < b.months && b.start + m <= 17; m++) {
      orders.push({ order_id: `B${k}-${m}`, customer_id: `K${k}`, customer_name: `K${k}`, ordered_at: ts(`${monthShift('2025-01', b.start + m)}-15`), amount: b.amount * 10000, owner: REPS[k % 4] });
    }
  });
  x.small.forEach((at, k) => orders.push({ order_id: `S${k}`, customer_id: `S${k}`, customer_name: `S${k}`, ordered_at: ts(day(at)), amount: 1000, owner: REPS[(k + 1) % 4] }));
  const targets = [...new Map(x.targets.map((t) => [t.who, t])).values()].flatMap((t) => [target('rep', t.who, '2026-05', t.may * 1000), target('rep', t.who, '2026-06', t.june * 1000)]);
  return { reps, opportunities: opps, stage_events: events, orders, targets };
}

describe('alerts: properties on random warehouses', () => {
  it('every alert names at least one row, drills to exactly its count, and the counts add up', async () => {
    const fired = new Set<string>();
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(warehouseArb, async (x) => {
        const w = await createFixtureWarehouse(randomRows(x));
        try {
          const config = parseConfig({ channels: { min_closed_for_alert: 1 }, alerts: { completion_min: x.minimum, rep_retention_min: x.minimum } });
          const ctx: MetricContext = { connection: w.connection, params: { from: '2025-01-01', to: '2026-06-30', as_of: '2026-06-30', filters: {}, by: null }, config };
          const r = await alertsFamily.compute(ctx);
          expect(r.rules.map((q) => q.id)).toEqual([...RULE_IDS]);
          expect(new Set(r.alerts.map((a) => a.id)).size).toBe(r.alerts.length);
          for (const a of r.alerts) {
            expect(a.rows.count, a.id).toBeGreaterThanOrEqual(1);
            expect(a.rows.keys.length).toBe(Math.min(a.rows.count, ROW_KEYS_CAP));
            expect(a.rows.truncated).toBe(a.rows.count > a.rows.keys.length);
            expect(a.drill).toEqual({ family: 'alerts', target: 'rows', keys: { alert: a.id } });
            // one drill-down per rule and warehouse keeps the run short
            if (fired.has(`${a.rule}@${runs}`)) continue;
            fired.add(`${a.rule}@${runs}`);
            const t = await alertsFamily.drill!(ctx, { target: 'rows', keys: { alert: a.id }, limit: 1000 });
            expect(t.rows.length, a.id).toBe(a.rows.count);
          }
          runs++;
          for (const q of r.rules) {
            expect(q.evaluated).toBe(q.reason_if_not === null);
            if (!q.evaluated) expect(q.alerts).toBe(0);
          }
          const sum = (o: Record<string, number>) => Object.values(o).reduce((s, n) => s + n, 0);
          expect(sum(r.counts.by_area)).toBe(r.alerts.length);
          expect(sum(r.counts.by_severity)).toBe(r.alerts.length);
        } finally {
          w.close();
        }
      }),
      { numRuns: 10 },
    );
    // not vacuous: the random warehouses do set off most rules
    const rules = new Set([...fired].map((f) => f.split('@')[0]));
    expect(rules.size, [...rules].join(', ')).toBeGreaterThanOrEqual(5);
  }, 120_000);

  it('raising a threshold never adds alerts of that rule', async () => {
    await fc.assert(
      fc.asyncProperty(warehouseArb, fc.double({ min: 0.05, max: 0.95, noNaN: true }), async (x, floor) => {
        const w = await createFixtureWarehouse(randomRows(x));
        try {
          const run = async (alerts: Record<string, number>) =>
            alertsFamily.compute({ connection: w.connection, params: { from: '2025-01-01', to: '2026-06-30', as_of: '2026-06-30', filters: {}, by: null }, config: parseConfig({ channels: { min_closed_for_alert: 1 }, alerts }) });
          const low = await run({ rep_retention_min: floor, completion_min: floor });
          const high = await run({ rep_retention_min: Math.min(1, floor + 0.04), completion_min: Math.min(1, floor + 0.04) });
          for (const rule of ['team.rep_retention', 'team.target_completion']) {
            const ids = (res: AlertsResult) => res.alerts.filter((a) => a.rule === rule).map((a) => a.id);
            // a stricter minimum flags a superset
            expect(ids(high)).toEqual(expect.arrayContaining(ids(low)));
          }
        } finally {
          w.close();
        }
      }),
      { numRuns: 5 },
    );
  }, 120_000);
});

describe('stagnation of deals whose export does not say when they entered their stage', () => {
  it('dates the entry from the follow-up record that moved them there', async () => {
    // Neither row has stage_entered_at; the records say X1 moved into 商务谈判 on 06-05 and X2 on
    // 06-20. As of 06-30 (threshold 15 days): X1 has sat 25 days and stagnates, X2 10 days does not.
    const w = await createFixtureWarehouse({
      opportunities: [
        { opportunity_id: 'X1', owner: '王磊', stage: '商务谈判', status: 'open', created_at: ts('2026-05-01'), stage_entered_at: null, expected_amount: 1000 },
        { opportunity_id: 'X2', owner: '王磊', stage: '商务谈判', status: 'open', created_at: ts('2026-05-01'), stage_entered_at: null, expected_amount: 2000 },
      ],
      stage_events: [
        { opportunity_id: 'X1', occurred_at: ts('2026-05-01'), to_stage: '需求挖掘', owner: '王磊', method: '电话' },
        { opportunity_id: 'X1', occurred_at: ts('2026-06-05'), from_stage: '需求挖掘', to_stage: '商务谈判', owner: '王磊', method: '面谈' },
        { opportunity_id: 'X2', occurred_at: ts('2026-06-20'), from_stage: '方案提案', to_stage: '商务谈判', owner: '王磊', method: '面谈' },
      ],
    });
    try {
      const ctx: MetricContext = { connection: w.connection, params: params(), config: fixtureConfig() };
      const r = await alertsFamily.compute(ctx);
      const stagnation = r.alerts.filter((a) => a.rule === 'pipeline.stagnation');
      expect(stagnation.map((a) => a.id)).toEqual(['pipeline.stagnation:stage:商务谈判']);
      expect(stagnation[0]!.figures).toMatchObject({ stagnating: 1, open_in_stage: 2, longest_dwell_days: 25, expected_amount: 1000 });
      const rows = await alertsFamily.drill!(ctx, { target: 'rows', keys: { alert: 'pipeline.stagnation:stage:商务谈判' }, limit: 10 });
      expect(rows.rows).toMatchObject([{ opportunity_id: 'X1', stage_entered_at: '2026-06-05', dwell_days: 25 }]);
    } finally {
      w.close();
    }
  });
});
