/** Customers page: RFM tiers and segments with strategy, ABC, cross-sell, and the handover list (customer-value, customer-timeline). */
import { customerValueFamily, type CustomerValueResult } from '../../metrics/customer-value/customer-value.ts';
import { customerTimelineFamily, type CustomerTimelineResult } from '../../metrics/customer-timeline/customer-timeline.ts';
import type { PageDefinition, PageSection } from '../page-model.ts';
import { customerAbcChart } from '../../charts/customer-abc-chart.ts';
import { customerSegmentsChart } from '../../charts/customer-segments-chart.ts';
import { charts, pick, tableNamed } from './page-helpers.ts';

export const customersPage: PageDefinition = {
  id: 'customers',
  families: ['customer-value', 'customer-timeline'],
  build({ lang, results, chart }) {
    const L = pick(lang);
    const sections: PageSection[] = [];
    const v = results['customer-value'] as CustomerValueResult | undefined;
    if (v) {
      const tables = customerValueFamily.tables(v);
      const rows = (name: string) => tableNamed(tables, name);
      sections.push(
        {
          id: 'value',
          title: L('客户价值分层（RFM）', 'Customer value (RFM)'),
          kpis: [
            { id: 'scored_customers', label: L('已评分客户', 'Customers scored'), value: v.population.scored_customers, format: 'integer', drill: { family: 'customer-value', target: 'customers', keys: {} } },
            { id: 'revenue_in_window', label: L('窗口内收入', 'Revenue in window'), value: v.population.revenue_in_window, format: 'money' },
            { id: 'orders_in_window', label: L('窗口内订单', 'Orders in window'), value: v.population.orders_in_window, format: 'integer' },
          ],
          charts: charts(customerSegmentsChart(v, chart('customer-value')), customerAbcChart(v, chart('customer-value'))),
          tables: [
            { family: 'customer-value', table: rows('Tiers'), drill: (key, row) => (key === 'customers' ? { family: 'customer-value', target: 'tier', keys: { tier: String(row.id) } } : null) },
            { family: 'customer-value', table: rows('RFM segments'), drill: (key, row) => (key === 'customers' ? { family: 'customer-value', target: 'segment', keys: { segment: String(row.id) } } : null) },
            { family: 'customer-value', table: rows('ABC'), drill: (key, row) => (key === 'customers' ? { family: 'customer-value', target: 'abc', keys: { class: String(row.id) } } : null) },
          ],
          notes: [L(`窗口：${v.window.start} 至 ${v.window.end}（${v.window.months} 个月）。`, `Window: ${v.window.start} to ${v.window.end} (${v.window.months} months).`)],
        },
        { id: 'members', title: L('客户明细', 'Customers'), tables: [{ family: 'customer-value', table: rows('Customers') }, { family: 'customer-value', table: rows('Cross-sell') }] },
      );
    }
    const h = results['customer-timeline'] as CustomerTimelineResult | undefined;
    if (h) {
      const tables = customerTimelineFamily.tables(h);
      sections.push({
        id: 'handover',
        title: L('客户交接', 'Customer handover'),
        kpis: [
          { id: 'customers', label: L('客户数', 'Customers'), value: h.customers, format: 'integer' },
          { id: 'needs_handover', label: L('需交接客户', 'Need a handover'), value: h.needs_handover, format: 'integer', lowerIsBetter: true },
          { id: 'needs_handover_open', label: L('需交接且有在途商机', 'Of which with open deals'), value: h.needs_handover_with_open_deals, format: 'integer', lowerIsBetter: true },
        ],
        tables: tables.map((table) => ({
          family: 'customer-timeline' as const,
          table,
          drill: (key: string, row: Record<string, unknown>) =>
            key === 'customer_name' || key === 'interactions' ? { family: 'customer-timeline' as const, target: 'timeline', keys: { customer: String(row.customer_id ?? row.customer_name) } } : null,
        })),
      });
    }
    return { sections };
  },
};
