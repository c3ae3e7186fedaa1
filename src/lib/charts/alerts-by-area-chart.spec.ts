import { describe, expect, it } from 'vitest';
import type { AlertsResult } from '../metrics/alerts/alerts.ts';
import { alertsByAreaChart } from './alerts-by-area-chart.ts';
import { markData, occurrences } from './chart-testing.ts';
import { renderChartSvg } from './render.server.ts';

const alert = (area: string, severity: string) => ({ id: `${area}:${severity}`, area, severity });
const result = {
  alerts: [
    // pipeline: 2 high + 1 low; team: 1 medium; customer: 3 high
    alert('pipeline', 'high'),
    alert('pipeline', 'high'),
    alert('pipeline', 'low'),
    alert('team', 'medium'),
    alert('customer', 'high'),
    alert('customer', 'high'),
    alert('customer', 'high'),
  ],
} as unknown as AlertsResult;

describe('alertsByAreaChart', () => {
  it('counts alerts per area and severity, in area order with high first', () => {
    const spec = alertsByAreaChart(result, { lang: 'en' })!;
    expect(markData(spec, 0).map((r) => [r.area, r.severity, r.alerts])).toEqual([
      ['Pipeline', 'High', 2],
      ['Pipeline', 'Low', 1],
      ['Team', 'Medium', 1],
      ['Customers', 'High', 3],
    ]);
    // every area is a row, those without alerts too: 5 × 24 + 20 + 40 = 180
    expect(spec.plot.y?.domain).toEqual(['Pipeline', 'Channels', 'Team', 'Customers', 'Market']);
    expect(spec.plot.height).toBe(180);
  });

  it('names areas and severities in Chinese', () => {
    const spec = alertsByAreaChart(result, { lang: 'zh' })!;
    expect(markData(spec, 0)[0]).toEqual({ area: '销售管道', severity: '高', alerts: 2 });
    expect(spec.plot.color?.domain).toEqual(['高', '中', '低']);
  });

  it('returns null without alerts', () => {
    expect(alertsByAreaChart({ alerts: [] } as unknown as AlertsResult, { lang: 'en' })).toBeNull();
  });

  it('renders one stacked segment per area and severity with a severity legend', () => {
    const svg = renderChartSvg(alertsByAreaChart(result, { lang: 'en' })!);
    // 4 bar segments + 3 legend swatches
    expect(occurrences(svg, '<rect')).toBe(4 + 3);
    expect(svg).toContain('>Customers<');
    expect(svg).toContain('Medium');
  });
});
