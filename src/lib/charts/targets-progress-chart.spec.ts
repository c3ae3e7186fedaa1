import { describe, expect, it } from 'vitest';
import type { TargetsResult } from '../metrics/targets/targets.ts';
import { targetsProgressChart } from './targets-progress-chart.ts';
import { markData, occurrences, recordingDrill } from './chart-testing.ts';
import { renderChartSvg } from './render.server.ts';

const target = (dimension: string, dimension_value: string, period_start: string, period_end: string, period_label: string, actual: number | null, target: number, elapsed_share: number, extra = {}) => ({
  metric: 'revenue',
  tier: 'base',
  dimension,
  dimension_value,
  period_start,
  period_end,
  period_label,
  actual,
  target,
  progress: actual === null ? null : actual / target,
  elapsed_share,
  ...extra,
});

// as of 2026-10-15: October is 15 of 31 days gone (15 ÷ 31 = 0.4839), Q4 15 of 92 (0.1630)
const OCT = ['2026-10-01', '2026-10-31', '2026-10'] as const;
const Q4 = ['2026-10-01', '2026-12-31', '2026-Q4'] as const;
const SEP = ['2026-09-01', '2026-09-30', '2026-09'] as const;
const result = {
  params: { as_of: '2026-10-15' },
  targets: [
    target('company', 'all', ...SEP, 900_000, 1_000_000, 1),
    target('company', 'all', ...OCT, 500_000, 1_000_000, 15 / 31),
    target('company', 'all', ...Q4, 600_000, 3_000_000, 15 / 92),
    // 华东 120,000 ÷ 400,000 = 30%; 华南 330,000 ÷ 300,000 = 110%
    target('region', '华东', ...OCT, 120_000, 400_000, 15 / 31),
    target('region', '华南', ...OCT, 330_000, 300_000, 15 / 31),
    // not computed: no bar
    target('region', '西南', ...OCT, null, 200_000, 15 / 31),
    // another tier and another metric: not drawn
    target('region', '华东', ...OCT, 120_000, 500_000, 15 / 31, { tier: 'challenge' }),
    target('region', '华东', ...OCT, 3, 10, 15 / 31, { metric: 'new_customers' }),
  ],
} as unknown as TargetsResult;

describe('targetsProgressChart', () => {
  it('draws the company by default, for the shortest period containing as_of', () => {
    const { calls, drillHref } = recordingDrill();
    const spec = targetsProgressChart(result, { lang: 'en', drillHref })!;
    // October: 500,000 ÷ 1,000,000 = 50.0%, pace tick at 15 ÷ 31
    expect(markData(spec, 0).map((r) => [r.name, r.label, r.elapsed_share])).toEqual([['Company', '50.0%', 15 / 31]]);
    expect(calls).toEqual([
      ['actual', { metric: 'revenue', dimension: 'company', dimension_value: 'all', period_start: '2026-10-01', period_end: '2026-10-31', window: 'current' }],
    ]);
    expect(spec.title).toContain('2026-10');
  });

  it('takes the longest period when asked', () => {
    // Q4: 600,000 ÷ 3,000,000 = 20.0%
    const spec = targetsProgressChart(result, { lang: 'en' }, { period: 'longest' })!;
    expect(markData(spec, 0).map((r) => [r.label, r.elapsed_share])).toEqual([['20.0%', 15 / 92]]);
  });

  it('falls back to the latest-ending period when none contains as_of', () => {
    const later = { ...result, params: { as_of: '2027-02-01' } } as unknown as TargetsResult;
    // Q4 ends 2026-12-31, after October and September: 20.0%
    expect(markData(targetsProgressChart(later, { lang: 'en' })!, 0).map((r) => r.label)).toEqual(['20.0%']);
  });

  it('sorts the values of a dimension by progress, skipping rows without an actual', () => {
    const spec = targetsProgressChart(result, { lang: 'zh' }, { dimension: 'region' })!;
    expect(markData(spec, 0).map((r) => [r.name, r.label])).toEqual([
      ['华南', '110.0%'],
      ['华东', '30.0%'],
    ]);
    // 华东's label sits right of its pace tick (15 ÷ 31 = 0.484 > 0.3), 华南's right of its bar (1.1 > 0.484)
    expect(markData(spec, 2).map((r) => r.label_x)).toEqual([330_000 / 300_000, 15 / 31]);
    // 110% runs past 100%: the axis goes to 1.1
    expect(spec.plot.x?.domain).toEqual([0, 330_000 / 300_000]);
    expect(spec.title).toContain('按区域');
  });

  it('returns null without rows for the dimension', () => {
    expect(targetsProgressChart(result, { lang: 'en' }, { dimension: 'rep' })).toBeNull();
  });

  it('renders linked bars with their percent', () => {
    const svg = renderChartSvg(targetsProgressChart(result, { lang: 'en', drillHref: recordingDrill().drillHref }, { dimension: 'region' })!);
    expect(occurrences(svg, '<a ')).toBe(2);
    expect(occurrences(svg, '<rect')).toBe(2);
    expect(svg).toContain('110.0%');
    expect(svg).toContain('dimension_value=%E5%8D%8E%E5%8D%97');
  });
});
