/**
 * Targets and OKR (目标), spec §7: progress, pace and year-over-year growth per target; the
 * decomposition tree company → region → team → rep with the places where children's targets do
 * not add up; OKR key results computed from the same facts.
 * The JSON shape below is the `salesight metrics targets --json` output: a public interface.
 *
 * Which targets and which dates (decisions; the SQL is in targets-queries.ts):
 * - a target is listed when its period overlaps [from, to]; each target's actual covers its own
 *   period up to as_of (never past it), so a quarter that is half over shows half a quarter;
 * - progress = actual ÷ target; pace = progress ÷ elapsed share, where the elapsed share counts
 *   as_of itself as a day gone (a finished period has share 1, pace = progress; a period that
 *   has not started has share 0 and no pace); on track when pace ≥ 1;
 * - YoY growth = actual ÷ actual over the same window a year earlier − 1; null when that is 0 or
 *   the data does not reach back to the window's first day;
 * - filters keep targets whose scope lies inside them (region=华东 keeps 华东 and its teams and
 *   reps; see targetScopeSql); `--by region|team|owner|product` lists only that level;
 * - all tiers are listed; the tree uses the base tier.
 */
import crypto from 'node:crypto';
import { queryRows } from '../../warehouse/warehouse.server.ts';
import { MAX_DRILL_ROWS, ratio, type CellFormat, type DrillRequest, type MetricContext, type MetricFamily, type ResultTable, type TableColumn, column as col } from '../family.ts';
import type { ResolvedParams } from '../params.ts';
import type { BonusConfig } from './bonus-config.ts';
import type { OkrKeyResultConfig, OkrMetric, OkrsConfig } from './okr-config.ts';
import {
  baseTablesSql,
  bonusSql,
  drillActualSql,
  drillChildrenSql,
  drillWindow,
  foldCustomerType,
  foldDimension,
  okrSql,
  targetProgressSql,
  TARGET_METRICS,
  treeSql,
  yearEarlier,
  type OkrMeasureInput,
  type RevenueBasis,
  type TargetMetric,
  type TargetsQueryInput,
  revenueBasisFor,
} from './targets-queries.ts';

export interface TargetProgressRow {
  period_start: string;
  period_end: string;
  /** 2026-09, 2026-Q3, 2026, or `start..end` */
  period_label: string;
  /** company, region, team, rep, product, customer_type (or the sheet's own word when unknown) */
  dimension: string;
  dimension_value: string;
  /** revenue (元), new_customers, won_deals (or the sheet's own word when not computed here) */
  metric: string;
  /** base, challenge, excellence */
  tier: string;
  target: number;
  /** last day the actual covers: min(period_end, as_of); null when the period starts after as_of */
  actual_through: string | null;
  /** null when this metric or dimension is not computed here (see note) */
  actual: number | null;
  progress: number | null;
  /** share of the period's days up to and including as_of, 0–1 */
  elapsed_share: number;
  pace: number | null;
  /** pace ≥ 1 */
  on_track: boolean | null;
  last_year_from: string | null;
  last_year_to: string | null;
  last_year_actual: number | null;
  yoy_growth: number | null;
  /** for a quarter or year: Σ of the same key's month targets inside it, when there are any */
  months_target_sum: number | null;
  /** target − months_target_sum */
  months_mismatch: number | null;
  note: string | null;
}

export type TreeNodeStatus = 'ok' | 'mismatch' | 'not_decomposed' | 'no_target' | 'orphan';

export interface TreeNode {
  metric: string;
  period_start: string;
  period_end: string;
  period_label: string;
  /** 0 company, 1 region, 2 team, 3 rep */
  depth: number;
  dimension: 'company' | 'region' | 'team' | 'rep';
  dimension_value: string;
  parent_dimension: string | null;
  parent_value: string | null;
  /** company / 华东 / 华东一组 / 王磊 ('?' where membership is unknown) */
  path: string;
  /** base-tier target; null for a node that sold without one (or an ancestor without one) */
  target: number | null;
  children: number;
  children_with_target: number;
  /** Σ of the children's targets (children without a target add nothing); null without any */
  children_target_sum: number | null;
  /** target − children_target_sum: positive when the parent asks for more than its children carry */
  mismatch: number | null;
  mismatch_share: number | null;
  /**
   * mismatch: children's targets do not add up; not_decomposed: a target no child carries;
   * no_target: in the tree for its actual or its children only; orphan: not placeable from `reps`.
   */
  status: TreeNodeStatus;
  actual: number;
  /** Σ of the children's actuals; below `actual` when sales were credited to no known member */
  children_actual_sum: number | null;
  progress: number | null;
  actual_through: string | null;
}

