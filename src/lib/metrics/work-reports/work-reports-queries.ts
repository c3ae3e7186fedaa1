/**
 * SQL for work reports from daily work (spec §6, seed 000): per rep, per week and per month, what
 * the follow-up records say was done. Pure: params + stage order in, SQL out; tests pin it.
 *
 * Everything is built as one "facts" relation, one row per thing counted (a touch, a new lead, a
 * stage move, a win/loss/invalid, a planned or overdue follow-up), tagged with `measure`, the rep
 * and the period it falls in. The report aggregates it and the drill-down lists it, so every
 * figure is exactly the number of rows behind it.
 *
 * Decisions (the spec leaves these open):
 * - Periods: whole weeks (starting on config.fiscal.week_start) and calendar months that overlap
 *   [from, to] are reported; each covers its whole span but never beyond as_of (a period still
 *   running at as_of is reported so far, `complete` = false).
 * - Rep: who did it. Events: stage_events.owner (else the opportunity's owner). Opportunity facts:
 *   new lead → the rep of the opportunity's first follow-up record, win/loss/invalid → the rep of
 *   the event that closed it; both fall back to opportunities.owner (snapshot exports have no
 *   events). So a lead a departed rep opened stays in that rep's report after reassignment.
 * - Filters: `owner` selects the rep a row is about; team, region, industry, product and source
 *   apply via the opportunity the fact belongs to.
 * - Touches: every follow-up record (stage_events row), stage changes included; a snapshot's
 *   "last activity" is not a record of its own and is not counted.
 * - Stage advance / setback: an event whose to_stage is later / earlier than its from_stage in the
 *   stage order (loadStageList; only opportunities of that stage set). A move into the won stage
 *   is an advance and also a win.
 * - Wins, losses, invalid leads: opportunities by status with closed_at in the period (the
 *   opportunity is the authority on status; exports without follow-up logs still report them).
 *   Won amount is opportunities.amount; loss reason opportunities.lost_reason.
 * - Planned and overdue follow-ups are read at the end of the period (end of as_of if sooner): for
 *   each opportunity still open then, its latest follow-up record (by anyone) carries the plan,
 *   credited to that record's rep. Planned = next_followup_at falls in the following period (next
 *   week for weekly rows, next month for monthly rows); overdue = next_followup_at already passed
 *   and, the record being the latest, no touch since.
 */
import { sqlString } from '../../warehouse/warehouse.server.ts';
import { dateLiteral, dimensionFilterSql, type ResolvedParams } from '../params.ts';

export type Granularity = 'week' | 'month';
export type WeekStart = 'monday' | 'sunday';

export const MEASURES = [
  'touches',
  'new_leads',
  'stage_advances',
  'stage_setbacks',
  'wins',
  'losses',
  'invalid_leads',
  'planned_next',
  'overdue_followups',
] as const;
export type Measure = (typeof MEASURES)[number];

/** Label for a follow-up without a method and a loss without a reason. */
export const UNSPECIFIED = '未注明';
/** Label for a fact no rep can be credited with (no event owner, no opportunity owner). */
export const UNASSIGNED = '未分配';

export interface WorkReportsQueryInput {
  params: ResolvedParams;
  weekStart: WeekStart;
  /** Stage order of the main stage set; null when the warehouse has no stage list. */
  stageOrder: { stage_set: string; stages: { stage: string; position: number }[] } | null;
}

/** First day of the week or month `expr` (DATE or TIMESTAMP) falls in. */
export function periodStartSql(granularity: Granularity, weekStart: WeekStart, expr: string): string {
  if (granularity === 'month') return `date_trunc('month', ${expr})::DATE`;
  // DuckDB weeks start on Monday; a Sunday week is the Monday week of the next day, one day earlier.
  if (weekStart === 'monday') return `date_trunc('week', ${expr})::DATE`;
  return `(date_trunc('week', ${expr} + INTERVAL 1 DAY) - INTERVAL 1 DAY)::DATE`;
}

function periodInterval(granularity: Granularity, count: 1 | 2): string {
  return granularity === 'month' ? `INTERVAL ${count} MONTH` : `INTERVAL ${7 * count} DAY`;
}

