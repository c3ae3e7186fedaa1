/**
 * Overview: what leadership checks first — revenue against the company target with pace, the
 * headline funnel and team figures with change against the previous period, and the top alerts.
 */
import type { AlertsResult } from '../../metrics/alerts/alerts.ts';
import type { FunnelHeadline } from '../../metrics/funnel/funnel.ts';
import type { PerformanceHeadline } from '../../metrics/performance/performance.ts';
import type { TargetsResult } from '../../metrics/targets/targets.ts';
import { alertsFamily } from '../../metrics/alerts/alerts.ts';
import type { PageDefinition, PageSection } from '../page-model.ts';
import { targetsProgressChart } from '../../charts/targets-progress-chart.ts';
import { charts, pick, tableNamed } from './page-helpers.ts';

const SEVERITY_ORDER = { high: 0, medium: 1, low: 2 } as const;
export const TOP_ALERTS = 8;

/** The company revenue target running at as-of (shortest period first: the month before the quarter and year). */
export function currentCompanyTarget(r: TargetsResult): TargetsResult['targets'][number] | null {
  const asOf = r.params.as_of;
  const running = r.targets.filter((t) => t.metric === 'revenue' && t.dimension === 'company' && t.tier === 'base' && t.period_start <= asOf && asOf <= t.period_end);
  return running.sort((a, b) => a.period_end.localeCompare(b.period_end) || b.period_start.localeCompare(a.period_start))[0] ?? null;
}

/** The performance totals the key figures show (the rest of the family is the team page's). */
const KPI_TOTALS = ['revenue', 'new_customers', 'avg_order_value'] as const;
/** The funnel totals the key figures show, and those compared with the previous period. */
const FUNNEL_KPI_TOTALS = ['win_rate', 'cycle_days_mean', 'open_opportunities'] as const;
const FUNNEL_COMPARED = ['win_rate', 'cycle_days_mean'] as const;

export const overviewPage: PageDefinition = {
  id: 'overview',
  families: ['targets', 'performance', 'funnel', 'alerts'],
  totalsOnly: { performance: KPI_TOTALS, funnel: FUNNEL_KPI_TOTALS },
  previousPeriod: { performance: KPI_TOTALS, funnel: FUNNEL_COMPARED },
  build({ lang, results, previous, chart }) {
    const L = pick(lang);
    const sections: PageSection[] = [];
    const targets = results.targets as TargetsResult | undefined;
    const perf = results.performance as PerformanceHeadline | undefined;
    const funnel = results.funnel as FunnelHeadline | undefined;
    const prevPerf = previous.performance as PerformanceHeadline | undefined;
    const prevFunnel = previous.funnel as FunnelHeadline | undefined;
    const target = targets ? currentCompanyTarget(targets) : null;
    if (target) {
      sections.push({
        id: 'target',
        title: L(`收入目标：${target.period_label}`, `Revenue target: ${target.period_label}`),
        kpis: [
          { id: 'target_actual', label: L('实际', 'Actual'), value: target.actual, format: 'money', drill: { family: 'targets', target: 'actual', keys: { metric: 'revenue', dimension: 'company', dimension_value: 'all', period_start: target.period_start, period_end: target.period_end, window: 'current' } } },
          { id: 'target_value', label: L('目标', 'Target'), value: target.target, format: 'money' },
          { id: 'target_progress', label: L('完成率', 'Progress'), value: target.progress, format: 'percent' },
          { id: 'target_elapsed', label: L('时间进度', 'Time elapsed'), value: target.elapsed_share, format: 'percent' },
          { id: 'target_pace', label: L('进度比', 'Pace'), value: target.pace, format: 'percent', hint: L('完成率 ÷ 时间进度；≥100% 即达标', 'progress ÷ time elapsed; ≥100% is on track') },
        ],
        charts: charts(targets ? targetsProgressChart(targets, chart('targets'), { dimension: 'region' }) : null),
      });
    }
    if (perf || funnel) {
      sections.push({
        id: 'kpis',
        title: L('关键指标', 'Key figures'),
        kpis: [
          ...(perf
            ? [
                { id: 'revenue', label: L('销售额', 'Revenue'), value: perf.totals.revenue ?? null, format: 'money' as const, previous: prevPerf?.totals.revenue, drill: { family: 'performance' as const, target: 'revenue', keys: {} } },
                { id: 'new_customers', label: L('新客户', 'New customers'), value: perf.totals.new_customers ?? null, format: 'integer' as const, previous: prevPerf?.totals.new_customers },
                { id: 'avg_order_value', label: L('客单价', 'Average order'), value: perf.totals.avg_order_value ?? null, format: 'money' as const, previous: prevPerf?.totals.avg_order_value },
              ]
            : []),
          ...(funnel
            ? [
                { id: 'win_rate', label: L('赢单率', 'Win rate'), value: funnel.totals.win_rate ?? null, format: 'percent' as const, previous: prevFunnel?.totals.win_rate, drill: { family: 'funnel' as const, target: 'won', keys: {} } },
                { id: 'cycle', label: L('平均成交周期', 'Mean deal cycle'), value: funnel.totals.cycle_days_mean ?? null, format: 'days' as const, previous: prevFunnel?.totals.cycle_days_mean, lowerIsBetter: true },
                { id: 'open', label: L('在途商机', 'Open deals'), value: funnel.totals.open_opportunities ?? null, format: 'integer' as const, drill: { family: 'funnel' as const, target: 'open', keys: {} } },
              ]
            : []),
        ],
      });
    }
    const alerts = results.alerts as AlertsResult | undefined;
    if (alerts) {
      const table = tableNamed(alertsFamily.tables(alerts), 'Alerts');
      const rows = [...(table.rows as Record<string, unknown>[])]
        .sort((a, b) => SEVERITY_ORDER[a.severity as keyof typeof SEVERITY_ORDER] - SEVERITY_ORDER[b.severity as keyof typeof SEVERITY_ORDER])
        .slice(0, TOP_ALERTS);
      const keep = new Set(['severity', 'area', lang === 'zh' ? 'title_zh' : 'title_en', 'row_count']);
      sections.push({
        id: 'alerts',
        title: L('主要预警', 'Top alerts'),
        tables: [
          {
            family: 'alerts',
            table: { ...table, name: 'Top alerts', columns: table.columns.filter((c) => keep.has(c.key)), rows },
            drill: (key, row) => (key === 'row_count' ? { family: 'alerts', target: 'rows', keys: { alert: String(row.id) } } : null),
          },
        ],
      });
    }
    return { sections };
  },
};
