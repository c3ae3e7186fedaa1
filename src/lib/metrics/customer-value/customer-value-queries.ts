/**
 * SQL for customer value (spec §5): params + config → SQL strings, no I/O. Every rule of the
 * family is here; the definitions below are the contract (cross-sell: see crossSellSql).
 *
 * As-of date D = params.as_of; window W = the rfm.window_months months ending at D:
 * ordered_at in [windowStart(D, W), D] by calendar day, both ends inclusive (D − W months, day
 * clamped to the month's end as DuckDB does, + 1 day; D = 2011-12-09, W = 12 → 2010-12-10).
 * Orders after D do not exist for this family. params.from/to are not used.
 *
 * - Order: a distinct order_id among lines that are not cancellations. Cancellation lines are
 *   not orders (they neither count in F nor move R) but their negative amounts net into M
 *   when dated in W, so M can be 0 or negative.
 * - Scored customers: customer_id present, at least one order on or before D (in the product
 *   filter's scope). Those whose orders all predate W are scored too: large R, F = 0, M = sum
 *   of their in-window lines (0, or negative from in-window cancellations).
 * - R = days from the date of the last order to D (same day = 0). F = orders in W; orders per
 *   month = F ÷ W (the denominator is always W, not the customer's tenure). M = Σ amount in W.
 * - Monetary percentile = (number of scored customers with a strictly smaller M) ÷ (number of
 *   scored customers) = (RANK() OVER (ORDER BY M) − 1) ÷ n. Ties share a percentile. Top 20% is
 *   percentile ≥ 0.8; bottom 20% is percentile < 0.2; the middle is [0.2, 0.8): the three bands
 *   partition everyone (with 10 distinct values: 2 top, 6 middle, 2 bottom).
 * - Seed 003 tiers, in order, first match wins, else regular (frequency thresholds in orders in
 *   W: "≥ 1 per month" is F ≥ 1 × W, "≥ 1 per quarter" F ≥ W / 3, "≤ 1 per year" F ≤ W / 12,
 *   "≤ 1 per half-year" F ≤ W / 6; W = 12 → 12, 4, 1, 2 orders).
 * - Quintile scores: score = 1 + ⌊5 × (customers strictly worse) ÷ n⌋, worse meaning larger R,
 *   fewer orders in W, smaller M. Equal values always get the same score (no tie-breaking by
 *   id); scores run 1..5 and a heavily tied value can make a score level unused.
 * - Segment: SEGMENT_GRID[R score][trunc((F score + M score) / 2)].
 * - ABC: contribution = M, or Σ profit in W when every in-window line of the scored customers
 *   has a profit (and there is at least one). Customers sorted by contribution desc, then
 *   customer_id; cumulative_before = Σ of the positive contributions ahead of the customer;
 *   A while cumulative_before < a_share × positive total (so the customer who crosses 80% is
 *   A: A is the fewest top customers making at least 80%), B while < (a_share + b_share) ×
 *   total, else C. A contribution ≤ 0 is always C.
 * - Filters: region and industry from `customers`; owner = customers.owner, or, when the
 *   customer export has none, the rep on the customer's latest order up to D; team = that
 *   owner's team in `reps`; product restricts the order lines everything is computed from;
 *   source does not apply to customers and matches nothing (the shared filter rule).
 */
import { sqlString } from '../../warehouse/warehouse.server.ts';
import type { SalesightConfig } from '../../config/config.ts';
import { dateLiteral, dimensionFilterSql, type Dimension, type ResolvedParams } from '../params.ts';
import type { CrossSellConfig } from './customer-value-config.ts';
import { SEGMENT_GRID, SEGMENT_IDS, type Score } from './customer-value-definitions.ts';

export interface CustomerValueQueryInput {
  params: ResolvedParams;
  rfm: SalesightConfig['rfm'];
  abc: SalesightConfig['abc'];
  crossSell: CrossSellConfig;
}

/** First day of the window: D − W months (day clamped to the month's length) + 1 day. */
export function windowStart(asOf: string, months: number): string {
  const [y, m, d] = asOf.split('-').map(Number) as [number, number, number];
  const monthIndex = y * 12 + (m - 1) - months;
  const year = Math.floor(monthIndex / 12);
  const month = monthIndex - year * 12;
  const daysInMonth = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return new Date(Date.UTC(year, month, Math.min(d, daysInMonth) + 1)).toISOString().slice(0, 10);
}

