/**
 * SQL for performance indices (人效, spec §6): params + config → SQL strings, no I/O.
 *
 * Levels: rep (`owner`), team, region (params.by; anything else falls back to rep). Every fact
 * is credited to a rep; team and region are that rep's row in `reps` (the fact's own team or
 * region only when the rep has no row there), so a team's figures are the sum of its reps'.
 *
 * Dates (decisions; also in performance.ts and the final report):
 * - The period is [from, through] with through = min(to, as_of): nothing after as_of counts.
 * - Revenue: the targets family's `sales` relation (targets-queries.ts sourceCtes): net order
 *   amounts by ordered_at, cancellations negative, credited to orders.owner; without any order in
 *   the warehouse, won opportunities' amount by closed_at, credited to the opportunity owner.
 *   Orders = distinct order ids among non-cancelled lines (won deals on the fallback basis).
 * - New customers: the targets family's `first_sale` (a customer's first non-cancelled sale ever)
 *   falling in the period, credited to that sale's rep.
 * - Target: the level's base-tier revenue targets overlapping [from, to] (the targets family's
 *   normalised `t`, so 销售额/团队/… spellings fold the same way). Of the granularities the group
 *   has (months ≈ round(days ÷ 30.4375): month 1, quarter 3, year 12, a week 0), the one covering
 *   the most days of [from, to] wins, the finer on a tie (a September period uses the September
 *   target, not a third of Q3). Each chosen target counts pro rata to its days inside [from, to]
 *   (whole when it lies inside). Its actual is the group's revenue on those days up to as_of, so
 *   a running month is compared with the whole month's target, like the targets family. Targets
 *   ignore the filters (a target is a whole rep's, team's or region's); under a product,
 *   industry or source filter completion is not computed (performance.ts).
 * - Win rate, deal cycle, stage conversions: the funnel's SQL (funnel-queries.ts) over
 *   [from, through] grouped by the opportunity's own owner / team / region columns (ingest fills
 *   them from `reps`): win rate of deals closed in the period, cycle of deals won in it, stage
 *   conversions of the cohort created in it.
 * - Active reps: a `reps` row whose [hired_at, left_at] meets [from, through] (NULL = open-ended).
 *   Without any row in `reps`: the reps credited with revenue in the period.
 * - Follow-ups: every stage_events row with occurred_at in the period, credited to its owner (the
 *   opportunity's owner when the row has none), by method (未注明 when blank).
 * - Timeliness (floor ≥ 95%): every stage_events row with next_followup_at is a plan, due on that
 *   date (date granularity). Its follow-up is the opportunity's next event strictly after the
 *   plan's own time, up to as_of. Plans due in [from, through] are counted:
 *     timely  = the follow-up happened on or before the due date;
 *     late    = it happened after the due date;
 *     missed  = none by as_of and the due date is before as_of;
 *     pending = none yet and due on as_of (the day is not over: not judged);
 *     moot    = none, and the opportunity was closed (won/lost/invalid) on or before the due date
 *               without a closing event (nothing left to follow up: not judged).
 *   timeliness = timely ÷ (timely + late + missed). A plan is the follow-up's business: credited
 *   to the rep who did it (the next event's owner), or, when nobody has, to the opportunity's
 *   owner (the planner when neither is known).
 * - Customers (scorecard): the customer-value family's scored customers as of as_of (its window
 *   and tiers, customer-value-queries.ts scoresCtes), owned by customers.owner or the rep of the
 *   latest order. High-value share = high_value tier ÷ scored customers of the group.
 *   Repeat-purchase rate = among the group's customers whose first order is before `from`, the
 *   share with a non-cancelled order in the period.
 * - Filters: owner, team and region select reps (the credited rep's attributes); product,
 *   industry and source narrow the facts (order line product, the customer's or deal's industry,
 *   the deal's source; events through their opportunity). Customers take product and industry
 *   the customer-value way; source matches no customer.
 */
import { sqlString } from '../../warehouse/warehouse.server.ts';
import { SNAPSHOT_METHOD } from '../snapshot-events.ts';
import { scoresCtes, type CustomerValueQueryInput } from '../customer-value/customer-value-queries.ts';
import { dateLiteral, dimensionFilterSql, inPeriodSql, ownedOrWorkedOnSql, type Dimension, type ResolvedParams } from '../params.ts';
import { allCtes, type RevenueBasis } from '../targets/targets-queries.ts';
import { periodStartSql, UNSPECIFIED, type WeekStart } from '../work-reports/work-reports-queries.ts';

