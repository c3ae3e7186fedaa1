import { describe, expect, it } from 'vitest';
import type { FunnelResult } from '../metrics/funnel/funnel.ts';
import { funnelStagesChart } from './funnel-stages-chart.ts';
import { markData, occurrences, recordingDrill } from './chart-testing.ts';
import { renderChartSvg } from './render.server.ts';

// Listed out of order on purpose: the chart sorts by position.
const result = {
  stages: [
    // 27 reached the won stage; no conversion out of it
    { position: 3, stage: 'won', name_zh: '已成交', name_en: 'Won', reached: 27, advanced: 0, exited: 0, conversion: null },
    // 54 advanced of 120 exited: 54 ÷ 120 = 0.45
    { position: 1, stage: 'contact', name_zh: '潜在接触', name_en: 'Initial contact', reached: 200, advanced: 54, exited: 120, conversion: 0.45 },
    // 27 advanced of 50 exited: 27 ÷ 50 = 0.54
    { position: 2, stage: 'proposal', name_zh: '方案提案', name_en: 'Proposal', reached: 54, advanced: 27, exited: 50, conversion: 0.54 },
  ],
} as unknown as FunnelResult;

describe('funnelStagesChart', () => {
  it('draws stages in position order with reached · conversion labels and stage links', () => {
    const { calls, drillHref } = recordingDrill();
    const spec = funnelStagesChart(result, { lang: 'en', drillHref })!;
    expect(markData(spec, 1).map((r) => [r.name, r.reached, r.label])).toEqual([
      ['Initial contact', 200, '200 · 45.0%'],
      ['Proposal', 54, '54 · 54.0%'],
      ['Won', 27, '27 · —'],
    ]);
    expect(calls).toEqual([
      ['reached', { stage: 'contact' }],
      ['reached', { stage: 'proposal' }],
      ['reached', { stage: 'won' }],
    ]);
    expect(spec.plot.y?.domain).toEqual(['Initial contact', 'Proposal', 'Won']);
    // 3 bars × 24 px + 20 top + 40 bottom = 132
    expect(spec.plot.height).toBe(132);
  });

  it('uses the Chinese stage names and title for zh', () => {
    const spec = funnelStagesChart(result, { lang: 'zh' })!;
    expect(spec.plot.y?.domain).toEqual(['潜在接触', '方案提案', '已成交']);
    expect(spec.title).toContain('销售漏斗');
    expect(markData(spec, 0).every((r) => r.href === null)).toBe(true);
  });

  it('returns null when no stage was reached', () => {
    expect(funnelStagesChart({ stages: [] } as unknown as FunnelResult, { lang: 'en' })).toBeNull();
  });

  it('renders one linked bar per stage with its label', () => {
    const svg = renderChartSvg(funnelStagesChart(result, { lang: 'en', drillHref: recordingDrill().drillHref })!);
    expect(occurrences(svg, '<a ')).toBe(3);
    expect(occurrences(svg, '<rect')).toBe(3);
    expect(svg).toContain('200 · 45.0%');
    expect(svg).toContain('/drill/reached?stage=proposal');
  });
});