/** The seed 003 thresholds in the units the SQL compares: days, orders in W, percentiles. */
export interface TierThresholds {
  high_value: { max_recency_days: number; min_orders_in_window: number; min_monetary_percentile: number };
  potential: { max_recency_days: number; min_orders_in_window: number; monetary_percentile_from: number; monetary_percentile_below: number };
  low_value: { min_recency_days: number; max_orders_in_window: number; monetary_percentile_below: number };
  dormant: { min_recency_days: number; max_orders_in_window: number };
}

export function tierThresholds(rfm: SalesightConfig['rfm']): TierThresholds {
  const w = rfm.window_months;
  return {
    high_value: {
      max_recency_days: rfm.high_value.max_recency_days,
      min_orders_in_window: rfm.high_value.min_orders_per_month * w,
      min_monetary_percentile: rfm.high_value.min_monetary_percentile,
    },
    potential: {
      max_recency_days: rfm.potential.max_recency_days,
      min_orders_in_window: (rfm.potential.min_orders_per_quarter * w) / 3,
      monetary_percentile_from: rfm.potential.monetary_percentile_between[0],
      monetary_percentile_below: rfm.potential.monetary_percentile_between[1],
    },
    low_value: {
      min_recency_days: rfm.low_value.min_recency_days,
      max_orders_in_window: (rfm.low_value.max_orders_per_year * w) / 12,
      monetary_percentile_below: rfm.low_value.max_monetary_percentile,
    },
    dormant: {
      min_recency_days: rfm.dormant.min_recency_days,
      max_orders_in_window: (rfm.dormant.max_orders_per_half_year * w) / 6,
    },
  };
}

/** A config number as a DOUBLE literal (a bare 0.8 would be a DECIMAL in DuckDB). */
function num(n: number): string {
  if (!Number.isFinite(n)) throw new Error(`customer-value: threshold ${n} is not a finite number`);
  return `${n}::DOUBLE`;
}

export function tierCaseSql(t: TierThresholds): string {
  return `CASE
      WHEN recency_days <= ${num(t.high_value.max_recency_days)} AND orders_in_window >= ${num(t.high_value.min_orders_in_window)}
        AND monetary_percentile >= ${num(t.high_value.min_monetary_percentile)} THEN 'high_value'
      WHEN recency_days <= ${num(t.potential.max_recency_days)} AND orders_in_window >= ${num(t.potential.min_orders_in_window)}
        AND monetary_percentile >= ${num(t.potential.monetary_percentile_from)} AND monetary_percentile < ${num(t.potential.monetary_percentile_below)} THEN 'potential'
      WHEN recency_days >= ${num(t.low_value.min_recency_days)} AND orders_in_window <= ${num(t.low_value.max_orders_in_window)}
        AND monetary_percentile < ${num(t.low_value.monetary_percentile_below)} THEN 'low_value'
      WHEN recency_days >= ${num(t.dormant.min_recency_days)} AND orders_in_window <= ${num(t.dormant.max_orders_in_window)} THEN 'dormant'
      ELSE 'regular'
    END`;
}

/** SEGMENT_GRID as a CASE over r_score * 10 + fm_score (cell 51 = R 5, FM 1). */
export function segmentCaseSql(): string {
  const cells = new Map<string, number[]>();
  for (const r of [5, 4, 3, 2, 1] as Score[]) {
    SEGMENT_GRID[r].forEach((segment, i) => cells.set(segment, [...(cells.get(segment) ?? []), r * 10 + i + 1]));
  }
  const branches = SEGMENT_IDS.map((s) => `WHEN r_score * 10 + fm_score IN (${(cells.get(s) ?? []).join(', ')}) THEN '${s}'`);
  return `CASE\n      ${branches.join('\n      ')}\n    END`;
}

/** Customer-level filter columns (product filters lines instead; source has no customer column). */
function customerFilterSql(filters: ResolvedParams['filters'], columns: { region: string; industry: string; owner: string; team: string }): string {
  const { product: _lines, ...rest } = filters;
  return dimensionFilterSql(rest, (d) => (d === 'region' || d === 'industry' || d === 'owner' || d === 'team' ? columns[d] : null));
}

function productFilterSql(filters: ResolvedParams['filters'], column: string): string {
  return filters.product?.length ? dimensionFilterSql({ product: filters.product }, () => column) : 'true';
}

