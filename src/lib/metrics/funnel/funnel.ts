/**
 * The funnel (销售漏斗), spec §2: stage conversion and loss, cumulative conversion, win rate,
 * deal cycle, stagnation, velocity, weighted pipeline, per-group comparison, lost reasons.
 * The JSON shape below is the `salesight metrics funnel --json` output: a public interface.
 *
 * Which opportunities each figure covers (the period is [from, to], both inclusive):
 * - stage rows and lost reasons: the cohort created in the period;
 * - win rate, cycle, won amounts: opportunities closed (won or lost) in the period;
 * - open pipeline, weighted pipeline, stagnation, velocity's open count: open as of now.
 */
import { randomUUID } from 'node:crypto';
import { queryRows } from '../../warehouse/warehouse.server.ts';
import { checkHeadlineFields, drillQueryTable, MAX_DRILL_ROWS, ratio, type DrillQuery, type DrillRequest, type MetricContext, type MetricFamily, type ResultTable } from '../family.ts';
import type { Dimension, ResolvedParams } from '../params.ts';
import { loadStageList } from '../stages.ts';
import {
  cohortSummarySql,
  drillKeysSql,
  drillSql,
  lostReasonsSql,
  materializeBaseSql,
  openPipelineSql,
  outcomesSql,
  stageCountsSql,
  stagnationCountsSql,
  stagnationSql,
  type FunnelDrillTarget,
  type FunnelQueryInput,
} from './funnel-queries.ts';

/** Stagnating deals listed in the result; all of them through drill `stagnating`. */
export const STAGNATION_LIST_LIMIT = 100;

export interface FunnelStageRow {
  position: number;
  stage: string;
  name_zh: string;
  name_en: string;
  is_won: boolean;
  reached: number;
  advanced: number;
  /** advanced + lost: opportunities that left the stage (those still in it are censored, not failures) */
  exited: number;
  /** lost or marked invalid at this stage (their furthest stage) */
  lost: number;
  invalid: number;
  still_open: number;
  won: number;
  /** advanced ÷ exited: the seed's 进入下一阶段客户数 / 退出本阶段客户数 */
  conversion: number | null;
  /** lost ÷ exited (线索流失率) */
  loss_rate: number | null;
  /** reached ÷ reached at the first stage */
  cumulative_conversion: number | null;
}

export interface FunnelOutcomes {
  /** won or lost with closed_at in the period */
  closed: number;
  won: number;
  lost: number;
  /** won ÷ (won + lost) among those closed in the period */
  win_rate: number | null;
  won_amount: number;
  avg_won_amount: number | null;
  /** days from created_at to closed_at of deals won in the period */
  cycle_days_mean: number | null;
  cycle_days_median: number | null;
  cycle_sample: number;
  /** open as of now */
  open_opportunities: number;
  /** open × win rate × average won amount ÷ mean cycle days: 元 per day */
  velocity_per_day: number | null;
}

export interface WeightedStage {
  stage: string;
  open: number;
  expected_amount: number;
  /** P(win | in this stage) */
  probability: number | null;
  probability_source: 'configured' | 'history';
  weighted_amount: number | null;
}

export interface StagnantOpportunity {
  opportunity_id: string;
  customer_name: string | null;
  owner: string | null;
  team: string | null;
  region: string | null;
  source: string | null;
  stage: string;
  stage_entered_at: string;
  dwell_days: number;
  threshold_days: number;
  expected_amount: number | null;
}

export interface FunnelGroup {
  key: string | null;
  stages: Pick<FunnelStageRow, 'stage' | 'reached' | 'advanced' | 'exited' | 'lost' | 'conversion' | 'loss_rate'>[];
  outcomes: FunnelOutcomes;
}

