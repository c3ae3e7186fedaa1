/** Alerts page: every risk alert with the rows it names, and which rules ran (alerts family). */
import { alertsFamily, type AlertsResult } from '../../metrics/alerts/alerts.ts';
import type { PageDefinition } from '../page-model.ts';
import { alertsByAreaChart } from '../../charts/alerts-by-area-chart.ts';
import { charts, pick, tableNamed } from './page-helpers.ts';

export const alertsPage: PageDefinition = {
  id: 'alerts',
  families: ['alerts'],
  build({ lang, results, chart }) {
    const r = results.alerts as AlertsResult | undefined;
    if (!r) return { sections: [] };
    const L = pick(lang);
    const tables = alertsFamily.tables(r);
    return {
      sections: [
        {
          id: 'alerts',
          title: L('风险预警', 'Risk alerts'),
          kpis: [
            { id: 'total', label: L('预警总数', 'Alerts'), value: r.counts.total, format: 'integer', lowerIsBetter: true },
            { id: 'high', label: L('高', 'High'), value: r.counts.by_severity.high, format: 'integer', lowerIsBetter: true },
            { id: 'medium', label: L('中', 'Medium'), value: r.counts.by_severity.medium, format: 'integer', lowerIsBetter: true },
            { id: 'low', label: L('低', 'Low'), value: r.counts.by_severity.low, format: 'integer', lowerIsBetter: true },
            { id: 'rules_evaluated', label: L('已评估规则', 'Rules evaluated'), value: r.counts.rules_evaluated, format: 'integer' },
          ],
          charts: charts(alertsByAreaChart(r, chart('alerts'))),
          tables: [
            { family: 'alerts', table: tableNamed(tables, 'Alerts'), drill: (key, row) => (key === 'row_count' ? { family: 'alerts', target: 'rows', keys: { alert: String(row.id) } } : null) },
            { family: 'alerts', table: tableNamed(tables, 'Rules') },
          ],
          notes: r.notes,
        },
      ],
    };
  },
};
