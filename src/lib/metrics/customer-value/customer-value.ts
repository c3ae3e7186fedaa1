/**
 * Customer value (spec §5): per customer R, F, M as of a date over a look-back window; the
 * seed 003 tiers (客户分层) with their strategy and channels; quintile RFM scores and the 11
 * named segments; ABC classes (seed 001 客户分级); cross-sell hints (seed 000).
 * The JSON shape below is the `--json` output: a public interface. The exact rules (window,
 * what an order is, percentiles, ties, ABC cut) are documented at the top of
 * customer-value-queries.ts.
 *
 * Dates: everything is as of params.as_of (D); the window is the rfm.window_months months
 * ending at D, on orders.ordered_at. params.from / params.to are not used (a `--to` without
 * `--as-of` still moves D, through resolveParams).
 */
import { randomUUID } from 'node:crypto';
import { queryRows } from '../../warehouse/warehouse.server.ts';
import { MAX_DRILL_ROWS, ratio, type DrillRequest, type MetricContext, type MetricFamily, type ResultTable, type TableColumn, column as col } from '../family.ts';
import type { Dimension, ResolvedParams } from '../params.ts';
import type { CrossSellConfig } from './customer-value-config.ts';
import {
  ABC_CLASSES,
  ABC_IDS,
  SEGMENTS,
  SEGMENT_IDS,
  TIERS,
  TIER_IDS,
  segmentCells,
  type AbcClass,
  type AbcDefinition,
  type SegmentDefinition,
  type SegmentId,
  type TierDefinition,
  type TierId,
} from './customer-value-definitions.ts';
import {
  crossSellSql,
  customerListSql,
  groupFilterSql,
  groupingSupported,
  groupsSql,
  materializeScoresSql,
  populationSql,
  summarySql,
  tierThresholds,
  windowStart,
  type CustomerValueQueryInput,
  type TierThresholds,
} from './customer-value-queries.ts';

export interface CustomerScore {
  customer_id: string;
  customer_name: string | null;
  region: string | null;
  industry: string | null;
  /** customers.owner, else the rep on the latest order up to D */
  owner: string | null;
  team: string | null;
  first_order_date: string;
  last_order_date: string;
  /** R: days from the last order's date to D */
  recency_days: number;
  /** F: distinct non-cancelled orders in the window */
  orders_in_window: number;
  /** F ÷ window months */
  orders_per_month: number;
  /** M: Σ amount in the window, cancellations netted (元) */
  monetary: number;
  /** share of scored customers with a strictly smaller M (0 ≤ p < 1) */
  monetary_percentile: number;
  r_score: number;
  f_score: number;
  m_score: number;
  /** trunc((f_score + m_score) / 2) */
  fm_score: number;
  /** e.g. '545' */
  rfm_cell: string;
  segment: SegmentId;
  tier: TierId;
  /** what ABC ranks: M, or Σ profit in the window (abc_basis) */
  contribution: number;
  /** Σ positive contributions up to and including this customer ÷ their total; null when none is positive */
  cumulative_share: number | null;
  abc_class: AbcClass;
}

interface Counted {
  customers: number;
  /** customers ÷ scored customers */
  share: number | null;
  /** Σ M of these customers */
  revenue: number;
  /** revenue ÷ Σ M of all scored customers */
  revenue_share: number | null;
}

export interface TierRow extends TierDefinition, Counted {
  rule_en: string;
  rule_zh: string;
}

export interface SegmentRow extends SegmentDefinition, Counted {
  /** grid cells, e.g. ['R5 FM5'] */
  cells: string[];
  avg_recency_days: number | null;
  avg_orders_in_window: number | null;
  avg_monetary: number | null;
}

export interface AbcRow extends AbcDefinition {
  customers: number;
  customer_share: number | null;
  contribution: number;
  /** contribution ÷ Σ contribution of all scored customers */
  contribution_share: number | null;
  /** the class runs while the positive cumulative before a customer is below this share */
  cumulative_below: number;
}