/** The weeks or months overlapping [from, to], up to the one containing as_of. */
export function periodsCte(input: WorkReportsQueryInput, granularity: Granularity): string {
  const { params, weekStart } = input;
  const asOf = dateLiteral(params.as_of);
  const first = periodStartSql(granularity, weekStart, dateLiteral(params.from));
  const last = periodStartSql(granularity, weekStart, `least(${dateLiteral(params.to)}, ${asOf})`);
  return `periods AS (
    SELECT s::DATE AS period_start,
           (s + ${periodInterval(granularity, 1)})::DATE - 1 AS period_end,
           (s + ${periodInterval(granularity, 1)})::DATE AS next_start,
           (s + ${periodInterval(granularity, 2)})::DATE - 1 AS next_end,
           -- facts count up to the end of the period, or of the as-of day if that comes first
           least((s + ${periodInterval(granularity, 1)})::DATE - 1, ${asOf}) + INTERVAL 1 DAY AS ref_end,
           (s + ${periodInterval(granularity, 1)})::DATE - 1 <= ${asOf} AS complete
    FROM generate_series((${first})::TIMESTAMP, (${last})::TIMESTAMP, ${periodInterval(granularity, 1)}) AS g(s)
  )`;
}

/** Filters on the opportunity (everything but owner, which selects the rep). */
function opportunityDimensionFilter(params: ResolvedParams, alias: string): string {
  const { owner: _owner, ...rest } = params.filters;
  return dimensionFilterSql(rest, (d) => `${alias}.${d}`);
}

function repFilter(params: ResolvedParams, column: string): string {
  return dimensionFilterSql({ owner: params.filters.owner }, () => column);
}

function stageOrderCte(input: WorkReportsQueryInput): string {
  const rows = input.stageOrder?.stages ?? [];
  if (rows.length === 0) return `stage_order AS (SELECT NULL::VARCHAR AS stage, NULL::INTEGER AS position WHERE false)`;
  return `stage_order AS (SELECT * FROM (VALUES ${rows.map((s) => `(${sqlString(s.stage)}, ${s.position})`).join(', ')}) AS t(stage, position))`;
}

const norm = (expr: string) => `coalesce(nullif(trim(${expr}), ''), ${sqlString(UNSPECIFIED)})`;

/**
 * `WITH …` up to `facts`: one row per counted thing with columns measure, rep, period_start,
 * opportunity_id, customer_name, at, method, summary, from_stage, to_stage, amount, reason,
 * next_action, next_followup_at, event_id, source_file, source_line.
 */
