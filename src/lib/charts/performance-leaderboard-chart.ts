/** Revenue leaderboard as horizontal bars (top 15), with a tick at each target: who sells most and who is short of target, in one view. */
import * as Plot from '@observablehq/plot';
import type { PerformanceResult } from '../metrics/performance/performance.ts';
import type { ChartOptions, ChartSpec } from './chart-spec.ts';
import { BAR_FILL, barFrame, drill, pick } from './chart-helpers.ts';
import { moneyTickFormat } from './format-axis.ts';

export const LEADERBOARD_TOP = 15;

const LEVEL: Record<PerformanceResult['level'], [string, string]> = {
  owner: ['销售', 'rep'],
  team: ['团队', 'team'],
  region: ['区域', 'region'],
};

export function performanceLeaderboardChart(result: PerformanceResult, opts: ChartOptions): ChartSpec | null {
  const rows = [...result.leaderboard]
    .sort((a, b) => b.revenue - a.revenue || (a.key < b.key ? -1 : 1))
    .slice(0, LEADERBOARD_TOP)
    .map((r) => ({ key: r.key, revenue: r.revenue, target: r.target, href: drill(opts, 'revenue', { group: r.key }) }));
  if (rows.length === 0) return null;
  const keys = rows.map((r) => r.key);
  const [levelZh, levelEn] = LEVEL[result.level];
  return {
    id: 'performance-leaderboard',
    title: pick(opts.lang, `销售额排行（按${levelZh}，前 ${LEADERBOARD_TOP}）· 竖线为目标`, `Revenue by ${levelEn} (top ${LEADERBOARD_TOP}) · tick = target`),
    plot: {
      ...barFrame(keys, opts),
      x: { label: pick(opts.lang, '销售额（元）', 'Revenue (CNY)'), tickFormat: moneyTickFormat(opts.lang), grid: true },
      y: { domain: keys, label: null },
      marks: [
        Plot.barX(rows, { x: 'revenue', y: 'key', fill: BAR_FILL, href: 'href' }),
        Plot.tickX(
          rows.filter((r) => r.target !== null),
          { x: 'target', y: 'key', stroke: '#e15759', strokeWidth: 2 },
        ),
        Plot.ruleX([0]),
      ],
    },
  };
}