function linesCtes(input: CustomerValueQueryInput): string {
  const asOf = dateLiteral(input.params.as_of);
  return `all_lines AS (
  -- every order line of a known customer up to the as-of date (orders after D do not exist here)
  SELECT customer_id, order_id, order_line, ordered_at, amount, profit, is_cancellation, product, owner, customer_name
  FROM orders
  WHERE customer_id IS NOT NULL AND ordered_at < ${asOf} + INTERVAL 1 DAY
),
lines AS (
  SELECT * FROM all_lines WHERE ${productFilterSql(input.params.filters, 'product')}
)`;
}

/**
 * The CTE chain ending in `customer_scores`: one row per scored customer with R, F, M, the
 * percentile, quintile scores, segment, tier and ABC class. Every other query reads it, either
 * inline (drill-downs: one query) or from a temp table built once by materializeScoresSql.
 */
export function scoresCtes(input: CustomerValueQueryInput): string {
  const { params, rfm, abc } = input;
  const asOf = dateLiteral(params.as_of);
  const ws = dateLiteral(windowStart(params.as_of, rfm.window_months));
  const inWindow = `ordered_at >= ${ws}`;
  const filter = customerFilterSql(params.filters, { region: 'ac.region', industry: 'ac.industry', owner: 'ac.owner', team: 'rp.team' });
  return `WITH
${linesCtes(input)},
activity AS (
  SELECT customer_id,
    min(ordered_at) FILTER (WHERE NOT is_cancellation) AS first_order_at,
    max(ordered_at) FILTER (WHERE NOT is_cancellation) AS last_order_at,
    count(DISTINCT order_id) FILTER (WHERE NOT is_cancellation AND ${inWindow}) AS orders_in_window,
    -- cancellations are not orders, but their negative amounts net into M
    coalesce(sum(amount) FILTER (WHERE ${inWindow}), 0) AS monetary,
    coalesce(sum(profit) FILTER (WHERE ${inWindow}), 0) AS profit,
    count(*) FILTER (WHERE ${inWindow}) AS window_lines,
    count(profit) FILTER (WHERE ${inWindow}) AS window_lines_with_profit
  FROM lines
  GROUP BY customer_id
),
latest AS (
  -- owner and name from the latest order, for customers the customer export does not describe
  SELECT customer_id,
    first(owner ORDER BY ordered_at DESC, order_id DESC, order_line DESC) FILTER (WHERE owner IS NOT NULL) AS owner,
    first(customer_name ORDER BY ordered_at DESC, order_id DESC, order_line DESC) FILTER (WHERE customer_name IS NOT NULL) AS customer_name
  FROM all_lines
  WHERE NOT is_cancellation AND (owner IS NOT NULL OR customer_name IS NOT NULL)
    -- only read where the customer export leaves the name or the owner empty (below)
    AND customer_id NOT IN (SELECT customer_id FROM customers WHERE customer_id IS NOT NULL AND customer_name IS NOT NULL AND owner IS NOT NULL)
  GROUP BY customer_id
),
accounts AS (
  SELECT a.*, coalesce(c.customer_name, lt.customer_name) AS customer_name, c.region, c.industry,
    coalesce(c.owner, lt.owner) AS owner
  FROM activity a
  LEFT JOIN customers c USING (customer_id)
  LEFT JOIN latest lt USING (customer_id)
  WHERE a.last_order_at IS NOT NULL
),
-- not materialized: a window over a stored CTE is given every column of it whatever it reads
-- (the three ranks at 1M: 0.21 s of operator time over all its columns, 0.05 s over the ones they read)
scope AS NOT MATERIALIZED (
  SELECT ac.*, rp.team, date_diff('day', ac.last_order_at::DATE, ${asOf}) AS recency_days
  FROM accounts ac
  LEFT JOIN reps rp ON rp.owner = ac.owner
  WHERE ${filter}
),
ranks AS (
  -- rank() - 1 = how many scored customers are strictly worse: ties share the value. Over the
  -- sort keys alone, joined back below: a window sorts every column it is given (see scope)
  SELECT customer_id,
    count(*) OVER () AS scored_customers,
    rank() OVER (ORDER BY recency_days DESC) - 1 AS worse_recency,
    rank() OVER (ORDER BY orders_in_window) - 1 AS worse_frequency,
    rank() OVER (ORDER BY monetary) - 1 AS worse_monetary
  FROM scope
),
ranked AS (
  SELECT s.*, k.scored_customers, k.worse_recency, k.worse_frequency, k.worse_monetary
  FROM scope s JOIN ranks k ON k.customer_id = s.customer_id
),
basis AS (
  -- ABC on profit only when every in-window line in scope carries one
  SELECT coalesce(sum(window_lines) > 0 AND sum(window_lines) = sum(window_lines_with_profit), false) AS use_profit FROM scope
),
scored AS (
  SELECT r.*, b.use_profit,
    worse_monetary / scored_customers AS monetary_percentile,
    1 + (5 * worse_recency) // scored_customers AS r_score,
    1 + (5 * worse_frequency) // scored_customers AS f_score,
    1 + (5 * worse_monetary) // scored_customers AS m_score,
    CASE WHEN b.use_profit THEN r.profit ELSE r.monetary END AS contribution
  FROM ranked r CROSS JOIN basis b
),
segmented AS NOT MATERIALIZED (
  SELECT *, (f_score + m_score) // 2 AS fm_score FROM scored
),
cumulative AS (
  -- the running sum over the sort key and the customer only, as ranks above
  SELECT customer_id,
    coalesce(sum(greatest(contribution, 0)) OVER (ORDER BY contribution DESC, customer_id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS cumulative_before,
    sum(greatest(contribution, 0)) OVER () AS positive_total
  FROM segmented
),
pareto AS (
  SELECT g.*,
    ${tierCaseSql(tierThresholds(rfm))} AS tier,
    ${segmentCaseSql()} AS segment,
    c.cumulative_before, c.positive_total
  FROM segmented g JOIN cumulative c ON c.customer_id = g.customer_id
),
customer_scores AS (
  SELECT *,
    CASE
      WHEN contribution <= 0 OR positive_total = 0 THEN 'C'
      WHEN cumulative_before::DOUBLE < ${num(abc.a_share)} * positive_total::DOUBLE THEN 'A'
      WHEN cumulative_before::DOUBLE < ${num(abc.a_share + abc.b_share)} * positive_total::DOUBLE THEN 'B'
      ELSE 'C'
    END AS abc_class,
    CASE WHEN positive_total > 0 THEN (cumulative_before + greatest(contribution, 0))::DOUBLE / positive_total::DOUBLE END AS cumulative_share
  FROM pareto
)`;
}