export interface FunnelResult {
  family: 'funnel';
  params: ResolvedParams;
  stage_set: string;
  /** history: every opportunity has stage changes; snapshot: none has (reached is inferred) */
  data_basis: 'history' | 'snapshot' | 'mixed';
  cohort: {
    basis: 'created_at in period';
    opportunities: number;
    with_stage_history: number;
    snapshot_only: number;
    /** no known stage (e.g. lost with no stage recorded): in totals, not in stage rows */
    unknown_stage: number;
    /** no creation date: counted only when the period starts at the beginning of the data */
    undated: number;
  };
  skipped_stages_count_as_reached: boolean;
  stages: FunnelStageRow[];
  outcomes: FunnelOutcomes;
  weighted_pipeline: {
    amount: number;
    open_with_amount: number;
    open_without_amount: number;
    by_stage: WeightedStage[];
  };
  stagnation: {
    count: number;
    by_stage: { stage: string; count: number; threshold_days: number }[];
    /** the longest-stagnating first, at most STAGNATION_LIST_LIMIT */
    opportunities: StagnantOpportunity[];
  };
  lost_reasons: { lost_at_stage: string | null; reason: string; opportunities: number; invalid: number }[];
  /** per team / rep / source …, with `--by` */
  groups: { dimension: Dimension; rows: FunnelGroup[] } | null;
  /** what a reader should know, e.g. that there is nothing to show yet and why */
  notes: string[];
}

interface StageCountRow {
  position: number;
  stage: string;
  grp: string | null;
  reached: number;
  advanced: number;
  lost: number;
  invalid: number;
  still_open: number;
  won: number;
}

interface OutcomeRow {
  grp: string | null;
  closed: number;
  won: number;
  won_amount: number;
  avg_won_amount: number | null;
  cycle_days_mean: number | null;
  cycle_days_median: number | null;
  cycle_sample: number;
  open_now: number;
}

function toOutcomes(r: OutcomeRow | undefined): FunnelOutcomes {
  const closed = r?.closed ?? 0;
  const won = r?.won ?? 0;
  const winRate = ratio(won, closed);
  const avgWon = r?.avg_won_amount ?? null;
  const cycle = r?.cycle_days_mean ?? null;
  const open = r?.open_now ?? 0;
  return {
    closed,
    won,
    lost: closed - won,
    win_rate: winRate,
    won_amount: r?.won_amount ?? 0,
    avg_won_amount: avgWon,
    cycle_days_mean: cycle,
    cycle_days_median: r?.cycle_days_median ?? null,
    cycle_sample: r?.cycle_sample ?? 0,
    open_opportunities: open,
    velocity_per_day: winRate !== null && avgWon !== null && cycle ? (open * winRate * avgWon) / cycle : null,
  };
}

function stageRows(counts: StageCountRow[], input: FunnelQueryInput): FunnelStageRow[] {
  const first = counts.find((c) => c.position === 1)?.reached ?? 0;
  return input.stages.stages.map((s) => {
    const c = counts.find((x) => x.position === s.position);
    const reached = c?.reached ?? 0;
    const advanced = c?.advanced ?? 0;
    const lost = c?.lost ?? 0;
    const exited = advanced + lost;
    return {
      position: s.position,
      stage: s.stage,
      name_zh: s.name_zh,
      name_en: s.name_en,
      is_won: s.is_won,
      reached,
      advanced,
      exited,
      lost,
      invalid: c?.invalid ?? 0,
      still_open: c?.still_open ?? 0,
      won: c?.won ?? 0,
      conversion: s.is_won ? null : ratio(advanced, exited),
      loss_rate: s.is_won ? null : ratio(lost, exited),
      cumulative_conversion: ratio(reached, first),
    };
  });
}

/**
 * P(win | in stage s): the configured probability, else the product of the historical stage
 * conversions from s up to the won stage (spec §2). Unknown (null) when a conversion on the way
 * has no exits to measure.
 */
export function winProbabilities(stages: FunnelStageRow[], configured: Map<string, number | null>): Map<string, { p: number | null; source: 'configured' | 'history' }> {
  const out = new Map<string, { p: number | null; source: 'configured' | 'history' }>();
  for (const [i, s] of stages.entries()) {
    const c = configured.get(s.stage);
    if (c !== null && c !== undefined) {
      out.set(s.stage, { p: c, source: 'configured' });
      continue;
    }
    let p: number | null = 1;
    for (const later of stages.slice(i)) {
      if (later.is_won) break;
      p = later.conversion === null || p === null ? null : p * later.conversion;
    }
    out.set(s.stage, { p: s.is_won ? 1 : p, source: 'history' });
  }
  return out;
}

