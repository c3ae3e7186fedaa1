/**
 * SQL for targets and OKR (目标), spec §7. Pure: params + options in, SQL strings out.
 *
 * Every actual is summed in SQL from one "facts" relation per metric, joined to the (few dozen)
 * distinct windows the targets need and grouped per window and dimension value. Decisions
 * (also in the final report and targets.ts):
 * - revenue = Σ orders.amount by ordered_at; a cancellation line always counts negative whatever
 *   sign the export gave it. Without any order in the warehouse, revenue falls back to won
 *   opportunities' amount by closed_at (`basis` says which).
 * - attribution: rep = the order's owner; team and region = that owner's row in `reps` (orders
 *   carry no team); product = orders.product. Won deals (and the opportunity fallback) use the
 *   opportunity's own team/region when its owner is not in `reps`.
 * - new_customers = customers whose first non-cancelled order (first won deal on the fallback)
 *   falls in the window, credited to that first order's owner/team/region/product. Not
 *   customers.first_seen_at: that is also "created in the CRM", which is a lead, not a customer.
 * - won_deals = opportunities with status won and closed_at in the window.
 * - customer_type (revenue only): `new` = revenue from customers whose first order lies in the
 *   target's own window; `existing` = from customers who had ordered before it. Guest orders (no
 *   customer id) are in neither.
 * - a window is [period_start, min(period_end, as_of)]: nothing after as_of counts; last year's
 *   window is the same span one year earlier (so an unfinished period is compared like for like)
 *   and counts only when the data reaches back to its first day.
 */
import { sqlString } from '../../warehouse/warehouse.server.ts';
import type { Dimension, ResolvedParams } from '../params.ts';
import type { BonusConfig } from './bonus-config.ts';
import type { OkrMetric } from './okr-config.ts';

export type RevenueBasis = 'orders' | 'won_opportunities';

/** Revenue is money received (orders); a warehouse without any orders falls back to won deals. */
export function revenueBasisFor(orderCount: number): RevenueBasis {
  return orderCount > 0 ? 'orders' : 'won_opportunities';
}

export const TARGET_DIMENSIONS = ['company', 'region', 'team', 'rep', 'product', 'customer_type'] as const;
export const TARGET_METRICS = ['revenue', 'new_customers', 'won_deals'] as const;
export const TARGET_TIERS = ['base', 'challenge', 'excellence'] as const;
export type TargetMetric = (typeof TARGET_METRICS)[number];

/** Spellings seen in real target sheets, folded to the canonical names (lower-cased, trimmed). */
const DIMENSION_ALIASES: Record<string, string[]> = {
  company: ['company', '公司', '全公司', '总公司'],
  region: ['region', '区域', '大区', '地区'],
  team: ['team', '团队', '小组', '销售团队'],
  rep: ['rep', 'owner', 'sales_rep', '销售', '销售人员', '负责人', '个人'],
  product: ['product', '产品', '产品线'],
  customer_type: ['customer_type', '客户类型', '客户类别'],
};
const METRIC_ALIASES: Record<string, string[]> = {
  revenue: ['revenue', 'sales', '销售额', '营收', '收入', '业绩', '回款'],
  new_customers: ['new_customers', '新客户', '新客户数', '新增客户', '新增客户数'],
  won_deals: ['won_deals', '成交数', '成交单数', '赢单数'],
};
const TIER_ALIASES: Record<string, string[]> = {
  base: ['base', '基础', '基础目标'],
  challenge: ['challenge', '挑战', '挑战目标'],
  excellence: ['excellence', '卓越', '卓越目标'],
};
const CUSTOMER_TYPE_ALIASES: Record<string, string[]> = {
  new: ['new', '新客户', '新客', '新', '新增客户'],
  existing: ['existing', 'repeat', 'returning', '老客户', '老客', '存量客户', '存量'],
};

/** (alias, canonical) rows for a join: cheaper for DuckDB to plan than a long CASE. */
function aliasValuesSql(aliases: Record<string, string[]>): string {
  const rows = Object.entries(aliases).flatMap(([canonical, list]) => list.map((a) => `(${sqlString(a)}, ${sqlString(canonical)})`));
  return `(VALUES ${rows.join(', ')})`;
}

/**
 * Which targets a filter keeps: a target whose own scope lies inside the filter. region=华东 keeps
 * region 华东, the teams and reps whose `reps` row is in 华东; team keeps the team and its reps;
 * owner keeps rep targets; product keeps product targets. Company and customer-type targets span
 * everything, so any filter drops them; industry and source have no targets, so they match
 * nothing (the params.ts convention: an unknown dimension matches nothing, not everything).
 */
export function targetScopeSql(filters: ResolvedParams['filters'], dimension: string, value: string): string {
  const parts: string[] = [];
  const list = (values: string[]) => values.map(sqlString).join(', ');
  for (const [d, values] of Object.entries(filters) as [Dimension, string[] | undefined][]) {
    if (!values?.length) continue;
    const v = list(values);
    switch (d) {
      case 'region':
        parts.push(
          `((${dimension} = 'region' AND ${value} IN (${v})) OR (${dimension} = 'team' AND ${value} IN (SELECT team FROM reps WHERE region IN (${v}))) OR (${dimension} = 'rep' AND ${value} IN (SELECT owner FROM reps WHERE region IN (${v}))))`,
        );
        break;
      case 'team':
        parts.push(`((${dimension} = 'team' AND ${value} IN (${v})) OR (${dimension} = 'rep' AND ${value} IN (SELECT owner FROM reps WHERE team IN (${v}))))`);
        break;
      case 'owner':
        parts.push(`(${dimension} = 'rep' AND ${value} IN (${v}))`);
        break;
      case 'product':
        parts.push(`(${dimension} = 'product' AND ${value} IN (${v}))`);
        break;
      default:
        parts.push('false');
    }
  }
  return parts.length ? parts.join(' AND ') : 'true';
}

