/** Funnel page: stage reach, conversion and loss, outcomes, stagnation and lost reasons (funnel family). */
import { funnelFamily, type FunnelHeadline, type FunnelResult } from '../../metrics/funnel/funnel.ts';
import type { PageDefinition, PageSection } from '../page-model.ts';
import { funnelStagesChart } from '../../charts/funnel-stages-chart.ts';
import { funnelLostReasonsChart } from '../../charts/funnel-lost-reasons-chart.ts';
import { charts, pick } from './page-helpers.ts';

const STAGE_COUNTS = new Set(['reached', 'advanced', 'lost', 'still_open']);
/** The outcomes compared with the previous period. */
const COMPARED = ['opportunities', 'win_rate', 'won_amount', 'cycle_days_mean'] as const;

export const funnelPage: PageDefinition = {
  id: 'funnel',
  families: ['funnel'],
  previousPeriod: { funnel: COMPARED },
  build({ lang, results, previous, chart }) {
    const r = results.funnel as FunnelResult | undefined;
    if (!r) return { sections: [] };
    const prev = (previous.funnel as FunnelHeadline | undefined)?.totals;
    const L = pick(lang);
    const tables = funnelFamily.tables(r);
    const table = (name: string) => tables.find((t) => t.name === name)!;
    const sections: PageSection[] = [
      {
        id: 'outcomes',
        title: L('结果', 'Outcomes'),
        kpis: [
          { id: 'opportunities', label: L('商机数', 'Opportunities'), value: r.cohort.opportunities, format: 'integer', previous: prev?.opportunities, drill: { family: 'funnel', target: 'reached', keys: { stage: r.stages[0]?.stage ?? '' } } },
          { id: 'win_rate', label: L('赢单率', 'Win rate'), value: r.outcomes.win_rate, format: 'percent', previous: prev?.win_rate, drill: { family: 'funnel', target: 'won', keys: {} } },
          { id: 'won_amount', label: L('赢单金额', 'Won amount'), value: r.outcomes.won_amount, format: 'money', previous: prev?.won_amount, drill: { family: 'funnel', target: 'won', keys: {} } },
          { id: 'cycle', label: L('平均成交周期', 'Mean deal cycle'), value: r.outcomes.cycle_days_mean, format: 'days', previous: prev?.cycle_days_mean, lowerIsBetter: true },
          { id: 'weighted_pipeline', label: L('加权管道', 'Weighted pipeline'), value: r.weighted_pipeline.amount, format: 'money', drill: { family: 'funnel', target: 'open', keys: {} } },
          { id: 'stagnating', label: L('停滞商机', 'Stagnating deals'), value: r.stagnation.count, format: 'integer', lowerIsBetter: true, drill: { family: 'funnel', target: 'stagnating', keys: {} } },
        ],
      },
      {
        id: 'stages',
        title: L('阶段转化与流失', 'Stage conversion and loss'),
        charts: charts(funnelStagesChart(r, chart('funnel'))),
        tables: [
          {
            family: 'funnel',
            table: table('Funnel'),
            drill: (key, row) => (STAGE_COUNTS.has(key) ? { family: 'funnel', target: key, keys: { stage: String(row.stage) } } : null),
          },
        ],
        notes: [
          L(
            `阶段转化率 = 推进数 ÷ 离开该阶段的商机数（仍在该阶段的商机不计）。数据基础：${r.data_basis}。`,
            `Stage conversion = advanced ÷ exited (deals still in the stage are left out). Data basis: ${r.data_basis}.`,
          ),
        ],
      },
      {
        id: 'stagnation',
        title: L('停滞商机', 'Stagnating deals'),
        tables: [{ family: 'funnel', table: table('Stagnation') }],
      },
      {
        id: 'lost',
        title: L('输单原因', 'Lost reasons'),
        charts: charts(funnelLostReasonsChart(r, chart('funnel'))),
        tables: [
          {
            family: 'funnel',
            table: table('Lost reasons'),
            drill: (key, row) => (key === 'opportunities' ? { family: 'funnel', target: 'lost', keys: { stage: String(row.lost_at_stage) } } : null),
          },
        ],
      },
    ];
    return { sections };
  },
};