export async function computeFunnel(ctx: MetricContext, stageSet?: string): Promise<FunnelResult> {
  const stages = await loadStageList(ctx.connection, ctx.config, stageSet);
  const input: FunnelQueryInput = { params: ctx.params, stages, skippedStagesCountAsReached: ctx.config.skipped_stages_count_as_reached };
  return withFunnelBase(ctx, input, (withBase) => computeFunnelFrom(ctx, withBase));
}

/** The funnel's totals a page shows alone or compares with the previous period, each read from the figures. */
const FUNNEL_TOTALS = {
  opportunities: (f) => f.cohort.opportunities,
  win_rate: (f) => f.outcomes.win_rate,
  won_amount: (f) => f.outcomes.won_amount,
  cycle_days_mean: (f) => f.outcomes.cycle_days_mean,
  open_opportunities: (f) => f.outcomes.open_opportunities,
} satisfies Record<string, (figures: { cohort: Pick<FunnelResult['cohort'], 'opportunities'>; outcomes: FunnelOutcomes }) => number | null>;
export type FunnelTotal = keyof typeof FUNNEL_TOTALS;

export interface FunnelHeadline {
  family: 'funnel';
  params: ResolvedParams;
  /** only the totals asked for, each equal to the full family's */
  totals: Partial<Record<FunnelTotal, number | null>>;
}

/**
 * Only the totals named. None reads stage history, so base is built from opportunities alone:
 * no stage-event aggregate and no materialized table (the overview's funnel figures, and the
 * previous period's on the funnel page and the overview).
 */
export async function computeFunnelHeadline(ctx: MetricContext, fields: readonly string[]): Promise<FunnelHeadline> {
  checkHeadlineFields('funnel', fields, FUNNEL_TOTALS);
  const stages = await loadStageList(ctx.connection, ctx.config);
  const input: FunnelQueryInput = { params: ctx.params, stages, skippedStagesCountAsReached: ctx.config.skipped_stages_count_as_reached, history: 'none' };
  const [summary] = fields.includes('opportunities') ? await queryRows<{ opportunities: number }>(ctx.connection, cohortSummarySql(input)) : [];
  const [overall] = fields.some((f) => f !== 'opportunities') ? await queryRows<OutcomeRow>(ctx.connection, outcomesSql(input, null)) : [];
  const figures = { cohort: { opportunities: summary?.opportunities ?? 0 }, outcomes: toOutcomes(overall) };
  return { family: 'funnel', params: ctx.params, totals: Object.fromEntries(fields.map((f) => [f, FUNNEL_TOTALS[f as FunnelTotal](figures)])) };
}

/**
 * Runs `work` with the per-opportunity base materialised once for `input` (see
 * materializeBaseSql): the funnel's queries all start from it. Dropped afterwards.
 */
export async function withFunnelBase<T>(ctx: MetricContext, input: FunnelQueryInput, work: (input: FunnelQueryInput) => Promise<T>): Promise<T> {
  const table = `funnel_base_${randomUUID().replaceAll('-', '')}`;
  await ctx.connection.run(materializeBaseSql(input, table));
  try {
    return await work({ ...input, baseTable: table });
  } finally {
    await ctx.connection.run(`DROP TABLE IF EXISTS ${table}`);
  }
}