/** `--by` picks the level of targets listed: region, team, owner → rep, product. */
export function byDimension(by: Dimension | null): string | null {
  if (by === null) return null;
  return by === 'owner' ? 'rep' : by;
}

export interface TargetsQueryInput {
  params: ResolvedParams;
  basis: RevenueBasis;
  /** First day the warehouse has any record; last year's window must start on or after it. */
  coverage_start: string | null;
  /**
   * TEMP tables already holding `t` and `actuals` (baseTablesSql): the progress, tree and bonus
   * queries then read them instead of rebuilding the whole chain each (planning it dominates).
   */
  base?: { t: string; actuals: string };
}

/**
 * sales: one row per revenue line (order line, or won deal on the fallback), with attribution.
 * first_sale: each identified customer's first non-cancelled sale. won: won opportunities.
 */
export function sourceCtes(basis: RevenueBasis): string {
  const sales =
    basis === 'orders'
      ? `sales AS (
    SELECT CAST(o.ordered_at AS DATE) AS day, o.ordered_at AS ts,
           CASE WHEN o.is_cancellation THEN -abs(o.amount) ELSE o.amount END AS amount,
           o.is_cancellation, o.owner, r.team, r.region, o.product, o.customer_id AS customer_key,
           o.order_id AS ref_id, o.order_line AS ref_line
    FROM orders o LEFT JOIN reps r ON r.owner = o.owner
  )`
      : `sales AS (
    SELECT CAST(op.closed_at AS DATE) AS day, op.closed_at AS ts, op.amount, false AS is_cancellation,
           op.owner, coalesce(r.team, op.team) AS team, coalesce(r.region, op.region) AS region, op.product,
           op.customer_name AS customer_key, op.opportunity_id AS ref_id, 0 AS ref_line
    FROM opportunities op LEFT JOIN reps r ON r.owner = op.owner
    WHERE op.status = 'won' AND op.closed_at IS NOT NULL
  )`;
  return `${sales},
  first_sale AS (
    -- the window sorts only the sort keys and the line's key (ref_id, ref_line: a key of sales),
    -- and the line is joined back: over every column of the stored sales it took twice as long
    -- (1M: 0.19 s of operator time against 0.09 s)
    SELECT s.customer_key, s.day AS first_day, s.owner, s.team, s.region, s.product, s.ref_id, s.ts
    FROM sales s JOIN (
      SELECT ref_id, ref_line FROM sales WHERE customer_key IS NOT NULL AND NOT is_cancellation
      QUALIFY row_number() OVER (PARTITION BY customer_key ORDER BY ts, ref_id, ref_line) = 1
    ) f ON f.ref_id = s.ref_id AND f.ref_line = s.ref_line
  ),
  won AS (
    SELECT CAST(op.closed_at AS DATE) AS day, op.owner, coalesce(r.team, op.team) AS team,
           coalesce(r.region, op.region) AS region, op.product
    FROM opportunities op LEFT JOIN reps r ON r.owner = op.owner
    WHERE op.status = 'won' AND op.closed_at IS NOT NULL
  )`;
}

/**
 * Per metric: the dated facts (a revenue line, a new customer, a won deal) with their attribution.
 * With an owner filter only rep targets of those reps are in scope (targetScopeSql), so only their
 * facts are summed: every other sum in `actuals` is then partial, and nothing in scope reads it
 * (the progress rows, the bonus and the tree's rows are in-scope targets and nodes; a rep node has
 * no children). One rep at 1M, warm: the actuals statement 215-293 -> 157-268 ms, the family
 * 265-383 -> 234-327 ms (alternated processes); what is left is mostly each customer's first sale,
 * which needs every sale.
 */
function factsCte(filters: ResolvedParams['filters']): string {
  const owners = filters.owner?.length ? ` WHERE owner IN (${filters.owner.map(sqlString).join(', ')})` : '';
  // amounts stay the warehouse's money type, DECIMAL(18,2): their sums are DECIMAL(38,2) all the
  // same, and summing values cast to DECIMAL(38,2) first was slower
  return `facts AS (
    SELECT 'revenue' AS metric, day, amount::DECIMAL(18,2) AS amount, owner, team, region, product FROM sales${owners}
    UNION ALL SELECT 'new_customers', first_day, 1, owner, team, region, product FROM first_sale${owners}
    UNION ALL SELECT 'won_deals', day, 1, owner, team, region, product FROM won${owners}
  )`;
}

/**
 * t: the targets overlapping [from, to], normalised, with their windows, elapsed share and
 * whether the filters keep them (`in_scope`; the tree uses targets outside it as context).
 */