export type OkrUnit = 'percent' | 'number' | 'money' | 'integer';

export interface OkrKeyResult {
  id: string;
  title: string;
  metric: OkrMetric;
  scope: { dimension: string; value: string } | null;
  unit: OkrUnit;
  source: 'computed' | 'manual';
  current: number | null;
  target: number;
  baseline: number | null;
  direction: 'increase' | 'decrease';
  weight: number;
  /** current ÷ target, or from the baseline; not clamped */
  progress: number | null;
  achieved: boolean | null;
  /** the figures behind `current`: numerator ÷ denominator now and a year earlier */
  detail: { numerator: number | null; denominator: number | null; last_year_numerator: number | null; last_year_denominator: number | null } | null;
  note: string | null;
}

export interface OkrObjective {
  id: string;
  objective: string;
  owner: string | null;
  period_from: string;
  period_to: string;
  /** min(period_to, as_of); null when the period starts after as_of */
  through: string | null;
  last_year_from: string | null;
  last_year_to: string | null;
  elapsed_share: number;
  /** weighted mean of the key results' progress, each clamped to 0–1; null without any */
  progress: number | null;
  key_results: OkrKeyResult[];
}

export interface BonusRow {
  period_start: string;
  period_end: string;
  period_label: string;
  dimension: string;
  dimension_value: string;
  base_target: number;
  /** null when neither the targets nor a factor give this tier */
  challenge_target: number | null;
  excellence_target: number | null;
  /** targets: both upper tiers from the targets table; factors: both from base × config factors */
  tiers_from: 'targets' | 'targets and factors' | 'factors';
  actual: number;
  progress: number | null;
  tier_reached: 'below_base' | 'base' | 'challenge' | 'excellence';
  payout_within_base: number;
  payout_above_base: number;
  payout_above_challenge: number;
  payout_above_excellence: number;
  payout: number;
  /** the period has ended by as_of; otherwise the payout so far is provisional */
  final: boolean;
  actual_through: string | null;
}

export interface BonusResult {
  dimension: BonusConfig['dimension'];
  period: BonusConfig['period'];
  rates: BonusConfig['rates'];
  challenge_factor: number | null;
  excellence_factor: number | null;
  rows: BonusRow[];
  /** Σ payout over final rows (ended periods) */
  total_final: number;
  /** Σ payout over periods still running */
  total_provisional: number;
}

export interface TargetsResult {
  family: 'targets';
  params: ResolvedParams;
  period_applies_to: string;
  /** orders: net order amounts; won_opportunities: the warehouse has no orders, won deals' amounts by closed_at */
  revenue_basis: RevenueBasis;
  revenue_basis_note: string;
  /** first day of data; last year's window must start on or after it */
  data_from: string | null;
  summary: {
    targets: number;
    computed: number;
    not_computed: number;
    /** pace ≥ 1 among those with a pace */
    on_track: number;
    behind: number;
    /** finished periods whose actual reached the target */
    finished_met: number;
    finished_missed: number;
    tree_nodes: number;
    tree_mismatches: number;
    okr_objectives: number;
  };
  targets: TargetProgressRow[];
  tree: TreeNode[];
  /** the tree's nodes whose children's targets do not add up (status mismatch) */
  mismatches: TreeNode[];
  okrs: OkrObjective[];
  /** seed 001 tiered bonus; null when switched off in the config */
  bonus: BonusResult | null;
  notes: string[];
}

export interface TargetsOptions {
  okrs: OkrsConfig;
  bonus: BonusConfig;
}