export interface CrossSellPair {
  pair_rank: number;
  product_x: string;
  product_y: string;
  /** scored customers who bought X in the window */
  buyers_x: number;
  /** … and Y in the window */
  buyers_both: number;
  /** buyers_both ÷ buyers_x */
  confidence: number;
  /** bought X in the window and never bought Y up to D: all of them via drill cross_sell */
  candidates: number;
}

export interface CrossSellHint {
  pair_rank: number;
  product_x: string;
  product_y: string;
  customer_rank: number;
  customer_id: string;
  customer_name: string | null;
  owner: string | null;
  monetary: number;
  tier: TierId;
  segment: SegmentId;
  abc_class: AbcClass;
}

export interface CustomerValueGroup {
  key: string | null;
  customers: number;
  revenue: number;
  tiers: Record<TierId, number>;
  segments: Record<SegmentId, number>;
  abc: Record<AbcClass, number>;
}

export interface CustomerValueResult {
  family: 'customer-value';
  params: ResolvedParams;
  as_of: string;
  window: { months: number; start: string; end: string; date_basis: 'orders.ordered_at' };
  /** seed 003 thresholds in orders-in-window units (W = 12: 12, 4, 1, 2 orders) */
  thresholds: TierThresholds;
  /** profit when every in-window line in scope has one, else revenue */
  abc_basis: 'revenue' | 'profit';
  abc_cuts: { a_share: number; b_share: number };
  population: {
    scored_customers: number;
    /** in `customers` (and the filters) but no order up to D: not scored */
    customers_without_orders: number;
    /** non-cancelled orders in the window without a customer_id (guest checkouts): not scored */
    guest_orders_in_window: number;
    orders_in_window: number;
    revenue_in_window: number;
  };
  tiers: TierRow[];
  segments: SegmentRow[];
  abc: AbcRow[];
  /** every scored customer, the largest contribution first */
  customers: CustomerScore[];
  cross_sell: { settings: CrossSellConfig; pairs: CrossSellPair[]; hints: CrossSellHint[] };
  /** with `by`: counts per tier, segment and ABC class within each group (scores stay population-wide) */
  groups: { dimension: Dimension; rows: CustomerValueGroup[] } | null;
  notes: string[];
}

function queryInput(ctx: MetricContext): CustomerValueQueryInput {
  return { params: ctx.params, rfm: ctx.config.rfm, abc: ctx.config.abc, crossSell: ctx.config.customer_value.cross_sell };
}

const pctText = (p: number) => `${Math.round(p * 1000) / 10}%`;
const round12 = (x: number) => Math.round(x * 1e12) / 1e12;

/** The tier rules in words, with the configured numbers. */
export function tierRules(t: TierThresholds, months: number): Record<TierId, { en: string; zh: string }> {
  const orders = (n: number) => `${Math.round(n * 1000) / 1000}`;
  return {
    high_value: {
      en: `R ≤ ${t.high_value.max_recency_days} days; F ≥ ${orders(t.high_value.min_orders_in_window)} orders in ${months} months; M in the top ${pctText(1 - t.high_value.min_monetary_percentile)} (percentile ≥ ${t.high_value.min_monetary_percentile})`,
      zh: `R ≤ ${t.high_value.max_recency_days}天;${months}个月内订单 ≥ ${orders(t.high_value.min_orders_in_window)};M 位于前${pctText(1 - t.high_value.min_monetary_percentile)}(百分位 ≥ ${t.high_value.min_monetary_percentile})`,
    },
    potential: {
      en: `R ≤ ${t.potential.max_recency_days} days; F ≥ ${orders(t.potential.min_orders_in_window)} orders in ${months} months; M percentile in [${t.potential.monetary_percentile_from}, ${t.potential.monetary_percentile_below})`,
      zh: `R ≤ ${t.potential.max_recency_days}天;${months}个月内订单 ≥ ${orders(t.potential.min_orders_in_window)};M 百分位在 [${t.potential.monetary_percentile_from}, ${t.potential.monetary_percentile_below}) 之间`,
    },
    low_value: {
      en: `R ≥ ${t.low_value.min_recency_days} days; F ≤ ${orders(t.low_value.max_orders_in_window)} orders in ${months} months; M in the bottom ${pctText(t.low_value.monetary_percentile_below)} (percentile < ${t.low_value.monetary_percentile_below})`,
      zh: `R ≥ ${t.low_value.min_recency_days}天;${months}个月内订单 ≤ ${orders(t.low_value.max_orders_in_window)};M 位于后${pctText(t.low_value.monetary_percentile_below)}(百分位 < ${t.low_value.monetary_percentile_below})`,
    },
    dormant: {
      en: `R ≥ ${t.dormant.min_recency_days} days; F ≤ ${orders(t.dormant.max_orders_in_window)} orders in ${months} months`,
      zh: `R ≥ ${t.dormant.min_recency_days}天;${months}个月内订单 ≤ ${orders(t.dormant.max_orders_in_window)}`,
    },
    regular: { en: 'Matches none of the tiers above', zh: '不符合以上任一层级' },
  };
}

