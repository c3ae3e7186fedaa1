/** Targets/OKR page: progress and pace of the targets running at as-of, the decomposition tree's mismatches, OKRs, bonus (targets family). */
import { targetsFamily, type TargetsResult } from '../../metrics/targets/targets.ts';
import type { ResultTable } from '../../metrics/family.ts';
import type { PageDefinition } from '../page-model.ts';
import { targetsProgressChart } from '../../charts/targets-progress-chart.ts';
import { charts, pick, tableNamed } from './page-helpers.ts';

/** Targets whose period contains as-of first (what is running now), then the most recent. */
function currentFirst(table: ResultTable, asOf: string): ResultTable {
  const running = (r: Record<string, unknown>) => String(r.period_start) <= asOf && asOf <= String(r.period_end);
  const rows = [...(table.rows as Record<string, unknown>[])].sort(
    (a, b) => Number(running(b)) - Number(running(a)) || String(b.period_end).localeCompare(String(a.period_end)),
  );
  return { ...table, rows };
}

export const targetsPage: PageDefinition = {
  id: 'targets',
  families: ['targets'],
  build({ lang, results, chart }) {
    const r = results.targets as TargetsResult | undefined;
    if (!r) return { sections: [] };
    const L = pick(lang);
    const tables = targetsFamily.tables(r);
    const s = r.summary;
    return {
      sections: [
        {
          id: 'progress',
          title: L('目标进度', 'Target progress'),
          kpis: [
            { id: 'targets', label: L('目标数', 'Targets'), value: s.targets, format: 'integer' },
            { id: 'on_track', label: L('进度达标', 'On track'), value: s.on_track, format: 'integer' },
            { id: 'behind', label: L('进度落后', 'Behind'), value: s.behind, format: 'integer', lowerIsBetter: true },
            { id: 'tree_mismatches', label: L('分解不一致', 'Tree mismatches'), value: s.tree_mismatches, format: 'integer', lowerIsBetter: true },
          ],
          charts: charts(
            targetsProgressChart(r, chart('targets'), { dimension: 'region' }),
            targetsProgressChart(r, chart('targets'), { dimension: 'team', period: 'longest' }),
          ),
          tables: [
            {
              family: 'targets',
              table: currentFirst(tableNamed(tables, 'Targets'), r.params.as_of),
              drill: (key, row) =>
                key === 'actual'
                  ? {
                      family: 'targets',
                      target: 'actual',
                      keys: { metric: String(row.metric), dimension: String(row.dimension), dimension_value: String(row.dimension_value), period_start: String(row.period_start), period_end: String(row.period_end), window: 'current' },
                    }
                  : null,
            },
          ],
          notes: [r.revenue_basis_note, ...r.notes],
        },
        { id: 'tree', title: L('目标分解', 'Target decomposition'), tables: [{ family: 'targets', table: tableNamed(tables, 'Tree mismatches') }] },
        { id: 'okr', title: 'OKR', tables: [{ family: 'targets', table: tableNamed(tables, 'OKR') }] },
        { id: 'bonus', title: L('奖金', 'Bonus'), tables: [{ family: 'targets', table: tableNamed(tables, 'Bonus') }] },
      ],
    };
  },
};