function checkTableName(table: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(table)) throw new Error(`customer-value: bad temp table name ${table}`);
  return table;
}

/** Builds the scores once per compute; the summary, population, groups and cross-sell read it. */
export function materializeScoresSql(input: CustomerValueQueryInput, table: string): string {
  return `CREATE TEMP TABLE ${checkTableName(table)} AS\n${scoresCtes(input)}\nSELECT * FROM customer_scores`;
}

/** `WITH all_lines, lines, customer_scores`: from a materialized table, or the whole chain inline. */
function source(input: CustomerValueQueryInput, scoresTable?: string): string {
  return scoresTable ? `WITH\n${linesCtes(input)},\ncustomer_scores AS (SELECT * FROM ${checkTableName(scoresTable)})` : scoresCtes(input);
}

/** Columns of one customer row, as the result and drill-downs carry them. */
const CUSTOMER_COLUMNS = (w: number) => `customer_id, customer_name, region, industry, owner, team,
  strftime(first_order_at, '%Y-%m-%d') AS first_order_date,
  strftime(last_order_at, '%Y-%m-%d') AS last_order_date,
  recency_days, orders_in_window, orders_in_window / ${w} AS orders_per_month,
  monetary::DOUBLE AS monetary, monetary_percentile,
  r_score, f_score, m_score, fm_score, concat(r_score, f_score, m_score) AS rfm_cell,
  segment, tier, contribution::DOUBLE AS contribution, cumulative_share, abc_class`;

export interface ListOptions {
  scoresTable?: string;
  /** SQL predicate over customer_scores (drill-downs). */
  where?: string;
  limit?: number;
}

/** Scored customers, the largest contribution first (ties by customer_id). */
export function customerListSql(input: CustomerValueQueryInput, options: ListOptions = {}): string {
  const { scoresTable, where = 'true', limit } = options;
  return `${source(input, scoresTable)}
SELECT ${CUSTOMER_COLUMNS(input.rfm.window_months)}
FROM customer_scores
WHERE ${where}
ORDER BY contribution DESC, customer_id${limit === undefined ? '' : `\nLIMIT ${Math.max(0, Math.floor(limit))}`}`;
}

