import { describe, expect, it } from 'vitest';
import type { ChannelsResult } from '../metrics/channels/channels.ts';
import { channelsWinRateChart } from './channels-win-rate-chart.ts';
import { markData, occurrences, recordingDrill } from './chart-testing.ts';
import { renderChartSvg } from './render.server.ts';

const result = {
  channels: [
    // 12 won of 48 closed: 12 ÷ 48 = 0.25
    { source: '展会推广', leads: 100, won: 12, win_rate: 0.25 },
    // 18 won of 40 closed: 18 ÷ 40 = 0.45
    { source: '老客户转介绍', leads: 60, won: 18, win_rate: 0.45 },
    // closed deals but none won: closed unknown from the row, so leads
    { source: '电话营销', leads: 30, won: 0, win_rate: 0 },
    // nothing closed: no rate, not drawn
    { source: '线上广告', leads: 20, won: 0, win_rate: null },
    // 3 won of 10 closed: 0.3; no source, no link
    { source: null, leads: 15, won: 3, win_rate: 0.3 },
  ],
} as unknown as ChannelsResult;

describe('channelsWinRateChart', () => {
  it('sorts sources by win rate with won/closed labels and won links', () => {
    const { calls, drillHref } = recordingDrill();
    const spec = channelsWinRateChart(result, { lang: 'en', drillHref })!;
    // 18 ÷ 0.45 = 40; 3 ÷ 0.3 = 10; 12 ÷ 0.25 = 48
    expect(markData(spec, 1).map((r) => [r.source, r.label])).toEqual([
      ['老客户转介绍', '45.0% · 18/40'],
      ['(no source)', '30.0% · 3/10'],
      ['展会推广', '25.0% · 12/48'],
      ['电话营销', '0.0% · leads 30'],
    ]);
    expect(calls).toEqual([
      ['won', { source: '老客户转介绍' }],
      ['won', { source: '展会推广' }],
      ['won', { source: '电话营销' }],
    ]);
    expect(markData(spec, 0)[1]!.href).toBeNull();
  });

  it('labels in Chinese', () => {
    const spec = channelsWinRateChart(result, { lang: 'zh' })!;
    expect(markData(spec, 1).map((r) => r.label)).toContain('0.0% · 线索 30');
    expect(spec.plot.x?.label).toBe('赢单率');
  });

  it('returns null when no source has closed deals', () => {
    expect(channelsWinRateChart({ channels: [{ source: 'a', leads: 5, won: 0, win_rate: null }] } as unknown as ChannelsResult, { lang: 'en' })).toBeNull();
  });

  it('renders a bar per source, linked where there is a source', () => {
    const svg = renderChartSvg(channelsWinRateChart(result, { lang: 'en', drillHref: recordingDrill().drillHref })!);
    expect(occurrences(svg, '<rect')).toBe(4);
    expect(occurrences(svg, '<a ')).toBe(3);
    expect(svg).toContain('45.0% · 18/40');
  });
});
