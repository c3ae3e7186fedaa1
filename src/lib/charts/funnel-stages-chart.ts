/** Funnel stages as horizontal bars in stage order: bar length = opportunities reached, label = reached · stage conversion. */
import * as Plot from '@observablehq/plot';
import type { FunnelResult } from '../metrics/funnel/funnel.ts';
import type { ChartOptions, ChartSpec } from './chart-spec.ts';
import { BAR_FILL, barFrame, count, drill, percent, pick, textWidth } from './chart-helpers.ts';

export function funnelStagesChart(result: FunnelResult, opts: ChartOptions): ChartSpec | null {
  const rows = [...result.stages]
    .sort((a, b) => a.position - b.position)
    .map((s) => ({
      name: pick(opts.lang, s.name_zh, s.name_en),
      reached: s.reached,
      label: `${count(s.reached)} · ${percent(s.conversion)}`,
      href: drill(opts, 'reached', { stage: s.stage }),
    }));
  if (!rows.some((r) => r.reached > 0)) return null;
  const names = rows.map((r) => r.name);
  return {
    id: 'funnel-stages',
    title: pick(opts.lang, '销售漏斗：各阶段到达商机数与阶段转化率', 'Sales funnel: opportunities reached and stage conversion'),
    plot: {
      ...barFrame(names, opts, Math.max(...rows.map((r) => textWidth(r.label))) + 12),
      x: { label: pick(opts.lang, '到达商机数', 'Opportunities reached'), grid: true },
      y: { domain: names, label: null },
      marks: [
        Plot.barX(rows, { x: 'reached', y: 'name', fill: BAR_FILL, href: 'href' }),
        Plot.text(rows, { x: 'reached', y: 'name', text: 'label', textAnchor: 'start', dx: 4 }),
        Plot.ruleX([0]),
      ],
    },
  };
}
