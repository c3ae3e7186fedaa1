import { describe, expect, it } from 'vitest';
import type { CustomerValueResult } from '../metrics/customer-value/customer-value.ts';
import { customerSegmentsChart } from './customer-segments-chart.ts';
import { markData, occurrences, recordingDrill } from './chart-testing.ts';
import { renderChartSvg } from './render.server.ts';

// 40 scored customers: 10 ÷ 40 = 25%, 0, 30 ÷ 40 = 75%
const result = {
  segments: [
    { id: 'champions', name_zh: '冠军客户', name_en: 'Champions', customers: 10, share: 0.25 },
    { id: 'new', name_zh: '新客户', name_en: 'New', customers: 0, share: 0 },
    { id: 'lost', name_zh: '已流失', name_en: 'Lost', customers: 30, share: 0.75 },
  ],
} as unknown as CustomerValueResult;

describe('customerSegmentsChart', () => {
  it('draws every segment in its order with count · share and segment links', () => {
    const { calls, drillHref } = recordingDrill();
    const spec = customerSegmentsChart(result, { lang: 'zh', drillHref })!;
    expect(markData(spec, 1).map((r) => [r.name, r.customers, r.label])).toEqual([
      ['冠军客户', 10, '10 · 25.0%'],
      ['新客户', 0, '0 · 0.0%'],
      ['已流失', 30, '30 · 75.0%'],
    ]);
    expect(calls.map(([target, keys]) => [target, keys.segment])).toEqual([
      ['segment', 'champions'],
      ['segment', 'new'],
      ['segment', 'lost'],
    ]);
  });

  it('returns null when no customer is scored', () => {
    const none = { segments: [{ id: 'new', name_zh: '新客户', name_en: 'New', customers: 0, share: null }] } as unknown as CustomerValueResult;
    expect(customerSegmentsChart(none, { lang: 'en' })).toBeNull();
  });

  it('renders a linked bar per segment with English names', () => {
    const svg = renderChartSvg(customerSegmentsChart(result, { lang: 'en', drillHref: recordingDrill().drillHref })!);
    expect(occurrences(svg, '<a ')).toBe(3);
    expect(svg).toContain('>Champions<');
    expect(svg).toContain('30 · 75.0%');
  });
});
