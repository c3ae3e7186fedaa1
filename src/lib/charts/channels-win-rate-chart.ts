/** Win rate per lead source as horizontal bars, best first: a rate per category reads best as sorted bars. */
import * as Plot from '@observablehq/plot';
import type { ChannelsResult } from '../metrics/channels/channels.ts';
import type { ChartOptions, ChartSpec } from './chart-spec.ts';
import { BAR_FILL, barFrame, count, drill, percent, pick, textWidth } from './chart-helpers.ts';
import { PERCENT_TICKS } from './format-axis.ts';

export function channelsWinRateChart(result: ChannelsResult, opts: ChartOptions): ChartSpec | null {
  const rows = result.channels
    .filter((c) => c.win_rate !== null)
    .sort((a, b) => b.win_rate! - a.win_rate!)
    .map((c) => {
      const winRate = c.win_rate!;
      // win_rate = won ÷ closed, so closed = won ÷ win_rate; with no win the closed count is unknown: show leads
      const detail =
        winRate > 0
          ? `${count(c.won)}/${count(Math.round(c.won / winRate))}`
          : `${pick(opts.lang, '线索', 'leads')} ${count(c.leads)}`;
      return {
        source: c.source ?? pick(opts.lang, '（未填来源）', '(no source)'),
        win_rate: winRate,
        label: `${percent(winRate)} · ${detail}`,
        // the drill reads an empty source as "every source": no link for the no-source row
        href: c.source === null ? null : drill(opts, 'won', { source: c.source }),
      };
    });
  if (rows.length === 0) return null;
  const sources = rows.map((r) => r.source);
  return {
    id: 'channels-win-rate',
    title: pick(opts.lang, '各线索来源赢单率（成交/结单）', 'Win rate by lead source (won/closed)'),
    plot: {
      ...barFrame(sources, opts, Math.max(...rows.map((r) => textWidth(r.label))) + 12),
      x: { label: pick(opts.lang, '赢单率', 'Win rate'), tickFormat: PERCENT_TICKS, grid: true },
      y: { domain: sources, label: null },
      marks: [
        Plot.barX(rows, { x: 'win_rate', y: 'source', fill: BAR_FILL, href: 'href' }),
        Plot.text(rows, { x: 'win_rate', y: 'source', text: 'label', textAnchor: 'start', dx: 4 }),
        Plot.ruleX([0]),
      ],
    },
  };
}