function targetCtes(input: TargetsQueryInput): string {
  const { params } = input;
  const asOf = `DATE ${sqlString(params.as_of)}`;
  const coverage = input.coverage_start ? `DATE ${sqlString(input.coverage_start)}` : 'NULL::DATE';
  return `raw_t AS (
    SELECT tg.period_start, tg.period_end, tg.dimension_value, tg.target_value AS target,
           coalesce(da.canonical, tg.dimension) AS dimension,
           coalesce(ma.canonical, tg.metric) AS metric,
           coalesce(ta.canonical, tg.tier) AS tier,
           CASE coalesce(da.canonical, tg.dimension) WHEN 'company' THEN 'all' WHEN 'customer_type' THEN coalesce(ca.canonical, tg.dimension_value)
                ELSE tg.dimension_value END AS match_value
    FROM targets tg
    LEFT JOIN ${aliasValuesSql(DIMENSION_ALIASES)} da(alias, canonical) ON da.alias = lower(trim(tg.dimension))
    LEFT JOIN ${aliasValuesSql(METRIC_ALIASES)} ma(alias, canonical) ON ma.alias = lower(trim(tg.metric))
    LEFT JOIN ${aliasValuesSql(TIER_ALIASES)} ta(alias, canonical) ON ta.alias = lower(trim(tg.tier))
    LEFT JOIN ${aliasValuesSql(CUSTOMER_TYPE_ALIASES)} ca(alias, canonical) ON ca.alias = lower(trim(tg.dimension_value))
    WHERE tg.period_start <= DATE ${sqlString(params.to)} AND tg.period_end >= DATE ${sqlString(params.from)}
  ),
  t0 AS (
    SELECT *,
      period_start AS cur_from, least(period_end, ${asOf}) AS cur_to,
      date_diff('day', period_start, period_end) + 1 AS days_total,
      greatest(0, least(date_diff('day', period_start, period_end) + 1, date_diff('day', period_start, ${asOf}) + 1)) AS days_elapsed
    FROM raw_t
  ),
  t AS (
    SELECT *,
      CAST(cur_from - INTERVAL 1 YEAR AS DATE) AS ly_from,
      -- the day after the window, a year back, minus a day: Feb 28 2025 → Feb 29 2024
      CAST(cur_to + INTERVAL 1 DAY - INTERVAL 1 YEAR AS DATE) - 1 AS ly_to,
      coalesce(CAST(cur_from - INTERVAL 1 YEAR AS DATE) >= ${coverage}, false) AS ly_covered,
      metric IN ('revenue', 'new_customers', 'won_deals')
        AND (dimension IN ('company', 'region', 'team', 'rep', 'product')
             OR (metric = 'revenue' AND dimension = 'customer_type' AND match_value IN ('new', 'existing'))) AS supported,
      ${targetScopeSql(params.filters, 'dimension', 'match_value')} AS in_scope
    FROM t0
  ),
  windows AS (
    SELECT DISTINCT metric, cur_from AS w_from, cur_to AS w_to FROM t WHERE supported AND cur_to >= cur_from
    UNION
    SELECT DISTINCT metric, ly_from, ly_to FROM t WHERE supported AND ly_covered AND ly_to >= ly_from
  ),
  actuals AS (
    -- each fact joined to the windows it falls in, then grouped per window with a grouping set
    -- per dimension. Summing per day first (one row per metric, day and value: 464,000 at 1M,
    -- most of them a rep's day) made a hash table as large as the facts; the windows are few.
    SELECT metric, w_from, w_to, dimension, value, actual FROM (
      SELECT w.metric, w.w_from, w.w_to, sum(f.amount) AS actual,
             CASE WHEN GROUPING(f.region) = 0 THEN 'region' WHEN GROUPING(f.team) = 0 THEN 'team' WHEN GROUPING(f.owner) = 0 THEN 'rep'
                  WHEN GROUPING(f.product) = 0 THEN 'product' ELSE 'company' END AS dimension,
             CASE WHEN GROUPING(f.region) = 0 THEN f.region WHEN GROUPING(f.team) = 0 THEN f.team WHEN GROUPING(f.owner) = 0 THEN f.owner
                  WHEN GROUPING(f.product) = 0 THEN f.product ELSE 'all' END AS value
      FROM windows w JOIN facts f ON f.metric = w.metric AND f.day BETWEEN w.w_from AND w.w_to
      GROUP BY GROUPING SETS ((w.metric, w.w_from, w.w_to), (w.metric, w.w_from, w.w_to, f.region), (w.metric, w.w_from, w.w_to, f.team),
                              (w.metric, w.w_from, w.w_to, f.owner), (w.metric, w.w_from, w.w_to, f.product))
    ) WHERE value IS NOT NULL
    UNION ALL
    -- customer_type: new when the customer's first sale lies in the window, else existing
    SELECT w.metric, w.w_from, w.w_to, 'customer_type', CASE WHEN fs.first_day >= w.w_from THEN 'new' ELSE 'existing' END, sum(s.amount)
    FROM windows w JOIN sales s ON w.metric = 'revenue' AND s.day BETWEEN w.w_from AND w.w_to
    JOIN first_sale fs USING (customer_key)
    GROUP BY ALL
  )`;
}

/** The statements that fill `names.t` and `names.actuals` for one computation (dropped after it). */
export function baseTablesSql(input: TargetsQueryInput, names: { t: string; actuals: string }): string[] {
  const full = { ...input, base: undefined };
  return [`CREATE TEMP TABLE ${names.t} AS ${allCtes(full)} SELECT * FROM t`, `CREATE TEMP TABLE ${names.actuals} AS ${allCtes(full)} SELECT * FROM actuals`];
}