async function computeFunnelFrom(ctx: MetricContext, input: FunnelQueryInput): Promise<FunnelResult> {
  const { connection, params, config } = ctx;
  const { stages } = input;

  const [summary] = await queryRows<{ opportunities: number; with_history: number; unknown_stage: number; undated: number }>(connection, cohortSummarySql(input));
  const counts = await queryRows<StageCountRow>(connection, stageCountsSql(input, null));
  const stageTable = stageRows(counts, input);
  const [overall] = await queryRows<OutcomeRow>(connection, outcomesSql(input, null));

  const probabilities = winProbabilities(stageTable, new Map(stages.stages.map((s) => [s.stage, s.probability])));
  const pipeline = await queryRows<{ position: number; open: number; with_amount: number; expected_amount: number }>(connection, openPipelineSql(input));
  const byStage: WeightedStage[] = pipeline.map((p) => {
    const stage = stages.stages.find((s) => s.position === p.position)!;
    const prob = probabilities.get(stage.stage) ?? { p: null, source: 'history' as const };
    return {
      stage: stage.stage,
      open: p.open,
      expected_amount: p.expected_amount,
      probability: prob.p,
      probability_source: prob.source,
      weighted_amount: prob.p === null ? null : p.expected_amount * prob.p,
    };
  });

  // counted in SQL and only the longest listed: at a million deals, hundreds of thousands stagnate
  const stagnantCounts = await queryRows<{ stage: string; n: number }>(connection, stagnationCountsSql(input));
  const stagnant = await queryRows<StagnantOpportunity>(connection, stagnationSql(input, STAGNATION_LIST_LIMIT));
  const stagnationByStage = stages.stages
    .filter((s) => s.stagnation_days !== null)
    .map((s) => ({ stage: s.stage, count: stagnantCounts.find((c) => c.stage === s.stage)?.n ?? 0, threshold_days: s.stagnation_days! }))
    .filter((s) => s.count > 0);

  let groups: FunnelResult['groups'] = null;
  if (params.by) {
    const groupCounts = await queryRows<StageCountRow>(connection, stageCountsSql(input, params.by));
    const groupOutcomes = await queryRows<OutcomeRow>(connection, outcomesSql(input, params.by));
    const keys = [...new Set([...groupOutcomes.map((o) => o.grp), ...groupCounts.map((c) => c.grp)])];
    groups = {
      dimension: params.by,
      rows: keys.map((key) => ({
        key,
        stages: stageRows(groupCounts.filter((c) => c.grp === key), input).map(({ stage, reached, advanced, exited, lost, conversion, loss_rate }) => ({
          stage, reached, advanced, exited, lost, conversion, loss_rate,
        })),
        outcomes: toOutcomes(groupOutcomes.find((o) => o.grp === key)),
      })),
    };
  }

  const opportunities = summary?.opportunities ?? 0;
  const withHistory = summary?.with_history ?? 0;
  return {
    family: 'funnel',
    params,
    stage_set: stages.stage_set,
    data_basis: withHistory === 0 ? 'snapshot' : withHistory === opportunities ? 'history' : 'mixed',
    cohort: {
      basis: 'created_at in period',
      opportunities,
      with_stage_history: withHistory,
      snapshot_only: opportunities - withHistory,
      unknown_stage: summary?.unknown_stage ?? 0,
      undated: summary?.undated ?? 0,
    },
    skipped_stages_count_as_reached: config.skipped_stages_count_as_reached,
    stages: stageTable,
    outcomes: toOutcomes(overall),
    weighted_pipeline: {
      amount: byStage.reduce((a, s) => a + (s.weighted_amount ?? 0), 0),
      open_with_amount: pipeline.reduce((a, p) => a + p.with_amount, 0),
      open_without_amount: pipeline.reduce((a, p) => a + p.open - p.with_amount, 0),
      by_stage: byStage,
    },
    stagnation: { count: stagnantCounts.reduce((a, c) => a + c.n, 0), by_stage: stagnationByStage, opportunities: stagnant },
    lost_reasons: await queryRows(connection, lostReasonsSql(input)),
    groups,
    notes: stages.stages.length === 0 ? ['The warehouse has no opportunities yet: ingest an opportunities export (e.g. a CRM pipeline report) to see the funnel.'] : [],
  };
}

const pct = (key: string, en: string, zh: string) => ({ key, header_en: en, header_zh: zh, format: 'percent' as const });
const int = (key: string, en: string, zh: string) => ({ key, header_en: en, header_zh: zh, format: 'integer' as const });
const text = (key: string, en: string, zh: string) => ({ key, header_en: en, header_zh: zh, format: 'text' as const });
const money = (key: string, en: string, zh: string) => ({ key, header_en: en, header_zh: zh, format: 'money' as const });

