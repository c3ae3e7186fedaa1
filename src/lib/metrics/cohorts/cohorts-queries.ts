/**
 * SQL for cohorts (spec §4), built from the parameters. Pure: tests pin it.
 *
 * Customer cohorts. Cleaning rules (decided here; the spec leaves them open):
 * - Only order lines with a customer_id count at all (guest checkouts cannot be followed).
 * - A *qualifying* line is one that is not a cancellation and has amount > 0. Only qualifying
 *   lines make a customer "have an order" in a month, and the first qualifying line fixes the
 *   customer's cohort (calendar month of orders.ordered_at; config.fiscal does not move months).
 *   A free line (amount 0) or a cancellation alone does not make a customer active.
 * - Revenue is net: the sum of `amount` over all the customer's lines in the month, cancellation
 *   lines (negative) included, in the month the cancellation was booked. Lines before the cohort
 *   month (e.g. a cancellation of an order older than the data) fall in no column.
 * - Nothing after the as-of day exists yet: orders are read up to the end of `as_of`.
 * - The first order is looked for over the whole history up to as-of, so a customer who first
 *   ordered before the period is in no cohort of the period (not a "new" customer again).
 *
 * Filters and group-by on order data: region and industry are the customer's (customers
 * table); product and owner are the order line's (orders.product, orders.owner); team is the
 * team of the line's rep (reps joined on orders.owner); source is the lead source of the
 * opportunity the line came from (opportunities joined on orders.opportunity_id). Customer
 * dimensions choose customers; order-line dimensions choose which lines exist at all, so
 * product = X gives cohorts by first purchase *of X* and retention in buying X again. A value
 * a line or customer does not have (NULL) matches no filter. Grouping by a dimension gives the
 * same cohorts as filtering by each of its values (property-tested), so with an order-line
 * dimension a customer can be in one cohort per product, rep, …; lines without a value form
 * the NULL group.
 *
 * Lead cohorts: opportunities by calendar month of created_at (all stage sets; `status` is
 * normalised for all). Every lead counts in the cohort size, invalid ones included (the share of
 * all leads that became deals; `invalid` is reported beside it). Won by age k = status won with
 * closed_at up to as-of and closed month − created month ≤ k (calendar months, cumulative; a close
 * dated before creation counts as age 0). A won lead without closed_at is in no age and is
 * reported as won_without_close_date; one closed after as-of is not won yet. Filters and `by` use
 * the opportunity's own columns.
 *
 * Periods: a cohort is a whole calendar month, so the period is widened to whole months (from's
 * month through to's month, and no later than as-of's month): cohort 2024-03 always means the
 * same customers, whatever day the period starts on.
 */
import { sqlString } from '../../warehouse/warehouse.server.ts';
import { endOfDaySql, dimensionFilterSql, inPeriodSql, opportunityFilterSql, type Dimension, type ResolvedParams } from '../params.ts';

/** Months counted from year 0: 2024-03 → 2024 × 12 + 2. Pure integer arithmetic, no time zones. */
export function monthIndexOfDay(day: string): number {
  const year = Number(day.slice(0, 4));
  const month = Number(day.slice(5, 7));
  return year * 12 + month - 1;
}