/** Counts and sums per tier, segment and ABC class, and overall (breakdown 'all'). */
export function summarySql(input: CustomerValueQueryInput, scoresTable?: string): string {
  return `${source(input, scoresTable)}
SELECT
  CASE WHEN GROUPING(tier) = 0 THEN 'tier' WHEN GROUPING(segment) = 0 THEN 'segment' WHEN GROUPING(abc_class) = 0 THEN 'abc' ELSE 'all' END AS breakdown,
  coalesce(tier, segment, abc_class) AS key,
  count(*) AS customers,
  sum(monetary)::DOUBLE AS revenue,
  sum(contribution)::DOUBLE AS contribution,
  avg(recency_days)::DOUBLE AS avg_recency_days,
  avg(orders_in_window)::DOUBLE AS avg_orders_in_window,
  avg(monetary)::DOUBLE AS avg_monetary,
  sum(orders_in_window) AS orders_in_window
FROM customer_scores
GROUP BY GROUPING SETS ((), (tier), (segment), (abc_class))`;
}

/** Facts about the population: ABC basis, customers without orders, guest orders not scored. */
export function populationSql(input: CustomerValueQueryInput, scoresTable?: string): string {
  const { params, rfm } = input;
  const asOf = dateLiteral(params.as_of);
  const ws = dateLiteral(windowStart(params.as_of, rfm.window_months));
  const filter = customerFilterSql(params.filters, { region: 'c.region', industry: 'c.industry', owner: 'c.owner', team: 'rp.team' });
  return `${source(input, scoresTable)}
SELECT
  coalesce((SELECT bool_and(use_profit) FROM customer_scores), false) AS use_profit,
  (SELECT count(*) FROM customer_scores) AS scored_customers,
  (SELECT count(*) FROM customers c LEFT JOIN reps rp ON rp.owner = c.owner
    WHERE ${filter} AND c.customer_id NOT IN (SELECT customer_id FROM lines WHERE NOT is_cancellation)) AS customers_without_orders,
  (SELECT count(DISTINCT order_id) FROM orders
    WHERE customer_id IS NULL AND NOT is_cancellation AND ordered_at >= ${ws} AND ordered_at < ${asOf} + INTERVAL 1 DAY
      AND ${productFilterSql(params.filters, 'product')}) AS guest_orders_in_window`;
}

/** The grouping column for `by`; products group a customer under every product it bought up to D. */
function groupSource(by: Dimension): { join: string; column: string } | null {
  switch (by) {
    case 'region':
    case 'industry':
    case 'owner':
    case 'team':
      return { join: '', column: `s.${by}` };
    case 'product':
      return { join: 'JOIN (SELECT DISTINCT customer_id, product FROM lines WHERE NOT is_cancellation) g USING (customer_id)', column: 'g.product' };
    case 'source':
      return null;
  }
}

export function groupingSupported(by: Dimension): boolean {
  return groupSource(by) !== null;
}

/** Per group of `by`: customers and revenue, and counts per tier, segment and ABC class. */
export function groupsSql(input: CustomerValueQueryInput, by: Dimension, scoresTable?: string): string {
  const g = groupSource(by);
  if (!g) throw new Error(`customer value cannot be grouped by ${by}`);
  return `${source(input, scoresTable)},
grouped AS (
  SELECT s.*, ${g.column} AS grp FROM customer_scores s ${g.join}
)
SELECT grp,
  CASE WHEN GROUPING(tier) = 0 THEN 'tier' WHEN GROUPING(segment) = 0 THEN 'segment' WHEN GROUPING(abc_class) = 0 THEN 'abc' ELSE 'all' END AS breakdown,
  coalesce(tier, segment, abc_class) AS key,
  count(*) AS customers,
  sum(monetary)::DOUBLE AS revenue
FROM grouped
GROUP BY GROUPING SETS ((grp), (grp, tier), (grp, segment), (grp, abc_class))
ORDER BY grp NULLS LAST, breakdown, key`;
}

/** SQL predicate over customer_scores for drill key `group` under `by`. */
export function groupFilterSql(by: Dimension, value: string): string {
  switch (by) {
    case 'region':
    case 'industry':
    case 'owner':
    case 'team':
      return `${by} = ${sqlString(value)}`;
    case 'product':
      return `customer_id IN (SELECT customer_id FROM lines WHERE NOT is_cancellation AND product = ${sqlString(value)})`;
    case 'source':
      return 'false';
  }
}

export interface CrossSellOptions {
  scoresTable?: string;
  /** Only this pair (drill-down), with all its candidates unless limitPerPair says otherwise. */
  pair?: { product_x: string; product_y: string };
  limitPerPair?: number;
}

