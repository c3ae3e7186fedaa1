/**
 * SQL for risk alerts (预警, spec §8). Pure: params, config values and the other families' query
 * input in, SQL strings out. Where a finished family already computes a figure, its SQL builder is
 * composed here rather than re-derived: stagnation is the funnel's `stagnationSql`, overdue
 * follow-ups are the work reports' `overdue_followups` facts, target completion is the targets
 * family's `targetProgressSql`, customer tiers and ABC classes come from the customer-value
 * family's scores (materialised once per as-of date by the caller), and the channel windows are
 * the channels family's `monthlyWinRateSql` read by its `findDrops`.
 *
 * Every rule has two queries built from the same relation: an aggregate (one row per alert
 * candidate, with the first ROW_KEYS_CAP keys) and a row list (the drill-down), so an alert's
 * `rows.count` is exactly the number of rows its drill-down returns.
 *
 * Decisions (the spec leaves these open; also in alerts.ts and the final report):
 * - Dates: "as of" is the end of the as_of day. Month and half-year windows step back from as_of
 *   by calendar months, the day clamped to the month's end (2026-10-31 − 6 months = 2026-04-30),
 *   a month's last day to a month's last day (2026-06-30 − 6 months = 2025-12-31).
 * - Follow-up timeliness: a plan (a record's next_followup_at) is due on its calendar day; it was
 *   kept when the same opportunity has a later record by the end of that day (a call that came
 *   early, or a stage change, counts). Plans of a deal closed by its due day without such a touch
 *   are not counted (nothing was left to follow up). Credited to the rep who made the plan, as in
 *   the work reports; reps who had left by as_of are left out (their deals are the departed-rep
 *   rule's). Overdue now: the work reports' definition at the end of as_of (latest record of an
 *   open deal plans a date already past, and there is no record since).
 * - Rep retention: reps employed on S = as_of − 12 months (hired on or before S, not left by S)
 *   who have not left by as_of (left_at after as_of); left_at is the last day employed. Per team
 *   (reps.team) and, without a rep-level filter, for the company.
 * - Core customers: seed 003 tier high-value or ABC class A as of the day before a half-year
 *   starts; repeat-purchase rate = share of them with a non-cancelled order in that half-year.
 *   Compared relatively, like the channel drop: (previous − current) ÷ previous.
 * - Turned dormant: high-value (seed 003 tier) on as_of − 6 months and now either in the dormant
 *   or low-value tier, or without an order for the dormant tier's recency (rfm.dormant.
 *   min_recency_days, 90). The tier's frequency test counts orders over the 12-month window, so a
 *   customer who ordered every fortnight and then stopped stays "regular" for most of a year;
 *   the recency half of the dormant rule is what "turned dormant" means here.
 */
import { sqlString } from '../../warehouse/warehouse.server.ts';
import { dateLiteral, endOfDaySql, dimensionFilterSql, inPeriodSql, opportunityFilterSql, type ResolvedParams } from '../params.ts';
import { stagnationSql, type FunnelQueryInput } from '../funnel/funnel-queries.ts';
import { overdueNowSql, reachableByOwner, UNASSIGNED, type WorkReportsQueryInput } from '../work-reports/work-reports-queries.ts';
import { targetProgressSql, type TargetsQueryInput } from '../targets/targets-queries.ts';

// ---------------------------------------------------------------------------------------------
// Dates (calendar arithmetic in UTC on 'YYYY-MM-DD' strings).

const iso = (d: Date) => d.toISOString().slice(0, 10);

export function addDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return iso(d);
}

/**
 * `day` minus `months` calendar months, the day clamped to the month's length (10-31 − 6 → 04-30);
 * a month's last day maps to a month's last day (06-30 − 6 → 12-31), so month-end as-of dates
 * compare whole months and half-years.
 */