export const PERFORMANCE_LEVELS = ['owner', 'team', 'region'] as const;
export type PerformanceLevel = (typeof PERFORMANCE_LEVELS)[number];

/** The targets table's word for each level. */
export const TARGET_DIMENSION: Record<PerformanceLevel, 'rep' | 'team' | 'region'> = { owner: 'rep', team: 'team', region: 'region' };

export interface PerformanceQueryInput {
  params: ResolvedParams;
  level: PerformanceLevel;
  basis: RevenueBasis;
  weekStart: WeekStart;
  /** `reps` has rows: active reps come from it; else from who sold. */
  hasReps: boolean;
}

/** Last day counted: min(to, as_of). */
export function periodThrough(params: Pick<ResolvedParams, 'to' | 'as_of'>): string {
  return params.to < params.as_of ? params.to : params.as_of;
}

/** Days in [from, through], 0 when the period starts after as_of. */
export function periodDays(params: Pick<ResolvedParams, 'from' | 'to' | 'as_of'>): number {
  const through = periodThrough(params);
  const days = Math.round((Date.parse(`${through}T00:00:00Z`) - Date.parse(`${params.from}T00:00:00Z`)) / 86_400_000) + 1;
  return Math.max(0, days);
}

const FROM = (p: ResolvedParams) => dateLiteral(p.from);
const THROUGH = (p: ResolvedParams) => dateLiteral(periodThrough(p));
const inPeriod = (column: string, p: ResolvedParams) => inPeriodSql(column, { from: p.from, to: periodThrough(p) });

/** The column that is the group key at `level`, over a relation with rep, rep_team, rep_region. */
export function keyColumn(level: PerformanceLevel, alias = ''): string {
  const a = alias ? `${alias}.` : '';
  return level === 'owner' ? `${a}rep` : level === 'team' ? `${a}rep_team` : `${a}rep_region`;
}

const REP_COLUMNS: Partial<Record<Dimension, string>> = { owner: 'rep', team: 'rep_team', region: 'rep_region' };
const FACT_COLUMNS: Partial<Record<Dimension, string>> = { product: 'f_product', industry: 'f_industry', source: 'f_source' };

/**
 * Filters over an attributed relation (rep, rep_team, rep_region, f_product, f_industry,
 * f_source); a dimension the relation cannot answer matches nothing (the params.ts rule).
 */
export function attributedFilterSql(filters: ResolvedParams['filters'], alias = '', available: Dimension[] = ['owner', 'team', 'region', 'product', 'industry', 'source']): string {
  const a = alias ? `${alias}.` : '';
  return dimensionFilterSql(filters, (d) => {
    const column = REP_COLUMNS[d] ?? FACT_COLUMNS[d];
    return column && available.includes(d) ? `${a}${column}` : null;
  });
}

/** Only the rep-selecting filters (owner, team, region). */
export function repFilters(filters: ResolvedParams['filters']): ResolvedParams['filters'] {
  const out: ResolvedParams['filters'] = {};
  for (const d of ['owner', 'team', 'region'] as const) if (filters[d]?.length) out[d] = filters[d];
  return out;
}

/** Only the fact-narrowing filters (product, industry, source). */
export function factFilters(filters: ResolvedParams['filters']): ResolvedParams['filters'] {
  const out: ResolvedParams['filters'] = {};
  for (const d of ['product', 'industry', 'source'] as const) if (filters[d]?.length) out[d] = filters[d];
  return out;
}

// ---------------------------------------------------------------------------------------------
// Revenue, orders, new customers, targets: on top of the targets family's CTEs.

