import { describe, expect, it } from 'vitest';
import type { CustomerValueResult } from '../metrics/customer-value/customer-value.ts';
import { customerAbcChart } from './customer-abc-chart.ts';
import { markData, occurrences, recordingDrill } from './chart-testing.ts';
import { renderChartSvg } from './render.server.ts';

// 100 customers, 1,000,000 元: A 20 customers 800,000; B 30 → 150,000; C 50 → 50,000
const result = {
  abc_basis: 'revenue',
  abc: [
    { id: 'A', customers: 20, customer_share: 0.2, contribution: 800_000, contribution_share: 0.8 },
    { id: 'B', customers: 30, customer_share: 0.3, contribution: 150_000, contribution_share: 0.15 },
    { id: 'C', customers: 50, customer_share: 0.5, contribution: 50_000, contribution_share: 0.05 },
  ],
} as unknown as CustomerValueResult;

describe('customerAbcChart', () => {
  it('puts customer share beside contribution share per class, both linked to the class', () => {
    const { calls, drillHref } = recordingDrill();
    const spec = customerAbcChart(result, { lang: 'en', drillHref })!;
    expect(markData(spec, 0).map((r) => [r.class, r.measure, r.label])).toEqual([
      ['A', 'Share of customers', '20.0%'],
      ['A', 'Share of revenue', '80.0%'],
      ['B', 'Share of customers', '30.0%'],
      ['B', 'Share of revenue', '15.0%'],
      ['C', 'Share of customers', '50.0%'],
      ['C', 'Share of revenue', '5.0%'],
    ]);
    expect(calls).toEqual([
      ['abc', { class: 'A' }],
      ['abc', { class: 'B' }],
      ['abc', { class: 'C' }],
    ]);
  });

  it('names the contribution profit when ABC ranks on profit', () => {
    const spec = customerAbcChart({ ...result, abc_basis: 'profit' } as CustomerValueResult, { lang: 'zh' })!;
    expect(spec.plot.color?.domain).toEqual(['客户数占比', '利润贡献占比']);
  });

  it('returns null when no share is known', () => {
    const none = { abc_basis: 'revenue', abc: [{ id: 'A', customers: 0, customer_share: null, contribution: 0, contribution_share: null }] } as unknown as CustomerValueResult;
    expect(customerAbcChart(none, { lang: 'en' })).toBeNull();
  });

  it('renders two linked bars per class with their percents', () => {
    const svg = renderChartSvg(customerAbcChart(result, { lang: 'en', drillHref: recordingDrill().drillHref })!);
    expect(occurrences(svg, '<a ')).toBe(6);
    expect(svg).toContain('80.0%');
    expect(svg).toContain('/drill/abc?class=C');
  });
});