export function monthsBefore(day: string, months: number): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const index = y * 12 + (m - 1) - months;
  const year = Math.floor(index / 12);
  const month = index - year * 12;
  const length = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const monthEnd = d === new Date(Date.UTC(y, m, 0)).getUTCDate();
  return iso(new Date(Date.UTC(year, month, monthEnd ? length : Math.min(d, length))));
}

/** 'YYYY-MM' shifted by `by` months. */
export function monthShift(month: string, by: number): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const d = new Date(Date.UTC(y, m - 1 + by, 1));
  return iso(d).slice(0, 7);
}

export function lastDayOfMonth(month: string): string {
  return addDays(`${monthShift(month, 1)}-01`, -1);
}

/** The latest calendar month that has ended by the end of as_of ('YYYY-MM'). */
export function lastCompletedMonth(asOf: string): string {
  const month = asOf.slice(0, 7);
  return lastDayOfMonth(month) === asOf ? month : monthShift(month, -1);
}

/** What the warehouse holds: decides which rules can be evaluated at all. */
export function warehouseFactsSql(): string {
  return `SELECT
    (SELECT count(*) FROM opportunities)::BIGINT AS opportunities,
    (SELECT count(*) FROM opportunities WHERE source IS NOT NULL)::BIGINT AS opportunities_with_source,
    (SELECT count(*) FROM stage_events WHERE next_followup_at IS NOT NULL)::BIGINT AS planned_followups,
    (SELECT count(*) FROM reps)::BIGINT AS reps,
    (SELECT count(*) FROM reps WHERE hired_at IS NOT NULL OR left_at IS NOT NULL)::BIGINT AS reps_with_dates,
    (SELECT count(*) FROM orders)::BIGINT AS orders,
    (SELECT count(*) FROM orders WHERE customer_id IS NOT NULL)::BIGINT AS orders_with_customer,
    (SELECT strftime(min(ordered_at), '%Y-%m-%d') FROM orders WHERE customer_id IS NOT NULL) AS first_customer_order`;
}

// ---------------------------------------------------------------------------------------------
// pipeline.stagnation: the funnel's stagnating deals, one alert per stage.

export function stagnationAlertsSql(input: FunnelQueryInput, cap: number): string {
  const positions = input.stages.stages.map((s) => `(${s.position}, ${sqlString(s.stage)})`).join(', ');
  // Open deals per current stage: the population of the funnel's open pipeline (status open, in a
  // stage of the set), counted directly — the funnel's openPipelineSql rebuilds its whole base.
  return `WITH stuck AS (${stagnationSql(input)}),
  open_now AS (
    SELECT o.stage, count(*) AS open FROM opportunities o
    WHERE o.stage_set = ${sqlString(input.stages.stage_set)} AND o.status = 'open' AND ${opportunityFilterSql(input.params.filters)}
    GROUP BY o.stage
  ),
  stage_pos(position, stage) AS (VALUES ${positions})
  SELECT sp.stage, any_value(s.threshold_days)::INTEGER AS threshold_days, count(*)::BIGINT AS stagnating,
         coalesce(any_value(o.open), 0)::BIGINT AS open_in_stage,
         max(s.dwell_days)::INTEGER AS longest_dwell_days,
         coalesce(sum(s.expected_amount), 0)::DOUBLE AS expected_amount,
         list(s.opportunity_id ORDER BY s.dwell_days DESC, s.opportunity_id)[1:${cap}] AS row_keys,
         list(s.owner ORDER BY s.dwell_days DESC, s.opportunity_id)[1] AS longest_owner
  FROM stuck s JOIN stage_pos sp ON sp.stage = s.stage LEFT JOIN open_now o ON o.stage = sp.stage
  GROUP BY sp.stage, sp.position
  ORDER BY sp.position`;
}

export function stagnationRowsSql(input: FunnelQueryInput, stage: string, limit: number): string {
  return `SELECT * FROM (${stagnationSql(input)}) WHERE stage = ${sqlString(stage)}
  ORDER BY dwell_days DESC, opportunity_id LIMIT ${limit}`;
}