/** `WITH` the targets family's CTEs (sales, first_sale, t, …), then fact_sales and fact_first. */
function salesCtes(input: PerformanceQueryInput): string {
  const { params, basis } = input;
  // `t` (normalised targets) and `sales` / `first_sale` come from the targets family.
  const joins =
    basis === 'orders'
      ? `LEFT JOIN orders od ON od.order_id = s.ref_id AND od.order_line = s.ref_line
         LEFT JOIN opportunities op ON op.opportunity_id = od.opportunity_id
         LEFT JOIN customers c ON c.customer_id = s.customer_key`
      : `LEFT JOIN opportunities op ON op.opportunity_id = s.ref_id
         LEFT JOIN customers c ON false`;
  return `${allCtes({ params, basis, coverage_start: null })},
  fact_sales AS (
    SELECT s.day, s.ts, s.amount::DOUBLE AS amount, s.is_cancellation, s.customer_key, s.ref_id, s.ref_line,
           s.owner AS rep, s.team AS rep_team, s.region AS rep_region,
           s.product AS f_product, coalesce(c.industry, op.industry) AS f_industry, op.source AS f_source
    FROM sales s ${joins}
  ),
  fact_first AS (
    -- each customer's first sale (targets family: its line's rep and product), with the industry
    -- and source of that line (the first line of the order at that instant, as first_sale orders)
    SELECT f.customer_key, f.first_day, f.ts, f.ref_id, f.owner AS rep, f.team AS rep_team, f.region AS rep_region, f.product AS f_product,
           arg_min(x.f_industry, x.ref_line) AS f_industry, arg_min(x.f_source, x.ref_line) AS f_source
    FROM first_sale f JOIN fact_sales x ON x.customer_key = f.customer_key AND x.ref_id = f.ref_id AND x.ts = f.ts AND NOT x.is_cancellation
    GROUP BY ALL
  )`;
}


/**
 * Per group, and one total row (is_total): net revenue, orders and new customers in the period.
 * A NULL key that is not the total is the unattributed part (a sale with no rep, a rep with no team).
 */
export function salesSql(input: PerformanceQueryInput): string {
  const { params, level } = input;
  const key = keyColumn(level);
  const filter = attributedFilterSql(params.filters);
  return `${salesCtes(input)},
  revenue AS (
    SELECT ${key} AS key, GROUPING(${key}) = 1 AS is_total, sum(amount) AS revenue,
           count(DISTINCT ref_id) FILTER (NOT is_cancellation) AS orders
    FROM fact_sales WHERE day BETWEEN ${FROM(params)} AND ${THROUGH(params)} AND ${filter}
    GROUP BY GROUPING SETS ((${key}), ())
  ),
  newcomers AS (
    SELECT ${key} AS key, GROUPING(${key}) = 1 AS is_total, count(*) AS new_customers
    FROM fact_first WHERE first_day BETWEEN ${FROM(params)} AND ${THROUGH(params)} AND ${filter}
    GROUP BY GROUPING SETS ((${key}), ())
  )
  SELECT coalesce(r.key, n.key) AS key, coalesce(r.is_total, n.is_total) AS is_total,
         coalesce(r.revenue, 0)::DOUBLE AS revenue, coalesce(r.orders, 0)::BIGINT AS orders,
         coalesce(n.new_customers, 0)::BIGINT AS new_customers
  FROM revenue r FULL JOIN newcomers n ON n.key IS NOT DISTINCT FROM r.key AND n.is_total = r.is_total
  ORDER BY is_total, key NULLS LAST`;
}

/** Levels as the targets table names them, as a VALUES list joining `t.dimension`. */
function levelValues(levels: PerformanceLevel[]): string {
  return `(VALUES ${levels.map((l) => `(${sqlString(l)}, ${sqlString(TARGET_DIMENSION[l])})`).join(', ')}) AS lv(level, dimension)`;
}

function targetCtes(params: ResolvedParams, levels: PerformanceLevel[]): string {
  return `lvl AS (
    SELECT lv.level, t.match_value AS key, t.period_start, t.period_end, t.target::DOUBLE AS target,
           date_diff('day', t.period_start, t.period_end) + 1 AS target_days,
           greatest(t.period_start, ${FROM(params)}) AS o_from, least(t.period_end, ${dateLiteral(params.to)}) AS o_to,
           -- granularity in months: 28–31 days → 1, 90–92 → 3, 365/366 → 12, a week → 0
           round((date_diff('day', t.period_start, t.period_end) + 1) / 30.4375)::INTEGER AS grain_months
    FROM t JOIN ${levelValues(levels)} ON lv.dimension = t.dimension
    WHERE t.metric = 'revenue' AND t.tier = 'base'
  ),
  grain AS (
    -- the granularity covering most of the period, the finer one on a tie
    SELECT level, key, grain_months, sum(date_diff('day', o_from, o_to) + 1) AS covered_days
    FROM lvl GROUP BY level, key, grain_months
    QUALIFY row_number() OVER (PARTITION BY level, key ORDER BY covered_days DESC, grain_months) = 1
  ),
  chosen AS (
    SELECT l.*, g.covered_days FROM lvl l JOIN grain g USING (level, key, grain_months)
  )`;
}

/**
 * Per level asked and group: the revenue target for the period (chosen granularity, pro rata)
 * and the revenue on the days those targets cover, up to as_of. Filters do not apply: a target
 * belongs to a whole rep, team or region (the leaderboard picks the groups it shows).
 */
