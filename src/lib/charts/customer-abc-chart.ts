/** ABC classes as grouped bars, customer share beside contribution share per class: the Pareto gap (few A customers, most of the value) is the point. */
import * as Plot from '@observablehq/plot';
import type { CustomerValueResult } from '../metrics/customer-value/customer-value.ts';
import type { ChartOptions, ChartSpec } from './chart-spec.ts';
import { MARGIN_BOTTOM, MARGIN_TOP, chartWidth, drill, percent, pick } from './chart-helpers.ts';
import { PERCENT_TICKS } from './format-axis.ts';

const HEIGHT = 280;

export function customerAbcChart(result: CustomerValueResult, opts: ChartOptions): ChartSpec | null {
  const customers = pick(opts.lang, '客户数占比', 'Share of customers');
  const contribution =
    result.abc_basis === 'profit' ? pick(opts.lang, '利润贡献占比', 'Share of profit') : pick(opts.lang, '销售额贡献占比', 'Share of revenue');
  const rows = result.abc.flatMap((c) => {
    const href = drill(opts, 'abc', { class: c.id });
    return [
      { class: c.id, measure: customers, share: c.customer_share, label: percent(c.customer_share), href },
      { class: c.id, measure: contribution, share: c.contribution_share, label: percent(c.contribution_share), href },
    ].filter((r) => r.share !== null);
  });
  if (rows.length === 0) return null;
  return {
    id: 'customer-abc',
    title: pick(opts.lang, 'ABC 客户分级：客户占比与贡献占比', 'ABC classes: share of customers vs share of contribution'),
    plot: {
      width: chartWidth(opts),
      height: HEIGHT,
      marginTop: MARGIN_TOP,
      marginBottom: MARGIN_BOTTOM,
      fx: { label: pick(opts.lang, 'ABC 分级', 'ABC class') },
      x: { axis: null, domain: [customers, contribution] },
      y: { label: pick(opts.lang, '占比', 'Share'), tickFormat: PERCENT_TICKS, grid: true },
      color: { domain: [customers, contribution], range: ['#a0cbe8', '#4e79a7'], legend: true },
      marks: [
        Plot.barY(rows, { fx: 'class', x: 'measure', y: 'share', fill: 'measure', href: 'href' }),
        Plot.text(rows, { fx: 'class', x: 'measure', y: 'share', text: 'label', dy: -6, lineAnchor: 'bottom' }),
        Plot.ruleY([0]),
      ],
    },
  };
}
