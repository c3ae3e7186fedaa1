/**
 * SQL for work reports from daily work (spec §6, seed 000): per rep, per week and per month, what
 * the follow-up records say was done. Pure: params + stage order in, SQL out; tests pin it.
 *
 * Every figure counts facts from the same sources (sourcesCte): one row per thing counted (a
 * touch, a new lead, a stage move, a win/loss/invalid, a planned or overdue follow-up), tagged
 * with `measure` and the rep. The drill-down lists them per period (`facts`); the report counts
 * them (dated facts per week and month in one pass, overdue ones as a running sum), so every
 * figure is the number of rows its drill-down lists (work-reports.spec.ts checks this).
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
import { SNAPSHOT_METHOD } from '../snapshot-events.ts';
import { dateLiteral, endOfDaySql, dimensionFilterSql, ownedOrWorkedOnSql, type ResolvedParams } from '../params.ts';

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

function periodsOf(input: WorkReportsQueryInput, granularity: Granularity): string {
  const { params, weekStart } = input;
  const asOf = dateLiteral(params.as_of);
  const first = periodStartSql(granularity, weekStart, dateLiteral(params.from));
  const last = periodStartSql(granularity, weekStart, `least(${dateLiteral(params.to)}, ${asOf})`);
  const end = `(s + ${periodInterval(granularity, 1)})::DATE - 1`;
  return `SELECT '${granularity}' AS granularity, s::DATE AS period_start, ${end} AS period_end,
           ${end} + 1 AS next_start, (s + ${periodInterval(granularity, 2)})::DATE - 1 AS next_end,
           -- facts count up to the end of the period, or of the as-of day if that comes first
           least(${end}, ${asOf}) + INTERVAL 1 DAY AS ref_end,
           ${end} <= ${asOf} AS complete
    FROM generate_series((${first})::TIMESTAMP, (${last})::TIMESTAMP, ${periodInterval(granularity, 1)}) AS g(s)`;
}

/** The weeks and the months overlapping [from, to], up to the ones containing as_of. */
export function periodsCte(input: WorkReportsQueryInput): string {
  return `periods AS (
    ${periodsOf(input, 'week')}
    UNION ALL
    ${periodsOf(input, 'month')}
  )`;
}

/** Filters on the opportunity (everything but owner, which selects the rep). */
function opportunityDimensionFilter(params: ResolvedParams, alias: string): string {
  const { owner: _owner, ...rest } = params.filters;
  return dimensionFilterSql(rest, (d) => `${alias}.${d}`);
}

/**
 * With an owner filter: only opportunities the rep owns or has a record on can give that rep a
 * fact (every fact's rep is a record's owner or the opportunity's owner), so the windows below
 * sort only those (a superset: the exact rep filter still applies to the facts). Not for the
 * UNASSIGNED rep, whose facts come from records and opportunities with no owner at all.
 */
export function reachableByOwner(params: ResolvedParams, opportunityId: string): string {
  const owners = params.filters.owner;
  if (!owners?.length || owners.includes(UNASSIGNED)) return 'true';
  return ownedOrWorkedOnSql(`(${owners.map(sqlString).join(', ')})`, opportunityId);
}

function repFilter(params: ResolvedParams, column: string): string {
  return dimensionFilterSql({ owner: params.filters.owner }, () => column);
}

function stageOrderCte(input: WorkReportsQueryInput): string {
  const rows = input.stageOrder?.stages ?? [];
  if (rows.length === 0) return `stage_order AS (SELECT NULL::VARCHAR AS stage, NULL::INTEGER AS position WHERE false)`;
  return `stage_order AS (SELECT * FROM (VALUES ${rows.map((s) => `(${sqlString(s.stage)}, ${s.position})`).join(', ')}) AS t(stage, position))`;
}

const FOREVER = `TIMESTAMP '9999-12-31'`;
const NEVER = `TIMESTAMP '0001-01-01'`;

/** On an `ev` row: a follow-up record is a touch; a move derived from snapshots is not. */
const IS_TOUCH = `method <> '${SNAPSHOT_METHOD}'`;