export function funnelTables(r: FunnelResult): ResultTable[] {
  const o = r.outcomes;
  const tables: ResultTable[] = [
    {
      name: 'Funnel',
      title_en: 'Stage conversion and loss',
      title_zh: '阶段转化与流失',
      columns: [
        text('name_zh', 'Stage (zh)', '阶段'), text('name_en', 'Stage', '阶段（英文）'),
        int('reached', 'Reached', '到达'), int('advanced', 'Advanced', '推进'), int('lost', 'Lost / invalid', '流失/无效'),
        int('still_open', 'Still open here', '仍在本阶段'), int('exited', 'Exited', '退出'),
        pct('conversion', 'Stage conversion', '阶段转化率'), pct('loss_rate', 'Stage loss rate', '阶段流失率'),
        pct('cumulative_conversion', 'Cumulative conversion', '累计转化率'),
      ],
      rows: r.stages,
    },
    {
      name: 'Outcomes',
      title_en: 'Win rate, cycle and velocity',
      title_zh: '赢率、周期与速度',
      columns: [text('metric', 'Metric', '指标'), { key: 'value', header_en: 'Value', header_zh: '数值', format: 'number' }, text('unit', 'Unit', '单位')],
      rows: [
        { metric: 'Closed in period 期内结单', value: o.closed, unit: 'deals' },
        { metric: 'Won 赢单', value: o.won, unit: 'deals' },
        { metric: 'Lost 输单', value: o.lost, unit: 'deals' },
        { metric: 'Win rate 赢率', value: o.win_rate, unit: 'fraction' },
        { metric: 'Won amount 赢单金额', value: o.won_amount, unit: '元' },
        { metric: 'Average won amount 平均赢单金额', value: o.avg_won_amount, unit: '元' },
        { metric: 'Deal cycle, mean 平均成交周期', value: o.cycle_days_mean, unit: 'days' },
        { metric: 'Deal cycle, median 成交周期中位数', value: o.cycle_days_median, unit: 'days' },
        { metric: 'Open now 当前在途', value: o.open_opportunities, unit: 'deals' },
        { metric: 'Sales velocity 销售速度', value: o.velocity_per_day, unit: '元/day' },
        { metric: 'Weighted pipeline 加权预测', value: r.weighted_pipeline.amount, unit: '元' },
        { metric: 'Stagnating deals 停滞商机', value: r.stagnation.count, unit: 'deals' },
      ],
    },
    {
      name: 'Weighted pipeline',
      title_en: 'Weighted pipeline by stage',
      title_zh: '加权预测（按阶段）',
      columns: [text('stage', 'Stage', '阶段'), int('open', 'Open', '在途'), money('expected_amount', 'Expected amount', '预计金额'), pct('probability', 'P(win)', '赢单概率'), text('probability_source', 'Probability from', '概率来源'), money('weighted_amount', 'Weighted', '加权金额')],
      rows: r.weighted_pipeline.by_stage,
    },
    {
      name: 'Stagnation',
      title_en: 'Stagnating opportunities',
      title_zh: '停滞商机',
      columns: [
        text('opportunity_id', 'Opportunity', '商机编号'), text('customer_name', 'Customer', '客户'), text('owner', 'Owner', '负责人'),
        text('stage', 'Stage', '阶段'), { key: 'stage_entered_at', header_en: 'In stage since', header_zh: '进入阶段', format: 'date' },
        { key: 'dwell_days', header_en: 'Days in stage', header_zh: '停留天数', format: 'days' }, { key: 'threshold_days', header_en: 'Threshold', header_zh: '阈值（天）', format: 'days' },
        money('expected_amount', 'Expected amount', '预计金额'),
      ],
      rows: r.stagnation.opportunities,
    },
    {
      name: 'Lost reasons',
      title_en: 'Lost reasons by stage',
      title_zh: '丢单原因（按阶段）',
      columns: [text('lost_at_stage', 'Lost at stage', '流失阶段'), text('reason', 'Reason', '原因'), int('opportunities', 'Opportunities', '商机数'), int('invalid', 'Of which invalid', '其中无效')],
      rows: r.lost_reasons,
    },
  ];
  if (r.groups) {
    const stages = r.stages.filter((s) => !s.is_won);
    tables.push({
      name: `By ${r.groups.dimension}`,
      title_en: `Stage conversion by ${r.groups.dimension}`,
      title_zh: `分${r.groups.dimension}阶段转化`,
      columns: [
        text('key', r.groups.dimension, r.groups.dimension),
        ...stages.map((s) => pct(`conversion_${s.position}`, `${s.name_en} conversion`, `${s.name_zh}转化率`)),
        pct('win_rate', 'Win rate', '赢率'), money('won_amount', 'Won amount', '赢单金额'),
        { key: 'cycle_days_mean', header_en: 'Cycle (days)', header_zh: '平均周期（天）', format: 'days' },
      ],
      rows: r.groups.rows.map((g) => ({
        key: g.key,
        ...Object.fromEntries(stages.map((s) => [`conversion_${s.position}`, g.stages.find((x) => x.stage === s.stage)?.conversion ?? null])),
        win_rate: g.outcomes.win_rate,
        won_amount: g.outcomes.won_amount,
        cycle_days_mean: g.outcomes.cycle_days_mean,
      })),
    });
  }
  return tables;
}