async function warehouseFacts(ctx: MetricContext): Promise<{ basis: RevenueBasis; data_from: string | null; orders: number; won: number }> {
  const [row] = await queryRows<{ orders: number; won: number; data_from: string | null }>(
    ctx.connection,
    `SELECT (SELECT count(*) FROM orders) AS orders,
            (SELECT count(*) FROM opportunities WHERE status = 'won' AND closed_at IS NOT NULL) AS won,
            strftime((SELECT min(d) FROM (SELECT min(ordered_at) AS d FROM orders UNION ALL SELECT min(created_at) FROM opportunities
                                          UNION ALL SELECT min(closed_at) FROM opportunities)), '%Y-%m-%d') AS data_from`,
  );
  return { basis: revenueBasisFor(row?.orders ?? 0), data_from: row?.data_from ?? null, orders: row?.orders ?? 0, won: row?.won ?? 0 };
}

function noteFor(row: { supported: boolean; metric: string; dimension: string; dimension_value: string }): string | null {
  if (row.supported) return null;
  if (!(TARGET_METRICS as readonly string[]).includes(row.metric)) return `metric "${row.metric}" is not computed here (revenue, new_customers, won_deals are)`;
  if (row.dimension === 'customer_type') {
    return row.metric === 'revenue' ? `customer type "${row.dimension_value}" is neither new nor existing` : `${row.metric} is not split by customer type`;
  }
  return `dimension "${row.dimension}" is not computed here`;
}

function krUnit(kr: OkrKeyResultConfig): OkrUnit {
  if (kr.metric === 'manual') return kr.unit ?? 'number';
  if (/_growth_yoy$|_share$|_rate$/.test(kr.metric)) return 'percent';
  if (kr.metric === 'revenue' || kr.metric === 'per_capita_revenue') return 'money';
  return 'integer';
}

export function keyResultProgress(current: number | null, kr: Pick<OkrKeyResultConfig, 'target' | 'baseline' | 'direction'>): { progress: number | null; achieved: boolean | null } {
  if (current === null) return { progress: null, achieved: null };
  const achieved = kr.direction === 'decrease' ? current <= kr.target : current >= kr.target;
  let progress: number | null;
  if (kr.baseline !== undefined) progress = ratio(current - kr.baseline, kr.target - kr.baseline);
  else progress = kr.direction === 'decrease' ? ratio(kr.target, current) : ratio(current, kr.target);
  return { progress, achieved };
}

const clamp01 = (x: number) => Math.min(1, Math.max(0, x));

async function computeOkrs(ctx: MetricContext, basis: RevenueBasis, dataFrom: string | null, okrs: OkrsConfig): Promise<OkrObjective[]> {
  const { params } = ctx;
  const measures: OkrMeasureInput[] = [];
  const slots: (number | null)[][] = [];
  const frames = okrs.map((o) => {
    const from = o.period?.from ?? params.from;
    const to = o.period?.to ?? params.to;
    const through = to < params.as_of ? to : params.as_of;
    const current = from <= through ? { from, to: through } : null;
    const ly = current ? yearEarlier(current) : null;
    const lastYear = ly && dataFrom !== null && ly.from >= dataFrom ? ly : null;
    const days = (a: string, b: string) => Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000) + 1;
    const elapsed = current ? days(from, through) / days(from, to) : 0;
    slots.push(
      o.key_results.map((kr) => {
        if (kr.metric === 'manual') return null;
        measures.push({ metric: kr.metric, scope: kr.scope, current, last_year: kr.metric.endsWith('_growth_yoy') ? lastYear : null });
        return measures.length - 1;
      }),
    );
    return { from, to, current, lastYear, elapsed };
  });
  const [figures] = measures.length ? await queryRows<Record<string, number | null>>(ctx.connection, okrSql(basis, measures)) : [{}];
  return okrs.map((o, oi) => {
    const frame = frames[oi]!;
    const keyResults: OkrKeyResult[] = o.key_results.map((kr, ki) => {
      const slot = slots[oi]![ki];
      const base = {
        id: kr.id ?? `KR${ki + 1}`,
        title: kr.title,
        metric: kr.metric,
        scope: kr.scope ?? null,
        unit: krUnit(kr),
        target: kr.target,
        baseline: kr.baseline ?? null,
        direction: kr.direction,
        weight: kr.weight,
      };
      if (slot === null || slot === undefined) {
        const current = kr.current ?? null;
        return { ...base, source: 'manual' as const, current, ...keyResultProgress(current, kr), detail: null, note: current === null ? 'not reported yet' : null };
      }
      const f = (k: string) => (figures?.[`k${slot}_${k}`] ?? null) as number | null;
      const cn = f('cn');
      const cd = f('cd');
      const ln = f('ln');
      const ld = f('ld');
      const now = cn === null || cd === null ? null : ratio(cn, cd);
      let current: number | null = now;
      let note: string | null = frame.current ? null : 'the period starts after as_of';
      if (kr.metric.endsWith('_growth_yoy')) {
        const before = ln === null || ld === null ? null : ratio(ln, ld);
        current = now === null || before === null || before === 0 ? null : now / before - 1;
        if (frame.current && !frame.lastYear) note = 'no data for the same window a year earlier';
        else if (frame.current && (before === null || before === 0)) note = 'nothing a year earlier to grow from';
      } else if (frame.current && now === null) {
        note = 'nothing to divide by in this window';
      }
      return {
        ...base,
        source: 'computed' as const,
        current,
        ...keyResultProgress(current, kr),
        detail: { numerator: cn, denominator: cd, last_year_numerator: ln, last_year_denominator: ld },
        note,
      };
    });
    const scored = keyResults.filter((k) => k.progress !== null);
    const weight = scored.reduce((s, k) => s + k.weight, 0);
    return {
      id: o.id ?? `O${oi + 1}`,
      objective: o.objective,
      owner: o.owner ?? null,
      period_from: frame.from,
      period_to: frame.to,
      through: frame.current?.to ?? null,
      last_year_from: frame.lastYear?.from ?? null,
      last_year_to: frame.lastYear?.to ?? null,
      elapsed_share: frame.elapsed,
      progress: weight > 0 ? scored.reduce((s, k) => s + k.weight * clamp01(k.progress!), 0) / weight : null,
      key_results: keyResults,
    };
  });
}