const norm = (expr: string) => `coalesce(nullif(trim(${expr}), ''), ${sqlString(UNSPECIFIED)})`;

interface FactOptions {
  /** Build only this measure's facts (a drill-down's); all of them when absent. */
  measure?: Measure;
  /** Bucket into this granularity only (a drill-down's); weeks and months when absent. */
  granularity?: Granularity;
}

/**
 * `WITH …` up to the fact sources, without a trailing comma: periods, stage_order, opp, ev,
 * first_ev, close_ev, `dated` (when a dated measure is wanted: facts with a date of their own, not
 * yet bucketed), plan_ev and `planned` (when planned_next is wanted: already per period).
 */
function sourcesCte(input: WorkReportsQueryInput, options: FactOptions): { sql: string; hasDated: boolean; hasPlanned: boolean } {
  const { params } = input;
  const wants = (...measures: Measure[]) => !options.measure || measures.includes(options.measure);
  const grains: Granularity[] = options.granularity ? [options.granularity] : ['week', 'month'];
  const asOfEnd = endOfDaySql(params.as_of);
  const stageSet = input.stageOrder ? sqlString(input.stageOrder.stage_set) : 'NULL';
  const unassigned = sqlString(UNASSIGNED);
  const datedBranches = [
    wants('touches') &&
      `SELECT 'touches' AS measure, rep, opportunity_id, event_id, occurred_at AS happened_at, method,
           NULL::DOUBLE AS amount, NULL::VARCHAR AS reason, next_followup_at
    FROM ev WHERE ${IS_TOUCH}`,
    wants('stage_advances', 'stage_setbacks') &&
      `SELECT CASE WHEN t.position > f.position THEN 'stage_advances' ELSE 'stage_setbacks' END, ev.rep, ev.opportunity_id,
           ev.event_id, ev.occurred_at, ev.method, NULL::DOUBLE, NULL::VARCHAR, ev.next_followup_at
    FROM ev JOIN stage_order f ON f.stage = ev.from_stage JOIN stage_order t ON t.stage = ev.to_stage
    WHERE ev.stage_set = ${stageSet} AND t.position <> f.position`,
    wants('new_leads') &&
      `SELECT 'new_leads', coalesce(fe.rep, o.owner, ${unassigned}), o.opportunity_id, NULL::VARCHAR, o.created_at, NULL::VARCHAR,
           NULL::DOUBLE, NULL::VARCHAR, NULL::TIMESTAMP
    FROM opp o LEFT JOIN first_ev fe ON fe.opportunity_id = o.opportunity_id
    WHERE o.created_at < ${asOfEnd}`,
    wants('wins', 'losses', 'invalid_leads') &&
      `SELECT CASE o.status WHEN 'won' THEN 'wins' WHEN 'lost' THEN 'losses' ELSE 'invalid_leads' END,
           coalesce(ce.rep, o.owner, ${unassigned}), o.opportunity_id, ce.event_id, o.closed_at, ce.method,
           CASE WHEN o.status = 'won' THEN o.amount END,
           CASE WHEN o.status = 'lost' THEN ${norm('o.lost_reason')} ELSE nullif(trim(o.lost_reason), '') END, NULL::TIMESTAMP
    FROM opp o LEFT JOIN close_ev ce ON ce.opportunity_id = o.opportunity_id AND ce.to_status = o.status
    WHERE o.status IN ('won', 'lost', 'invalid') AND o.closed_at < ${asOfEnd}`,
  ].filter((b): b is string => typeof b === 'string');
  const hasPlanned = wants('planned_next');
  // Only plans wanted (a planned or overdue drill-down, the overdue alert): a plan is read at a
  // period's end only while its opportunity is open, so records of opportunities closed before
  // the first period ends cannot count, and their windows are skipped (the alert at 1M: most
  // opportunities are closed by then)
  const onlyPlans = options.measure === 'planned_next' || options.measure === 'overdue_followups';
  const stillOpen = onlyPlans
    ? ` AND opportunity_id IN (SELECT opportunity_id FROM opportunities WHERE status = 'open' OR closed_at >= (SELECT min(ref_end) FROM periods))`
    : '';
  const ctes = [
    periodsCte(input),
    stageOrderCte(input),
    `opp AS (
    SELECT o.opportunity_id, o.owner, o.stage, o.status, o.created_at, o.closed_at, o.amount::DOUBLE AS amount, o.lost_reason
    FROM opportunities o
    WHERE ${opportunityDimensionFilter(params, 'o')} AND ${reachableByOwner(params, 'o.opportunity_id')}
  )`,
    `ev AS (
    -- every follow-up record up to as-of of the opportunities that pass the filters
    SELECT e.event_id, e.opportunity_id, e.occurred_at, e.from_stage, e.to_stage, e.to_status,
           ${norm('e.method')} AS method, e.next_followup_at,
           coalesce(e.owner, o.owner, ${unassigned}) AS rep,
           o.stage_set, o.status AS opp_status, o.closed_at AS opp_closed_at,
           lead(e.occurred_at) OVER w AS next_event_at,
           row_number() OVER w AS seq
    -- the records narrowed in a subquery of their own: DuckDB joined all of them to
    -- opportunities before applying the owner's list (one rep at 1M: 0.6 s against 0.1 s)
    FROM (SELECT * FROM stage_events WHERE occurred_at < ${asOfEnd} AND ${reachableByOwner(params, 'opportunity_id')}${stillOpen}) e
    LEFT JOIN opportunities o ON o.opportunity_id = e.opportunity_id
    WHERE ${opportunityDimensionFilter(params, 'o')}
    WINDOW w AS (PARTITION BY e.opportunity_id ORDER BY e.occurred_at, e.event_id)
  )`,
    `first_ev AS (SELECT opportunity_id, rep FROM ev WHERE seq = 1)`,
    `close_ev AS (
    SELECT opportunity_id, to_status, rep, method, event_id
    FROM ev WHERE to_status IS NOT NULL
    QUALIFY row_number() OVER (PARTITION BY opportunity_id, to_status ORDER BY occurred_at DESC, event_id DESC) = 1
  )`,
    ...(datedBranches.length
      ? [
          `dated (measure, rep, opportunity_id, event_id, happened_at, method, amount, reason, next_followup_at) AS (
    -- facts with a date of their own, bucketed below into the week and the month of that date
    ${datedBranches.join('\n    UNION ALL\n    ')}
  )`,
        ]
      : []),
    `plan_ev AS (
    -- follow-up records with a plan. A record carries the plan from when it happened until the
    -- next record or the close, whichever comes first.
    SELECT *, least(coalesce(next_event_at, ${FOREVER}),
                    CASE WHEN opp_status = 'open' THEN ${FOREVER} ELSE coalesce(opp_closed_at, ${NEVER}) END) AS plan_until
    FROM ev WHERE next_followup_at IS NOT NULL
  )`,
    ...(hasPlanned
      ? [
          `planned AS (
    -- read at a period's end: the plan carried then falls in the following period. That
    -- following period is the one next_followup_at falls in, so this is an equi-join.
    ${grains
      .map(
        (g) => `SELECT 'planned_next' AS measure, ev.rep, p.granularity, p.period_start, ev.opportunity_id, ev.event_id,
           ev.occurred_at AS happened_at, ev.method, NULL::DOUBLE AS amount, NULL::VARCHAR AS reason, ev.next_followup_at
    FROM plan_ev ev JOIN periods p
      ON p.granularity = '${g}' AND p.next_start = ${periodStartSql(g, input.weekStart, 'ev.next_followup_at')}
    WHERE ev.occurred_at < p.ref_end AND ev.plan_until >= p.ref_end`,
      )
      .join('\n    UNION ALL\n    ')}
  )`,
        ]
      : []),
  ];
  return { sql: `WITH ${ctes.join(',\n  ')}`, hasDated: datedBranches.length > 0, hasPlanned };
}

