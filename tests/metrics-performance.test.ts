/**
 * Performance indices on the demo warehouse (`salesight demo`, built from data/sample/), against
 * figures computed independently from the CSV files with Python's csv module (run from the
 * repository root):
 *
 * ```python
 * import csv
 * from collections import defaultdict
 * from datetime import datetime, date
 * S = 'data/sample/'
 * AS_OF = date(2026, 10, 31)
 * money = lambda s: float(s.replace('¥', '').replace(',', ''))
 * reps = {r['owner']: r for r in csv.DictReader(open(S + 'reps.csv', encoding='utf-8-sig'))}
 * orders = list(csv.DictReader(open(S + 'orders.csv', encoding='utf-8-sig')))
 * opps = {o['opportunity_id']: o for o in csv.DictReader(open(S + 'opportunities.csv', encoding='utf-8-sig'))}
 * first = {}
 * for o in sorted(orders, key=lambda o: (o['下单时间'], o['订单编号'])):
 *     first.setdefault(o['客户编号'], o)
 * targets = list(csv.DictReader(open(S + 'targets.csv', encoding='utf-8-sig')))
 * # 跟进记录.csv is GB18030; skip the three rows the ingest rejects (by the line their record starts on)
 * f = open(S + '跟进记录.csv', encoding='gb18030', newline='')
 * r = csv.reader(f); hdr = next(r); prev = r.line_num; ev = []
 * for row in r:
 *     start, prev = prev + 1, r.line_num
 *     if start not in (4795, 7994, 11192): ev.append(dict(zip(hdr, row)))
 * ts = lambda s: datetime.strptime(s, '%Y/%m/%d %H:%M')
 * by_opp = defaultdict(list)
 * for e in ev: by_opp[e['商机编号']].append(e)
 *
 * def timeliness(a, b):
 *     """timely and judged plans due in [a, b], credited to who followed up, else the deal's owner"""
 *     timely, judged = defaultdict(int), defaultdict(int)
 *     for e in ev:
 *         if not e['下次跟进时间']: continue
 *         due = ts(e['下次跟进时间']).date()
 *         if not (a <= str(due) <= b): continue
 *         later = [n for n in by_opp[e['商机编号']] if ts(e['跟进时间']) < ts(n['跟进时间']) and ts(n['跟进时间']).date() <= AS_OF]
 *         nxt = min(later, key=lambda n: ts(n['跟进时间'])) if later else None
 *         who = nxt['跟进人'] if nxt else opps[e['商机编号']]['owner']
 *         if nxt and ts(nxt['跟进时间']).date() <= due: timely[who] += 1; judged[who] += 1
 *         elif nxt or due < AS_OF: judged[who] += 1
 *     return timely, judged
 *
 * A, B = '2026-09-01', '2026-09-30'
 * rev, ords, new, touches, won, closed = defaultdict(float), defaultdict(set), defaultdict(int), defaultdict(int), defaultdict(int), defaultdict(int)
 * for o in orders:
 *     if A <= o['下单时间'][:10] <= B: rev[o['负责人']] += money(o['金额']); ords[o['负责人']].add(o['订单编号'])
 * for o in first.values():
 *     if A <= o['下单时间'][:10] <= B: new[o['负责人']] += 1
 * target = {t['维度值']: float(t['目标值(万元)']) * 10000 for t in targets if (t['开始日期'], t['结束日期'], t['维度'], t['指标']) == (A, B, 'rep', 'revenue')}
 * for e in ev:
 *     if A <= ts(e['跟进时间']).strftime('%Y-%m-%d') <= B: touches[e['跟进人']] += 1
 * for o in opps.values():
 *     if o['status'] in ('won', 'lost') and A <= o['closed_at'][:10] <= B: closed[o['owner']] += 1; won[o['owner']] += o['status'] == 'won'
 * timely, judged = timeliness(A, B)
 * for k in sorted(set(rev) | set(judged)):
 *     print(f"['{k}', {rev[k]:.0f}, {len(ords[k])}, {new[k]}, {target.get(k, 0):.0f}, {touches[k]}, {won[k]}, {closed[k]}, {timely[k]}, {judged[k]}],")
 * team_rev, active = defaultdict(float), defaultdict(int)
 * for k, v in rev.items(): team_rev[reps[k]['team']] += v
 * for p in reps.values():
 *     if p['hired_at'] <= B and (not p['left_at'] or p['left_at'] >= A): active[p['team']] += 1
 * for t in sorted(active): print(f"['{t}', {team_rev[t]:.0f}, {active[t]}],")
 * timely, judged = timeliness('2026-01-01', '2026-10-31')
 * for k in sorted(judged, key=lambda k: timely[k] / judged[k]): print(f"['{k}', {timely[k]}, {judged[k]}],")
 * ```
 * Its output is pasted below as SEPTEMBER, TEAMS and YEAR_TO_OCTOBER.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../src/lib/config/config.ts';
import { computePerformance, performanceFamily, type PerformanceResult } from '../src/lib/metrics/performance/performance.ts';
import { openReadOnly, type ReadOnlyWarehouse } from '../src/lib/warehouse/warehouse.server.ts';
import { runCli, tempDir } from './helpers.ts';

/** [rep, revenue, orders, new customers, September target, follow-ups, won, closed, timely, judged] */
const SEPTEMBER: [string, number, number, number, number, number, number, number, number, number][] = [
  ['何雪', 1692500, 7, 1, 915000, 33, 2, 5, 30, 31],
  ['冯佳', 15700, 1, 0, 105000, 26, 0, 5, 22, 22],
  ['刘洋', 0, 0, 0, 140000, 13, 0, 1, 9, 10],
  ['吕倩', 500900, 4, 0, 435000, 10, 0, 1, 7, 7],
  ['周敏', 834266, 10, 0, 920000, 30, 1, 5, 25, 25],
  ['唐亮', 272600, 6, 0, 290000, 19, 0, 4, 10, 11],
  ['孙涛', 595340, 7, 1, 465000, 38, 1, 6, 27, 29],
  ['宋佳', 30848, 1, 0, 145000, 21, 0, 4, 16, 16],
  ['张伟', 125556, 4, 0, 240000, 32, 0, 7, 27, 28],
  ['彭宇', 50047, 4, 0, 215000, 35, 0, 4, 30, 32],
  ['徐丽', 206373, 8, 0, 425000, 31, 0, 5, 22, 22],
  ['曹磊', 1629466, 20, 1, 1095000, 47, 3, 8, 38, 39],
  ['朱丽', 0, 0, 0, 140000, 23, 0, 3, 20, 20],
  ['李娜', 447070, 9, 0, 610000, 49, 1, 4, 43, 43],
  ['杨帆', 1217018, 4, 0, 2030000, 18, 1, 3, 13, 14],
  ['林志强', 2732170, 12, 2, 1700000, 46, 5, 8, 43, 43],
  ['王磊', 210044, 6, 0, 290000, 29, 0, 2, 24, 24],
  ['罗斌', 1122560, 8, 0, 690000, 47, 1, 5, 31, 32],
  ['范伟', 1382400, 2, 0, 740000, 16, 1, 4, 11, 11],
  ['董洁', 16641, 2, 0, 145000, 28, 0, 5, 18, 19],
  ['许晨', 277600, 2, 0, 300000, 5, 0, 0, 4, 4],
  ['谢婷', 285400, 3, 0, 385000, 22, 0, 3, 18, 20],
  ['赵强', 899190, 6, 0, 755000, 28, 0, 0, 24, 24],
  ['郑凯', 192702, 5, 0, 485000, 37, 1, 8, 34, 36],
  ['陈晓燕', 225934, 5, 0, 300000, 13, 0, 1, 12, 13],
  ['陈浩', 249100, 4, 0, 460000, 53, 1, 6, 40, 41],
  ['高敏', 460687, 9, 0, 805000, 47, 1, 5, 35, 36],
  ['魏巍', 646904, 6, 0, 740000, 63, 1, 7, 46, 46],
];