interface SummaryRow {
  breakdown: 'all' | 'tier' | 'segment' | 'abc';
  key: string | null;
  customers: number;
  revenue: number;
  contribution: number;
  avg_recency_days: number | null;
  avg_orders_in_window: number | null;
  avg_monetary: number | null;
  orders_in_window: number | null;
}

interface CrossSellRow extends CrossSellPair {
  customer_rank: number | null;
  customer_id: string | null;
  customer_name: string | null;
  owner: string | null;
  monetary: number | null;
  tier: TierId | null;
  segment: SegmentId | null;
  abc_class: AbcClass | null;
}

function splitCrossSell(rows: CrossSellRow[]): { pairs: CrossSellPair[]; hints: CrossSellHint[] } {
  const pairs: CrossSellPair[] = [];
  const hints: CrossSellHint[] = [];
  for (const r of rows) {
    if (!pairs.some((p) => p.pair_rank === r.pair_rank)) {
      pairs.push({ pair_rank: r.pair_rank, product_x: r.product_x, product_y: r.product_y, buyers_x: r.buyers_x, buyers_both: r.buyers_both, confidence: r.confidence, candidates: r.candidates });
    }
    if (r.customer_id !== null) {
      hints.push({
        pair_rank: r.pair_rank, product_x: r.product_x, product_y: r.product_y, customer_rank: r.customer_rank!, customer_id: r.customer_id,
        customer_name: r.customer_name, owner: r.owner, monetary: r.monetary!, tier: r.tier!, segment: r.segment!, abc_class: r.abc_class!,
      });
    }
  }
  return { pairs, hints };
}

function zeroes<K extends string>(ids: readonly K[]): Record<K, number> {
  return Object.fromEntries(ids.map((id) => [id, 0])) as Record<K, number>;
}

