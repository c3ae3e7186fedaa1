import { describe, expect, it } from 'vitest';
import type { PerformanceResult } from '../metrics/performance/performance.ts';
import { performanceLeaderboardChart } from './performance-leaderboard-chart.ts';
import { markData, occurrences, recordingDrill } from './chart-testing.ts';
import { renderChartSvg } from './render.server.ts';

const result = {
  level: 'owner',
  leaderboard: [
    { key: '李娜', revenue: 1_200_000, target: 1_000_000 },
    { key: '周敏', revenue: 2_500_000, target: 3_000_000 },
    { key: '刘洋', revenue: 300_000, target: null },
  ],
} as unknown as PerformanceResult;

describe('performanceLeaderboardChart', () => {
  it('sorts by revenue, ticks targets where there is one and links each bar to its revenue', () => {
    const { calls, drillHref } = recordingDrill();
    const spec = performanceLeaderboardChart(result, { lang: 'zh', drillHref })!;
    // 2.5M > 1.2M > 0.3M
    expect(markData(spec, 0).map((r) => [r.key, r.revenue])).toEqual([
      ['周敏', 2_500_000],
      ['李娜', 1_200_000],
      ['刘洋', 300_000],
    ]);
    // 刘洋 has no target: two ticks
    expect(markData(spec, 1).map((r) => [r.key, r.target])).toEqual([
      ['周敏', 3_000_000],
      ['李娜', 1_000_000],
    ]);
    expect(calls).toEqual([
      ['revenue', { group: '周敏' }],
      ['revenue', { group: '李娜' }],
      ['revenue', { group: '刘洋' }],
    ]);
    expect(spec.title).toContain('按销售');
    // money axis in 万: 1,500,000 ÷ 10,000 = 150万
    expect((spec.plot.x?.tickFormat as (n: number) => string)(1_500_000)).toBe('150万');
  });

  it('keeps the top 15', () => {
    // revenues 1 … 20: the top 15 are r20 down to r6
    const many = { level: 'team', leaderboard: Array.from({ length: 20 }, (_, i) => ({ key: `r${i + 1}`, revenue: i + 1, target: null })) } as unknown as PerformanceResult;
    const spec = performanceLeaderboardChart(many, { lang: 'en' })!;
    expect(markData(spec, 0).map((r) => r.key)).toEqual(Array.from({ length: 15 }, (_, i) => `r${20 - i}`));
    // 15 × 24 + 20 + 40 = 420
    expect(spec.plot.height).toBe(420);
  });

  it('returns null for an empty leaderboard', () => {
    expect(performanceLeaderboardChart({ level: 'owner', leaderboard: [] } as unknown as PerformanceResult, { lang: 'en' })).toBeNull();
  });

  it('renders linked bars, target ticks and the names', () => {
    const svg = renderChartSvg(performanceLeaderboardChart(result, { lang: 'en', drillHref: recordingDrill().drillHref })!);
    expect(occurrences(svg, '<a ')).toBe(3);
    expect(occurrences(svg, '<rect')).toBe(3);
    expect(svg).toContain('>周敏<');
    // ticks 0, 0.5M … 3M on the x axis
    expect(svg).toContain('>2.5M<');
  });
});