/** 'YYYY-MM' of a month index. */
export function monthLabel(index: number): string {
  const year = Math.floor(index / 12);
  const month = (index % 12) + 1;
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}`;
}

export function monthStartDay(index: number): string {
  return `${monthLabel(index)}-01`;
}

export function monthEndDay(index: number): string {
  const year = Math.floor(index / 12);
  const month = (index % 12) + 1;
  // Day 0 of the next month is the last day of this one.
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return `${monthLabel(index)}-${String(last).padStart(2, '0')}`;
}

/** 'YYYY-MM' → month index; throws on anything else (drill keys come from users). */
export function parseMonthLabel(label: string): number {
  const m = /^(\d{4})-(\d{2})$/.exec(label);
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 12) throw new Error(`expected a month like 2024-03, got "${label}"`);
  return Number(m[1]) * 12 + Number(m[2]) - 1;
}

/** The cohort months a period covers: from's month to the earlier of to's and as-of's month. */
export interface CohortWindow {
  first_index: number;
  last_index: number;
  as_of_index: number;
  /** The widened period as inclusive days, for inPeriodSql. */
  from: string;
  to: string;
}

export function cohortWindow(params: ResolvedParams): CohortWindow {
  const first = monthIndexOfDay(params.from);
  const asOf = monthIndexOfDay(params.as_of);
  const last = Math.min(monthIndexOfDay(params.to), asOf);
  const lastDay = monthEndDay(last);
  return { first_index: first, last_index: last, as_of_index: asOf, from: monthStartDay(first), to: last === asOf && params.as_of < lastDay ? params.as_of : lastDay };
}

/** SQL month index of a TIMESTAMP/DATE expression, same arithmetic as monthIndexOfDay. */
export function monthIndexSql(expr: string): string {
  return `(year(${expr}) * 12 + month(${expr}) - 1)`;
}

/** Column of an order line (aliases: l orders, c customers, r reps, op opportunities) for a dimension. */
const ORDER_LINE_COLUMN: Record<Dimension, string> = {
  region: 'c.region',
  industry: 'c.industry',
  product: 'o.product',
  owner: 'o.owner',
  team: 'r.team',
  source: 'op.source',
};

function usedDimensions(params: ResolvedParams): Set<Dimension> {
  const used = new Set<Dimension>();
  for (const [d, values] of Object.entries(params.filters) as [Dimension, string[] | undefined][]) if (values?.length) used.add(d);
  if (params.by) used.add(params.by);
  return used;
}

/**
 * `lines`: every order line with a customer up to as-of, passing the filters, with its group
 * value, month index and whether it qualifies. `members`: each customer's (per group) first
 * qualifying order and cohort month, for cohorts in the window.
 */
export function customerBaseCtes(params: ResolvedParams): string {
  const window = cohortWindow(params);
  const used = usedDimensions(params);
  const joins: string[] = [];
  // Joins only when a dimension needs them; each joins on the other table's key (no fan-out).
  if (used.has('region') || used.has('industry')) joins.push('LEFT JOIN customers c ON c.customer_id = o.customer_id');
  if (used.has('team')) joins.push('LEFT JOIN reps r ON r.owner = o.owner');
  if (used.has('source')) joins.push('LEFT JOIN opportunities op ON op.opportunity_id = o.opportunity_id');
  const group = params.by ? ORDER_LINE_COLUMN[params.by] : 'NULL::VARCHAR';
  return `lines AS (
    SELECT o.customer_id, o.order_id, o.ordered_at, o.amount,
           ${group} AS grp,
           ${monthIndexSql('o.ordered_at')} AS month_index,
           (NOT o.is_cancellation AND o.amount > 0) AS qualifying
    FROM orders o
    ${joins.join('\n    ')}
    WHERE o.customer_id IS NOT NULL
      AND o.ordered_at < ${endOfDaySql(params.as_of)}
      AND ${dimensionFilterSql(params.filters, (d) => ORDER_LINE_COLUMN[d])}
  ),
  firsts AS (
    SELECT grp, customer_id, min(ordered_at) AS first_order_at
    FROM lines WHERE qualifying
    GROUP BY grp, customer_id
  ),
  members AS (
    SELECT grp, customer_id, first_order_at, ${monthIndexSql('first_order_at')} AS cohort_index
    FROM firsts
    WHERE ${inPeriodSql('first_order_at', window)}
  )`;
}

/**
 * One row per (group, cohort, age) with any line: cohort size, customers with a qualifying
 * line in that month, and the cohort's net revenue that month.
 */
export function customerCohortCellsSql(params: ResolvedParams): string {
  return `WITH ${customerBaseCtes(params)},
  sizes AS (
    SELECT grp, cohort_index, count(*) AS size FROM members GROUP BY grp, cohort_index
  ),
  cells AS (
    SELECT m.grp, m.cohort_index, l.month_index - m.cohort_index AS age,
           count(DISTINCT l.customer_id) FILTER (WHERE l.qualifying) AS active,
           sum(l.amount) AS revenue
    FROM lines l
    JOIN members m ON m.customer_id = l.customer_id AND m.grp IS NOT DISTINCT FROM l.grp
    WHERE l.month_index >= m.cohort_index
    GROUP BY m.grp, m.cohort_index, l.month_index
  )
  SELECT cells.grp, cells.cohort_index::INTEGER AS cohort_index, cells.age::INTEGER AS age,
         sizes.size::INTEGER AS size, cells.active::INTEGER AS active, coalesce(cells.revenue, 0)::DOUBLE AS revenue
  FROM cells JOIN sizes ON sizes.grp IS NOT DISTINCT FROM cells.grp AND sizes.cohort_index = cells.cohort_index
  ORDER BY cells.grp NULLS LAST, cells.cohort_index, cells.age`;
}

export interface CustomerDrillInput {
  cohort_index: number;
  age: number;
  /** true: customers with a qualifying order that month; false: the rest of the cohort. */
  active: boolean;
  /** Only this group's members (when `by` is set); undefined = every group. */
  group?: string | null;
  limit: number;
}

/** The customers behind one cell: who they are, their first and last order, that month's orders and revenue. */
export function customerDrillSql(params: ResolvedParams, input: CustomerDrillInput): string {
  const month = input.cohort_index + input.age;
  const groupCondition =
    input.group === undefined ? 'true' : input.group === null ? 'm.grp IS NULL' : `m.grp = ${sqlString(input.group)}`;
  return `WITH ${customerBaseCtes(params)},
  cohort AS (
    SELECT * FROM members m WHERE m.cohort_index = ${input.cohort_index} AND ${groupCondition}
  ),
  per_customer AS (
    SELECT m.grp, m.customer_id, m.first_order_at,
           max(l.ordered_at) FILTER (WHERE l.qualifying) AS last_order_at,
           count(DISTINCT l.order_id) FILTER (WHERE l.qualifying AND l.month_index = ${month}) AS orders,
           coalesce(sum(l.amount) FILTER (WHERE l.month_index = ${month}), 0) AS revenue
    FROM cohort m
    JOIN lines l ON l.customer_id = m.customer_id AND l.grp IS NOT DISTINCT FROM m.grp
    GROUP BY m.grp, m.customer_id, m.first_order_at
  ),
  names AS (
    SELECT customer_id, max(customer_name) AS customer_name FROM orders
    WHERE customer_name IS NOT NULL AND customer_id IN (SELECT customer_id FROM cohort)
    GROUP BY customer_id
  )
  SELECT p.grp AS "group", p.customer_id, coalesce(cu.customer_name, n.customer_name) AS customer_name,
         cu.country, cu.region,
         strftime(p.first_order_at, '%Y-%m-%d') AS first_order, strftime(p.last_order_at, '%Y-%m-%d') AS last_order,
         p.orders::INTEGER AS orders, p.revenue::DOUBLE AS revenue
  FROM per_customer p
  LEFT JOIN customers cu ON cu.customer_id = p.customer_id
  LEFT JOIN names n ON n.customer_id = p.customer_id
  WHERE ${input.active ? 'p.orders > 0' : 'p.orders = 0'}
  ORDER BY p.revenue DESC, p.customer_id, p.grp NULLS LAST
  LIMIT ${Math.max(0, Math.floor(input.limit))}`;
}

/**
 * `leads`: opportunities created in the (widened) period up to as-of, passing the filters, with
 * their cohort month and, if won by as-of with a close date, their age in calendar months when
 * won (closed month − created month; a close dated before creation counts as age 0).
 * Every stage set is included: `status` is normalised the same for all of them.
 */
export function leadBaseCte(params: ResolvedParams): string {
  const window = cohortWindow(params);
  const group = params.by ? `o.${params.by}` : 'NULL::VARCHAR';
  return `leads AS (
    SELECT o.*, ${group} AS grp,
           ${monthIndexSql('o.created_at')} AS cohort_index,
           CASE WHEN o.status = 'won' AND o.closed_at < ${endOfDaySql(params.as_of)}
                THEN greatest(0, ${monthIndexSql('o.closed_at')} - ${monthIndexSql('o.created_at')}) END AS won_age
    FROM opportunities o
    WHERE ${inPeriodSql('o.created_at', window)}
      AND o.created_at < ${endOfDaySql(params.as_of)}
      AND ${opportunityFilterSql(params.filters)}
  )`;
}

/** Per (group, cohort, won age or NULL): leads, invalid leads, won leads without a close date. */
export function leadCohortCellsSql(params: ResolvedParams): string {
  return `WITH ${leadBaseCte(params)}
  SELECT grp, cohort_index::INTEGER AS cohort_index, won_age::INTEGER AS won_age,
         count(*)::INTEGER AS leads,
         count(*) FILTER (WHERE status = 'invalid')::INTEGER AS invalid,
         count(*) FILTER (WHERE status = 'won' AND closed_at IS NULL)::INTEGER AS won_without_close_date
  FROM leads
  GROUP BY grp, cohort_index, won_age
  ORDER BY grp NULLS LAST, cohort_index, won_age NULLS LAST`;
}

/** Opportunities (passing the filters) without a creation date: in no lead cohort; counted so the page can say so. */
export function leadsWithoutCreatedAtSql(params: ResolvedParams): string {
  return `SELECT count(*)::INTEGER AS n FROM opportunities o WHERE o.created_at IS NULL AND ${opportunityFilterSql(params.filters)}`;
}

export interface LeadDrillInput {
  cohort_index: number;
  /** Won within this many months of creation (cumulative); undefined = every lead of the cohort. */
  won_by_age?: number;
  group?: string | null;
  limit: number;
}

export function leadDrillSql(params: ResolvedParams, input: LeadDrillInput): string {
  const groupCondition = input.group === undefined ? 'true' : input.group === null ? 'grp IS NULL' : `grp = ${sqlString(input.group)}`;
  const wonCondition = input.won_by_age === undefined ? 'true' : `won_age <= ${Math.floor(input.won_by_age)}`;
  return `WITH ${leadBaseCte(params)}
  SELECT grp AS "group", opportunity_id, opportunity_name, customer_name, owner, team, region, source, product, status,
         strftime(created_at, '%Y-%m-%d') AS created_at, strftime(closed_at, '%Y-%m-%d') AS closed_at,
         won_age::INTEGER AS won_age_months, amount::DOUBLE AS amount
  FROM leads
  WHERE cohort_index = ${input.cohort_index} AND ${groupCondition} AND ${wonCondition}
  ORDER BY won_age NULLS LAST, created_at, opportunity_id
  LIMIT ${Math.max(0, Math.floor(input.limit))}`;
}