export function allCtes(input: TargetsQueryInput): string {
  if (input.base) return `WITH t AS (SELECT * FROM ${input.base.t}), actuals AS (SELECT * FROM ${input.base.actuals})`;
  return `WITH ${sourceCtes(input.basis)},
  ${factsCte(input.params.filters)},
  ${targetCtes(input)}`;
}

const d = (col: string) => `strftime(${col}, '%Y-%m-%d')`;

/** A label a manager reads: 2026-09, 2026-Q3, 2026, or the two dates. */
export function periodLabelSql(start: string, end: string): string {
  return `CASE
    WHEN day(${start}) = 1 AND ${end} = last_day(${start}) THEN strftime(${start}, '%Y-%m')
    WHEN day(${start}) = 1 AND month(${start}) IN (1, 4, 7, 10) AND ${end} = last_day(${start} + INTERVAL 2 MONTH) THEN strftime(${start}, '%Y') || '-Q' || quarter(${start})
    WHEN month(${start}) = 1 AND day(${start}) = 1 AND month(${end}) = 12 AND day(${end}) = 31 AND year(${end}) = year(${start}) THEN strftime(${start}, '%Y')
    ELSE ${d(start)} || '..' || ${d(end)} END`;
}

/**
 * One row per target kept by the period, filters and `by`: target, actual, progress, pace, YoY,
 * and the sum of the same key's month targets inside a longer period (quarter or year).
 */
export function targetProgressSql(input: TargetsQueryInput): string {
  const level = byDimension(input.params.by);
  return `${allCtes(input)},
  months AS (
    SELECT dimension, match_value, metric, tier, period_start, period_end, target FROM t
    WHERE day(period_start) = 1 AND period_end = last_day(period_start)
  ),
  month_sums AS (
    SELECT t.period_start, t.period_end, t.dimension, t.match_value, t.metric, t.tier,
           sum(m.target) AS months_target_sum, count(*) AS months_with_target
    FROM t JOIN months m ON m.dimension = t.dimension AND m.match_value = t.match_value AND m.metric = t.metric AND m.tier = t.tier
      AND m.period_start >= t.period_start AND m.period_end <= t.period_end AND NOT (m.period_start = t.period_start AND m.period_end = t.period_end)
    GROUP BY ALL
  ),
  rows AS (
    SELECT t.*, ms.months_target_sum, ms.months_with_target,
      CASE WHEN t.supported THEN coalesce(cur.actual, 0) END AS actual,
      CASE WHEN t.supported AND t.ly_covered THEN coalesce(ly.actual, 0) END AS last_year_actual,
      t.days_elapsed / t.days_total AS elapsed_share
    FROM t
    LEFT JOIN actuals cur ON cur.metric = t.metric AND cur.w_from = t.cur_from AND cur.w_to = t.cur_to
      AND cur.dimension = t.dimension AND cur.value = t.match_value
    LEFT JOIN actuals ly ON ly.metric = t.metric AND ly.w_from = t.ly_from AND ly.w_to = t.ly_to
      AND ly.dimension = t.dimension AND ly.value = t.match_value
    LEFT JOIN month_sums ms ON ms.period_start = t.period_start AND ms.period_end = t.period_end AND ms.dimension = t.dimension
      AND ms.match_value = t.match_value AND ms.metric = t.metric AND ms.tier = t.tier
    WHERE t.in_scope ${level ? `AND t.dimension = ${sqlString(level)}` : ''}
  )
  SELECT ${d('period_start')} AS period_start, ${d('period_end')} AS period_end,
    ${periodLabelSql('period_start', 'period_end')} AS period_label,
    dimension, dimension_value, metric, tier,
    target::DOUBLE AS target,
    CASE WHEN cur_to >= cur_from THEN ${d('cur_to')} END AS actual_through,
    actual::DOUBLE AS actual,
    actual::DOUBLE / nullif(target::DOUBLE, 0) AS progress,
    elapsed_share,
    CASE WHEN elapsed_share > 0 THEN actual::DOUBLE / nullif(target::DOUBLE, 0) / elapsed_share END AS pace,
    CASE WHEN ly_covered THEN ${d('ly_from')} END AS last_year_from,
    CASE WHEN ly_covered THEN ${d('ly_to')} END AS last_year_to,
    last_year_actual::DOUBLE AS last_year_actual,
    actual::DOUBLE / nullif(last_year_actual::DOUBLE, 0) - 1 AS yoy_growth,
    months_target_sum::DOUBLE AS months_target_sum,
    (target - months_target_sum)::DOUBLE AS months_mismatch,
    supported
  FROM rows
  ORDER BY metric <> 'revenue', metric, dimension = 'company' DESC, dimension, period_start, period_end DESC, dimension_value, tier`;
}

/**
 * The decomposition tree company → region → team → rep, one per (metric, period) of the base-tier
 * targets at those levels. Nodes: every target, every region/team/rep with a non-zero actual in
 * the window (who sold without a quota), and the ancestors of both. Membership from `reps`: a
 * rep's team and a team's region (its reps' most common region). Children's targets are summed
 * in DECIMAL, so a mismatch is exact.
 */
