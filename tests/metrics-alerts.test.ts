/**
 * Risk alerts on the demo warehouse (`salesight demo`, built from data/sample), which the
 * generator (pipelines/demo/generate.ts) seeded with: stagnating deals in 需求挖掘 and 商务谈判, the
 * 渠道合作 channel collapsing from 2026-09, 杨帆 and 董洁 slumping from 2026-08-10, reps who follow
 * up late (谢婷, 孙涛, 唐亮), 邓超 leaving on 2026-07-15 with open deals, and big accounts that
 * stopped buying in April–May 2026. Figures checked against a reference computed independently
 * with Python's csv module from the raw exports (run from the repository root):
 *
 *   import csv, datetime
 *   D = 'data/sample/'
 *   def rows(f):
 *       with open(D + f, encoding='utf-8-sig', newline='') as fh:
 *           return list(csv.DictReader(fh))
 *   opps = rows('opportunities.csv')
 *   for m in ('2026-09', '2026-10'):
 *       closed = [o for o in opps if o['source'] == '渠道合作' and o['status'] in ('won', 'lost') and o['closed_at'][:7] == m]
 *       print(m, len(closed), sum(o['status'] == 'won' for o in closed))
 *   money = lambda s: float(s.replace('¥', '').replace(',', ''))
 *   orders, targets = rows('orders.csv'), rows('targets.csv')
 *   for rep in ('杨帆', '董洁'):
 *       for m in ('2026-09', '2026-10'):
 *           actual = sum(money(o['金额']) for o in orders if o['负责人'] == rep and o['下单时间'][:7] == m)
 *           t = [float(x['目标值(万元)']) * 10000 for x in targets if x['维度'] == 'rep' and x['维度值'] == rep
 *                and x['指标'] == 'revenue' and x['开始日期'] == m + '-01' and x['结束日期'][:7] == m]
 *           print(rep, m, actual, t)
 *   reps = rows('reps.csv')
 *   base = [r for r in reps if r['team'] == '华南二组' and r['hired_at'] <= '2025-10-31' and (not r['left_at'] or r['left_at'] > '2025-10-31')]
 *   print(len(base), [r['owner'] for r in base if r['left_at'] and r['left_at'] <= '2026-10-31'])
 *   last = max(o['下单时间'][:10] for o in orders if o['客户编号'] == 'KH00180')
 *   print('KH00180', last, (datetime.date(2026, 10, 31) - datetime.date.fromisoformat(last)).days)
 *
 *   → 2026-09 33 1
 *     2026-10 13 0
 *     杨帆 2026-09 1217018.0 [2030000.0]
 *     杨帆 2026-10 1278756.0 [2135000.0]
 *     董洁 2026-09 16641.0 [145000.0]
 *     董洁 2026-10 0 [145000.0]
 *     3 ['邓超']
 *     KH00180 2026-04-09 205
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../src/lib/config/config.ts';
import type { MetricContext } from '../src/lib/metrics/family.ts';
import { resolveParams } from '../src/lib/metrics/params.ts';
import { alertsFamily, type Alert, type AlertsResult } from '../src/lib/metrics/alerts/alerts.ts';
import { openReadOnly, type ReadOnlyWarehouse } from '../src/lib/warehouse/warehouse.server.ts';
import { runCli, tempDir } from './helpers.ts';

describe('risk alerts on the demo data', () => {
  const db = path.join(tempDir(), 'demo.duckdb');
  let warehouse: ReadOnlyWarehouse;
  let ctx: MetricContext;
  let result: AlertsResult;
  const of = (rule: string) => result.alerts.filter((a) => a.rule === rule);
  const find = (id: string): Alert => {
    const a = result.alerts.find((x) => x.id === id);
    expect(a, id).toBeDefined();
    return a!;
  };

  beforeAll(async () => {
    const r = runCli(['demo', '--db', db]);
    expect(r.code, r.stderr).toBe(0);
    warehouse = await openReadOnly(db);
    ctx = { connection: warehouse.connection, params: await resolveParams(warehouse.connection, {}), config: defaultConfig() };
    result = await alertsFamily.compute(ctx);
  }, 120_000);
  afterAll(() => warehouse?.close());

  it('is as of the demo’s last day, with every rule listed', () => {
    expect(result.as_of).toBe('2026-10-31');
    expect(result.rules.filter((r) => !r.evaluated).map((r) => r.id)).toEqual(['customer.complaint_rate', 'market.industry_growth_decline', 'market.competitor_share_rise']);
    expect(result.counts.total).toBe(result.alerts.length);
  });

  it('finds the stagnating deals, most of them in 需求挖掘 and 商务谈判', () => {
    const byCount = of('pipeline.stagnation').sort((a, b) => b.rows.count - a.rows.count);
    expect(byCount.slice(0, 2).map((a) => a.subject.key)).toEqual(['需求挖掘', '商务谈判']);
    expect(byCount[0]!.rows.count).toBeGreaterThanOrEqual(20);
  });

  it('finds the 渠道合作 collapse: 1 of 33 won in September, 0 of 13 in October', () => {
    const a = find('channel.win_rate_drop:source:渠道合作');
    expect(a.figures).toMatchObject({ previous_closed: 33, current_closed: 13, current_win_rate: 0, relative_drop: 1, previous_window: '2026-09', current_window: '2026-10' });
    expect(a.figures.previous_win_rate).toBeCloseTo(1 / 33, 12);
    expect(a.rows.count).toBe(46);
    expect(a.severity).toBe('high');
  });

  it('finds 杨帆 and 董洁 below 70% of target in September and October', () => {
    const yang = find('team.target_completion:rep:杨帆');
    expect(yang.figures.first_progress).toBeCloseTo(1217018 / 2030000, 9);
    expect(yang.figures.latest_progress).toBeCloseTo(1278756 / 2135000, 9);
    expect(yang.rows.keys).toEqual(['2026-09', '2026-10']);
    const dong = find('team.target_completion:rep:董洁');
    expect(dong.figures.first_progress).toBeCloseTo(16641 / 145000, 9);
    expect(dong.figures).toMatchObject({ latest_progress: 0, latest_actual: 0, latest_target: 145000 });
    expect(dong.severity).toBe('high');
  });

  it('finds the late followers: 唐亮, 谢婷 and 孙涛 have the lowest follow-up timeliness', () => {
    const worst = of('pipeline.followup_timeliness').sort((a, b) => Number(a.figures.timeliness) - Number(b.figures.timeliness));
    expect(worst.slice(0, 3).map((a) => a.subject.key).sort()).toEqual(['唐亮', '孙涛', '谢婷'].sort());
    for (const a of worst.slice(0, 3)) expect(a.severity).toBe('medium');
    // each also has open deals past their planned follow-up now
    for (const rep of ['谢婷', '孙涛', '唐亮']) expect(find(`pipeline.followup_overdue:rep:${rep}`).rows.count).toBeGreaterThan(0);
  });

  it('finds 邓超, who left on 2026-07-15: team 华南二组 keeps 2 of 3 reps, and his open deals have no owner', () => {
    const team = find('team.rep_retention:team:华南二组');
    expect(team.figures).toMatchObject({ employed_at_start: 3, retained: 2 });
    expect(team.rows.keys).toEqual(['邓超']);
    const deals = find('team.departed_rep_open_deals:rep:邓超');
    expect(deals.figures.left_at).toBe('2026-07-15');
    expect(deals.rows.count).toBeGreaterThanOrEqual(1);
    expect(deals.severity).toBe('high');
    // the company as a whole keeps 26 of 28: no company alert
    expect(result.alerts.some((a) => a.id === 'team.rep_retention:company:all')).toBe(false);
  });

  it('finds the key customers who stopped buying in spring 2026', () => {
    const dormant = of('customer.high_value_dormant');
    expect(dormant.length).toBeGreaterThanOrEqual(10);
    const spring = dormant.filter((a) => String(a.figures.last_order_date) >= '2026-03-01' && String(a.figures.last_order_date) <= '2026-05-31');
    expect(spring.length).toBeGreaterThanOrEqual(10);
    expect(find('customer.high_value_dormant:customer:KH00180').figures).toMatchObject({ last_order_date: '2026-04-09', recency_days_now: 205, tier_then: 'high_value' });
    // and the core customers' repeat-purchase rate drops half-year on half-year
    const repeat = find('customer.core_repeat_rate_drop:company:all');
    expect(Number(repeat.figures.relative_drop)).toBeGreaterThan(0.1);
    // those whose last order came before the half-year began are among its non-repeaters
    for (const a of spring.filter((x) => String(x.figures.last_order_date) < '2026-05-01')) expect(repeat.rows.keys).toContain(a.subject.key);
  });

  it('drills to exactly the rows behind one alert of each rule', async () => {
    const firstOfEach = [...new Map(result.alerts.map((a) => [a.rule, a])).values()];
    for (const a of firstOfEach) {
      const t = await alertsFamily.drill!(ctx, { target: 'rows', keys: { alert: a.id }, limit: 10_000 });
      expect(t.rows, a.id).toHaveLength(a.rows.count);
    }
  });

});
