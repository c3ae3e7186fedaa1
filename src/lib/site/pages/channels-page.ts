/** Channels page: lead-source quality — leads, stage conversion, win rate, revenue share, drops (channels family). */
import { channelsFamily, type ChannelsResult } from '../../metrics/channels/channels.ts';
import type { PageDefinition } from '../page-model.ts';
import { channelsWinRateChart } from '../../charts/channels-win-rate-chart.ts';
import { charts, pick, tableNamed } from './page-helpers.ts';

export const channelsPage: PageDefinition = {
  id: 'channels',
  families: ['channels'],
  build({ lang, results, chart }) {
    const r = results.channels as ChannelsResult | undefined;
    if (!r) return { sections: [] };
    const L = pick(lang);
    const tables = channelsFamily.tables(r);
    const best = [...r.channels].filter((c) => c.win_rate !== null).sort((a, b) => (b.win_rate ?? 0) - (a.win_rate ?? 0))[0];
    return {
      sections: [
        {
          id: 'quality',
          title: L('线索来源质量', 'Lead source quality'),
          kpis: [
            { id: 'sources', label: L('来源数', 'Sources'), value: r.channels.length, format: 'integer' },
            { id: 'leads', label: L('线索总数', 'Leads'), value: r.channels.reduce((a, c) => a + c.leads, 0), format: 'integer' },
            { id: 'best_source', label: L('赢单率最高的来源', 'Best win rate'), value: best ? best.source : null, format: 'text', hint: best?.win_rate != null ? `${(best.win_rate * 100).toFixed(1)}%` : undefined },
            { id: 'drops', label: L('赢单率下滑预警', 'Win-rate drops'), value: r.drops.length, format: 'integer', lowerIsBetter: true },
          ],
          charts: charts(channelsWinRateChart(r, chart('channels'))),
          tables: [
            {
              family: 'channels',
              table: tableNamed(tables, 'Channels'),
              drill: (key, row) =>
                key === 'leads' ? { family: 'channels', target: 'leads', keys: { source: String(row.source) } } : key === 'won' ? { family: 'channels', target: 'won', keys: { source: String(row.source) } } : null,
            },
            { family: 'channels', table: tableNamed(tables, 'Drops') },
            { family: 'channels', table: tableNamed(tables, 'Monthly win rate') },
          ],
          notes: [r.cost.note],
        },
      ],
    };
  },
};