export async function computeCustomerValue(ctx: MetricContext): Promise<CustomerValueResult> {
  const { connection, params, config } = ctx;
  const input = queryInput(ctx);
  const thresholds = tierThresholds(config.rfm);
  const notes: string[] = [];
  if (params.filters.source?.length) notes.push('Filter source: customers have no lead source, so it matches no customer. 客户没有线索来源字段,来源筛选不匹配任何客户。');
  if (params.by && !groupingSupported(params.by)) notes.push(`Grouping by ${params.by} does not apply to customers; no groups are shown. 客户无法按${params.by}分组。`);

  // Built once, read by the queries below; a temp table is private to this connection.
  const table = `cv_scores_${randomUUID().replaceAll('-', '')}`;
  await connection.run(materializeScoresSql(input, table));
  let population: { use_profit: boolean; scored_customers: number; customers_without_orders: number; guest_orders_in_window: number } | undefined;
  let summary: SummaryRow[];
  let customers: CustomerScore[];
  let crossSellRows: CrossSellRow[];
  let groupRows: { grp: string | null; breakdown: SummaryRow['breakdown']; key: string | null; customers: number; revenue: number }[] | null = null;
  try {
    [population] = await queryRows<NonNullable<typeof population>>(connection, populationSql(input, table));
    summary = await queryRows<SummaryRow>(connection, summarySql(input, table));
    customers = await queryRows<CustomerScore>(connection, customerListSql(input, { scoresTable: table }));
    crossSellRows = await queryRows<CrossSellRow>(connection, crossSellSql(input, { scoresTable: table }));
    if (params.by && groupingSupported(params.by)) groupRows = await queryRows(connection, groupsSql(input, params.by, table));
  } finally {
    await connection.run(`DROP TABLE IF EXISTS ${table}`);
  }

  const all = summary.find((s) => s.breakdown === 'all');
  const scored = all?.customers ?? 0;
  const totalRevenue = all?.revenue ?? 0;
  const totalContribution = all?.contribution ?? 0;
  const find = (breakdown: SummaryRow['breakdown'], key: string) => summary.find((s) => s.breakdown === breakdown && s.key === key);
  const counted = (s: SummaryRow | undefined): Counted => ({
    customers: s?.customers ?? 0,
    share: ratio(s?.customers ?? 0, scored),
    revenue: s?.revenue ?? 0,
    revenue_share: ratio(s?.revenue ?? 0, totalRevenue),
  });

  const rules = tierRules(thresholds, config.rfm.window_months);
  const tiers: TierRow[] = TIER_IDS.map((id) => ({ ...TIERS[id], rule_en: rules[id].en, rule_zh: rules[id].zh, ...counted(find('tier', id)) }));
  const segments: SegmentRow[] = SEGMENT_IDS.map((id) => {
    const s = find('segment', id);
    return {
      ...SEGMENTS[id],
      cells: segmentCells(id),
      ...counted(s),
      avg_recency_days: s?.avg_recency_days ?? null,
      avg_orders_in_window: s?.avg_orders_in_window ?? null,
      avg_monetary: s?.avg_monetary ?? null,
    };
  });
  // rounded for display only (0.8 + 0.15 is 0.9500000000000001 in floating point; the SQL uses the sum)
  const cutOf: Record<AbcClass, number> = { A: config.abc.a_share, B: round12(config.abc.a_share + config.abc.b_share), C: 1 };
  const abc: AbcRow[] = ABC_IDS.map((id) => {
    const s = find('abc', id);
    return {
      ...ABC_CLASSES[id],
      customers: s?.customers ?? 0,
      customer_share: ratio(s?.customers ?? 0, scored),
      contribution: s?.contribution ?? 0,
      contribution_share: ratio(s?.contribution ?? 0, totalContribution),
      cumulative_below: cutOf[id],
    };
  });

  let groups: CustomerValueResult['groups'] = null;
  if (params.by && groupRows) {
    const keys = [...new Set(groupRows.map((g) => g.grp))];
    groups = {
      dimension: params.by,
      rows: keys.map((key) => {
        const mine = groupRows!.filter((g) => g.grp === key);
        const overall = mine.find((g) => g.breakdown === 'all');
        const counts = <K extends string>(breakdown: SummaryRow['breakdown'], ids: readonly K[]) => {
          const out = zeroes(ids);
          for (const g of mine) if (g.breakdown === breakdown && g.key !== null) out[g.key as K] = g.customers;
          return out;
        };
        return { key, customers: overall?.customers ?? 0, revenue: overall?.revenue ?? 0, tiers: counts('tier', TIER_IDS), segments: counts('segment', SEGMENT_IDS), abc: counts('abc', ABC_IDS) };
      }),
    };
  }

  const useProfit = population?.use_profit ?? false;
  if (useProfit) notes.push('ABC ranks customers by profit: every order line in the window carries one. ABC按毛利排序。');
  return {
    family: 'customer-value',
    params,
    as_of: params.as_of,
    window: { months: config.rfm.window_months, start: windowStart(params.as_of, config.rfm.window_months), end: params.as_of, date_basis: 'orders.ordered_at' },
    thresholds,
    abc_basis: useProfit ? 'profit' : 'revenue',
    abc_cuts: { a_share: config.abc.a_share, b_share: config.abc.b_share },
    population: {
      scored_customers: population?.scored_customers ?? 0,
      customers_without_orders: population?.customers_without_orders ?? 0,
      guest_orders_in_window: population?.guest_orders_in_window ?? 0,
      orders_in_window: all?.orders_in_window ?? 0,
      revenue_in_window: totalRevenue,
    },
    tiers,
    segments,
    abc,
    customers,
    cross_sell: { settings: input.crossSell, ...splitCrossSell(crossSellRows) },
    groups,
    notes,
  };
}