export function factsCte(input: WorkReportsQueryInput, granularity: Granularity): string {
  const { params } = input;
  const asOfEnd = `(${dateLiteral(params.as_of)} + INTERVAL 1 DAY)`;
  const ps = (expr: string) => periodStartSql(granularity, input.weekStart, expr);
  const stageSet = input.stageOrder ? sqlString(input.stageOrder.stage_set) : 'NULL';
  return `WITH ${periodsCte(input, granularity)},
  ${stageOrderCte(input)},
  opp AS (
    SELECT o.opportunity_id, o.customer_name, o.owner, o.stage_set, o.stage, o.status, o.created_at, o.closed_at,
           o.amount::DOUBLE AS amount, o.expected_amount::DOUBLE AS expected_amount, o.lost_reason, o.source_file, o.source_line
    FROM opportunities o
    WHERE ${opportunityDimensionFilter(params, 'o')}
  ),
  ev AS (
    -- every follow-up record up to as-of of the opportunities that pass the filters
    SELECT e.event_id, e.opportunity_id, e.occurred_at, e.from_stage, e.to_stage, e.to_status,
           ${norm('e.method')} AS method, e.summary, e.objection, e.next_action, e.next_followup_at,
           coalesce(e.owner, o.owner, ${sqlString(UNASSIGNED)}) AS rep,
           o.customer_name, o.stage_set, o.status AS opp_status, o.closed_at AS opp_closed_at, e.source_file, e.source_line,
           lead(e.occurred_at) OVER (PARTITION BY e.opportunity_id ORDER BY e.occurred_at, e.event_id) AS next_event_at,
           row_number() OVER (PARTITION BY e.opportunity_id ORDER BY e.occurred_at, e.event_id) AS seq
    FROM stage_events e LEFT JOIN opportunities o ON o.opportunity_id = e.opportunity_id
    WHERE e.occurred_at < ${asOfEnd} AND ${opportunityDimensionFilter(params, 'o')}
  ),
  first_ev AS (SELECT opportunity_id, rep FROM ev WHERE seq = 1),
  close_ev AS (
    SELECT opportunity_id, to_status, rep, method, summary, from_stage, event_id
    FROM ev WHERE to_status IS NOT NULL
    QUALIFY row_number() OVER (PARTITION BY opportunity_id, to_status ORDER BY occurred_at DESC, event_id DESC) = 1
  ),
  plan_state AS (
    -- per period: each opportunity still open at its end, with its latest follow-up record then
    SELECT p.period_start, p.ref_end, p.next_start, p.next_end, ev.*
    FROM ev JOIN periods p ON ev.occurred_at < p.ref_end AND (ev.next_event_at IS NULL OR ev.next_event_at >= p.ref_end)
    WHERE ev.next_followup_at IS NOT NULL AND (ev.opp_status = 'open' OR ev.opp_closed_at >= p.ref_end)
  ),
  all_facts AS (
    SELECT 'touches' AS measure, ev.rep, p.period_start, ev.opportunity_id, ev.customer_name, ev.occurred_at AS at,
           ev.method, ev.summary, ev.from_stage, ev.to_stage, NULL::DOUBLE AS amount, NULL::VARCHAR AS reason,
           ev.next_action, ev.next_followup_at, ev.event_id, ev.source_file, ev.source_line
    FROM ev JOIN periods p ON p.period_start = ${ps('ev.occurred_at')} AND ev.occurred_at < p.ref_end
    UNION ALL
    SELECT CASE WHEN t.position > f.position THEN 'stage_advances' ELSE 'stage_setbacks' END, ev.rep, p.period_start,
           ev.opportunity_id, ev.customer_name, ev.occurred_at, ev.method, ev.summary, ev.from_stage, ev.to_stage,
           NULL, NULL, ev.next_action, ev.next_followup_at, ev.event_id, ev.source_file, ev.source_line
    FROM ev JOIN periods p ON p.period_start = ${ps('ev.occurred_at')} AND ev.occurred_at < p.ref_end
    JOIN stage_order f ON f.stage = ev.from_stage
    JOIN stage_order t ON t.stage = ev.to_stage
    WHERE ev.stage_set = ${stageSet} AND t.position <> f.position
    UNION ALL
    SELECT 'new_leads', coalesce(fe.rep, o.owner, ${sqlString(UNASSIGNED)}), p.period_start, o.opportunity_id, o.customer_name,
           o.created_at, NULL, NULL, NULL, NULL, o.expected_amount, NULL, NULL, NULL, NULL, o.source_file, o.source_line
    FROM opp o LEFT JOIN first_ev fe ON fe.opportunity_id = o.opportunity_id
    JOIN periods p ON p.period_start = ${ps('o.created_at')} AND o.created_at < p.ref_end
    UNION ALL
    SELECT CASE o.status WHEN 'won' THEN 'wins' WHEN 'lost' THEN 'losses' ELSE 'invalid_leads' END,
           coalesce(ce.rep, o.owner, ${sqlString(UNASSIGNED)}), p.period_start, o.opportunity_id, o.customer_name, o.closed_at,
           ce.method, ce.summary, coalesce(ce.from_stage, o.stage), NULL,
           CASE WHEN o.status = 'won' THEN o.amount END,
           CASE WHEN o.status = 'lost' THEN ${norm('o.lost_reason')} ELSE nullif(trim(o.lost_reason), '') END,
           NULL, NULL, ce.event_id, o.source_file, o.source_line
    FROM opp o LEFT JOIN close_ev ce ON ce.opportunity_id = o.opportunity_id AND ce.to_status = o.status
    JOIN periods p ON p.period_start = ${ps('o.closed_at')} AND o.closed_at < p.ref_end
    WHERE o.status IN ('won', 'lost', 'invalid')
    UNION ALL
    SELECT CASE WHEN ps.next_followup_at < ps.ref_end THEN 'overdue_followups' ELSE 'planned_next' END, ps.rep, ps.period_start,
           ps.opportunity_id, ps.customer_name, ps.occurred_at, ps.method, ps.summary, ps.from_stage, ps.to_stage,
           NULL, NULL, ps.next_action, ps.next_followup_at, ps.event_id, ps.source_file, ps.source_line
    FROM plan_state ps
    WHERE ps.next_followup_at < ps.ref_end OR ps.next_followup_at::DATE BETWEEN ps.next_start AND ps.next_end
  ),
  facts AS (SELECT * FROM all_facts WHERE ${repFilter(params, 'rep')})`;
}

/**
 * One row per rep and period: the counts, touches by method and loss reasons as lists, and the
 * rep's team. Reps in the reps table employed during a period get a row even with nothing done
 * (a silent week is itself a finding), when the filters can be checked on the reps table.
 */