/**
 * `WITH …` up to `facts`: one row per counted thing and granularity, kept narrow (the drill-down
 * joins the details back by event_id / opportunity_id): measure, rep, granularity, period_start,
 * opportunity_id, event_id, happened_at, method, amount, reason, next_followup_at.
 * `overdueRows`: include the overdue follow-ups as rows, one per record and period it stays
 * overdue in (the drill-down needs them; the report counts them by running sum instead).
 * `measure` / `granularity`: build only that measure's facts, at only that granularity (a
 * drill-down's; the risk alert's overdue follow-ups at 1M: the full set took 5 s).
 */
export function factsCte(input: WorkReportsQueryInput, options: FactOptions & { overdueRows: boolean }): string {
  const { params } = input;
  const grains: Granularity[] = options.granularity ? [options.granularity] : ['week', 'month'];
  const sources = sourcesCte(input, options);
  const columns = 'measure, rep, granularity, period_start, opportunity_id, event_id, happened_at, method, amount, reason, next_followup_at';
  const factBranches = [
    ...(sources.hasDated
      ? grains.map(
          (g) => `SELECT d.measure, d.rep, p.granularity, p.period_start, d.opportunity_id, d.event_id, d.happened_at, d.method, d.amount,
           d.reason, d.next_followup_at
    FROM dated d JOIN periods p ON p.granularity = '${g}' AND p.period_start = ${periodStartSql(g, input.weekStart, 'd.happened_at')}`,
        )
      : []),
    ...(sources.hasPlanned ? [`SELECT ${columns} FROM planned`] : []),
    ...(options.overdueRows && (!options.measure || options.measure === 'overdue_followups')
      ? [
          `-- overdue at a period's end: the carried plan's date has passed. One row per period the
    -- record stays overdue in (a range join); the report counts these without the rows.
    SELECT 'overdue_followups', ev.rep, p.granularity, p.period_start, ev.opportunity_id, ev.event_id, ev.occurred_at,
           ev.method, NULL::DOUBLE, NULL::VARCHAR, ev.next_followup_at
    FROM plan_ev ev JOIN periods p
      ON ev.occurred_at < p.ref_end AND ev.next_followup_at < p.ref_end AND ev.plan_until >= p.ref_end${options.granularity ? ` AND p.granularity = '${options.granularity}'` : ''}`,
        ]
      : []),
  ];
  // a measure with no facts of its own here (overdue without overdueRows): no rows, same columns
  if (factBranches.length === 0) {
    factBranches.push(`SELECT NULL::VARCHAR AS measure, NULL::VARCHAR AS rep, NULL::VARCHAR AS granularity, NULL::DATE AS period_start,
           NULL::VARCHAR AS opportunity_id, NULL::VARCHAR AS event_id, NULL::TIMESTAMP AS happened_at, NULL::VARCHAR AS method,
           NULL::DOUBLE AS amount, NULL::VARCHAR AS reason, NULL::TIMESTAMP AS next_followup_at WHERE false`);
  }
  return `${sources.sql},
  all_facts (${columns}) AS (
    ${factBranches.join('\n    UNION ALL\n    ')}
  ),
  facts AS (SELECT * FROM all_facts WHERE ${repFilter(params, 'rep')})`;
}