/** [team, September revenue, reps active on any day of September] */
const TEAMS: [string, number, number][] = [
  ['华东一组', 1293410, 4],
  ['华东二组', 1167966, 4],
  ['华中一组', 2045945, 4],
  ['华北一组', 2576895, 3],
  ['华北二组', 787421, 4],
  ['华南一组', 4843306, 4],
  ['华南二组', 1423660, 3],
  ['西南一组', 2180413, 3],
];

/** [rep, timely, judged] for plans due 2026-01-01 … 2026-10-31, worst first */
const YEAR_TO_OCTOBER: [string, number, number][] = [
  ['孙涛', 214, 247], ['谢婷', 135, 151], ['唐亮', 168, 185], ['刘洋', 93, 101], ['许晨', 76, 82], ['邓超', 106, 114],
  ['罗斌', 227, 243], ['冯佳', 71, 76], ['陈浩', 245, 258], ['吕倩', 114, 120], ['高敏', 301, 316], ['徐丽', 323, 338],
  ['魏巍', 271, 283], ['彭宇', 234, 244], ['宋佳', 214, 223], ['郑凯', 265, 276], ['赵强', 291, 303], ['朱丽', 76, 79],
  ['何雪', 197, 204], ['范伟', 158, 163], ['张伟', 265, 271], ['曹磊', 272, 278], ['陈晓燕', 183, 187], ['王磊', 246, 251],
  ['李娜', 309, 315], ['杨帆', 231, 235], ['林志强', 374, 379], ['董洁', 166, 168], ['周敏', 353, 356], ['蒋军', 1, 1], ['潘婷', 8, 8],
];

/** The reps the demo generator makes late with follow-ups (lateRate 0.15, 0.12, 0.11). */
const MADE_LATE = ['谢婷', '孙涛', '唐亮'];

