/** Customers per RFM segment as horizontal bars in the segments' own order (best to lost), so the spread along the ladder shows. */
import * as Plot from '@observablehq/plot';
import type { CustomerValueResult } from '../metrics/customer-value/customer-value.ts';
import type { ChartOptions, ChartSpec } from './chart-spec.ts';
import { BAR_FILL, barFrame, count, drill, percent, pick, textWidth } from './chart-helpers.ts';

export function customerSegmentsChart(result: CustomerValueResult, opts: ChartOptions): ChartSpec | null {
  const rows = result.segments.map((s) => ({
    name: pick(opts.lang, s.name_zh, s.name_en),
    customers: s.customers,
    label: `${count(s.customers)} · ${percent(s.share)}`,
    href: drill(opts, 'segment', { segment: s.id }),
  }));
  if (!rows.some((r) => r.customers > 0)) return null;
  const names = rows.map((r) => r.name);
  return {
    id: 'customer-segments',
    title: pick(opts.lang, 'RFM 客户细分：各细分客户数', 'RFM segments: customers per segment'),
    plot: {
      ...barFrame(names, opts, Math.max(...rows.map((r) => textWidth(r.label))) + 12),
      x: { label: pick(opts.lang, '客户数', 'Customers'), grid: true },
      y: { domain: names, label: null },
      marks: [
        Plot.barX(rows, { x: 'customers', y: 'name', fill: BAR_FILL, href: 'href' }),
        Plot.text(rows, { x: 'customers', y: 'name', text: 'label', textAnchor: 'start', dx: 4 }),
        Plot.ruleX([0]),
      ],
    },
  };
}