export function targetSql(input: PerformanceQueryInput, levels: PerformanceLevel[] = [input.level]): string {
  const { params } = input;
  return `${salesCtes(input)},
  ${targetCtes(params, levels)},
  daily_rev AS (
    SELECT lv.level, CASE lv.level WHEN 'owner' THEN f.rep WHEN 'team' THEN f.rep_team ELSE f.rep_region END AS key, f.day, sum(f.amount) AS amount
    FROM fact_sales f CROSS JOIN ${levelValues(levels)}
    WHERE f.day BETWEEN ${FROM(params)} AND ${THROUGH(params)}
    GROUP BY ALL
  ),
  target_sum AS (
    SELECT level, key, any_value(grain_months) AS grain_months, any_value(covered_days) AS covered_days, count(*) AS targets,
           count(*) FILTER (o_from > period_start OR o_to < period_end) AS prorated,
           sum(target * (date_diff('day', o_from, o_to) + 1) / target_days) AS target
    FROM chosen GROUP BY level, key
  ),
  target_actual AS (
    SELECT c.level, c.key, sum(d.amount) AS actual
    FROM chosen c JOIN daily_rev d ON d.level = c.level AND d.key = c.key AND d.day BETWEEN c.o_from AND least(c.o_to, ${THROUGH(params)})
    GROUP BY c.level, c.key
  )
  SELECT s.level, s.key, s.grain_months::INTEGER AS grain_months, s.covered_days::BIGINT AS covered_days, s.targets::BIGINT AS targets,
         s.prorated::BIGINT AS prorated, s.target::DOUBLE AS target, coalesce(a.actual, 0)::DOUBLE AS actual
  FROM target_sum s LEFT JOIN target_actual a USING (level, key)
  ORDER BY s.level, s.key`;
}

/**
 * Per group: reps on file and how many were active in the period, and the group's team and
 * region (a rep's own; a team's most common region among its reps).
 */
export function repsSql(input: PerformanceQueryInput): string {
  const { params, level } = input;
  const key = keyColumn(level);
  const attrs =
    level === 'owner'
      ? `any_value(rep_team) AS team, any_value(rep_region) AS region`
      : level === 'team'
        ? `any_value(rep_team) AS team, mode(rep_region) AS region`
        : `NULL::VARCHAR AS team, any_value(rep_region) AS region`;
  return `WITH people AS (
    SELECT owner AS rep, team AS rep_team, region AS rep_region,
           (hired_at IS NULL OR hired_at <= ${THROUGH(params)}) AND (left_at IS NULL OR left_at >= ${FROM(params)}) AS active
    FROM reps
  )
  SELECT ${key} AS key, ${attrs}, count(*)::BIGINT AS reps, count(*) FILTER (active)::BIGINT AS active_reps
  FROM people WHERE ${key} IS NOT NULL AND ${attributedFilterSql(repFilters(params.filters))}
  GROUP BY ${key} ORDER BY ${key}`;
}

/** Without a `reps` table: per group, the reps credited with revenue in the period. */
export function sellingRepsSql(input: PerformanceQueryInput): string {
  const { params, level } = input;
  return `${salesCtes(input)}
  SELECT ${keyColumn(level)} AS key, NULL::VARCHAR AS team, NULL::VARCHAR AS region, count(DISTINCT rep)::BIGINT AS reps, count(DISTINCT rep)::BIGINT AS active_reps
  FROM fact_sales WHERE day BETWEEN ${FROM(params)} AND ${THROUGH(params)} AND rep IS NOT NULL AND ${keyColumn(level)} IS NOT NULL
    AND ${attributedFilterSql(params.filters)}
  GROUP BY ALL ORDER BY key`;
}

// ---------------------------------------------------------------------------------------------
// Follow-ups and their timeliness.

const methodSql = (expr: string) => `coalesce(nullif(trim(${expr}), ''), ${sqlString(UNSPECIFIED)})`;