type RawTargetRow = Omit<TargetProgressRow, 'on_track' | 'note'> & { supported: boolean };

export async function computeTargets(ctx: MetricContext, options: TargetsOptions): Promise<TargetsResult> {
  const { params } = ctx;
  const facts = await warehouseFacts(ctx);
  const plain: TargetsQueryInput = { params, basis: facts.basis, coverage_start: facts.data_from };
  // t and actuals once, for the three queries below (each would otherwise plan the whole chain)
  const id = crypto.randomUUID().replaceAll('-', '');
  const base = { t: `targets_t_${id}`, actuals: `targets_actuals_${id}` };
  for (const sql of baseTablesSql(plain, base)) await ctx.connection.run(sql);
  try {
    return await computeFromBase(ctx, options, facts, { ...plain, base });
  } finally {
    await ctx.connection.run(`DROP TABLE IF EXISTS ${base.t}; DROP TABLE IF EXISTS ${base.actuals}`);
  }
}

async function computeFromBase(ctx: MetricContext, options: TargetsOptions, facts: Awaited<ReturnType<typeof warehouseFacts>>, input: TargetsQueryInput): Promise<TargetsResult> {
  const { params } = ctx;
  const raw = await queryRows<RawTargetRow>(ctx.connection, targetProgressSql(input));
  const targets: TargetProgressRow[] = raw.map(({ supported, ...r }) => ({
    ...r,
    on_track: r.pace === null ? null : r.pace >= 1,
    note: noteFor({ supported, metric: r.metric, dimension: r.dimension, dimension_value: r.dimension_value }),
  }));
  const tree = await queryRows<TreeNode>(ctx.connection, treeSql(input));
  const mismatches = tree.filter((n) => n.status === 'mismatch');
  const okrs = await computeOkrs(ctx, facts.basis, facts.data_from, options.okrs);
  let bonus: BonusResult | null = null;
  if (options.bonus.enabled) {
    const rows = await queryRows<BonusRow>(ctx.connection, bonusSql(input, options.bonus));
    const sum = (list: BonusRow[]) => list.reduce((s, b) => s + b.payout, 0);
    bonus = {
      dimension: options.bonus.dimension,
      period: options.bonus.period,
      rates: options.bonus.rates,
      challenge_factor: options.bonus.challenge_factor,
      excellence_factor: options.bonus.excellence_factor,
      rows,
      total_final: sum(rows.filter((b) => b.final)),
      total_provisional: sum(rows.filter((b) => !b.final)),
    };
  }

  const notes: string[] = [];
  if (facts.basis === 'won_opportunities') {
    notes.push(`The warehouse has no orders: revenue is the amount of won opportunities by closed_at (${facts.won} won deals).`);
  }
  if (params.filters.industry || params.filters.source) notes.push('Targets are set per company, region, team, rep, product and customer type: an industry or source filter matches none.');
  if (params.by === 'industry' || params.by === 'source') notes.push(`No targets are set per ${params.by}.`);
  const notComputed = targets.filter((t) => t.actual === null).length;
  if (notComputed) notes.push(`${notComputed} target(s) have a metric or dimension not computed here; they are listed without an actual.`);
  if (targets.length === 0) notes.push('No target overlaps the period (load a targets sheet: 开始日期, 结束日期, 维度, 维度值, 指标, 目标值).');

  const finished = targets.filter((t) => t.elapsed_share === 1 && t.progress !== null);
  return {
    family: 'targets',
    params,
    period_applies_to:
      'targets whose period overlaps [from, to]; each actual covers its own target period up to as_of (orders by ordered_at, won deals and the fallback by closed_at, new customers by first order)',
    revenue_basis: facts.basis,
    revenue_basis_note:
      facts.basis === 'orders'
        ? 'net order amounts by ordered_at (cancellations subtracted), credited to orders.owner and, through reps, to team and region'
        : 'no orders in the warehouse: won opportunities’ amount by closed_at, credited to the opportunity owner',
    data_from: facts.data_from,
    summary: {
      targets: targets.length,
      computed: targets.length - notComputed,
      not_computed: notComputed,
      on_track: targets.filter((t) => t.on_track === true).length,
      behind: targets.filter((t) => t.on_track === false).length,
      finished_met: finished.filter((t) => t.progress! >= 1).length,
      finished_missed: finished.filter((t) => t.progress! < 1).length,
      tree_nodes: tree.length,
      tree_mismatches: mismatches.length,
      okr_objectives: okrs.length,
    },
    targets,
    tree,
    mismatches,
    okrs,
    bonus,
    notes,
  };
}

