/** Cohorts page: customer retention by first-order month, and lead cohorts (cohorts family). */
import { cohortsFamily, type CohortsResult } from '../../metrics/cohorts/cohorts.ts';
import type { PageDefinition, PageTable } from '../page-model.ts';
import { cohortsRetentionHeatmap } from '../../charts/cohorts-retention-heatmap.ts';
import { charts, pick, tableNamed } from './page-helpers.ts';

/** m3 → 3: a month-of-age column. */
const age = (key: string) => (/^m\d+$/.test(key) ? key.slice(1) : null);

export const cohortsPage: PageDefinition = {
  id: 'cohorts',
  families: ['cohorts'],
  build({ lang, results, chart }) {
    const r = results.cohorts as CohortsResult | undefined;
    if (!r) return { sections: [] };
    const L = pick(lang);
    const tables = cohortsFamily.tables(r);
    const cohortDrill = (target: string): PageTable['drill'] => (key, row) => {
      const a = age(key);
      return a === null ? null : { family: 'cohorts', target, keys: { cohort: String(row.cohort), age: a } };
    };
    return {
      sections: [
        {
          id: 'customers',
          title: L('客户留存（按首单月份）', 'Customer retention by first-order month'),
          kpis: [
            { id: 'customers_in_cohorts', label: L('纳入同期群的客户', 'Customers in cohorts'), value: r.customers.customers_in_cohorts, format: 'integer' },
            { id: 'leads_in_cohorts', label: L('纳入同期群的线索', 'Leads in cohorts'), value: r.leads.leads_in_cohorts, format: 'integer' },
          ],
          charts: charts(cohortsRetentionHeatmap(r, chart('cohorts'), r.params.by ? (r.customers.cohorts[0]?.group ?? null) : null)),
          tables: [
            { family: 'cohorts', table: tableNamed(tables, 'Retention'), drill: cohortDrill('active_customers') },
            { family: 'cohorts', table: tableNamed(tables, 'Revenue retention') },
          ],
        },
        {
          id: 'leads',
          title: L('线索同期群（按创建月份）', 'Lead cohorts by month created'),
          tables: [{ family: 'cohorts', table: tableNamed(tables, 'Lead wins'), drill: cohortDrill('won_leads') }],
          notes: lang === 'zh' ? r.notes.zh : r.notes.en,
        },
      ],
    };
  },
};