// ---------------------------------------------------------------------------------------------
// pipeline.followup_overdue: the work reports' overdue follow-ups at the end of as_of, per rep.

/**
 * The work-reports input whose month period ends at as_of: its overdue facts are "overdue now",
 * which overdueNowSql reads at as_of's end (the alert's drill-down link opens that month's).
 */
export function overdueInput(params: ResolvedParams, base: Omit<WorkReportsQueryInput, 'params'>): WorkReportsQueryInput {
  return { ...base, params: { ...params, from: `${params.as_of.slice(0, 7)}-01`, to: params.as_of, by: null } };
}

export function overdueAlertsSql(input: WorkReportsQueryInput, cap: number): string {
  const { owner: _rep, ...oppFilters } = input.params.filters;
  return `WITH od AS (${overdueNowSql(input)}),
  owned AS (
    -- the rep's open deals (as owner), for the share of a pipeline left unattended
    SELECT o.owner, count(*) AS open_deals FROM opportunities o
    WHERE o.status = 'open' AND (o.created_at IS NULL OR o.created_at < ${endOfDaySql(input.params.as_of)})
      AND ${dimensionFilterSql(oppFilters, (d) => `o.${d}`)}
    GROUP BY o.owner
  )
  SELECT od.rep, strftime(r.left_at, '%Y-%m-%d') AS rep_left_at, count(*)::BIGINT AS overdue,
         coalesce(any_value(ow.open_deals), 0)::BIGINT AS open_deals_owned,
         strftime(min(od.next_followup_at), '%Y-%m-%d') AS oldest_due,
         date_diff('day', min(od.next_followup_at)::DATE, ${dateLiteral(input.params.as_of)})::INTEGER AS oldest_days_overdue,
         list(od.opportunity_id ORDER BY od.next_followup_at, od.opportunity_id)[1:${cap}] AS row_keys
  FROM od LEFT JOIN reps r ON r.owner = od.rep LEFT JOIN owned ow ON ow.owner = od.rep
  GROUP BY od.rep, r.left_at
  ORDER BY od.rep`;
}

export function overdueRowsSql(input: WorkReportsQueryInput, rep: string, limit: number): string {
  return `SELECT od.rep, od.opportunity_id, o.customer_name, strftime(od.happened_at, '%Y-%m-%d %H:%M:%S') AS planned_at, od.method,
         e.summary, e.next_action, strftime(od.next_followup_at, '%Y-%m-%d %H:%M:%S') AS planned_for,
         date_diff('day', od.next_followup_at::DATE, ${dateLiteral(input.params.as_of)})::INTEGER AS days_overdue,
         od.event_id, coalesce(e.source_file, o.source_file) AS source_file, coalesce(e.source_line, o.source_line) AS source_line
  FROM (${overdueNowSql(input)}) od
  LEFT JOIN stage_events e ON e.event_id = od.event_id
  LEFT JOIN opportunities o ON o.opportunity_id = od.opportunity_id
  WHERE od.rep = ${sqlString(rep)}
  ORDER BY od.next_followup_at, od.opportunity_id LIMIT ${limit}`;
}

// ---------------------------------------------------------------------------------------------
// pipeline.followup_timeliness: plans due in the trailing window, kept or missed, per rep.

export interface TimelinessInput {
  params: ResolvedParams;
  /** first due day counted (inclusive); the last is as_of */
  window_from: string;
}

