/** Top 10 reasons deals were lost, summed over stages, as sorted horizontal bars (invalid leads left out: they are not losses). */
import * as Plot from '@observablehq/plot';
import type { FunnelResult } from '../metrics/funnel/funnel.ts';
import type { ChartOptions, ChartSpec } from './chart-spec.ts';
import { BAR_FILL, barFrame, count, pick, textWidth } from './chart-helpers.ts';

export const TOP_LOST_REASONS = 10;
const NONE_RECORDED = '(none recorded)';

export function funnelLostReasonsChart(result: FunnelResult, opts: ChartOptions): ChartSpec | null {
  const lost = new Map<string, number>();
  for (const r of result.lost_reasons) lost.set(r.reason, (lost.get(r.reason) ?? 0) + r.opportunities - r.invalid);
  const rows = [...lost]
    .filter(([, n]) => n > 0)
    .sort(([a, m], [b, n]) => n - m || (a < b ? -1 : 1))
    .slice(0, TOP_LOST_REASONS)
    .map(([reason, opportunities]) => ({
      reason: reason === NONE_RECORDED ? pick(opts.lang, '（未记录原因）', NONE_RECORDED) : reason,
      opportunities,
      label: count(opportunities),
    }));
  if (rows.length === 0) return null;
  const reasons = rows.map((r) => r.reason);
  return {
    id: 'funnel-lost-reasons',
    title: pick(opts.lang, `输单原因前 ${TOP_LOST_REASONS} 位`, `Top ${TOP_LOST_REASONS} lost reasons`),
    plot: {
      ...barFrame(reasons, opts, Math.max(...rows.map((r) => textWidth(r.label))) + 12),
      x: { label: pick(opts.lang, '流失商机数', 'Lost opportunities'), grid: true },
      y: { domain: reasons, label: null },
      marks: [
        Plot.barX(rows, { x: 'opportunities', y: 'reason', fill: BAR_FILL }),
        Plot.text(rows, { x: 'opportunities', y: 'reason', text: 'label', textAnchor: 'start', dx: 4 }),
        Plot.ruleX([0]),
      ],
    },
  };
}