const DIMENSION_ZH: Record<Dimension, string> = { team: '团队', region: '区域', industry: '行业', product: '产品', source: '来源', owner: '负责人' };

/** The customer row columns, shared by the customer sheet and the drill-downs. */
const CUSTOMER_TABLE_COLUMNS: TableColumn[] = [
  col('customer_id', 'Customer ID', '客户编号', 'text'),
  col('customer_name', 'Customer', '客户名称', 'text'),
  col('region', 'Region', '区域', 'text'),
  col('industry', 'Industry', '行业', 'text'),
  col('owner', 'Owner', '负责人', 'text'),
  col('team', 'Team', '团队', 'text'),
  col('tier_zh', 'Tier (zh)', '客户分层', 'text'),
  col('tier_en', 'Tier', '客户分层(英文)', 'text'),
  col('segment_en', 'RFM segment', 'RFM细分(英文)', 'text'),
  col('segment_zh', 'RFM segment (zh)', 'RFM细分', 'text'),
  col('abc_class', 'ABC class', 'ABC分级', 'text'),
  col('first_order_date', 'First order', '首次下单', 'date'),
  col('last_order_date', 'Last order', '最近下单', 'date'),
  col('recency_days', 'R: days since last order', 'R:距最近下单天数', 'integer'),
  col('orders_in_window', 'F: orders in window', 'F:窗口内订单数', 'integer'),
  col('orders_per_month', 'Orders per month', '月均订单', 'number'),
  col('monetary', 'M: amount in window', 'M:窗口内金额', 'money'),
  col('monetary_percentile', 'M percentile', 'M百分位', 'percent'),
  col('r_score', 'R score', 'R分', 'integer'),
  col('f_score', 'F score', 'F分', 'integer'),
  col('m_score', 'M score', 'M分', 'integer'),
  col('rfm_cell', 'RFM', 'RFM组合', 'text'),
  col('contribution', 'ABC contribution', 'ABC贡献', 'money'),
  col('cumulative_share', 'Cumulative share', '累计占比', 'percent'),
];

function customerTableRow(c: CustomerScore): Record<string, unknown> {
  return {
    ...c,
    tier_zh: TIERS[c.tier]?.name_zh ?? c.tier,
    tier_en: TIERS[c.tier]?.name_en ?? c.tier,
    segment_en: SEGMENTS[c.segment]?.name_en ?? c.segment,
    segment_zh: SEGMENTS[c.segment]?.name_zh ?? c.segment,
  };
}