describe('performance on the demo warehouse', () => {
  let w: ReadOnlyWarehouse;
  let september: PerformanceResult;
  const config = defaultConfig();
  const params = { from: '2026-09-01', to: '2026-09-30', as_of: '2026-10-31', filters: {}, by: null };
  beforeAll(async () => {
    const db = path.join(tempDir(), 'demo.duckdb');
    const built = runCli(['demo', '--db', db]);
    expect(built.code, built.stderr).toBe(0);
    w = await openReadOnly(db);
    september = await computePerformance({ connection: w.connection, params, config });
  });
  afterAll(() => w?.close());

  it('September 2026 per rep: revenue, orders, new customers, completion, follow-ups, win rate, timeliness', () => {
    expect(september.revenue_basis).toBe('orders');
    for (const [rep, revenue, orders, newCustomers, target, followups, won, closed, timely, judged] of SEPTEMBER) {
      const r = september.leaderboard.find((x) => x.key === rep)!;
      expect(r, rep).toBeDefined();
      expect([r.revenue, r.orders, r.new_customers, r.target, r.followups, r.won_deals, r.closed_deals], rep).toEqual([revenue, orders, newCustomers, target, followups, won, closed]);
      expect(r.avg_order_value, rep).toBe(orders ? revenue / orders : null);
      expect(r.target_completion, rep).toBeCloseTo(revenue / target, 12);
      expect(r.followups_per_week, rep).toBeCloseTo(followups / (30 / 7), 12);
      expect(r.win_rate, rep).toBe(closed ? won / closed : null);
      const f = september.floors.rows.find((x) => x.key === rep)!;
      expect([f.timely, f.judged], rep).toEqual([timely, judged]);
    }
    // the reps the demo made late are below the 95% floor
    for (const rep of MADE_LATE) expect(september.floors.breaches, rep).toContain(rep);
    // standard competition ranks: 刘洋 and 朱丽 sold nothing and share the last revenue rank
    const last = september.leaderboard.filter((x) => x.revenue === 0).map((x) => [x.key, x.ranks.revenue]);
    expect(last).toContainEqual(['刘洋', 27]);
    expect(last).toContainEqual(['朱丽', 27]);
  });

  it('per-capita output per team = revenue ÷ reps active in September', async () => {
    const teams = await computePerformance({ connection: w.connection, params: { ...params, by: 'team' }, config });
    for (const [team, revenue, active] of TEAMS) {
      const t = teams.leaderboard.find((x) => x.key === team)!;
      expect([t.revenue, t.active_reps], team).toEqual([revenue, active]);
      expect(t.per_capita_output, team).toBeCloseTo(revenue / active, 9);
    }
  });

  it('follow-up timeliness 2026 to October: the reps made late are the three worst and breach the floor', async () => {
    const ytd = await computePerformance({ connection: w.connection, params: { ...params, from: '2026-01-01', to: '2026-10-31' }, config });
    const floors = ytd.floors.rows.filter((x) => x.judged > 0);
    expect(floors.map((x) => [x.key, x.timely, x.judged]).sort()).toEqual([...YEAR_TO_OCTOBER].sort());
    const worst = [...floors].sort((a, b) => a.followup_timeliness! - b.followup_timeliness!).slice(0, 3).map((x) => x.key);
    expect(worst.sort()).toEqual([...MADE_LATE].sort());
    for (const rep of MADE_LATE) expect(ytd.floors.rows.find((x) => x.key === rep)!.timeliness_breach, rep).toBe(true);
    // 114 of 120 is exactly 95%: on the floor, not below it
    expect(ytd.floors.rows.find((x) => x.key === '吕倩')!.timeliness_breach).toBe(false);
  });

  it('scorecard says which inputs are missing and how the weight was spread', () => {
    expect(september.scorecard.missing_inputs.map((m) => m.id)).toEqual(['satisfaction', 'training_score', 'data_usage', 'collaboration']);
    for (const row of september.scorecard.rows) {
      expect(Object.values(row.effective_weights).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
      expect(row.total).toBeGreaterThanOrEqual(0);
      expect(row.total).toBeLessThanOrEqual(100);
    }
    expect(performanceFamily.tables(september)[1]!.title_zh).toContain('缺少：客户满意度、培训考核成绩、数据应用能力、跨部门协作评分');
  });

  it('drills into a rep’s late follow-ups', async () => {
    const drill = await performanceFamily.drill!({ connection: w.connection, params, config }, { target: 'late_followups', keys: { group: '谢婷' }, limit: 100 });
    // 20 judged, 18 timely
    expect(drill.rows).toHaveLength(2);
    for (const row of drill.rows as { owner: string; days_after_due: number }[]) {
      expect(row.owner).toBe('谢婷');
      expect(row.days_after_due).toBeGreaterThan(0);
    }
  });
});