/** `ev`: follow-ups in the period with their credited rep and the filter columns of their opportunity. */
export function eventsCte(params: ResolvedParams): string {
  // with filters, only records of opportunities the filters can reach (the rule is the plans':
  // a record's rep is its owner, else the opportunity's), so the join below reads a few thousand
  // records instead of all (one rep at 1M: the join of 4.2M records was most of 0.25 s)
  const candidates = reachableOpportunitiesSql(params);
  return `ev AS (
    SELECT e.event_id, e.opportunity_id, e.occurred_at, ${methodSql('e.method')} AS method, e.summary, e.to_stage, e.to_status,
           coalesce(e.owner, o.owner) AS rep, coalesce(r.team, o.team) AS rep_team, coalesce(r.region, o.region) AS rep_region,
           o.customer_name, o.product AS f_product, o.industry AS f_industry, o.source AS f_source
    FROM stage_events e
    LEFT JOIN opportunities o ON o.opportunity_id = e.opportunity_id
    LEFT JOIN reps r ON r.owner = coalesce(e.owner, o.owner)
    -- stage moves derived from snapshot changes are nobody's follow-up (pipelines/ingest/snapshot-history.ts)
    WHERE ${inPeriod('e.occurred_at', params)} AND e.method IS DISTINCT FROM '${SNAPSHOT_METHOD}'${candidates ? ` AND e.opportunity_id IN (${candidates})` : ''}
  )`;
}

/**
 * Follow-ups per group and method: over the whole period (week_start NULL) and per week
 * (weeks start on config.fiscal.week_start; the first and last may be partly outside the period).
 */
export function followupsSql(input: PerformanceQueryInput): string {
  const { params, level, weekStart } = input;
  const key = keyColumn(level);
  return `WITH ${eventsCte(params)},
  bucketed AS (
    SELECT *, ${periodStartSql('week', weekStart, 'occurred_at')} AS week_start FROM ev WHERE ${attributedFilterSql(params.filters)}
  )
  SELECT ${key} AS key, method, strftime(week_start, '%Y-%m-%d') AS week_start, count(*)::BIGINT AS followups
  FROM bucketed
  GROUP BY GROUPING SETS ((${key}, method), (${key}, method, week_start))
  ORDER BY week_start NULLS FIRST, key NULLS LAST, method`;
}

/**
 * With filters: a superset of the opportunities whose records and plans the filters can select,
 * so the joins and windows read only those (one rep's page reads a few thousand records, not
 * millions). A record's rep is its owner, else the opportunity's owner; a plan's rep is its
 * follow-up's rep, else the opportunity's owner, else the planner. So a rep-level filter can
 * only select records and plans of opportunities that rep owns or has a record on; rep_team /
 * rep_region fall back to the opportunity's own team / region. Each filter's superset is taken,
 * and their intersection; the exact filter still applies to `ev` and `plans` after.
 */
function reachableOpportunitiesSql(params: ResolvedParams): string | null {
  const parts: string[] = [];
  for (const d of ['owner', 'team', 'region'] as const) {
    const values = params.filters[d];
    if (!values?.length) continue;
    const list = `(${values.map(sqlString).join(', ')})`;
    const reps = d === 'owner' ? list : `(SELECT owner FROM reps WHERE ${d} IN ${list})`;
    const reached = ownedOrWorkedOnSql(reps, 'o.opportunity_id');
    parts.push(d === 'owner' ? reached : `(${reached} OR o.${d} IN ${list})`);
  }
  const facts = factFilters(params.filters);
  if (Object.keys(facts).length) parts.push(dimensionFilterSql(facts, (d) => `o.${d}`));
  return parts.length ? `SELECT o.opportunity_id FROM opportunities o WHERE ${parts.join(' AND ')}` : null;
}

/**
 * `plans`: every follow-up plan due in the period with its follow-up and its status (see the
 * header), the credited rep and the opportunity's filter columns.
 */