/**
 * One row per granularity, rep and period: the counts, touches by method and loss reasons as
 * (unordered) lists, and the rep's team. Reps in the reps table employed during a period get a
 * row even with nothing done (a silent week is itself a finding), when the filters can be
 * checked on the reps table (owner, team, region).
 */
export function reportSql(input: WorkReportsQueryInput): string {
  const { params } = input;
  const rosterFilter = dimensionFilterSql(params.filters, (d) => (d === 'owner' || d === 'team' || d === 'region' ? `r.${d}` : null));
  const sumOf = (m: Measure) => `coalesce(sum(c.n) FILTER (c.measure = '${m}'), 0)::INTEGER AS ${m}`;
  const keys = (a: string) => `${a}.granularity = k.granularity AND ${a}.rep = k.rep AND ${a}.period_start = k.period_start`;
  const asOfEnd = endOfDaySql(params.as_of);
  const spans = (g: Granularity) => `SELECT '${g}' AS granularity, rep,
           ${periodStartSql(g, input.weekStart, 'greatest(occurred_at, next_followup_at)')} AS first_start,
           CASE WHEN plan_until < ${asOfEnd} THEN ${periodStartSql(g, input.weekStart, 'plan_until')} END AS stop_start
    FROM plan_ev WHERE greatest(occurred_at, next_followup_at) < ${asOfEnd} AND ${repFilter(params, 'rep')}`;
  const sources = sourcesCte(input, {});
  // the earliest period's start, as periodsCte computes it
  const firstStart = `(SELECT min(period_start) FROM periods)`;
  return `${sources.sql},
  overdue_spans AS (
    -- A record is overdue at the end of every period from the one its plan date (or, if later,
    -- the record itself) falls in, up to but not including the one its plan ends in
    -- (plan_until; none if it lasts past as-of). Counted as a running sum of +1 at the start
    -- and -1 at the stop, instead of one row per record and period (tens of millions at scale).
    SELECT * FROM (
      ${spans('week')}
      UNION ALL
      ${spans('month')}
    ) WHERE stop_start IS NULL OR first_start < stop_start
  ),
  overdue_steps AS (
    SELECT granularity, rep, period_start, sum(sum(step)) OVER (PARTITION BY granularity, rep ORDER BY period_start) AS overdue
    FROM (
      SELECT granularity, rep, first_start AS period_start, 1 AS step FROM overdue_spans
      UNION ALL
      SELECT granularity, rep, stop_start, -1 FROM overdue_spans WHERE stop_start IS NOT NULL
    ) GROUP BY granularity, rep, period_start
  ),
  overdue AS (
    SELECT p.granularity, r.rep, p.period_start, s.overdue::INTEGER AS overdue_followups
    FROM periods p JOIN (SELECT DISTINCT granularity, rep FROM overdue_steps) r ON r.granularity = p.granularity
    ASOF JOIN overdue_steps s ON s.granularity = p.granularity AND s.rep = r.rep AND s.period_start <= p.period_start
    WHERE s.overdue > 0
  ),
  bucketed AS (
    -- each dated fact with its week and its month, from the first period's start on (agg keeps
    -- only the report's periods)
    SELECT measure, rep, amount,
           CASE measure WHEN 'touches' THEN method WHEN 'losses' THEN reason END AS label,
           ${periodStartSql('week', input.weekStart, 'happened_at')} AS week_start,
           ${periodStartSql('month', input.weekStart, 'happened_at')} AS month_start
    FROM dated WHERE happened_at >= ${firstStart} AND ${repFilter(params, 'rep')}
  ),
  dated_counts AS (
    -- counted per week and per month in one pass (GROUPING SETS), not as a row per fact and
    -- granularity: at 1M opportunities that was 17M rows written and read twice
    SELECT CASE WHEN grouping(week_start) = 0 THEN 'week' ELSE 'month' END AS granularity, rep,
           coalesce(week_start, month_start) AS period_start, measure, label, count(*)::INTEGER AS n, sum(amount) AS amount
    FROM bucketed
    GROUP BY GROUPING SETS ((rep, week_start, measure, label), (rep, month_start, measure, label))
  ),
  touched AS (
    -- distinct opportunities touched, on its own: a DISTINCT in the sets above, which have a
    -- row per label, cost 7 s at 1M; here 0.1 s. Read from ev, not dated: a second reader of
    -- dated would make DuckDB materialise it (1.9 s at 1M)
    SELECT CASE WHEN grouping(week_start) = 0 THEN 'week' ELSE 'month' END AS granularity, rep,
           coalesce(week_start, month_start) AS period_start, count(DISTINCT opportunity_id)::INTEGER AS opportunities_touched
    FROM (
      SELECT rep, opportunity_id, ${periodStartSql('week', input.weekStart, 'occurred_at')} AS week_start,
             ${periodStartSql('month', input.weekStart, 'occurred_at')} AS month_start
      FROM ev WHERE ${IS_TOUCH} AND occurred_at >= ${firstStart} AND ${repFilter(params, 'rep')}
    )
    GROUP BY GROUPING SETS ((rep, week_start), (rep, month_start))
  ),
  counts AS (
    SELECT granularity, rep, period_start, measure, label, n, amount, NULL AS opportunities_touched FROM dated_counts
    UNION ALL
    SELECT granularity, rep, period_start, NULL, NULL, NULL, NULL, opportunities_touched FROM touched
    ${sources.hasPlanned ? `UNION ALL
    SELECT granularity, rep, period_start, 'planned_next', NULL, count(*)::INTEGER, NULL, NULL FROM planned
    WHERE ${repFilter(params, 'rep')} GROUP BY granularity, rep, period_start` : ''}
  ),
  agg AS (
    SELECT c.granularity, c.rep, c.period_start,
           ${MEASURES.filter((m) => m !== 'overdue_followups').map(sumOf).join(',\n           ')},
           coalesce(max(c.opportunities_touched), 0)::INTEGER AS opportunities_touched,
           coalesce(sum(c.amount) FILTER (c.measure = 'wins'), 0)::DOUBLE AS won_amount,
           -- unordered: DuckDB's ordered list() is slow per group; the few items are ordered in TypeScript
           list({'method': c.label, 'touches': c.n}) FILTER (c.measure = 'touches') AS touches_by_method,
           list({'reason': c.label, 'losses': c.n}) FILTER (c.measure = 'losses') AS lost_reasons
    FROM counts c SEMI JOIN periods p ON p.granularity = c.granularity AND p.period_start = c.period_start
    GROUP BY c.granularity, c.rep, c.period_start
  ),
  roster AS (
    SELECT p.granularity, r.owner AS rep, p.period_start
    FROM reps r JOIN periods p
      ON (r.hired_at IS NULL OR r.hired_at <= p.period_end) AND (r.left_at IS NULL OR r.left_at >= p.period_start)
    WHERE ${rosterFilter}
  ),
  row_keys AS (
    SELECT granularity, rep, period_start FROM agg
    UNION SELECT granularity, rep, period_start FROM overdue
    UNION SELECT granularity, rep, period_start FROM roster
  )
  SELECT k.granularity, k.rep, r.team, strftime(r.left_at, '%Y-%m-%d') AS rep_left_at,
         strftime(p.period_start, '%Y-%m-%d') AS period_start, strftime(p.period_end, '%Y-%m-%d') AS period_end, p.complete,
         ${MEASURES.map((m) => (m === 'overdue_followups' ? `coalesce(od.${m}, 0) AS ${m}` : `coalesce(a.${m}, 0) AS ${m}`)).join(', ')},
         coalesce(a.opportunities_touched, 0) AS opportunities_touched, coalesce(a.won_amount, 0) AS won_amount,
         coalesce(a.touches_by_method, []) AS touches_by_method, coalesce(a.lost_reasons, []) AS lost_reasons
  FROM row_keys k
  JOIN periods p ON p.granularity = k.granularity AND p.period_start = k.period_start
  LEFT JOIN agg a ON ${keys('a')}
  LEFT JOIN overdue od ON ${keys('od')}
  LEFT JOIN reps r ON r.owner = k.rep
  ORDER BY k.granularity DESC, p.period_start, k.rep`;
}