function timelinessPlansCte(input: TimelinessInput): string {
  const { params } = input;
  const { owner: _rep, ...oppFilters } = params.filters;
  const repFilter = dimensionFilterSql({ owner: params.filters.owner }, () => 'p.rep');
  // with an owner filter, only the opportunities that rep can be credited on (their records
  // are the window's input; one rep at 1M: 246 ms → 155 ms for this rule)
  return `due_opps AS (
    SELECT DISTINCT opportunity_id FROM stage_events
    WHERE next_followup_at::DATE BETWEEN ${dateLiteral(input.window_from)} AND ${dateLiteral(params.as_of)}
      AND ${reachableByOwner(params, 'opportunity_id')}
  ),
  ev AS (
    SELECT e.event_id, e.opportunity_id, e.occurred_at, e.next_followup_at,
           coalesce(e.owner, o.owner, ${sqlString(UNASSIGNED)}) AS rep, o.customer_name, o.status, o.closed_at,
           lead(e.occurred_at) OVER (PARTITION BY e.opportunity_id ORDER BY e.occurred_at, e.event_id) AS next_touch_at
    FROM stage_events e SEMI JOIN due_opps d ON d.opportunity_id = e.opportunity_id
    LEFT JOIN opportunities o ON o.opportunity_id = e.opportunity_id
    WHERE e.occurred_at < ${endOfDaySql(params.as_of)} AND ${dimensionFilterSql(oppFilters, (d) => `o.${d}`)}
  ),
  plans AS (
    SELECT ev.*, next_followup_at::DATE AS due_day,
           -- kept: the opportunity was touched again by the end of the planned day
           coalesce(next_touch_at < next_followup_at::DATE + INTERVAL 1 DAY, false) AS kept
    FROM ev
    WHERE next_followup_at IS NOT NULL AND next_followup_at::DATE BETWEEN ${dateLiteral(input.window_from)} AND ${dateLiteral(params.as_of)}
  ),
  counted AS (
    -- a deal closed by the due day without a touch needed none; departed reps are another rule's
    SELECT p.* FROM plans p
    WHERE (p.kept OR p.closed_at IS NULL OR p.closed_at >= p.due_day + INTERVAL 1 DAY)
      AND p.rep NOT IN (SELECT owner FROM reps WHERE left_at IS NOT NULL AND left_at <= ${dateLiteral(params.as_of)})
      AND ${repFilter}
  )`;
}

export function timelinessAlertsSql(input: TimelinessInput, minPlans: number, cap: number): string {
  return `WITH ${timelinessPlansCte(input)}
  SELECT rep, count(*)::BIGINT AS due, count(*) FILTER (NOT kept)::BIGINT AS missed,
         (count(*) FILTER (kept))::DOUBLE / count(*) AS timeliness,
         (list(event_id ORDER BY due_day, opportunity_id, event_id) FILTER (NOT kept))[1:${cap}] AS row_keys
  FROM counted
  GROUP BY rep
  HAVING count(*) >= ${minPlans}
  ORDER BY rep`;
}

export function timelinessRowsSql(input: TimelinessInput, rep: string, limit: number): string {
  return `WITH ${timelinessPlansCte(input)}
  SELECT rep, event_id, opportunity_id, customer_name, strftime(occurred_at, '%Y-%m-%d %H:%M') AS planned_at,
         strftime(next_followup_at, '%Y-%m-%d %H:%M') AS planned_for,
         strftime(next_touch_at, '%Y-%m-%d %H:%M') AS next_touch_at,
         CASE WHEN next_touch_at IS NULL THEN NULL ELSE date_diff('day', due_day, next_touch_at::DATE)::INTEGER END AS days_late,
         status
  FROM counted WHERE NOT kept AND rep = ${sqlString(rep)}
  ORDER BY due_day, opportunity_id, event_id LIMIT ${limit}`;
}

// ---------------------------------------------------------------------------------------------
// channel.win_rate_drop: the closed deals of one source in the two compared windows.

/** The period the channels family's monthly query must cover: both windows, up to as_of. */
export function channelPeriod(params: ResolvedParams, windowMonths: number): ResolvedParams {
  const first = monthShift(params.as_of.slice(0, 7), -(2 * windowMonths - 1));
  return { ...params, from: `${first}-01`, to: params.as_of, by: null };
}

/** Same population as channels' monthlyWinRateSql over `period`, for one source. */
function channelDealsWhere(period: ResolvedParams, stageSet: string, source: string): string {
  return `o.stage_set = ${sqlString(stageSet)} AND o.status IN ('won', 'lost') AND o.source = ${sqlString(source)}
    AND ${inPeriodSql('o.closed_at', period)} AND ${opportunityFilterSql(period.filters)}`;
}