export function plansCte(params: ResolvedParams): string {
  const asOf = dateLiteral(params.as_of);
  // records that count: up to the as-of day, snapshot-derived moves left out (nobody's follow-up)
  const candidates = reachableOpportunitiesSql(params);
  const counted = (a: string) =>
    `${a}.occurred_at < ${asOf} + INTERVAL 1 DAY AND ${a}.method IS DISTINCT FROM '${SNAPSHOT_METHOD}'${candidates ? ` AND ${a}.opportunity_id IN (${candidates})` : ''}`;
  return `next_at AS (
    -- per record, its follow-up: the opportunity's first record (smallest event_id) at the next
    -- later time. GROUPS frames the next distinct time, so one narrow window (row ids, no text)
    -- answers it; "QUALIFY row_number() = 1" per time then lead() took 3× as long and ran out
    -- of memory at 5M (DuckDB turns it into an arg_min over a struct, which cannot spill).
    SELECT e.rowid AS rid, min(e.occurred_at) OVER w AS done_at, arg_min(e.rowid, e.event_id) OVER w AS done_rid
    FROM stage_events e WHERE ${counted('e')}
    WINDOW w AS (PARTITION BY e.opportunity_id ORDER BY e.occurred_at GROUPS BETWEEN 1 FOLLOWING AND 1 FOLLOWING)
  ),
  planned AS (
    SELECT p.event_id, p.opportunity_id, p.occurred_at AS planned_at, p.owner AS planner, p.method AS plan_method, p.summary AS plan_summary,
           p.next_followup_at::DATE AS due_date, n.done_at, d.owner AS done_by, d.event_id AS done_event_id,
           ${methodSql('d.method')} AS done_method,
           o.owner AS opp_owner, o.status AS opp_status, o.closed_at AS opp_closed_at, o.customer_name,
           o.team AS opp_team, o.region AS opp_region, o.product AS f_product, o.industry AS f_industry, o.source AS f_source
    FROM stage_events p
    -- the follow-up: the opportunity's earliest event strictly after the plan was made (ties: smallest event_id)
    JOIN next_at n ON n.rid = p.rowid
    LEFT JOIN stage_events d ON d.rowid = n.done_rid
    LEFT JOIN opportunities o ON o.opportunity_id = p.opportunity_id
    WHERE ${counted('p')} AND p.next_followup_at IS NOT NULL AND p.next_followup_at::DATE BETWEEN ${FROM(params)} AND ${THROUGH(params)}
  ),
  plans AS (
    SELECT pl.*, coalesce(pl.done_by, pl.opp_owner, pl.planner) AS rep,
           coalesce(r.team, pl.opp_team) AS rep_team, coalesce(r.region, pl.opp_region) AS rep_region,
           CASE WHEN pl.done_at IS NOT NULL AND pl.done_at::DATE <= pl.due_date THEN 'timely'
                WHEN pl.done_at IS NOT NULL THEN 'late'
                WHEN pl.opp_status IN ('won', 'lost', 'invalid') AND pl.opp_closed_at::DATE <= pl.due_date THEN 'moot'
                WHEN pl.due_date < ${asOf} THEN 'missed'
                ELSE 'pending' END AS status,
           CASE WHEN pl.done_at IS NOT NULL THEN date_diff('day', pl.due_date, pl.done_at::DATE)
                WHEN pl.due_date < ${asOf} THEN date_diff('day', pl.due_date, ${asOf}) END AS days_after_due
    FROM planned pl LEFT JOIN reps r ON r.owner = coalesce(pl.done_by, pl.opp_owner, pl.planner)
  )`;
}

/** Per group and in total (is_total): plans due in the period by status. */
export function timelinessSql(input: PerformanceQueryInput): string {
  const { params, level } = input;
  const key = keyColumn(level);
  return `WITH ${plansCte(params)}
  SELECT ${key} AS key, GROUPING(${key}) = 1 AS is_total, count(*)::BIGINT AS due,
         count(*) FILTER (status = 'timely')::BIGINT AS timely, count(*) FILTER (status = 'late')::BIGINT AS late,
         count(*) FILTER (status = 'missed')::BIGINT AS missed, count(*) FILTER (status = 'pending')::BIGINT AS pending,
         count(*) FILTER (status = 'moot')::BIGINT AS moot
  FROM plans WHERE ${attributedFilterSql(params.filters)}
  GROUP BY GROUPING SETS ((${key}), ())
  ORDER BY is_total, key NULLS LAST`;
}

// ---------------------------------------------------------------------------------------------
// Customers (scorecard): the customer-value family's scores, per owning rep.

export interface CustomerScoreInput {
  rfm: CustomerValueQueryInput['rfm'];
  abc: CustomerValueQueryInput['abc'];
  crossSell: CustomerValueQueryInput['crossSell'];
}

function ownedCustomersCtes(input: PerformanceQueryInput, cv: CustomerScoreInput): string {
  const { params } = input;
  // product and industry narrow the customer-value population its own way; owner/team/region
  // select the owning rep here (customers.region is the customer's, not the rep's)
  const cvInput: CustomerValueQueryInput = { params: { ...params, filters: factFilters(params.filters) }, ...cv };
  return `${scoresCtes(cvInput)},
  bought_in_period AS (
    SELECT DISTINCT customer_id FROM lines WHERE NOT is_cancellation AND ${inPeriod('ordered_at', params)}
  ),
  owned AS (
    SELECT cs.customer_id, cs.customer_name, cs.owner AS rep, r.team AS rep_team, r.region AS rep_region, cs.tier,
           cs.first_order_at, cs.last_order_at, cs.recency_days, cs.orders_in_window, cs.monetary::DOUBLE AS monetary,
           cs.first_order_at < ${FROM(params)} AS existing,
           b.customer_id IS NOT NULL AS bought_in_period
    FROM customer_scores cs
    LEFT JOIN reps r ON r.owner = cs.owner
    LEFT JOIN bought_in_period b ON b.customer_id = cs.customer_id
    WHERE ${attributedFilterSql(repFilters(params.filters))}
  )`;
}

