/**
 * Channel quality (线索来源质量), spec §3: per lead source its leads, stage conversions, win rate,
 * won revenue, average won amount and cycle (the funnel, grouped by source), the month-by-month
 * win rate, and a drop alert when a source's win rate falls by more than the configured share.
 * Channel cost is not in the warehouse yet, so cost per lead / per deal and ROI are reported as
 * unavailable rather than invented (spec §1: skipped, not faked).
 */
import { queryRows } from '../../warehouse/warehouse.server.ts';
import { MAX_DRILL_ROWS, ratio, type DrillRequest, type MetricContext, type MetricFamily, type ResultTable } from '../family.ts';
import type { ResolvedParams } from '../params.ts';
import { computeFunnel, funnelFamily, type FunnelStageRow } from '../funnel/funnel.ts';
import { monthlyWinRateSql, type MonthlyWinRateRow } from './channels-queries.ts';

export interface ChannelRow {
  source: string | null;
  /** opportunities created in the period */
  leads: number;
  stages: Pick<FunnelStageRow, 'stage' | 'reached' | 'conversion'>[];
  /** reached the won stage ÷ leads, for the period's cohort */
  lead_to_win: number | null;
  /** won ÷ (won + lost) among deals closed in the period */
  win_rate: number | null;
  won: number;
  won_amount: number;
  avg_won_amount: number | null;
  cycle_days_mean: number | null;
  /** share of all won revenue in the period */
  revenue_share: number | null;
}

export interface ChannelDrop {
  source: string;
  window_months: number;
  previous_window: { from: string; to: string; closed: number; win_rate: number };
  current_window: { from: string; to: string; closed: number; win_rate: number };
  /** (previous − current) ÷ previous */
  relative_drop: number;
}

export interface ChannelsResult {
  family: 'channels';
  params: ResolvedParams;
  stage_set: string;
  channels: ChannelRow[];
  /** per source and closing month: closed deals and win rate */
  monthly: MonthlyWinRateRow[];
  drops: ChannelDrop[];
  drop_rule: { threshold: number; window_months: number; min_closed: number };
  cost: { available: false; note: string };
}

function monthShift(month: string, by: number): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const d = new Date(Date.UTC(y, m - 1 + by, 1));
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

/**
 * Compares the last `window` months up to the as-of month with the `window` months before; a
 * drop is called when both windows have enough closed deals and the win rate fell by more than
 * the threshold (relative).
 */
export function findDrops(monthly: MonthlyWinRateRow[], asOf: string, threshold: number, window: number, minClosed: number): ChannelDrop[] {
  const lastMonth = asOf.slice(0, 7);
  const current = Array.from({ length: window }, (_, i) => monthShift(lastMonth, -i));
  const previous = Array.from({ length: window }, (_, i) => monthShift(lastMonth, -window - i));
  const sources = [...new Set(monthly.map((m) => m.source))];
  const drops: ChannelDrop[] = [];
  for (const source of sources) {
    if (source === null) continue;
    const sum = (months: string[]) => {
      const rows = monthly.filter((m) => m.source === source && months.includes(m.month));
      const closed = rows.reduce((a, r) => a + r.closed, 0);
      const won = rows.reduce((a, r) => a + r.won, 0);
      return { closed, winRate: ratio(won, closed) };
    };
    const cur = sum(current);
    const prev = sum(previous);
    if (cur.closed < minClosed || prev.closed < minClosed || !prev.winRate || cur.winRate === null) continue;
    const drop = (prev.winRate - cur.winRate) / prev.winRate;
    // "more than" the threshold: a drop equal to it (50% → 35% is 0.30000000000000004 in floats) is not called
    if (drop > threshold + 1e-9) {
      drops.push({
        source,
        window_months: window,
        previous_window: { from: previous[previous.length - 1]!, to: previous[0]!, closed: prev.closed, win_rate: prev.winRate },
        current_window: { from: current[current.length - 1]!, to: current[0]!, closed: cur.closed, win_rate: cur.winRate },
        relative_drop: drop,
      });
    }
  }
  return drops.sort((a, b) => b.relative_drop - a.relative_drop);
}

export async function computeChannels(ctx: MetricContext): Promise<ChannelsResult> {
  const funnel = await computeFunnel({ ...ctx, params: { ...ctx.params, by: 'source' } });
  const monthly = await queryRows<MonthlyWinRateRow>(ctx.connection, monthlyWinRateSql(ctx.params, funnel.stage_set));
  const totalWon = funnel.outcomes.won_amount;
  const channels: ChannelRow[] = (funnel.groups?.rows ?? []).map((g) => {
    const leads = g.stages[0]?.reached ?? 0;
    const wonReached = g.stages[g.stages.length - 1]?.reached ?? 0;
    return {
      source: g.key,
      leads,
      stages: g.stages.map(({ stage, reached, conversion }) => ({ stage, reached, conversion })),
      lead_to_win: ratio(wonReached, leads),
      win_rate: g.outcomes.win_rate,
      won: g.outcomes.won,
      won_amount: g.outcomes.won_amount,
      avg_won_amount: g.outcomes.avg_won_amount,
      cycle_days_mean: g.outcomes.cycle_days_mean,
      revenue_share: ratio(g.outcomes.won_amount, totalWon),
    };
  });
  channels.sort((a, b) => b.won_amount - a.won_amount || b.leads - a.leads);
  const rule = ctx.config.channels;
  return {
    family: 'channels',
    params: ctx.params,
    stage_set: funnel.stage_set,
    channels,
    monthly,
    drops: findDrops(monthly, ctx.params.as_of, ctx.config.alerts.channel_conversion_drop, rule.drop_window_months, rule.min_closed_for_alert),
    drop_rule: { threshold: ctx.config.alerts.channel_conversion_drop, window_months: rule.drop_window_months, min_closed: rule.min_closed_for_alert },
    cost: { available: false, note: 'No channel cost input in the warehouse: cost per lead, cost per won deal and ROI are not computed.' },
  };
}