export function channelRowsSql(period: ResolvedParams, stageSet: string, source: string, currentFrom: string, limit: number): string {
  return `SELECT o.opportunity_id, o.source, CASE WHEN strftime(o.closed_at, '%Y-%m') >= ${sqlString(currentFrom)} THEN 'current' ELSE 'previous' END AS window,
         strftime(o.closed_at, '%Y-%m') AS month, o.status, strftime(o.closed_at, '%Y-%m-%d') AS closed_at,
         o.customer_name, o.owner, o.amount::DOUBLE AS amount, o.lost_reason
  FROM opportunities o WHERE ${channelDealsWhere(period, stageSet, source)}
  ORDER BY o.closed_at DESC, o.opportunity_id LIMIT ${limit}`;
}

// ---------------------------------------------------------------------------------------------
// team.rep_retention

export interface RetentionInput {
  params: ResolvedParams;
  /** S: reps employed on this day form the base */
  start: string;
}

/** Team, region and owner filters select reps; any other dimension matches no rep. */
function repFilterSql(filters: ResolvedParams['filters'], alias: string): string {
  return dimensionFilterSql(filters, (d) => (d === 'owner' || d === 'team' || d === 'region' ? `${alias}.${d}` : null));
}

function retentionCte(input: RetentionInput): string {
  const { params } = input;
  const s = dateLiteral(input.start);
  // With a rep-level filter a "company" figure would be the filtered subset: only teams then.
  const company = Object.keys(params.filters).length === 0;
  return `r AS (
    SELECT x.owner, x.team, x.left_at, strftime(x.hired_at, '%Y-%m-%d') AS hired_at,
           (x.hired_at IS NULL OR x.hired_at <= ${s}) AND (x.left_at IS NULL OR x.left_at > ${s}) AS at_start,
           x.left_at IS NOT NULL AND x.left_at <= ${dateLiteral(params.as_of)} AS gone
    FROM reps x WHERE ${repFilterSql(params.filters, 'x')}
  ),
  g AS (
    ${company ? `SELECT 'company' AS kind, 'all' AS key, r.* FROM r UNION ALL` : ''}
    SELECT 'team' AS kind, r.team AS key, r.* FROM r WHERE r.team IS NOT NULL
  )`;
}

export function retentionAlertsSql(input: RetentionInput, cap: number): string {
  return `WITH ${retentionCte(input)}
  SELECT kind, key, count(*) FILTER (at_start)::BIGINT AS at_start, count(*) FILTER (at_start AND NOT gone)::BIGINT AS retained,
         coalesce((list(owner ORDER BY left_at, owner) FILTER (at_start AND gone))[1:${cap}], []) AS row_keys,
         coalesce(list({'owner': owner, 'left_at': strftime(left_at, '%Y-%m-%d')} ORDER BY left_at, owner) FILTER (at_start AND gone), []) AS leavers
  FROM g GROUP BY kind, key HAVING count(*) FILTER (at_start) > 0
  ORDER BY kind, key`;
}

export function retentionRowsSql(input: RetentionInput, kind: string, key: string, limit: number): string {
  return `WITH ${retentionCte(input)}
  SELECT owner, team, hired_at, strftime(left_at, '%Y-%m-%d') AS left_at
  FROM g WHERE kind = ${sqlString(kind)} AND key = ${sqlString(key)} AND at_start AND gone
  ORDER BY left_at, owner LIMIT ${limit}`;
}

// ---------------------------------------------------------------------------------------------
// team.departed_rep_open_deals

function departedDealsWhere(params: ResolvedParams): string {
  return `o.status = 'open' AND r.left_at IS NOT NULL AND r.left_at <= ${dateLiteral(params.as_of)}
    AND (o.created_at IS NULL OR o.created_at < ${endOfDaySql(params.as_of)}) AND ${opportunityFilterSql(params.filters)}`;
}