/** Per group: scored customers, high-value ones, existing ones (first order before from) and those who bought again. */
export function customersSql(input: PerformanceQueryInput, cv: CustomerScoreInput): string {
  const key = keyColumn(input.level);
  return `${ownedCustomersCtes(input, cv)}
  SELECT ${key} AS key, GROUPING(${key}) = 1 AS is_total, count(*)::BIGINT AS customers,
         count(*) FILTER (tier = 'high_value')::BIGINT AS high_value,
         count(*) FILTER (existing)::BIGINT AS existing,
         count(*) FILTER (existing AND bought_in_period)::BIGINT AS repeat_customers
  FROM owned GROUP BY GROUPING SETS ((${key}), ())
  ORDER BY is_total, key NULLS LAST`;
}

// ---------------------------------------------------------------------------------------------
// Drill-down: the rows behind one figure of one group.

export const DRILL_TARGETS = {
  /** order lines (or won deals) behind revenue, orders and average order value */
  revenue: ['group'],
  /** first sales behind new customers */
  new_customers: ['group'],
  /** the targets (pro rata) behind target completion */
  target: ['group'],
  /** won and lost deals closed in the period, behind win rate and cycle */
  closed_deals: ['group', 'status'],
  /** follow-ups behind follow-ups per week */
  followups: ['group', 'method'],
  /** follow-up plans due in the period; status timely / late / missed / pending / moot */
  plans: ['group', 'status'],
  /** plans followed up late or missed: what breaks the timeliness floor */
  late_followups: ['group'],
  /** the group's scored customers behind high-value share and repeat-purchase rate; tier, repeat=yes */
  customers: ['group', 'tier', 'existing'],
  /** reps of the group and whether they were active in the period (per-capita output) */
  active_reps: ['group'],
} as const;
export type PerformanceDrillTarget = keyof typeof DRILL_TARGETS;

const d = (col: string) => `strftime(${col}, '%Y-%m-%d')`;
const dt = (col: string) => `strftime(${col}, '%Y-%m-%d %H:%M')`;

function groupCondition(level: PerformanceLevel, keys: Record<string, string>, alias = ''): string {
  return keys.group === undefined ? 'true' : `${keyColumn(level, alias)} = ${sqlString(keys.group)}`;
}