export function treeSql(input: TargetsQueryInput): string {
  return `${allCtes(input)},
  tree_t AS (SELECT * FROM t WHERE tier = 'base' AND supported AND dimension IN ('company', 'region', 'team', 'rep')),
  tree_windows AS (SELECT DISTINCT metric, period_start, period_end, cur_from, cur_to FROM tree_t),
  -- one target per node even if a sheet spells the company two ways ('all', '公司')
  tree_targets AS (SELECT metric, period_start, period_end, dimension, match_value, sum(target) AS target FROM tree_t GROUP BY ALL),
  rep_org AS (SELECT owner AS rep, team FROM reps WHERE team IS NOT NULL),
  team_org AS (
    SELECT team, region FROM (SELECT team, region, count(*) AS n FROM reps WHERE team IS NOT NULL AND region IS NOT NULL GROUP BY ALL)
    QUALIFY row_number() OVER (PARTITION BY team ORDER BY n DESC, region) = 1
  ),
  seeds AS (
    SELECT metric, period_start, period_end, dimension, match_value AS value FROM tree_t
    UNION
    SELECT w.metric, w.period_start, w.period_end, a.dimension, a.value FROM tree_windows w
    JOIN actuals a ON a.metric = w.metric AND a.w_from = w.cur_from AND a.w_to = w.cur_to
    WHERE a.dimension IN ('region', 'team', 'rep') AND a.actual <> 0
    UNION
    SELECT metric, period_start, period_end, 'company', 'all' FROM tree_windows
  ),
  seeds_teams AS (
    SELECT * FROM seeds
    UNION SELECT s.metric, s.period_start, s.period_end, 'team', ro.team FROM seeds s JOIN rep_org ro ON s.dimension = 'rep' AND ro.rep = s.value
  ),
  node_keys AS (
    SELECT * FROM seeds_teams
    UNION SELECT s.metric, s.period_start, s.period_end, 'region', tm.region FROM seeds_teams s JOIN team_org tm ON s.dimension = 'team' AND tm.team = s.value
  ),
  placed AS (
    SELECT k.*, tt.target, w.cur_from, w.cur_to,
      CASE k.dimension WHEN 'company' THEN 0 WHEN 'region' THEN 1 WHEN 'team' THEN 2 ELSE 3 END AS depth,
      CASE k.dimension WHEN 'region' THEN k.value WHEN 'team' THEN tm.region WHEN 'rep' THEN rtm.region END AS region_key,
      CASE k.dimension WHEN 'team' THEN k.value WHEN 'rep' THEN ro.team END AS team_key,
      CASE k.dimension WHEN 'rep' THEN k.value END AS rep_key,
      CASE k.dimension WHEN 'region' THEN 'company' WHEN 'team' THEN 'region' WHEN 'rep' THEN 'team' END AS parent_dimension,
      CASE k.dimension WHEN 'region' THEN 'all' WHEN 'team' THEN tm.region WHEN 'rep' THEN ro.team END AS parent_value
    FROM node_keys k
    JOIN tree_windows w USING (metric, period_start, period_end)
    LEFT JOIN tree_targets tt ON tt.metric = k.metric AND tt.period_start = k.period_start AND tt.period_end = k.period_end
      AND tt.dimension = k.dimension AND tt.match_value = k.value
    LEFT JOIN team_org tm ON k.dimension = 'team' AND tm.team = k.value
    LEFT JOIN rep_org ro ON k.dimension = 'rep' AND ro.rep = k.value
    LEFT JOIN team_org rtm ON k.dimension = 'rep' AND rtm.team = ro.team
  ),
  with_actual AS (
    SELECT p.*, CASE WHEN p.cur_to >= p.cur_from THEN coalesce(a.actual, 0) ELSE 0 END AS actual
    FROM placed p LEFT JOIN actuals a ON a.metric = p.metric AND a.w_from = p.cur_from AND a.w_to = p.cur_to
      AND a.dimension = p.dimension AND a.value = p.value
  ),
  kids AS (
    SELECT metric, period_start, period_end, parent_dimension AS dimension, parent_value AS value,
           count(*) AS children, count(target) AS children_with_target,
           sum(target) AS children_target_sum, sum(actual) AS children_actual_sum
    FROM with_actual WHERE parent_value IS NOT NULL GROUP BY ALL
  ),
  nodes AS (
    SELECT n.*, k.children, k.children_with_target, k.children_target_sum, k.children_actual_sum,
      (n.dimension = 'team' AND n.region_key IS NULL) OR (n.dimension = 'rep' AND n.team_key IS NULL) AS orphan,
      CASE WHEN k.children_with_target > 0 THEN n.target - k.children_target_sum END AS mismatch,
      ${targetScopeSql(input.params.filters, 'n.dimension', 'n.value')} AS in_scope
    FROM with_actual n LEFT JOIN kids k USING (metric, period_start, period_end, dimension, value)
  )
  SELECT metric, ${d('period_start')} AS period_start, ${d('period_end')} AS period_end,
    ${periodLabelSql('period_start', 'period_end')} AS period_label,
    depth, dimension, CASE WHEN dimension = 'company' THEN 'all' ELSE value END AS dimension_value,
    parent_dimension, parent_value,
    concat_ws(' / ', 'company',
      CASE WHEN depth >= 1 THEN coalesce(region_key, '?') END,
      CASE WHEN depth >= 2 THEN coalesce(team_key, '?') END,
      CASE WHEN depth >= 3 THEN rep_key END) AS path,
    target::DOUBLE AS target,
    coalesce(children, 0)::INTEGER AS children, coalesce(children_with_target, 0)::INTEGER AS children_with_target,
    children_target_sum::DOUBLE AS children_target_sum,
    mismatch::DOUBLE AS mismatch,
    mismatch::DOUBLE / nullif(target::DOUBLE, 0) AS mismatch_share,
    CASE WHEN orphan THEN 'orphan'
         WHEN target IS NULL THEN 'no_target'
         WHEN mismatch <> 0 THEN 'mismatch'
         WHEN depth < 3 AND coalesce(children_with_target, 0) = 0 THEN 'not_decomposed'
         ELSE 'ok' END AS status,
    actual::DOUBLE AS actual,
    children_actual_sum::DOUBLE AS children_actual_sum,
    actual::DOUBLE / nullif(target::DOUBLE, 0) AS progress,
    CASE WHEN cur_to >= cur_from THEN ${d('cur_to')} END AS actual_through
  FROM nodes WHERE in_scope
  ORDER BY metric <> 'revenue', metric, period_start, period_end DESC, orphan, region_key NULLS FIRST, team_key NULLS FIRST, rep_key NULLS FIRST`;
}