export function reportSql(input: WorkReportsQueryInput, granularity: Granularity): string {
  const { params } = input;
  const rosterFilter = dimensionFilterSql(params.filters, (d) => (d === 'owner' || d === 'team' || d === 'region' ? `r.${d}` : null));
  const count = (m: Measure) => `count(*) FILTER (measure = '${m}')::INTEGER AS ${m}`;
  return `${factsCte(input, granularity)},
  agg AS (
    SELECT rep, period_start,
           ${MEASURES.map(count).join(',\n           ')},
           count(DISTINCT opportunity_id) FILTER (measure = 'touches')::INTEGER AS opportunities_touched,
           coalesce(sum(amount) FILTER (measure = 'wins'), 0)::DOUBLE AS won_amount
    FROM facts GROUP BY rep, period_start
  ),
  by_method AS (
    SELECT rep, period_start, list({'method': method, 'touches': n} ORDER BY n DESC, method) AS touches_by_method
    FROM (SELECT rep, period_start, method, count(*)::INTEGER AS n FROM facts WHERE measure = 'touches' GROUP BY ALL)
    GROUP BY rep, period_start
  ),
  by_reason AS (
    SELECT rep, period_start, list({'reason': reason, 'losses': n} ORDER BY n DESC, reason) AS lost_reasons
    FROM (SELECT rep, period_start, reason, count(*)::INTEGER AS n FROM facts WHERE measure = 'losses' GROUP BY ALL)
    GROUP BY rep, period_start
  ),
  roster AS (
    SELECT r.owner AS rep, p.period_start
    FROM reps r JOIN periods p
      ON (r.hired_at IS NULL OR r.hired_at <= p.period_end) AND (r.left_at IS NULL OR r.left_at >= p.period_start)
    WHERE ${rosterFilter}
  ),
  row_keys AS (SELECT rep, period_start FROM agg UNION SELECT rep, period_start FROM roster)
  SELECT k.rep, r.team, strftime(r.left_at, '%Y-%m-%d') AS rep_left_at,
         strftime(p.period_start, '%Y-%m-%d') AS period_start, strftime(p.period_end, '%Y-%m-%d') AS period_end, p.complete,
         ${MEASURES.map((m) => `coalesce(a.${m}, 0) AS ${m}`).join(', ')},
         coalesce(a.opportunities_touched, 0) AS opportunities_touched, coalesce(a.won_amount, 0) AS won_amount,
         coalesce(bm.touches_by_method, []) AS touches_by_method, coalesce(br.lost_reasons, []) AS lost_reasons
  FROM row_keys k
  JOIN periods p ON p.period_start = k.period_start
  LEFT JOIN agg a ON a.rep = k.rep AND a.period_start = k.period_start
  LEFT JOIN by_method bm ON bm.rep = k.rep AND bm.period_start = k.period_start
  LEFT JOIN by_reason br ON br.rep = k.rep AND br.period_start = k.period_start
  LEFT JOIN reps r ON r.owner = k.rep
  ORDER BY p.period_start, k.rep`;
}

export interface DrillKeys {
  rep?: string;
  period_start?: string;
  method?: string;
  reason?: string;
}

/** The facts behind one figure: measure, optionally narrowed by rep, period, method, reason. */
export function drillSql(input: WorkReportsQueryInput, granularity: Granularity, measure: Measure, keys: DrillKeys, limit: number): string {
  const where = [`measure = ${sqlString(measure)}`];
  if (keys.rep !== undefined) where.push(`rep = ${sqlString(keys.rep)}`);
  if (keys.period_start !== undefined) where.push(`period_start = ${dateLiteral(keys.period_start)}`);
  if (keys.method !== undefined) where.push(`method = ${sqlString(keys.method)}`);
  if (keys.reason !== undefined) where.push(`reason = ${sqlString(keys.reason)}`);
  return `${factsCte(input, granularity)}
  SELECT rep, strftime(period_start, '%Y-%m-%d') AS period_start, opportunity_id, customer_name,
         strftime(at, '%Y-%m-%d %H:%M:%S') AS at, method, summary, from_stage, to_stage, amount, reason, next_action,
         strftime(next_followup_at, '%Y-%m-%d %H:%M:%S') AS next_followup_at, event_id, source_file, source_line
  FROM facts WHERE ${where.join(' AND ')}
  ORDER BY facts.period_start, rep, facts.at, opportunity_id, event_id
  LIMIT ${limit}`;
}
