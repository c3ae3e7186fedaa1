/** Alert counts per area as horizontal bars stacked by severity (high first): where the trouble is and how serious, at a glance. */
import * as Plot from '@observablehq/plot';
import { AREAS, SEVERITIES, type Area, type Severity } from '../metrics/alerts/alerts-definitions.ts';
import type { AlertsResult } from '../metrics/alerts/alerts.ts';
import type { ChartOptions, ChartSpec } from './chart-spec.ts';
import { barFrame, pick } from './chart-helpers.ts';

const AREA_NAMES: Record<Area, [string, string]> = {
  pipeline: ['销售管道', 'Pipeline'],
  channel: ['渠道', 'Channels'],
  team: ['团队', 'Team'],
  customer: ['客户', 'Customers'],
  market: ['市场', 'Market'],
};
const SEVERITY_NAMES: Record<Severity, [string, string]> = { high: ['高', 'High'], medium: ['中', 'Medium'], low: ['低', 'Low'] };
const SEVERITY_COLORS: Record<Severity, string> = { high: '#e15759', medium: '#f28e2b', low: '#bab0ac' };

export function alertsByAreaChart(result: AlertsResult, opts: ChartOptions): ChartSpec | null {
  if (result.alerts.length === 0) return null;
  const name = (names: [string, string]) => pick(opts.lang, ...names);
  // every area (an area without alerts is a finding too), severities high → low
  const rows = AREAS.flatMap((area) =>
    SEVERITIES.map((severity) => ({
      area: name(AREA_NAMES[area]),
      severity: name(SEVERITY_NAMES[severity]),
      alerts: result.alerts.filter((a) => a.area === area && a.severity === severity).length,
    })),
  ).filter((r) => r.alerts > 0);
  const areas = AREAS.map((a) => name(AREA_NAMES[a]));
  return {
    id: 'alerts-by-area',
    title: pick(opts.lang, '各领域风险预警数（按级别）', 'Risk alerts by area and severity'),
    plot: {
      ...barFrame(areas, opts),
      x: { label: pick(opts.lang, '预警数', 'Alerts'), grid: true },
      y: { domain: areas, label: null },
      color: {
        domain: SEVERITIES.map((s) => name(SEVERITY_NAMES[s])),
        range: SEVERITIES.map((s) => SEVERITY_COLORS[s]),
        legend: true,
        label: pick(opts.lang, '级别', 'Severity'),
      },
      marks: [
        Plot.barX(rows, { x: 'alerts', y: 'area', fill: 'severity', order: SEVERITIES.map((s) => name(SEVERITY_NAMES[s])) }),
        Plot.ruleX([0]),
      ],
    },
  };
}