/**
 * Cross-sell (seed 000: 客户价值挖掘,交叉销售). Over the scored customers' non-cancelled lines in
 * W: the products_considered products with the most buyers (ties by name); directed pairs
 * X → Y among them with at least min_buyers_both customers who bought both in W; the `pairs`
 * pairs with the most such customers (then the higher confidence = both ÷ buyers of X, then
 * the names). For each pair, the customers who bought X in W and never bought Y up to D,
 * largest M first (ties by customer_id). A product filter makes X range over the filtered
 * products instead; Y is still any considered product (pairs are counted over all lines).
 * One row per listed customer, and one row with customer_id NULL for a pair without
 * candidates, so every pair is reported.
 */
export function crossSellSql(input: CustomerValueQueryInput, options: CrossSellOptions = {}): string {
  const { params, rfm, crossSell } = input;
  const { scoresTable, pair } = options;
  const ws = dateLiteral(windowStart(params.as_of, rfm.window_months));
  const perPair = options.limitPerPair ?? crossSell.customers_per_pair;
  const xProducts = params.filters.product?.length
    ? `bought WHERE ${productFilterSql(params.filters, 'product')}`
    : 'bought WHERE product IN (SELECT product FROM considered)';
  return `${source(input, scoresTable)},
bought AS (
  SELECT DISTINCT l.customer_id, l.product
  FROM all_lines l SEMI JOIN customer_scores s ON s.customer_id = l.customer_id
  WHERE NOT l.is_cancellation AND l.ordered_at >= ${ws} AND l.product IS NOT NULL
),
product_buyers AS (
  SELECT product, count(*) AS buyers FROM bought GROUP BY product
),
considered AS (
  SELECT product FROM product_buyers ORDER BY buyers DESC, product LIMIT ${crossSell.products_considered}
),
pairs AS (
  SELECT x.product AS product_x, y.product AS product_y, count(*) AS buyers_both
  FROM (SELECT * FROM ${xProducts}) x
  JOIN (SELECT * FROM bought WHERE product IN (SELECT product FROM considered)) y
    ON x.customer_id = y.customer_id AND x.product <> y.product
  GROUP BY x.product, y.product
  HAVING count(*) >= ${crossSell.min_buyers_both}
),
chosen AS (
  SELECT p.product_x, p.product_y, px.buyers AS buyers_x, p.buyers_both, p.buyers_both / px.buyers AS confidence,
    row_number() OVER (ORDER BY p.buyers_both DESC, p.buyers_both / px.buyers DESC, p.product_x, p.product_y) AS pair_rank
  FROM pairs p JOIN product_buyers px ON px.product = p.product_x
  QUALIFY pair_rank <= ${crossSell.pairs}
),
picked AS (
  SELECT * FROM chosen${pair ? ` WHERE product_x = ${sqlString(pair.product_x)} AND product_y = ${sqlString(pair.product_y)}` : ''}
),
has_y AS (
  -- who ever bought a pair's Y up to D (any time, not only in W): they are not told to buy it
  SELECT DISTINCT customer_id, product FROM all_lines
  WHERE NOT is_cancellation AND product IN (SELECT product_y FROM picked)
),
candidates AS (
  SELECT c.pair_rank, s.customer_id, s.customer_name, s.owner, s.monetary, s.tier, s.segment, s.abc_class,
    row_number() OVER (PARTITION BY c.pair_rank ORDER BY s.monetary DESC, s.customer_id) AS customer_rank,
    count(*) OVER (PARTITION BY c.pair_rank) AS candidates
  FROM picked c
  JOIN bought bx ON bx.product = c.product_x
  JOIN customer_scores s ON s.customer_id = bx.customer_id
  ANTI JOIN has_y h ON h.customer_id = s.customer_id AND h.product = c.product_y
)
SELECT c.pair_rank, c.product_x, c.product_y, c.buyers_x, c.buyers_both, c.confidence,
  coalesce(k.candidates, 0) AS candidates,
  k.customer_rank, k.customer_id, k.customer_name, k.owner, k.monetary::DOUBLE AS monetary, k.tier, k.segment, k.abc_class
FROM picked c
LEFT JOIN candidates k ON k.pair_rank = c.pair_rank AND k.customer_rank <= ${Math.max(0, Math.floor(perPair))}
ORDER BY c.pair_rank, k.customer_rank NULLS FIRST`;
}