/**
 * The follow-ups overdue at the end of as-of, one row per opportunity: rep, opportunity_id,
 * event_id, happened_at, method, next_followup_at. These are the `overdue_followups` facts of the
 * period that holds as-of (every period ending then has the same ones), read without the record
 * window the periods need. At a single reading time a record still carries its plan only if it is
 * its opportunity's latest record so far (by time, then event id: the window's order) and the deal
 * is open or closes later, so two grouped passes find it instead of a sort of every record
 * (these rows alone at 1M, warm: 1.7–1.8 s → 0.5–0.6 s; one rep 0.26–0.30 → 0.13–0.17 s).
 * work-reports.spec.ts holds it to the drill-down's rows.
 */
export function overdueNowSql(input: WorkReportsQueryInput): string {
  const { params } = input;
  const asOfEnd = endOfDaySql(params.as_of);
  return `WITH rec AS MATERIALIZED (
    -- the records so far of the deals still open at as-of's end
    SELECT event_id, opportunity_id, occurred_at, owner, method, next_followup_at FROM stage_events
    WHERE occurred_at < ${asOfEnd} AND ${reachableByOwner(params, 'opportunity_id')}
      AND opportunity_id IN (SELECT opportunity_id FROM opportunities WHERE status = 'open' OR closed_at >= ${asOfEnd})
  ),
  last_at AS (SELECT opportunity_id, max(occurred_at) AS at_time FROM rec GROUP BY opportunity_id),
  last_rec AS (
    SELECT r.opportunity_id, max(r.event_id) AS event_id
    FROM rec r JOIN last_at l ON l.opportunity_id = r.opportunity_id AND r.occurred_at = l.at_time
    GROUP BY r.opportunity_id
  ),
  overdue AS (
    SELECT coalesce(r.owner, o.owner, ${sqlString(UNASSIGNED)}) AS rep, r.opportunity_id, r.event_id, r.occurred_at AS happened_at,
           ${norm('r.method')} AS method, r.next_followup_at
    FROM last_rec l JOIN rec r ON r.opportunity_id = l.opportunity_id AND r.event_id = l.event_id
    LEFT JOIN opportunities o ON o.opportunity_id = r.opportunity_id
    WHERE r.next_followup_at < ${asOfEnd} AND ${opportunityDimensionFilter(params, 'o')}
  )
  SELECT * FROM overdue WHERE ${repFilter(params, 'rep')}`;
}