const DRILL_TARGETS: Record<FunnelDrillTarget, string[]> = {
  reached: ['stage', 'group'],
  advanced: ['stage', 'group'],
  lost: ['stage', 'group'],
  still_open: ['stage', 'group'],
  won: ['group'],
  open: ['group'],
  stagnating: ['stage'],
};

/** A drill-down column from its name: amounts are money, *_days days, *_at dates. */
function drillColumn(name: string): ResultTable['columns'][number] {
  const format: ResultTable['columns'][number]['format'] = /amount/.test(name) ? 'money' : /_days$/.test(name) ? 'days' : /_at$/.test(name) ? 'date' : 'text';
  return { key: name, header_en: name, header_zh: name, format };
}

async function funnelDrillQuery(ctx: MetricContext, request: DrillRequest): Promise<DrillQuery> {
  if (!(request.target in DRILL_TARGETS)) throw new Error(`funnel has no drill target "${request.target}"; try ${Object.keys(DRILL_TARGETS).join(', ')}`);
  const stages = await loadStageList(ctx.connection, ctx.config);
  const input: FunnelQueryInput = { params: ctx.params, stages, skippedStagesCountAsReached: ctx.config.skipped_stages_count_as_reached };
  const target = request.target as FunnelDrillTarget;
  return {
    name: request.target,
    title_en: `Opportunities: ${request.target}`,
    title_zh: `商机明细：${request.target}`,
    sql: drillSql(input, target, request.keys, request.limit),
    columnOf: drillColumn,
    // stagnating deals are listed longest-waiting first, not by id, so they are not cut into id pages
    paging:
      target === 'stagnating'
        ? undefined
        : {
            keysSql: drillKeysSql(input),
            pageSql: (from, to) => drillSql({ ...input, keyRange: { from, to } }, target, request.keys, request.limit),
            limit: request.limit,
          },
  };
}

export const funnelFamily: MetricFamily<FunnelResult> = {
  id: 'funnel',
  title_en: 'Sales funnel',
  title_zh: '销售漏斗',
  compute: (ctx) => computeFunnel(ctx),
  tables: funnelTables,
  drillTargets: DRILL_TARGETS,
  async drill(ctx: MetricContext, request: DrillRequest): Promise<ResultTable> {
    return drillQueryTable(ctx.connection, await funnelDrillQuery(ctx, { ...request, limit: Math.min(request.limit, MAX_DRILL_ROWS) }), 'opportunity_id');
  },
  drillQuery: funnelDrillQuery,
  headline: computeFunnelHeadline,
  headlineFields: Object.keys(FUNNEL_TOTALS),
};