export function departedAlertsSql(params: ResolvedParams, cap: number): string {
  return `SELECT o.owner AS rep, strftime(r.left_at, '%Y-%m-%d') AS left_at, count(*)::BIGINT AS open_deals,
         count(DISTINCT o.customer_name)::BIGINT AS customers, coalesce(sum(o.expected_amount), 0)::DOUBLE AS expected_amount,
         list(o.opportunity_id ORDER BY o.expected_amount DESC NULLS LAST, o.opportunity_id)[1:${cap}] AS row_keys
  FROM opportunities o JOIN reps r ON r.owner = o.owner
  WHERE ${departedDealsWhere(params)}
  GROUP BY o.owner, r.left_at ORDER BY o.owner`;
}

export function departedRowsSql(params: ResolvedParams, rep: string, limit: number): string {
  return `SELECT o.opportunity_id, o.customer_name, o.owner, strftime(r.left_at, '%Y-%m-%d') AS owner_left_at, o.stage,
         strftime(o.stage_entered_at, '%Y-%m-%d') AS stage_entered_at, strftime(o.last_activity_at, '%Y-%m-%d') AS last_activity_at,
         o.expected_amount::DOUBLE AS expected_amount, strftime(o.expected_close_date, '%Y-%m-%d') AS expected_close_date
  FROM opportunities o JOIN reps r ON r.owner = o.owner
  WHERE ${departedDealsWhere(params)} AND o.owner = ${sqlString(rep)}
  ORDER BY o.expected_amount DESC NULLS LAST, o.opportunity_id LIMIT ${limit}`;
}

// ---------------------------------------------------------------------------------------------
// team.target_completion: the targets family's progress rows for the last N completed months.

export interface CompletionInput {
  targets: TargetsQueryInput;
  /** first day of the first month and last day of the last month compared */
  from: string;
  to: string;
}

function completionMonthsCte(input: CompletionInput): string {
  return `tp AS (${targetProgressSql(input.targets)}),
  m AS (
    SELECT dimension, dimension_value, period_label, period_start, period_end, target, actual, progress
    FROM tp
    WHERE metric = 'revenue' AND tier = 'base' AND dimension IN ('rep', 'team')
      AND period_start::DATE >= ${dateLiteral(input.from)} AND period_end::DATE <= ${dateLiteral(input.to)}
      AND day(period_start::DATE) = 1 AND period_end::DATE = last_day(period_start::DATE)
  )`;
}

/** One row per rep or team with monthly revenue targets in the window; `below_all` decides. */
export function completionAlertsSql(input: CompletionInput, months: number, minimum: number): string {
  return `WITH ${completionMonthsCte(input)}
  SELECT dimension, dimension_value,
         count(DISTINCT period_start)::BIGINT AS months,
         count(DISTINCT period_start) = ${months} AND bool_and(coalesce(progress < ${Number(minimum)}::DOUBLE, false)) AS below_all,
         list({'month': period_label, 'target': target, 'actual': actual, 'progress': progress} ORDER BY period_start, target) AS detail
  FROM m GROUP BY dimension, dimension_value
  ORDER BY dimension, dimension_value`;
}

export function completionRowsSql(input: CompletionInput, dimension: string, value: string, limit: number): string {
  return `WITH ${completionMonthsCte(input)}
  SELECT dimension, dimension_value, period_label AS month, period_start, period_end, target, actual, progress
  FROM m WHERE dimension = ${sqlString(dimension)} AND dimension_value = ${sqlString(value)}
  ORDER BY period_start, target LIMIT ${limit}`;
}

// ---------------------------------------------------------------------------------------------
// customer rules: over customer-value score tables materialised by the caller.

export interface CustomerHalves {
  /** score tables as of d0 (= as_of − 12 months), d1 (= as_of − 6 months), d2 (= as_of) */
  tables: [string, string, string];
  days: [string, string, string];
  filters: ResolvedParams['filters'];
}

const CORE = `(tier = 'high_value' OR abc_class = 'A')`;