export interface DrillKeys {
  rep?: string;
  period_start?: string;
  method?: string;
  reason?: string;
}

/** The facts behind one figure: measure and granularity, optionally narrowed by rep, period, method, reason. */
export function drillSql(input: WorkReportsQueryInput, granularity: Granularity, measure: Measure, keys: DrillKeys, limit: number): string {
  const where = [`f.measure = ${sqlString(measure)}`, `f.granularity = ${sqlString(granularity)}`];
  if (keys.rep !== undefined) where.push(`f.rep = ${sqlString(keys.rep)}`);
  if (keys.period_start !== undefined) where.push(`f.period_start = ${dateLiteral(keys.period_start)}`);
  if (keys.method !== undefined) where.push(`f.method = ${sqlString(keys.method)}`);
  if (keys.reason !== undefined) where.push(`f.reason = ${sqlString(keys.reason)}`);
  return `${factsCte(input, { overdueRows: measure === 'overdue_followups', measure, granularity })}
  SELECT f.rep, strftime(f.period_start, '%Y-%m-%d') AS period_start, f.opportunity_id, o.customer_name,
         strftime(f.happened_at, '%Y-%m-%d %H:%M:%S') AS happened_at, f.method, e.summary, e.objection,
         coalesce(e.from_stage, CASE WHEN f.measure IN ('wins', 'losses', 'invalid_leads') THEN o.stage END) AS from_stage, e.to_stage,
         coalesce(f.amount, CASE WHEN f.measure = 'new_leads' THEN o.expected_amount::DOUBLE END) AS amount, f.reason,
         e.next_action, strftime(f.next_followup_at, '%Y-%m-%d %H:%M:%S') AS next_followup_at, f.event_id,
         coalesce(e.source_file, o.source_file) AS source_file, coalesce(e.source_line, o.source_line) AS source_line
  FROM facts f
  LEFT JOIN stage_events e ON e.event_id = f.event_id
  LEFT JOIN opportunities o ON o.opportunity_id = f.opportunity_id
  WHERE ${where.join(' AND ')}
  ORDER BY f.period_start, f.rep, f.happened_at, f.opportunity_id, f.event_id
  LIMIT ${limit}`;
}
