/** Team page: leaderboard, scorecard, floors (performance) and the latest weekly work reports (work-reports). */
import { performanceFamily, type PerformanceHeadline, type PerformanceResult } from '../../metrics/performance/performance.ts';
import { workReportsFamily, type WorkReportsResult } from '../../metrics/work-reports/work-reports.ts';
import type { ResultTable } from '../../metrics/family.ts';
import type { PageDefinition, PageSection } from '../page-model.ts';
import { performanceLeaderboardChart } from '../../charts/performance-leaderboard-chart.ts';
import { charts, pick, tableNamed } from './page-helpers.ts';

/** The latest period's rows first: a manager reads this week's reports, not the first week of the data. */
function latestFirst(table: ResultTable): ResultTable {
  const rows = [...(table.rows as Record<string, unknown>[])].sort((a, b) => String(b.period_start).localeCompare(String(a.period_start)));
  return { ...table, rows };
}

export const teamPage: PageDefinition = {
  id: 'team',
  families: ['performance', 'work-reports'],
  previousPeriod: { performance: ['revenue', 'per_capita_output', 'new_customers', 'followups_per_week', 'followup_timeliness'] },
  build({ lang, results, previous, chart }) {
    const L = pick(lang);
    const sections: PageSection[] = [];
    const p = results.performance as PerformanceResult | undefined;
    const prev = previous.performance as PerformanceHeadline | undefined;
    if (p) {
      const tables = performanceFamily.tables(p);
      sections.push({
        id: 'performance',
        title: L('业绩与排名', 'Performance and ranking'),
        kpis: [
          { id: 'revenue', label: L('销售额', 'Revenue'), value: p.totals.revenue, format: 'money', previous: prev?.totals.revenue, drill: { family: 'performance', target: 'revenue', keys: {} } },
          { id: 'active_reps', label: L('在岗销售', 'Active reps'), value: p.totals.active_reps, format: 'integer', drill: { family: 'performance', target: 'active_reps', keys: {} } },
          { id: 'per_capita_output', label: L('人均产出', 'Output per rep'), value: p.totals.per_capita_output, format: 'money', previous: prev?.totals.per_capita_output },
          { id: 'new_customers', label: L('新客户', 'New customers'), value: p.totals.new_customers, format: 'integer', previous: prev?.totals.new_customers, drill: { family: 'performance', target: 'new_customers', keys: {} } },
          { id: 'followups_per_week', label: L('周均跟进', 'Follow-ups per week'), value: p.totals.followups_per_week, format: 'number', previous: prev?.totals.followups_per_week },
          { id: 'followup_timeliness', label: L('跟进及时率', 'Follow-up timeliness'), value: p.totals.followup_timeliness, format: 'percent', previous: prev?.totals.followup_timeliness, drill: { family: 'performance', target: 'late_followups', keys: {} } },
        ],
        charts: charts(performanceLeaderboardChart(p, chart('performance'))),
        tables: [
          {
            family: 'performance',
            table: tableNamed(tables, 'Leaderboard'),
            drill: (key, row) => {
              const group = String(row.key);
              if (key === 'revenue' || key === 'new_customers' || key === 'followups') return { family: 'performance', target: key, keys: { group } };
              if (key === 'closed_deals') return { family: 'performance', target: 'closed_deals', keys: { group } };
              return null;
            },
          },
          { family: 'performance', table: tableNamed(tables, 'Scorecard') },
          { family: 'performance', table: tableNamed(tables, 'Floors'), drill: (key, row) => (key === 'late' ? { family: 'performance', target: 'late_followups', keys: { group: String(row.key) } } : null) },
        ],
        notes: p.notes,
      });
    }
    const w = results['work-reports'] as WorkReportsResult | undefined;
    if (w) {
      const tables = workReportsFamily.tables(w);
      const byRep = (measure: string) => (key: string, row: Record<string, unknown>) =>
        key === measure ? { family: 'work-reports' as const, target: measure, keys: { rep: String(row.rep), granularity: 'week', period_start: String(row.period_start) } } : null;
      const measures = ['touches', 'new_leads', 'stage_advances', 'wins', 'losses', 'planned_next', 'overdue_followups'];
      sections.push({
        id: 'work-reports',
        title: L('销售周报（由跟进记录生成）', 'Weekly work reports (from the follow-up records)'),
        tables: [
          {
            family: 'work-reports',
            table: latestFirst(tableNamed(tables, 'Weekly')),
            drill: (key, row) => measures.map((m) => byRep(m)(key, row)).find((x) => x) ?? null,
          },
        ],
      });
    }
    return { sections };
  },
};