export function customerValueTables(r: CustomerValueResult): ResultTable[] {
  const tables: ResultTable[] = [
    {
      name: 'Tiers',
      title_en: `Customer tiers (seed 003), as of ${r.as_of}, ${r.window.months}-month window`,
      title_zh: `客户分层(种子003),截至${r.as_of},回看${r.window.months}个月`,
      columns: [
        col('name_zh', 'Tier (zh)', '客户层级', 'text'), col('name_en', 'Tier', '客户层级(英文)', 'text'),
        col('rule_en', 'Rule', '规则(英文)', 'text'), col('rule_zh', 'Rule (zh)', '规则', 'text'),
        col('customers', 'Customers', '客户数', 'integer'), col('share', 'Share of customers', '客户占比', 'percent'),
        col('revenue', 'Revenue in window', '窗口内金额', 'money'), col('revenue_share', 'Share of revenue', '金额占比', 'percent'),
        col('strategy_zh', 'Strategy (zh)', '策略重点', 'text'), col('strategy_en', 'Strategy', '策略重点(英文)', 'text'),
        col('preferred_channels_zh', 'Preferred channels (zh)', '优先渠道', 'text'), col('preferred_channels_en', 'Preferred channels', '优先渠道(英文)', 'text'),
        col('auxiliary_channels_zh', 'Auxiliary channels (zh)', '辅助渠道', 'text'), col('auxiliary_channels_en', 'Auxiliary channels', '辅助渠道(英文)', 'text'),
        col('source', 'Strategy from', '策略来源', 'text'),
      ],
      rows: r.tiers as unknown as Record<string, unknown>[],
    },
    {
      name: 'RFM segments',
      title_en: 'Quintile RFM segments',
      title_zh: 'RFM五分位细分',
      columns: [
        col('name_en', 'Segment', '细分(英文)', 'text'), col('name_zh', 'Segment (zh)', '细分', 'text'),
        col('cells_text', 'R / FM cells', 'R/FM格', 'text'), col('description_en', 'Description', '说明(英文)', 'text'), col('description_zh', 'Description (zh)', '说明', 'text'),
        col('customers', 'Customers', '客户数', 'integer'), col('share', 'Share of customers', '客户占比', 'percent'),
        col('revenue', 'Revenue in window', '窗口内金额', 'money'), col('revenue_share', 'Share of revenue', '金额占比', 'percent'),
        col('avg_recency_days', 'Avg days since last order', '平均距最近下单天数', 'days'),
        col('avg_orders_in_window', 'Avg orders in window', '平均订单数', 'number'), col('avg_monetary', 'Avg amount in window', '平均金额', 'money'),
      ],
      rows: r.segments.map((s) => ({ ...s, cells_text: s.cells.join(', ') })),
    },
    {
      name: 'ABC',
      title_en: `ABC classes by ${r.abc_basis} (seed 001)`,
      title_zh: `ABC分级(按${r.abc_basis === 'profit' ? '毛利' : '金额'},种子001)`,
      columns: [
        col('id', 'Class', '级别', 'text'), col('cumulative_below', 'Cumulative cut', '累计占比分界', 'percent'),
        col('customers', 'Customers', '客户数', 'integer'), col('customer_share', 'Share of customers', '客户占比', 'percent'),
        col('contribution', `Contribution (${r.abc_basis})`, '贡献', 'money'), col('contribution_share', 'Share of contribution', '贡献占比', 'percent'),
        col('note_zh', 'Treatment (zh)', '资源策略', 'text'), col('note_en', 'Treatment', '资源策略(英文)', 'text'), col('source', 'From', '来源', 'text'),
      ],
      rows: r.abc as unknown as Record<string, unknown>[],
    },
    {
      name: 'Customers',
      title_en: 'Customers with R, F, M, scores, tier, segment and ABC class',
      title_zh: '客户明细:RFM、得分、分层、细分与ABC',
      columns: CUSTOMER_TABLE_COLUMNS,
      rows: r.customers.map(customerTableRow),
    },
    {
      name: 'Cross-sell',
      title_en: 'Cross-sell hints: bought X, never Y (seed 000)',
      title_zh: '交叉销售线索:买过X、未买过Y(种子000)',
      columns: [
        col('pair_rank', 'Pair', '组合', 'integer'), col('product_x', 'Bought X', '已购产品X', 'text'), col('product_y', 'Suggest Y', '推荐产品Y', 'text'),
        col('buyers_x', 'Buyers of X', 'X的客户数', 'integer'), col('buyers_both', 'Bought both', '同时购买', 'integer'),
        col('confidence', 'Share of X buyers with Y', 'X客户中买Y的比例', 'percent'), col('candidates', 'Candidates', '候选客户数', 'integer'),
        col('customer_rank', 'Rank', '排名', 'integer'), col('customer_id', 'Customer ID', '客户编号', 'text'), col('customer_name', 'Customer', '客户名称', 'text'),
        col('owner', 'Owner', '负责人', 'text'), col('monetary', 'M: amount in window', 'M:窗口内金额', 'money'),
        col('tier_zh', 'Tier (zh)', '客户分层', 'text'), col('abc_class', 'ABC', 'ABC分级', 'text'),
      ],
      rows: r.cross_sell.pairs.flatMap((p): Record<string, unknown>[] => {
        const hints = r.cross_sell.hints.filter((h) => h.pair_rank === p.pair_rank);
        return hints.length
          ? hints.map((h) => ({ ...p, ...h, tier_zh: TIERS[h.tier]?.name_zh ?? h.tier }))
          : [{ ...p, customer_rank: null, customer_id: null, customer_name: null, owner: null, monetary: null, tier_zh: null, abc_class: null }];
      }),
    },
  ];
  if (r.groups) {
    const dim = r.groups.dimension;
    tables.push({
      name: `By ${dim}`,
      title_en: `Tiers, segments and ABC by ${dim}`,
      title_zh: `按${DIMENSION_ZH[dim]}的分层、细分与ABC`,
      columns: [
        col('key', dim, DIMENSION_ZH[dim], 'text'), col('customers', 'Customers', '客户数', 'integer'), col('revenue', 'Revenue in window', '窗口内金额', 'money'),
        ...TIER_IDS.map((id) => col(`tier_${id}`, TIERS[id].name_en, TIERS[id].name_zh, 'integer')),
        ...SEGMENT_IDS.map((id) => col(`segment_${id}`, SEGMENTS[id].name_en, SEGMENTS[id].name_zh, 'integer')),
        ...ABC_IDS.map((id) => col(`abc_${id}`, `ABC ${id}`, `${id}类`, 'integer')),
      ],
      rows: r.groups.rows.map((g) => ({
        key: g.key,
        customers: g.customers,
        revenue: g.revenue,
        ...Object.fromEntries(TIER_IDS.map((id) => [`tier_${id}`, g.tiers[id]])),
        ...Object.fromEntries(SEGMENT_IDS.map((id) => [`segment_${id}`, g.segments[id]])),
        ...Object.fromEntries(ABC_IDS.map((id) => [`abc_${id}`, g.abc[id]])),
      })),
    });
  }
  tables.push({
    name: 'About',
    title_en: 'How these figures were computed',
    title_zh: '口径说明',
    columns: [col('item', 'Item', '项目', 'text'), col('value', 'Value', '取值', 'text')],
    rows: [
      { item: 'As of 截至', value: r.as_of },
      { item: 'Window 回看窗口', value: `${r.window.start} … ${r.window.end} (${r.window.months} months, orders.ordered_at)` },
      { item: 'Scored customers 参评客户', value: String(r.population.scored_customers) },
      { item: 'Customers without orders (not scored) 无订单客户', value: String(r.population.customers_without_orders) },
      { item: 'Guest orders in window (not scored) 无客户编号订单', value: String(r.population.guest_orders_in_window) },
      { item: 'Order 订单', value: 'distinct order_id, cancellations excluded; cancellation amounts net into M 取消单不计单数,金额冲减M' },
      { item: 'M percentile M百分位', value: 'share of scored customers with a strictly smaller M; ties share it' },
      { item: 'Quintile score 五分位得分', value: '1 + floor(5 × customers strictly worse ÷ scored customers); equal values, equal score' },
      { item: 'Segment 细分', value: 'R score × FM = trunc((F + M) / 2) grid' },
      { item: 'ABC basis ABC依据', value: `${r.abc_basis}; A while the cumulative share before the customer < ${r.abc_cuts.a_share}, B < ${round12(r.abc_cuts.a_share + r.abc_cuts.b_share)}, else C` },
      ...r.notes.map((n) => ({ item: 'Note 注意', value: n })),
    ],
  });
  return tables;
}

