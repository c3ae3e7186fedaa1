/**
 * Revenue target progress for one period as horizontal bars (actual ÷ target per company, region,
 * team or rep), with a red tick at the share of the period elapsed: a bar short of its tick is
 * behind pace. A dashed rule marks 100%.
 */
import * as Plot from '@observablehq/plot';
import type { TargetProgressRow, TargetsResult } from '../metrics/targets/targets.ts';
import type { ChartOptions, ChartSpec } from './chart-spec.ts';
import { BAR_FILL, barFrame, drill, percent, pick, textWidth } from './chart-helpers.ts';
import { PERCENT_TICKS } from './format-axis.ts';

export interface TargetsProgressChoice {
  /** company (default), region, team, rep, … */
  dimension?: string;
  /** base (default), challenge, excellence */
  tier?: string;
  /** when several periods contain as_of (a month and its quarter): the shortest (default) or the longest */
  period?: 'shortest' | 'longest';
}

const METRIC = 'revenue';
const DIMENSION: Record<string, [string, string]> = {
  company: ['公司', 'company'],
  region: ['区域', 'region'],
  team: ['团队', 'team'],
  rep: ['销售', 'rep'],
  product: ['产品', 'product'],
  customer_type: ['客户类型', 'customer type'],
};

const days = (r: TargetProgressRow) => Date.parse(r.period_end) - Date.parse(r.period_start);

/** The period to draw: one containing as_of, else the latest-ending; ties by length. */
function choosePeriod(rows: TargetProgressRow[], asOf: string, period: 'shortest' | 'longest'): TargetProgressRow | undefined {
  const containing = rows.filter((r) => r.period_start <= asOf && asOf <= r.period_end);
  const latestEnd = rows.reduce((end, r) => (r.period_end > end ? r.period_end : end), '');
  const candidates = containing.length > 0 ? containing : rows.filter((r) => r.period_end === latestEnd);
  return candidates.sort((a, b) => (period === 'shortest' ? days(a) - days(b) : days(b) - days(a)))[0];
}

export function targetsProgressChart(result: TargetsResult, opts: ChartOptions, choice: TargetsProgressChoice = {}): ChartSpec | null {
  const { dimension = 'company', tier = 'base', period = 'shortest' } = choice;
  const ofMetric = result.targets.filter((r) => r.metric === METRIC && r.dimension === dimension && r.tier === tier && r.progress !== null);
  const chosen = choosePeriod(ofMetric, result.params.as_of, period);
  if (!chosen) return null;
  const { period_start, period_end, period_label } = chosen;
  const rows = ofMetric
    .filter((r) => r.period_start === period_start && r.period_end === period_end)
    .sort((a, b) => b.progress! - a.progress! || (a.dimension_value < b.dimension_value ? -1 : 1))
    .map((r) => ({
      name: dimension === 'company' && r.dimension_value === 'all' ? pick(opts.lang, '全公司', 'Company') : r.dimension_value,
      progress: r.progress!,
      elapsed_share: r.elapsed_share,
      label: percent(r.progress),
      // right of the bar or of the pace tick, whichever is further
      label_x: Math.max(r.progress!, r.elapsed_share),
      href: drill(opts, 'actual', { metric: METRIC, dimension, dimension_value: r.dimension_value, period_start, period_end, window: 'current' }),
    }));
  const names = rows.map((r) => r.name);
  const [dimZh, dimEn] = DIMENSION[dimension] ?? [dimension, dimension];
  const xMax = Math.max(1, ...rows.map((r) => Math.max(r.progress, r.elapsed_share)));
  return {
    id: 'targets-progress',
    title: pick(opts.lang, `销售额目标完成率（按${dimZh}，${period_label}）· 红线为时间进度`, `Revenue target progress by ${dimEn}, ${period_label} · red tick = time elapsed`),
    plot: {
      ...barFrame(names, opts, Math.max(...rows.map((r) => textWidth(r.label))) + 12),
      x: { label: pick(opts.lang, '目标完成率', 'Progress to target'), domain: [0, xMax], tickFormat: PERCENT_TICKS, grid: true },
      y: { domain: names, label: null },
      marks: [
        Plot.barX(rows, { x: 'progress', y: 'name', fill: BAR_FILL, href: 'href' }),
        Plot.tickX(rows, { x: 'elapsed_share', y: 'name', stroke: '#e15759', strokeWidth: 2 }),
        Plot.text(rows, { x: 'label_x', y: 'name', text: 'label', textAnchor: 'start', dx: 4 }),
        Plot.ruleX([1], { strokeDasharray: '4,3' }),
        Plot.ruleX([0]),
      ],
    },
  };
}