function checkTable(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`alerts: bad temp table name ${name}`);
  return name;
}

function repeatCte(h: CustomerHalves): string {
  const [t0, t1] = h.tables.map(checkTable) as [string, string, string];
  const [d0, d1, d2] = h.days;
  const product = h.filters.product?.length ? dimensionFilterSql({ product: h.filters.product }, () => 'product') : 'true';
  return `bought AS (
    SELECT DISTINCT customer_id, ordered_at::DATE AS day FROM orders
    WHERE customer_id IS NOT NULL AND NOT is_cancellation AND ${product}
      AND ordered_at >= ${dateLiteral(d0)} + INTERVAL 1 DAY AND ordered_at < ${endOfDaySql(d2)}
  ),
  core AS (
    SELECT 'previous' AS half, customer_id, customer_name, owner, tier, abc_class, monetary::DOUBLE AS monetary,
           ${dateLiteral(d0)} AS after_day, ${dateLiteral(d1)} AS through_day FROM ${t0} WHERE ${CORE}
    UNION ALL
    SELECT 'current', customer_id, customer_name, owner, tier, abc_class, monetary::DOUBLE,
           ${dateLiteral(d1)}, ${dateLiteral(d2)} FROM ${t1} WHERE ${CORE}
  ),
  marked AS (
    SELECT c.*, count(b.day) > 0 AS repeated, strftime(max(b.day), '%Y-%m-%d') AS last_order_in_half
    FROM core c LEFT JOIN bought b ON b.customer_id = c.customer_id AND b.day > c.after_day AND b.day <= c.through_day
    GROUP BY ALL
  )`;
}

/** Two rows (previous, current half): core customers, how many bought again, the current non-repeaters. */
export function coreRepeatSql(h: CustomerHalves, cap: number): string {
  return `WITH ${repeatCte(h)}
  SELECT half, count(*)::BIGINT AS core, count(*) FILTER (repeated)::BIGINT AS repeated,
         coalesce((list(customer_id ORDER BY monetary DESC, customer_id) FILTER (NOT repeated))[1:${cap}], []) AS row_keys
  FROM marked GROUP BY half ORDER BY half DESC`;
}

export function coreRepeatRowsSql(h: CustomerHalves, limit: number): string {
  const last = checkTable(h.tables[2]);
  return `WITH ${repeatCte(h)}
  SELECT m.customer_id, m.customer_name, m.owner, m.tier AS tier_at_start, m.abc_class AS abc_at_start, m.monetary AS monetary_at_start,
         strftime(n.last_order_at, '%Y-%m-%d') AS last_order_date, n.recency_days
  FROM marked m LEFT JOIN ${last} n USING (customer_id)
  WHERE m.half = 'current' AND NOT m.repeated
  ORDER BY m.monetary DESC, m.customer_id LIMIT ${limit}`;
}

/** High-value customers on d1 that are dormant now (tier, or the dormant recency). */
export function dormantSql(h: CustomerHalves, dormantRecencyDays: number, customerId?: string): string {
  const [, then, now] = h.tables.map(checkTable) as [string, string, string];
  return `SELECT t.customer_id, n.customer_name, n.owner, n.team,
         t.tier AS tier_then, t.abc_class AS abc_then, t.monetary::DOUBLE AS monetary_then, t.recency_days AS recency_then,
         n.tier AS tier_now, n.abc_class AS abc_now, n.recency_days AS recency_now, n.orders_in_window AS orders_in_window_now,
         strftime(n.last_order_at, '%Y-%m-%d') AS last_order_date
  FROM ${then} t JOIN ${now} n USING (customer_id)
  WHERE t.tier = 'high_value' AND (n.tier IN ('dormant', 'low_value') OR n.recency_days >= ${Number(dormantRecencyDays)})
    ${customerId === undefined ? '' : `AND t.customer_id = ${sqlString(customerId)}`}
  ORDER BY t.monetary DESC, t.customer_id`;
}