const DRILL_TARGETS: Record<string, string[]> = {
  tier: ['tier', 'group'],
  segment: ['segment', 'group'],
  abc: ['class', 'group'],
  customers: ['group'],
  cross_sell: ['product_x', 'product_y'],
};

function resolveId<K extends string>(value: string | undefined, ids: readonly K[], names: (id: K) => string[], what: string): K {
  const id = ids.find((i) => i === value || names(i).includes(value ?? ''));
  if (!id) throw new Error(`customer-value: unknown ${what} "${value ?? ''}"; expected one of ${ids.join(', ')}`);
  return id;
}

export async function drillCustomerValue(ctx: MetricContext, request: DrillRequest): Promise<ResultTable> {
  if (!(request.target in DRILL_TARGETS)) throw new Error(`customer-value has no drill target "${request.target}"; try ${Object.keys(DRILL_TARGETS).join(', ')}`);
  const input = queryInput(ctx);
  const limit = Math.min(request.limit, MAX_DRILL_ROWS);
  const { keys } = request;

  if (request.target === 'cross_sell') {
    if (!keys.product_x || !keys.product_y) throw new Error('customer-value drill cross_sell needs keys product_x and product_y');
    const rows = splitCrossSell(await queryRows<CrossSellRow>(ctx.connection, crossSellSql(input, { pair: { product_x: keys.product_x, product_y: keys.product_y }, limitPerPair: limit })));
    return {
      name: 'Cross-sell',
      title_en: `Bought ${keys.product_x}, never ${keys.product_y}`,
      title_zh: `买过${keys.product_x}、未买过${keys.product_y}的客户`,
      columns: [
        col('customer_rank', 'Rank', '排名', 'integer'), col('customer_id', 'Customer ID', '客户编号', 'text'), col('customer_name', 'Customer', '客户名称', 'text'),
        col('owner', 'Owner', '负责人', 'text'), col('monetary', 'M: amount in window', 'M:窗口内金额', 'money'), col('tier', 'Tier', '客户分层', 'text'), col('abc_class', 'ABC', 'ABC分级', 'text'),
      ],
      rows: rows.hints as unknown as Record<string, unknown>[],
    };
  }

  const where: string[] = [];
  let title_en = 'All scored customers';
  let title_zh = '全部参评客户';
  if (request.target === 'tier') {
    const id = resolveId(keys.tier, TIER_IDS, (i) => [TIERS[i].name_zh, TIERS[i].name_en], 'tier');
    where.push(`tier = '${id}'`);
    [title_en, title_zh] = [`Customers: ${TIERS[id].name_en}`, `客户明细:${TIERS[id].name_zh}`];
  } else if (request.target === 'segment') {
    const id = resolveId(keys.segment, SEGMENT_IDS, (i) => [SEGMENTS[i].name_zh, SEGMENTS[i].name_en], 'segment');
    where.push(`segment = '${id}'`);
    [title_en, title_zh] = [`Customers: ${SEGMENTS[id].name_en}`, `客户明细:${SEGMENTS[id].name_zh}`];
  } else if (request.target === 'abc') {
    const id = resolveId(keys.class?.toUpperCase(), ABC_IDS, () => [], 'ABC class');
    where.push(`abc_class = '${id}'`);
    [title_en, title_zh] = [`Customers: ABC class ${id}`, `客户明细:${id}类`];
  }
  if (keys.group !== undefined) {
    if (!ctx.params.by) throw new Error('customer-value drill key "group" needs a group-by (by)');
    where.push(groupFilterSql(ctx.params.by, keys.group));
    title_en += ` (${ctx.params.by} = ${keys.group})`;
    title_zh += `(${ctx.params.by} = ${keys.group})`;
  }
  const rows = await queryRows<CustomerScore>(ctx.connection, customerListSql(input, { where: where.length ? where.join(' AND ') : 'true', limit }));
  return { name: request.target, title_en, title_zh, columns: CUSTOMER_TABLE_COLUMNS, rows: rows.map(customerTableRow) };
}

export const customerValueFamily: MetricFamily<CustomerValueResult> = {
  id: 'customer-value',
  title_en: 'Customer value: RFM tiers, segments and ABC',
  title_zh: '客户价值:RFM分层、细分与ABC分级',
  compute: computeCustomerValue,
  tables: customerValueTables,
  drillTargets: DRILL_TARGETS,
  drill: drillCustomerValue,
};