// ---------------------------------------------------------------------------------------------
// Drill-down: the rows behind one actual, and the child targets behind one mismatch.

export interface ActualDrillKeys {
  metric: TargetMetric;
  dimension: string;
  dimension_value: string;
  from: string;
  to: string;
}

/** The same window one year earlier: a year before the day after `to`, minus a day (as the SQL). */
export function yearEarlier(w: { from: string; to: string }): { from: string; to: string } {
  const back = (dt: Date) => {
    dt.setUTCFullYear(dt.getUTCFullYear() - 1);
    return dt;
  };
  const after = new Date(`${w.to}T00:00:00Z`);
  after.setUTCDate(after.getUTCDate() + 1);
  const to = back(after);
  to.setUTCDate(to.getUTCDate() - 1);
  return { from: back(new Date(`${w.from}T00:00:00Z`)).toISOString().slice(0, 10), to: to.toISOString().slice(0, 10) };
}

/** The window of a target as of params.as_of, or last year's. */
export function drillWindow(periodStart: string, periodEnd: string, asOf: string, which: 'current' | 'last_year'): { from: string; to: string } {
  const current = { from: periodStart, to: periodEnd < asOf ? periodEnd : asOf };
  return which === 'current' ? current : yearEarlier(current);
}

/** A customer_type target value in canonical form (`new`, `existing`), or as given. */
export function foldCustomerType(value: string): string {
  const v = value.trim().toLowerCase();
  return Object.entries(CUSTOMER_TYPE_ALIASES).find(([, list]) => list.includes(v))?.[0] ?? value;
}

/** A dimension name in canonical form. */
export function foldDimension(value: string): string {
  const v = value.trim().toLowerCase();
  return Object.entries(DIMENSION_ALIASES).find(([, list]) => list.includes(v))?.[0] ?? value;
}

function attributionSql(alias: string, dimension: string, value: string): string {
  const v = sqlString(value);
  switch (dimension) {
    case 'company':
      return 'true';
    case 'region':
      return `${alias}.region = ${v}`;
    case 'team':
      return `${alias}.team = ${v}`;
    case 'rep':
      return `${alias}.owner = ${v}`;
    case 'product':
      return `${alias}.product = ${v}`;
    default:
      throw new Error(`cannot drill into dimension "${dimension}"`);
  }
}

export function drillActualSql(basis: RevenueBasis, keys: ActualDrillKeys, limit: number): string {
  const inWindow = (col: string) => `${col} BETWEEN DATE ${sqlString(keys.from)} AND DATE ${sqlString(keys.to)}`;
  const base = `WITH ${sourceCtes(basis)}`;
  if (keys.metric === 'won_deals') {
    return `SELECT opportunity_id, customer_name, owner, team, region, product, status, created_at, closed_at, amount FROM (
      SELECT op.opportunity_id, op.customer_name, op.owner, coalesce(r.team, op.team) AS team, coalesce(r.region, op.region) AS region,
             op.product, op.status, ${d('op.created_at')} AS created_at, ${d('op.closed_at')} AS closed_at, op.closed_at AS closed_ts, op.amount::DOUBLE AS amount
      FROM opportunities op LEFT JOIN reps r ON r.owner = op.owner
      WHERE op.status = 'won' AND op.closed_at IS NOT NULL AND ${inWindow('CAST(op.closed_at AS DATE)')}
    ) w WHERE ${attributionSql('w', keys.dimension, keys.dimension_value)}
    ORDER BY closed_ts, opportunity_id LIMIT ${limit}`;
  }
  if (keys.metric === 'new_customers') {
    const cond = attributionSql('f', keys.dimension, keys.dimension_value);
    return `${base}
    SELECT f.customer_key AS customer, f.ref_id AS first_sale_ref, ${d('f.first_day')} AS first_sale_at, f.owner, f.team, f.region, f.product
    FROM first_sale f WHERE ${inWindow('f.first_day')} AND ${cond}
    ORDER BY f.first_day, f.customer_key LIMIT ${limit}`;
  }
  let cond: string;
  if (keys.dimension === 'customer_type') {
    const kind = keys.dimension_value;
    cond = kind === 'new' ? `fs.first_day >= DATE ${sqlString(keys.from)}` : kind === 'existing' ? `fs.first_day < DATE ${sqlString(keys.from)}` : 'false';
  } else {
    cond = attributionSql('s', keys.dimension, keys.dimension_value);
  }
  const refCol = basis === 'orders' ? 's.ref_id AS order_id, s.ref_line AS order_line' : 's.ref_id AS opportunity_id';
  return `${base}
  SELECT ${refCol}, strftime(s.ts, '%Y-%m-%d %H:%M') AS at, s.customer_key AS customer, s.owner, s.team, s.region, s.product,
         s.amount::DOUBLE AS amount, s.is_cancellation, ${d('fs.first_day')} AS customer_first_sale
  FROM sales s LEFT JOIN first_sale fs USING (customer_key)
  WHERE ${inWindow('s.day')} AND ${cond}
  ORDER BY s.ts, s.ref_id, s.ref_line LIMIT ${limit}`;
}