export function drillSql(input: PerformanceQueryInput, cv: CustomerScoreInput, target: PerformanceDrillTarget, keys: Record<string, string>, limit: number): string {
  const { params, level } = input;
  const group = groupCondition(level, keys);
  const filter = attributedFilterSql(params.filters);
  switch (target) {
    case 'revenue': {
      const ref = input.basis === 'orders' ? 'ref_id AS order_id, ref_line AS order_line' : 'ref_id AS opportunity_id';
      return `${salesCtes(input)}
      SELECT ${ref}, ${dt('ts')} AS ordered_at, customer_key AS customer, rep AS owner, rep_team AS team, rep_region AS region,
             f_product AS product, amount, is_cancellation
      FROM fact_sales WHERE day BETWEEN ${FROM(params)} AND ${THROUGH(params)} AND ${filter} AND ${group}
      ORDER BY ts, ref_id, ref_line LIMIT ${limit}`;
    }
    case 'new_customers':
      return `${salesCtes(input)}
      SELECT customer_key AS customer, ref_id AS first_sale_ref, ${d('first_day')} AS first_sale_at, rep AS owner, rep_team AS team,
             rep_region AS region, f_product AS product
      FROM fact_first WHERE first_day BETWEEN ${FROM(params)} AND ${THROUGH(params)} AND ${filter} AND ${group}
      ORDER BY first_day, customer_key LIMIT ${limit}`;
    case 'target':
      return `${salesCtes(input)},
      ${targetCtes(params, [level])}
      SELECT key AS ${TARGET_DIMENSION[level]}, ${d('period_start')} AS period_start, ${d('period_end')} AS period_end, target AS target_value,
             ${d('o_from')} AS counted_from, ${d('o_to')} AS counted_to, date_diff('day', o_from, o_to) + 1 AS days_counted, target_days,
             target * (date_diff('day', o_from, o_to) + 1) / target_days AS target_counted,
             (SELECT coalesce(sum(amount), 0) FROM fact_sales f
               WHERE ${keyColumn(level, 'f')} = c.key AND f.day BETWEEN c.o_from AND least(c.o_to, ${THROUGH(params)})) AS actual
      FROM chosen c WHERE ${keys.group === undefined ? 'true' : `key = ${sqlString(keys.group)}`}
      ORDER BY key, period_start LIMIT ${limit}`;
    case 'closed_deals': {
      const oppKey = level === 'owner' ? 'o.owner' : `o.${level}`;
      const status = keys.status === 'won' || keys.status === 'lost' ? `o.status = ${sqlString(keys.status)}` : `o.status IN ('won', 'lost')`;
      return `SELECT o.opportunity_id, o.customer_name, o.owner, o.team, o.region, o.product, o.source, o.status,
             ${d('o.created_at')} AS created_at, ${d('o.closed_at')} AS closed_at,
             CASE WHEN o.status = 'won' THEN date_diff('day', o.created_at::DATE, o.closed_at::DATE) END AS cycle_days,
             o.amount::DOUBLE AS amount, o.lost_reason
      FROM opportunities o
      WHERE ${status} AND ${inPeriod('o.closed_at', params)}
        AND ${dimensionFilterSql(params.filters, (dim) => `o.${dim}`)}
        AND ${keys.group === undefined ? 'true' : `${oppKey} = ${sqlString(keys.group)}`}
      ORDER BY o.closed_at, o.opportunity_id LIMIT ${limit}`;
    }
    case 'followups': {
      const method = keys.method === undefined ? 'true' : `method = ${sqlString(keys.method)}`;
      return `WITH ${eventsCte(params)}
      SELECT event_id, opportunity_id, customer_name, ${dt('occurred_at')} AS occurred_at, rep AS owner, rep_team AS team, rep_region AS region,
             method, to_stage, to_status, summary
      FROM ev WHERE ${filter} AND ${group} AND ${method}
      ORDER BY occurred_at, event_id LIMIT ${limit}`;
    }
    case 'plans':
    case 'late_followups': {
      const status =
        target === 'late_followups' ? `status IN ('late', 'missed')` : keys.status === undefined ? 'true' : `status = ${sqlString(keys.status)}`;
      return `WITH ${plansCte(params)}
      SELECT opportunity_id, customer_name, rep AS owner, rep_team AS team, rep_region AS region, status,
             ${dt('planned_at')} AS planned_at, planner, plan_summary, ${d('due_date')} AS due_date,
             ${dt('done_at')} AS done_at, done_by, CASE WHEN done_at IS NOT NULL THEN done_method END AS done_method,
             days_after_due, event_id AS plan_event_id, done_event_id
      FROM plans WHERE ${filter} AND ${group} AND ${status}
      ORDER BY due_date, planned_at, event_id LIMIT ${limit}`;
    }
    case 'customers': {
      const tier = keys.tier === undefined ? 'true' : `tier = ${sqlString(keys.tier)}`;
      const existing = keys.existing === undefined ? 'true' : /^(yes|true|1|是)$/i.test(keys.existing) ? 'existing' : 'NOT existing';
      return `${ownedCustomersCtes(input, cv)}
      SELECT customer_id, customer_name, rep AS owner, rep_team AS team, rep_region AS region, tier,
             ${d('first_order_at')} AS first_order_date, ${d('last_order_at')} AS last_order_date, recency_days, orders_in_window,
             monetary, existing, bought_in_period, existing AND bought_in_period AS repeat_purchase
      FROM owned WHERE ${group} AND ${tier} AND ${existing}
      ORDER BY monetary DESC, customer_id LIMIT ${limit}`;
    }
    case 'active_reps':
      return `SELECT owner, team, region, manager, ${d('hired_at')} AS hired_at, ${d('left_at')} AS left_at,
             (hired_at IS NULL OR hired_at <= ${THROUGH(params)}) AND (left_at IS NULL OR left_at >= ${FROM(params)}) AS active
      FROM (SELECT *, owner AS rep, team AS rep_team, region AS rep_region FROM reps) r
      WHERE ${attributedFilterSql(repFilters(params.filters))} AND ${group}
      ORDER BY active DESC, owner LIMIT ${limit}`;
  }
}
