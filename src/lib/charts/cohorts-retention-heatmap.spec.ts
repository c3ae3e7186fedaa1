import { describe, expect, it } from 'vitest';
import type { CohortsResult } from '../metrics/cohorts/cohorts.ts';
import { cohortsRetentionHeatmap } from './cohorts-retention-heatmap.ts';
import { markData, occurrences, recordingDrill } from './chart-testing.ts';
import { renderChartSvg } from './render.server.ts';

const month = (age: number, active: number, size: number) => ({ age, active, retention: size > 0 ? active / size : null });
const cohort = (cohort: string, size: number, active: number[], group: string | null = null) => ({
  group,
  cohort,
  size,
  months: active.map((a, age) => month(age, a, size)),
});

const result = {
  params: { by: null },
  customers: {
    cohorts: [
      // 10 customers: 10/10 = 100%, 4/10 = 40%, 3/10 = 30%
      cohort('2026-01', 10, [10, 4, 3]),
      // no new customers: every retention null, no cells
      cohort('2026-02', 0, [0, 0]),
      // 8 customers: 8/8 = 100%, 2/8 = 25%
      cohort('2026-03', 8, [8, 2]),
    ],
  },
} as unknown as CohortsResult;

describe('cohortsRetentionHeatmap', () => {
  it('draws one cell per cohort and age with a retention, linked to the active customers', () => {
    const { calls, drillHref } = recordingDrill();
    const spec = cohortsRetentionHeatmap(result, { lang: 'en', drillHref })!;
    expect(markData(spec, 0).map((c) => [c.cohort, c.age, c.label])).toEqual([
      ['2026-01', 0, '100%'],
      ['2026-01', 1, '40%'],
      ['2026-01', 2, '30%'],
      ['2026-03', 0, '100%'],
      ['2026-03', 1, '25%'],
    ]);
    expect(calls[1]).toEqual(['active_customers', { cohort: '2026-01', age: '1' }]);
    expect(calls).toHaveLength(5);
    // the empty cohort 2026-02 has no row; ages 0 … 2
    expect(spec.plot.y?.domain).toEqual(['2026-01', '2026-03']);
    expect(spec.plot.x?.domain).toEqual([0, 1, 2]);
  });

  it('draws the chosen group and passes it to the drill ("" for no value)', () => {
    const grouped = {
      params: { by: 'team' },
      customers: { cohorts: [cohort('2026-01', 5, [5, 1], 'A组'), cohort('2026-01', 4, [4, 2], null)] },
    } as unknown as CohortsResult;
    const { calls, drillHref } = recordingDrill();
    // group null: 4/4 = 100%, 2/4 = 50%
    const spec = cohortsRetentionHeatmap(grouped, { lang: 'zh', drillHref }, null)!;
    expect(markData(spec, 0).map((c) => c.label)).toEqual(['100%', '50%']);
    expect(calls[0]).toEqual(['active_customers', { cohort: '2026-01', age: '0', group: '' }]);
    // group A组: 5/5 = 100%, 1/5 = 20%
    const a = cohortsRetentionHeatmap(grouped, { lang: 'zh', drillHref }, 'A组')!;
    expect(markData(a, 0).map((c) => c.label)).toEqual(['100%', '20%']);
    expect(calls.at(-1)).toEqual(['active_customers', { cohort: '2026-01', age: '1', group: 'A组' }]);
  });

  it('drops the cell texts when the cells are too narrow to read them', () => {
    // 30 ages on 320 px: left margin for "2026-01" = 7 × 6.5 + 12 ≈ 58; (320 − 58 − 20) ÷ 30 ÷ 3 = 2.7 px font: no text
    const wide = { params: { by: null }, customers: { cohorts: [cohort('2026-01', 10, Array.from({ length: 30 }, () => 5))] } } as unknown as CohortsResult;
    expect(cohortsRetentionHeatmap(wide, { lang: 'en', width: 320 })!.plot.marks).toHaveLength(1);
    // 3 ages on 640 px: (640 − 58 − 20) ÷ 3 ÷ 3 = 62, capped at 9: cells and texts
    expect(cohortsRetentionHeatmap(result, { lang: 'en' })!.plot.marks).toHaveLength(2);
  });

  it('returns null without any retention figure', () => {
    const empty = { params: { by: null }, customers: { cohorts: [cohort('2026-02', 0, [0])] } } as unknown as CohortsResult;
    expect(cohortsRetentionHeatmap(empty, { lang: 'en' })).toBeNull();
  });

  it('renders linked cells with their percent and a percent legend', () => {
    const svg = renderChartSvg(cohortsRetentionHeatmap(result, { lang: 'en', drillHref: recordingDrill().drillHref })!);
    expect(occurrences(svg, '<a ')).toBe(5);
    // cell texts, not legend ticks (the legend's are 20%, 40%, 60%, 80%)
    expect(svg).toContain('>30%<');
    expect(svg).toContain('>25%<');
    expect(svg).toContain('Retention');
  });
});