/** The child targets under one tree node (what its mismatch is made of). */
export function drillChildrenSql(input: TargetsQueryInput, keys: { metric: string; dimension: string; dimension_value: string; period_start: string; period_end: string }, limit: number): string {
  const childLevel: Record<string, string> = { company: 'region', region: 'team', team: 'rep' };
  const child = childLevel[keys.dimension];
  if (!child) throw new Error(`a ${keys.dimension} node has no children in the tree`);
  const tree = treeSql({ ...input, params: { ...input.params, from: keys.period_start, to: keys.period_end, filters: {}, by: null } });
  return `SELECT * FROM (${tree}) WHERE metric = ${sqlString(keys.metric)} AND period_start = ${sqlString(keys.period_start)} AND period_end = ${sqlString(keys.period_end)}
    AND dimension = ${sqlString(child)} AND parent_value = ${sqlString(keys.dimension === 'company' ? 'all' : keys.dimension_value)} LIMIT ${limit}`;
}

// ---------------------------------------------------------------------------------------------
// OKR key results: one query, four scalar figures per key result (numerator and denominator, now
// and a year earlier); the family divides them.

export interface OkrWindow {
  from: string;
  to: string;
}

export interface OkrMeasureInput {
  metric: Exclude<OkrMetric, 'manual'>;
  scope?: { dimension: string; value: string } | undefined;
  current: OkrWindow | null;
  last_year: OkrWindow | null;
}

function scopeOnSales(scope: OkrMeasureInput['scope'], from: string): string {
  if (!scope) return 'true';
  if (scope.dimension === 'customer_type') return scope.value === 'new' ? `fs.first_day >= ${from}` : `fs.first_day < ${from}`;
  return attributionSql('s', scope.dimension, scope.value);
}

/** Numerator and denominator of one key-result metric over one window, as scalar SQL. */
export function okrMeasureSql(input: Pick<OkrMeasureInput, 'metric' | 'scope'>, w: OkrWindow): { num: string; den: string } {
  const a = `DATE ${sqlString(w.from)}`;
  const b = `DATE ${sqlString(w.to)}`;
  const revenue = (scope: OkrMeasureInput['scope']) =>
    `(SELECT coalesce(sum(s.amount), 0)::DOUBLE FROM sales s LEFT JOIN first_sale fs USING (customer_key) WHERE s.day BETWEEN ${a} AND ${b} AND ${scopeOnSales(scope, a)})`;
  const base = input.metric.replace(/_growth_yoy$/, '');
  switch (base) {
    case 'revenue':
      return { num: revenue(input.scope), den: '1' };
    case 'revenue_share':
      return { num: revenue(input.scope), den: revenue(undefined) };
    case 'new_customers':
      return { num: `(SELECT count(*)::DOUBLE FROM first_sale s WHERE s.first_day BETWEEN ${a} AND ${b} AND ${scopeOnSales(input.scope, a)})`, den: '1' };
    case 'won_deals':
      return { num: `(SELECT count(*)::DOUBLE FROM won s WHERE s.day BETWEEN ${a} AND ${b} AND ${scopeOnSales(input.scope, a)})`, den: '1' };
    case 'repeat_purchase_rate':
      return {
        num: `(SELECT count(DISTINCT s.customer_key)::DOUBLE FROM sales s JOIN first_sale fs USING (customer_key) WHERE NOT s.is_cancellation AND s.day BETWEEN ${a} AND ${b} AND fs.first_day < ${a})`,
        den: `(SELECT count(*)::DOUBLE FROM first_sale WHERE first_day < ${a})`,
      };
    case 'per_capita_revenue': {
      const repScope = input.scope ? `r.${input.scope.dimension === 'region' ? 'region' : 'team'} = ${sqlString(input.scope.value)}` : 'true';
      return {
        num: revenue(input.scope),
        den: `(CASE WHEN (SELECT count(*) FROM reps) > 0
                THEN (SELECT count(*)::DOUBLE FROM reps r WHERE (r.hired_at IS NULL OR r.hired_at <= ${b}) AND (r.left_at IS NULL OR r.left_at >= ${a}) AND ${repScope})
                ELSE (SELECT count(DISTINCT s.owner)::DOUBLE FROM sales s LEFT JOIN first_sale fs USING (customer_key) WHERE s.day BETWEEN ${a} AND ${b} AND ${scopeOnSales(input.scope, a)}) END)`,
      };
    }
    default:
      throw new Error(`unknown key-result metric ${input.metric}`);
  }
}