// ---------------------------------------------------------------------------------------------
// Tables for workbooks and the terminal.

export function targetsTables(r: TargetsResult): ResultTable[] {
  const tables: ResultTable[] = [
    {
      name: 'Targets',
      title_en: `Target progress (as of ${r.params.as_of}; revenue from ${r.revenue_basis === 'orders' ? 'orders' : 'won deals'})`,
      title_zh: `目标完成进度（截至 ${r.params.as_of}；销售额口径：${r.revenue_basis === 'orders' ? '订单' : '赢单商机'}）`,
      columns: [
        col('period_label', 'Period', '周期', 'text'),
        col('period_start', 'From', '开始', 'date'),
        col('period_end', 'To', '结束', 'date'),
        col('dimension', 'Dimension', '维度', 'text'),
        col('dimension_value', 'Who / what', '对象', 'text'),
        col('metric', 'Metric', '指标', 'text'),
        col('tier', 'Tier', '档位', 'text'),
        col('target', 'Target', '目标', 'number'),
        col('actual', 'Actual', '实际', 'number'),
        col('progress', 'Progress', '完成率', 'percent'),
        col('elapsed_share', 'Time elapsed', '时间进度', 'percent'),
        col('pace', 'Pace', '进度比', 'number'),
        col('on_track', 'On track', '是否达标节奏', 'text'),
        col('last_year_actual', 'Same window last year', '去年同期', 'number'),
        col('yoy_growth', 'YoY growth', '同比增长', 'percent'),
        col('months_mismatch', 'Target − Σ months', '目标−月目标合计', 'number'),
        col('note', 'Note', '说明', 'text'),
      ],
      rows: r.targets.map((t) => ({ ...t, on_track: t.on_track === null ? null : t.on_track ? 'yes 是' : 'no 否' })),
    },
    {
      name: 'Target tree',
      title_en: 'Target decomposition company → region → team → rep (base tier)',
      title_zh: '目标分解：公司 → 区域 → 团队 → 销售（基础目标）',
      columns: [
        col('metric', 'Metric', '指标', 'text'),
        col('period_label', 'Period', '周期', 'text'),
        col('depth', 'Depth', '层级', 'integer'),
        col('path', 'Path', '路径', 'text'),
        col('target', 'Target', '目标', 'number'),
        col('children_target_sum', 'Σ children targets', '下级目标合计', 'number'),
        col('mismatch', 'Mismatch', '差额', 'number'),
        col('mismatch_share', 'Mismatch share', '差额占比', 'percent'),
        col('status', 'Status', '状态', 'text'),
        col('actual', 'Actual', '实际', 'number'),
        col('progress', 'Progress', '完成率', 'percent'),
      ],
      rows: r.tree,
    },
    {
      name: 'Tree mismatches',
      title_en: "Where children's targets do not add up to the parent's",
      title_zh: '下级目标合计与上级目标不一致',
      columns: [
        col('metric', 'Metric', '指标', 'text'),
        col('period_label', 'Period', '周期', 'text'),
        col('path', 'Path', '路径', 'text'),
        col('target', 'Target', '目标', 'number'),
        col('children_target_sum', 'Σ children targets', '下级目标合计', 'number'),
        col('mismatch', 'Mismatch', '差额', 'number'),
        col('mismatch_share', 'Mismatch share', '差额占比', 'percent'),
      ],
      rows: r.mismatches,
    },
  ];
  tables.push({
    name: 'OKR',
    title_en: 'OKRs: key results',
    title_zh: 'OKR：关键结果',
    columns: [
      col('objective_id', 'Objective', '目标编号', 'text'),
      col('objective', 'Objective text', '目标', 'text'),
      col('objective_progress', 'Objective progress', '目标进度', 'percent'),
      col('id', 'KR', '关键结果', 'text'),
      col('title', 'Key result', '关键结果内容', 'text'),
      col('metric', 'Metric', '指标', 'text'),
      col('scope', 'Scope', '范围', 'text'),
      col('current_text', 'Current', '当前值', 'text'),
      col('target_text', 'Target', '目标值', 'text'),
      col('progress', 'Progress', '进度', 'percent'),
      col('achieved', 'Achieved', '是否达成', 'text'),
      col('source', 'Source', '来源', 'text'),
      col('note', 'Note', '说明', 'text'),
    ],
    rows: r.okrs.flatMap((o) =>
      o.key_results.map((k) => ({
        objective_id: o.id,
        objective: o.objective,
        objective_progress: o.progress,
        id: k.id,
        title: k.title,
        metric: k.metric,
        scope: k.scope ? `${k.scope.dimension}=${k.scope.value}` : null,
        current_text: formatKr(k.current, k.unit),
        target_text: formatKr(k.target, k.unit),
        progress: k.progress,
        achieved: k.achieved === null ? null : k.achieved ? 'yes 是' : 'no 否',
        source: k.source,
        note: k.note,
      })),
    ),
  });
  if (r.bonus) {
    const b = r.bonus;
    const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
    tables.push({
      name: 'Bonus',
      title_en: `Tiered bonus per ${b.dimension} and ${b.period}: ${pct(b.rates.within_base)} up to base, ${pct(b.rates.above_base)} above base, ${pct(b.rates.above_challenge)} above challenge, ${pct(b.rates.above_excellence)} above excellence`,
      title_zh: `阶梯奖金（按${b.period === 'month' ? '月' : b.period === 'quarter' ? '季度' : '年'}）：基础目标内 ${pct(b.rates.within_base)}，超基础 ${pct(b.rates.above_base)}，超挑战 ${pct(b.rates.above_challenge)}，超卓越 ${pct(b.rates.above_excellence)}`,
      columns: [
        col('period_label', 'Period', '周期', 'text'),
        col('dimension_value', 'Who', '对象', 'text'),
        col('base_target', 'Base target', '基础目标', 'money'),
        col('challenge_target', 'Challenge target', '挑战目标', 'money'),
        col('excellence_target', 'Excellence target', '卓越目标', 'money'),
        col('tiers_from', 'Tiers from', '档位来源', 'text'),
        col('actual', 'Actual', '实际', 'money'),
        col('progress', 'Progress', '完成率', 'percent'),
        col('tier_reached', 'Tier reached', '达成档位', 'text'),
        col('payout', 'Payout', '奖金', 'money'),
        col('final', 'Final', '是否结算', 'text'),
      ],
      rows: b.rows.map((x) => ({ ...x, final: x.final ? 'yes 是' : 'provisional 预估' })),
    });
  }
  return tables;
}