export function channelsTables(r: ChannelsResult): ResultTable[] {
  const stageNames = r.channels[0]?.stages.filter((_, i, all) => i < all.length - 1).map((s) => s.stage) ?? [];
  return [
    {
      name: 'Channels',
      title_en: 'Lead source quality',
      title_zh: '线索来源质量',
      columns: [
        { key: 'source', header_en: 'Source', header_zh: '线索来源', format: 'text' },
        { key: 'leads', header_en: 'Leads', header_zh: '线索数', format: 'integer' },
        ...stageNames.map((s, i) => ({ key: `conversion_${i}`, header_en: `${s} conversion`, header_zh: `${s}转化率`, format: 'percent' as const })),
        { key: 'lead_to_win', header_en: 'Lead → won', header_zh: '线索成交率', format: 'percent' },
        { key: 'win_rate', header_en: 'Win rate (closed in period)', header_zh: '赢率（期内结单）', format: 'percent' },
        { key: 'won', header_en: 'Won', header_zh: '赢单数', format: 'integer' },
        { key: 'won_amount', header_en: 'Won revenue', header_zh: '赢单金额', format: 'money' },
        { key: 'avg_won_amount', header_en: 'Average won amount', header_zh: '平均赢单金额', format: 'money' },
        { key: 'cycle_days_mean', header_en: 'Cycle (days)', header_zh: '平均周期（天）', format: 'days' },
        { key: 'revenue_share', header_en: 'Revenue share', header_zh: '收入占比', format: 'percent' },
      ],
      rows: r.channels.map((c) => ({ ...c, ...Object.fromEntries(stageNames.map((_, i) => [`conversion_${i}`, c.stages[i]?.conversion ?? null])) })),
    },
    {
      name: 'Monthly win rate',
      title_en: 'Win rate by source and closing month',
      title_zh: '各来源月度赢率',
      columns: [
        { key: 'source', header_en: 'Source', header_zh: '线索来源', format: 'text' },
        { key: 'month', header_en: 'Month', header_zh: '月份', format: 'text' },
        { key: 'closed', header_en: 'Closed', header_zh: '结单数', format: 'integer' },
        { key: 'won', header_en: 'Won', header_zh: '赢单数', format: 'integer' },
        { key: 'win_rate', header_en: 'Win rate', header_zh: '赢率', format: 'percent' },
      ],
      rows: r.monthly,
    },
    {
      name: 'Drops',
      title_en: `Sources whose win rate fell by more than ${Math.round(r.drop_rule.threshold * 100)}%`,
      title_zh: `赢率下降超过 ${Math.round(r.drop_rule.threshold * 100)}% 的来源`,
      columns: [
        { key: 'source', header_en: 'Source', header_zh: '线索来源', format: 'text' },
        { key: 'previous', header_en: 'Before', header_zh: '此前', format: 'percent' },
        { key: 'current', header_en: 'Now', header_zh: '当前', format: 'percent' },
        { key: 'relative_drop', header_en: 'Relative drop', header_zh: '相对降幅', format: 'percent' },
        { key: 'window', header_en: 'Windows', header_zh: '比较区间', format: 'text' },
      ],
      rows: r.drops.map((d) => ({
        source: d.source,
        previous: d.previous_window.win_rate,
        current: d.current_window.win_rate,
        relative_drop: d.relative_drop,
        window: `${d.previous_window.from}…${d.previous_window.to} → ${d.current_window.from}…${d.current_window.to}`,
      })),
    },
  ];
}

export const channelsFamily: MetricFamily<ChannelsResult> = {
  id: 'channels',
  title_en: 'Channel quality',
  title_zh: '线索来源质量',
  compute: computeChannels,
  tables: channelsTables,
  drillTargets: { leads: ['source'], won: ['source'] },
  async drill(ctx: MetricContext, request: DrillRequest): Promise<ResultTable> {
    const target = request.target === 'leads' ? 'reached' : request.target === 'won' ? 'won' : null;
    if (!target) throw new Error(`channels has no drill target "${request.target}"; try leads, won`);
    const params = { ...ctx.params, filters: request.keys.source ? { ...ctx.params.filters, source: [request.keys.source] } : ctx.params.filters, by: null };
    return funnelFamily.drill!({ ...ctx, params }, { target, keys: {}, limit: Math.min(request.limit, MAX_DRILL_ROWS) });
  },
};