/** One row: k{i}_cn, k{i}_cd (current numerator, denominator), k{i}_ln, k{i}_ld (last year). */
export function okrSql(basis: RevenueBasis, measures: OkrMeasureInput[]): string {
  const cols = measures.flatMap((m, i) => {
    const cur = m.current ? okrMeasureSql(m, m.current) : { num: 'NULL', den: 'NULL' };
    const ly = m.last_year ? okrMeasureSql(m, m.last_year) : { num: 'NULL', den: 'NULL' };
    return [`${cur.num} AS k${i}_cn`, `${cur.den}::DOUBLE AS k${i}_cd`, `${ly.num} AS k${i}_ln`, `${ly.den}::DOUBLE AS k${i}_ld`];
  });
  return `WITH ${sourceCtes(basis)}
  SELECT ${cols.length ? cols.join(',\n    ') : '1 AS nothing'}`;
}

// ---------------------------------------------------------------------------------------------
// Tiered bonus (seed 001): rising pay-out rates above base, challenge and excellence targets.

const PERIOD_KIND_SQL: Record<BonusConfig['period'], string> = {
  month: `day(b.period_start) = 1 AND b.period_end = last_day(b.period_start)`,
  quarter: `day(b.period_start) = 1 AND month(b.period_start) IN (1, 4, 7, 10) AND b.period_end = last_day(b.period_start + INTERVAL 2 MONTH)`,
  year: `month(b.period_start) = 1 AND day(b.period_start) = 1 AND month(b.period_end) = 12 AND day(b.period_end) = 31 AND year(b.period_end) = year(b.period_start)`,
};

/** One row per paid target (base tier, revenue, the configured level and period kind). */
export function bonusSql(input: TargetsQueryInput, bonus: BonusConfig): string {
  const num = (x: number | null) => (x === null ? 'NULL' : String(Number(x)));
  const r = bonus.rates;
  const tierJoin = (alias: string, tier: string) =>
    `LEFT JOIN t ${alias} ON ${alias}.tier = '${tier}' AND ${alias}.metric = b.metric AND ${alias}.dimension = b.dimension AND ${alias}.match_value = b.match_value
      AND ${alias}.period_start = b.period_start AND ${alias}.period_end = b.period_end`;
  return `${allCtes(input)},
  tiered AS (
    SELECT b.period_start, b.period_end, b.dimension, b.dimension_value, b.cur_from, b.cur_to,
      b.target::DOUBLE AS base_target,
      coalesce(c.target::DOUBLE, b.target::DOUBLE * ${num(bonus.challenge_factor)}) AS challenge_target,
      coalesce(e.target::DOUBLE, b.target::DOUBLE * ${num(bonus.excellence_factor)}) AS excellence_target,
      c.target IS NOT NULL AS challenge_set, e.target IS NOT NULL AS excellence_set,
      CASE WHEN b.cur_to >= b.cur_from THEN coalesce(a.actual, 0) ELSE 0 END::DOUBLE AS actual
    FROM t b
    ${tierJoin('c', 'challenge')}
    ${tierJoin('e', 'excellence')}
    LEFT JOIN actuals a ON a.metric = b.metric AND a.w_from = b.cur_from AND a.w_to = b.cur_to AND a.dimension = b.dimension AND a.value = b.match_value
    WHERE b.tier = 'base' AND b.metric = 'revenue' AND b.dimension = ${sqlString(bonus.dimension)} AND b.in_scope AND b.supported
      AND ${PERIOD_KIND_SQL[bonus.period]}
  ),
  bands AS (
    SELECT *,
      greatest(0, least(actual, base_target)) AS band_within,
      greatest(0, CASE WHEN coalesce(challenge_target, excellence_target) IS NULL THEN actual ELSE least(actual, coalesce(challenge_target, excellence_target)) END - base_target) AS band_base,
      CASE WHEN challenge_target IS NULL THEN 0
           ELSE greatest(0, CASE WHEN excellence_target IS NULL THEN actual ELSE least(actual, excellence_target) END - challenge_target) END AS band_challenge,
      CASE WHEN excellence_target IS NULL THEN 0 ELSE greatest(0, actual - excellence_target) END AS band_excellence
    FROM tiered
  )
  SELECT ${d('period_start')} AS period_start, ${d('period_end')} AS period_end, ${periodLabelSql('period_start', 'period_end')} AS period_label,
    dimension, dimension_value, base_target, challenge_target, excellence_target,
    CASE WHEN challenge_set AND excellence_set THEN 'targets' WHEN challenge_set OR excellence_set THEN 'targets and factors' ELSE 'factors' END AS tiers_from,
    actual, actual / nullif(base_target, 0) AS progress,
    CASE WHEN excellence_target IS NOT NULL AND actual >= excellence_target THEN 'excellence'
         WHEN challenge_target IS NOT NULL AND actual >= challenge_target THEN 'challenge'
         WHEN actual >= base_target THEN 'base' ELSE 'below_base' END AS tier_reached,
    band_within * ${num(r.within_base)} AS payout_within_base,
    band_base * ${num(r.above_base)} AS payout_above_base,
    band_challenge * ${num(r.above_challenge)} AS payout_above_challenge,
    band_excellence * ${num(r.above_excellence)} AS payout_above_excellence,
    band_within * ${num(r.within_base)} + band_base * ${num(r.above_base)} + band_challenge * ${num(r.above_challenge)} + band_excellence * ${num(r.above_excellence)} AS payout,
    period_end <= DATE ${sqlString(input.params.as_of)} AS final,
    CASE WHEN cur_to >= cur_from THEN ${d('cur_to')} END AS actual_through
  FROM bands
  ORDER BY period_start, period_end, dimension_value`;
}