/** KR values mix units (30%, 4.5 points, 元): shown as text so one column can hold them. */
function formatKr(value: number | null, unit: OkrUnit): string | null {
  if (value === null) return null;
  if (unit === 'percent') return `${(value * 100).toFixed(1)}%`;
  if (unit === 'money') return `${value.toLocaleString('en-US', { maximumFractionDigits: 2 })} 元`;
  if (unit === 'integer') return String(Math.round(value));
  return String(value);
}

// ---------------------------------------------------------------------------------------------
// Drill-down.

export const TARGETS_DRILL_TARGETS: Record<string, string[]> = {
  /** the orders (or won deals, or new customers) behind one target's actual */
  actual: ['metric', 'dimension', 'dimension_value', 'period_start', 'period_end', 'window'],
  /** the child nodes (targets and actuals) under one tree node */
  children: ['metric', 'dimension', 'dimension_value', 'period_start', 'period_end'],
};

function need(keys: Record<string, string>, names: string[]): void {
  const missing = names.filter((n) => !keys[n]);
  if (missing.length) throw new Error(`targets drill needs ${missing.join(', ')}`);
}

export async function drillTargets(ctx: MetricContext, request: DrillRequest): Promise<ResultTable> {
  const limit = Math.min(request.limit, MAX_DRILL_ROWS);
  const { keys } = request;
  const facts = await warehouseFacts(ctx);
  let sql: string;
  let title: { en: string; zh: string };
  if (request.target === 'actual') {
    need(keys, ['metric', 'dimension', 'dimension_value', 'period_start', 'period_end']);
    const metric = keys.metric!;
    if (!(TARGET_METRICS as readonly string[]).includes(metric)) throw new Error(`metric "${metric}" is not computed here`);
    const which = keys.window === 'last_year' ? 'last_year' : 'current';
    const w = drillWindow(keys.period_start!, keys.period_end!, ctx.params.as_of, which);
    const dimension = foldDimension(keys.dimension!);
    const value = dimension === 'customer_type' ? foldCustomerType(keys.dimension_value!) : keys.dimension_value!;
    sql = drillActualSql(facts.basis, { metric: metric as TargetMetric, dimension, dimension_value: value, from: w.from, to: w.to }, limit);
    const what = metric === 'won_deals' ? 'won deals' : metric === 'new_customers' ? 'new customers' : facts.basis === 'orders' ? 'order lines' : 'won deals';
    title = { en: `${what} behind ${metric} of ${dimension} ${value}, ${w.from}..${w.to}`, zh: `${dimension} ${value} 的 ${metric} 明细（${w.from}..${w.to}）` };
  } else if (request.target === 'children') {
    need(keys, ['metric', 'dimension', 'period_start', 'period_end']);
    const input: TargetsQueryInput = { params: ctx.params, basis: facts.basis, coverage_start: facts.data_from };
    const dimension = foldDimension(keys.dimension!);
    sql = drillChildrenSql(input, { metric: keys.metric!, dimension, dimension_value: keys.dimension_value ?? 'all', period_start: keys.period_start!, period_end: keys.period_end! }, limit);
    title = { en: `Children of ${dimension} ${keys.dimension_value ?? 'all'} (${keys.metric}, ${keys.period_start}..${keys.period_end})`, zh: `${keys.dimension_value ?? '公司'} 的下级目标（${keys.period_start}..${keys.period_end}）` };
  } else {
    throw new Error(`targets has no drill target "${request.target}"; try ${Object.keys(TARGETS_DRILL_TARGETS).join(', ')}`);
  }
  const rows = await queryRows<Record<string, unknown>>(ctx.connection, sql);
  const columns = Object.keys(rows[0] ?? { none: null }).map((k) =>
    col(k, k, k, /amount|target|actual|mismatch$|_sum$/.test(k) ? 'number' : /share|progress/.test(k) ? 'percent' : /_at$|_start$|_end$|first_sale$/.test(k) ? 'date' : 'text'),
  );
  return { name: request.target, title_en: title.en, title_zh: title.zh, columns, rows };
}

export const targetsFamily: MetricFamily<TargetsResult> = {
  id: 'targets',
  title_en: 'Targets and OKR',
  title_zh: '目标与OKR',
  compute: (ctx) => computeTargets(ctx, { okrs: ctx.config.okrs, bonus: ctx.config.bonus }),
  tables: targetsTables,
  drillTargets: TARGETS_DRILL_TARGETS,
  drill: drillTargets,
};
