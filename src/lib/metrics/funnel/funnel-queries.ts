/**
 * SQL for the funnel (spec §2), built from the parameters and the stage list. Pure: tests pin it.
 *
 * Per opportunity we find its furthest stage (`max_pos`): the highest stage position among its
 * stage changes up to the as-of date, its current stage, and the won stage if it is won. Then for
 * each stage s an opportunity that reached s either
 *   advanced  (max_pos > s),
 *   was lost  (lost or invalid with max_pos = s: lost at its furthest stage),
 *   is still open there (censored, not a failure), or won there (s is the won stage).
 * So advanced + lost + still_open + won = reached, and exited = advanced + lost.
 * Reached: with full history and the skipped-stage rule off, the stages actually visited (a
 * backward move does not un-reach); otherwise every stage up to max_pos (snapshot exports only
 * know the current stage, so reaching the earlier ones is inferred).
 */
import { sqlString } from '../../warehouse/warehouse.server.ts';
import { dateLiteral, endOfDaySql, inPeriodSql, opportunityFilterSql, type Dimension, type ResolvedParams } from '../params.ts';
import type { StageList } from '../stages.ts';

export interface FunnelQueryInput {
  params: ResolvedParams;
  stages: StageList;
  skippedStagesCountAsReached: boolean;
  /** a temp table made by materializeBaseSql for these params, if the caller made one */
  baseTable?: string;
  /** only the opportunities whose id is in this range (a streamed download's page; not with baseTable) */
  keyRange?: KeyRange;
  /**
   * What base reads from the stage events. 'full' (the default): the stages each deal visited, its
   * furthest one and when it entered its current stage. 'entry': only that entry time, for exports
   * that do not give it (the stagnation list reads nothing else; the stagnation alert's statement
   * at 1M, warm: 0.43-0.55 s -> 0.15-0.26 s). 'none': the figures asked for read no stage history
   * (the cohort's size, outcomes). Unless 'full', base's history columns (has_history, visited,
   * max_pos) are not true ones.
   */
  history?: 'full' | 'entry' | 'none';
}

/** Ids from `from` (inclusive) up to `to` (exclusive); null leaves that end open. */
export interface KeyRange {
  from: string | null;
  to: string | null;
}

/** ` AND <column> in the range`, or nothing without a range. */
function keyRangeSql(column: string, range: KeyRange | undefined): string {
  if (!range) return '';
  return `${range.from === null ? '' : ` AND ${column} >= ${sqlString(range.from)}`}${range.to === null ? '' : ` AND ${column} < ${sqlString(range.to)}`}`;
}

/**
 * One row per opportunity of the stage set that passes the filters (not limited to the period):
 * its furthest stage, whether stage history exists, and when it entered its current stage.
 */
export function opportunityBaseCte(input: FunnelQueryInput): string {
  const { params, stages } = input;
  const set = sqlString(stages.stage_set);
  const base = input.baseTable ? `base AS (SELECT * FROM ${input.baseTable})` : baseCtes(input);
  // The earliest creation date of base's opportunities. Built, base is computed once more to
  // answer it, and a page of a download (keyRange) would answer for its page only: opportunities
  // has the same rows. Materialized, base is the cheaper read (one rep at 1M: ~4 ms a query).
  const earliest = input.baseTable ? 'SELECT min(created_at) FROM base' : `SELECT min(o.created_at) FROM opportunities o WHERE ${inBaseSql(input)}`;
  return `st AS (
    SELECT position, stage, is_won FROM stages WHERE stage_set = ${set}
  ),
  ${base},
  cohort AS (
    -- Opportunities created in the period. One without a creation date cannot be placed in a
    -- period; it counts when the period starts at or before the earliest dated one.
    SELECT * FROM base
    WHERE ${inPeriodSql('created_at', params)}
       OR (created_at IS NULL AND ${dateLiteral(params.from)} <= coalesce((${earliest})::DATE, ${dateLiteral(params.from)}))
  )`;
}

/** The opportunities \`base\` has one row for: the stage set's, passing the filters (an SQL condition on \`o\`). */
function inBaseSql(input: FunnelQueryInput): string {
  return `o.stage_set = ${sqlString(input.stages.stage_set)} AND ${opportunityFilterSql(input.params.filters)}`;
}

/**
 * Every opportunity id a drill-down can list (the cohort's candidates: created in the period or
 * undated), as column \`key\`: a streamed download pages over them.
 */
export function drillKeysSql(input: FunnelQueryInput): string {
  return `SELECT o.opportunity_id AS key FROM opportunities o
  WHERE ${inBaseSql(input)} AND (${inPeriodSql('o.created_at', input.params)} OR o.created_at IS NULL)`;
}

/** A stage name's position in the stage set, as an SQL CASE over the (few) stages: no join needed. */
function positionSql(stages: StageList, expr: string): string {
  if (stages.stages.length === 0) return 'NULL::INTEGER';
  return `(CASE ${expr} ${stages.stages.map((s) => `WHEN ${sqlString(s.stage)} THEN ${s.position}`).join(' ')} END)`;
}

/**
 * \`ev\`, \`entered\` and \`base\`. Stage positions come from a CASE over the stage list rather
 * than a join on "to_stage or from_stage" (an OR join DuckDB cannot hash), and the stages an
 * opportunity visited are a bitmask (bit p set = position p visited) rather than a list:
 * measured at 1M opportunities / 4.2M events, 3.0 s → 0.9 s for \`ev\`.
 */
function baseCtes(input: FunnelQueryInput): string {
  const { params, stages } = input;
  const wonPos = stages.stages.find((s) => s.is_won)?.position ?? 0;
  const to = positionSql(stages, 'e.to_stage');
  const from = positionSql(stages, 'e.from_stage');
  const current = positionSql(stages, 'o.stage');
  // With filters, only the selected opportunities' records are grouped: DuckDB does not carry
  // the filter on opportunities across the LEFT JOIN into these aggregates (one rep at 1M: all
  // 4.2M records grouped for 2,451 opportunities)
  const theirs = isFiltered(params)
    ? ` AND e.opportunity_id IN (SELECT opportunity_id FROM opportunities o WHERE ${inBaseSql(input)})`
    : '';
  const events = `${theirs}${keyRangeSql('e.opportunity_id', input.keyRange)}`;
  const history = input.history ?? 'full';
  // a constant false: DuckDB reads nothing for that CTE
  const visits = history === 'full' ? events : `${events} AND false`;
  const entries = history === 'none' ? `${events} AND false` : events;
  return `ev AS (
    SELECT e.opportunity_id,
           max(greatest(${to}, ${from})) AS hist_max,
           bit_or(coalesce(1::BIGINT << ${to}, 0) | coalesce(1::BIGINT << ${from}, 0)) AS visited,
           max(e.occurred_at) FILTER (e.to_stage IS NOT NULL) AS last_change_at
    FROM stage_events e
    WHERE e.occurred_at < ${endOfDaySql(params.as_of)} AND (${to} IS NOT NULL OR ${from} IS NOT NULL)${visits}
    GROUP BY e.opportunity_id
  ),
  entered AS (
    -- when the current stage was entered, from history, for exports that do not say (only
    -- those are looked up: most exports do say, and grouping every event costs a second per 4M)
    SELECT e.opportunity_id, e.to_stage AS stage, max(e.occurred_at) AS entered_at
    FROM stage_events e WHERE e.to_stage IS NOT NULL AND e.occurred_at < ${endOfDaySql(params.as_of)}
      AND e.opportunity_id IN (SELECT opportunity_id FROM opportunities WHERE stage_entered_at IS NULL)${entries}
    GROUP BY ALL
  ),
  base AS (
    SELECT o.opportunity_id, o.customer_name, o.owner, o.team, o.region, o.industry, o.product, o.source,
           o.stage, o.status, o.created_at, o.closed_at, o.lost_reason,
           o.expected_amount::DOUBLE AS expected_amount, o.amount::DOUBLE AS amount,
           coalesce(o.stage_entered_at, en.entered_at) AS stage_entered_at,
           ${current} AS current_pos,
           ev.opportunity_id IS NOT NULL AS has_history,
           coalesce(ev.visited, 0) AS visited,
           greatest(coalesce(ev.hist_max, 0), coalesce(${current}, 0), CASE WHEN o.status = 'won' THEN ${wonPos} ELSE 0 END) AS max_pos
    FROM opportunities o
    LEFT JOIN ev ON ev.opportunity_id = o.opportunity_id
    LEFT JOIN entered en ON en.opportunity_id = o.opportunity_id AND en.stage = o.stage
    WHERE ${inBaseSql(input)}${keyRangeSql('o.opportunity_id', input.keyRange)}
  )`;
}

/** The columns of \`base\` the funnel's figures read (materializeBaseSql keeps these and the \`by\` dimension). */
const BASE_FIGURE_COLUMNS = [
  'opportunity_id', 'stage', 'status', 'created_at', 'closed_at', 'amount', 'expected_amount', 'lost_reason',
  'stage_entered_at', 'current_pos', 'has_history', 'visited', 'max_pos',
] as const;
/** The names the stagnation list shows. */
const LISTED_NAMES = ['customer_name', 'owner', 'team', 'region', 'source'] as const;

function isFiltered(params: ResolvedParams): boolean {
  return Object.values(params.filters).some((v) => v?.length);
}

/**
 * Whether a base materialized for \`input\` keeps the names of LISTED_NAMES. Writing them is most of
 * the table's cost when it holds every opportunity (1M: 1.5-2.0 s with every column, 0.9-1.1 s
 * without), while looking up the names of the listed deals scans every opportunity id (1M:
 * ~20 ms): so an unfiltered base leaves them out and a filtered one, a few opportunities, keeps them.
 */
function baseKeepsNames(input: FunnelQueryInput): boolean {
  return isFiltered(input.params);
}

/**
 * The per-opportunity base as a temp table, so the half-dozen queries of one compute read it
 * instead of each rebuilding it from the events (opportunityBaseCte then reads \`table\`). Only
 * the columns the figures read, the one dimension they group by and, when filtered, the names
 * the stagnation list shows (see baseKeepsNames).
 */
export function materializeBaseSql(input: FunnelQueryInput, table: string): string {
  const columns = new Set<string>([...BASE_FIGURE_COLUMNS, ...(input.params.by ? [input.params.by] : []), ...(baseKeepsNames(input) ? LISTED_NAMES : [])]);
  return `CREATE TEMP TABLE ${table} AS WITH ${baseCtes({ ...input, baseTable: undefined })} SELECT ${[...columns].join(', ')} FROM base`;
}

/** Per stage (and per group of `group`): reached, advanced, lost, still open, won. */
/** Whether opportunity `c` reached the stage at `position` (an SQL expression). */
function reachedSql(input: FunnelQueryInput, position: string): string {
  return input.skippedStagesCountAsReached
    ? `c.max_pos >= ${position}`
    : `(CASE WHEN c.has_history THEN ((c.visited >> ${position}) & 1) = 1 OR c.max_pos = ${position} ELSE c.max_pos >= ${position} END)`;
}

export function stageCountsSql(input: FunnelQueryInput, group: Dimension | null): string {
  const reachedRule = reachedSql(input, 'st.position');
  return `WITH ${opportunityBaseCte(input)},
  marked AS (
    SELECT st.position, st.stage, ${group ? `c.${group}` : 'NULL'} AS grp, c.max_pos, c.status, ${reachedRule} AS reached
    FROM st CROSS JOIN cohort c
    WHERE c.max_pos > 0
  )
  SELECT position, stage, grp,
         count(*) FILTER (reached)::BIGINT AS reached,
         count(*) FILTER (reached AND max_pos > position)::BIGINT AS advanced,
         count(*) FILTER (reached AND max_pos = position AND status IN ('lost', 'invalid'))::BIGINT AS lost,
         count(*) FILTER (reached AND max_pos = position AND status = 'invalid')::BIGINT AS invalid,
         count(*) FILTER (reached AND max_pos = position AND status = 'open')::BIGINT AS still_open,
         count(*) FILTER (reached AND max_pos = position AND status = 'won')::BIGINT AS won
  FROM marked
  GROUP BY position, stage, grp
  ORDER BY grp NULLS FIRST, position`;
}

/** Cohort size, how much of it has stage history, and what has no known stage. */
export function cohortSummarySql(input: FunnelQueryInput): string {
  return `WITH ${opportunityBaseCte(input)}
  SELECT count(*)::BIGINT AS opportunities,
         count(*) FILTER (has_history)::BIGINT AS with_history,
         count(*) FILTER (max_pos = 0)::BIGINT AS unknown_stage,
         count(*) FILTER (created_at IS NULL)::BIGINT AS undated
  FROM cohort`;
}

/**
 * Outcomes of opportunities closed in the period (win rate, cycle, won amounts) and the open
 * pipeline as of now; one row, or one per group of `group`.
 */
export function outcomesSql(input: FunnelQueryInput, group: Dimension | null): string {
  const { params } = input;
  const wonInPeriod = `status = 'won' AND ${inPeriodSql('closed_at', params)}`;
  return `WITH ${opportunityBaseCte(input)},
  b AS (
    SELECT ${group ? group : 'NULL'} AS grp, status, amount,
           status IN ('won', 'lost') AND ${inPeriodSql('closed_at', params)} AS closed_in_period,
           ${wonInPeriod} AS won_in_period,
           CASE WHEN status = 'won' THEN date_diff('day', created_at::DATE, closed_at::DATE) END AS cycle_days
    FROM base
  )
  SELECT grp,
         count(*) FILTER (closed_in_period)::BIGINT AS closed,
         count(*) FILTER (won_in_period)::BIGINT AS won,
         coalesce(sum(amount) FILTER (won_in_period), 0) AS won_amount,
         avg(amount) FILTER (won_in_period) AS avg_won_amount,
         avg(cycle_days) FILTER (won_in_period) AS cycle_days_mean,
         median(cycle_days) FILTER (won_in_period) AS cycle_days_median,
         count(cycle_days) FILTER (won_in_period)::BIGINT AS cycle_sample,
         count(*) FILTER (status = 'open')::BIGINT AS open_now
  FROM b GROUP BY grp ORDER BY grp NULLS FIRST`;
}

/** Open opportunities with their current stage and expected amount, for the weighted pipeline. */
export function openPipelineSql(input: FunnelQueryInput): string {
  return `WITH ${opportunityBaseCte(input)}
  SELECT current_pos AS position, count(*)::BIGINT AS open, count(expected_amount)::BIGINT AS with_amount, coalesce(sum(expected_amount), 0) AS expected_amount
  FROM base WHERE status = 'open' AND current_pos IS NOT NULL
  GROUP BY current_pos ORDER BY current_pos`;
}

/**
 * \`threshold\` and \`stuck\`: open opportunities sitting in their stage longer than its threshold,
 * as of the as-of date (the longest \`limit\` of them, if given), with their names unless \`base\`
 * does not keep them (namesLookedUp).
 */
function stuckCtes(input: FunnelQueryInput, thresholds: string[], limit?: number): string {
  const names = namesLookedUp(input) ? '' : LISTED_NAMES.map((n) => `b.${n}, `).join('');
  return `threshold(stage, days) AS (VALUES ${thresholds.join(', ')}),
  stuck AS (
    SELECT b.opportunity_id, ${names}b.stage, b.stage_entered_at,
           date_diff('day', b.stage_entered_at::DATE, ${dateLiteral(input.params.as_of)})::INTEGER AS dwell_days,
           t.days AS threshold_days, b.expected_amount
    FROM base b JOIN threshold t ON t.stage = b.stage
    WHERE b.status = 'open' AND b.stage_entered_at IS NOT NULL
      AND date_diff('day', b.stage_entered_at::DATE, ${dateLiteral(input.params.as_of)}) > t.days
    ${limit !== undefined ? `ORDER BY dwell_days DESC, b.opportunity_id LIMIT ${limit}` : ''}
  )`;
}

function stagnationThresholds(input: FunnelQueryInput): string[] {
  return input.stages.stages.filter((s) => s.stagnation_days !== null).map((s) => `(${sqlString(s.stage)}, ${s.stagnation_days})`);
}

/** Whether \`base\` is a materialized table without the names, so the stagnation list looks them up. */
function namesLookedUp(input: FunnelQueryInput): boolean {
  return input.baseTable !== undefined && !baseKeepsNames(input);
}

/** Stagnation reads only when each deal entered its current stage: a base it builds skips the visited stages. */
function stagnationInput(input: FunnelQueryInput): FunnelQueryInput {
  return input.baseTable ? input : { ...input, history: 'entry' };
}

/** Open opportunities sitting in their stage longer than its threshold, as of the as-of date, longest first. */
export function stagnationSql(input: FunnelQueryInput, limit?: number): string {
  const thresholds = stagnationThresholds(input);
  if (thresholds.length === 0) return `SELECT NULL::VARCHAR AS opportunity_id, NULL::VARCHAR AS stage WHERE false`;
  const lookUp = namesLookedUp(input);
  const names = LISTED_NAMES.map((n) => `${lookUp ? 'o' : 's'}.${n}`).join(', ');
  return `WITH ${opportunityBaseCte(stagnationInput(input))},
  ${stuckCtes(input, thresholds, limit)}
  SELECT s.opportunity_id, ${names}, s.stage,
         strftime(s.stage_entered_at, '%Y-%m-%d') AS stage_entered_at,
         s.dwell_days, s.threshold_days, s.expected_amount
  FROM stuck s${lookUp ? ' JOIN opportunities o ON o.opportunity_id = s.opportunity_id' : ''}
  ORDER BY s.dwell_days DESC, s.opportunity_id`;
}

/** How many open deals stagnate, per stage (stagnationSql's rows, counted). */
export function stagnationCountsSql(input: FunnelQueryInput): string {
  const thresholds = stagnationThresholds(input);
  if (thresholds.length === 0) return `SELECT NULL::VARCHAR AS stage, 0::BIGINT AS n WHERE false`;
  return `WITH ${opportunityBaseCte(stagnationInput(input))},
  ${stuckCtes(input, thresholds)}
  SELECT stage, count(*)::BIGINT AS n FROM stuck GROUP BY stage`;
}

/** Lost reasons recorded on opportunities of the cohort that were lost, by the stage they were lost at. */
export function lostReasonsSql(input: FunnelQueryInput): string {
  return `WITH ${opportunityBaseCte(input)}
  SELECT st.stage AS lost_at_stage, coalesce(c.lost_reason, '(none recorded)') AS reason,
         count(*)::BIGINT AS opportunities, count(*) FILTER (c.status = 'invalid')::BIGINT AS invalid
  FROM cohort c LEFT JOIN st ON st.position = c.max_pos
  WHERE c.status IN ('lost', 'invalid')
  GROUP BY ALL
  ORDER BY opportunities DESC, lost_at_stage, reason`;
}

export type FunnelDrillTarget = 'reached' | 'advanced' | 'lost' | 'still_open' | 'won' | 'stagnating' | 'open';

/** The opportunities behind one funnel figure. */
export function drillSql(input: FunnelQueryInput, target: FunnelDrillTarget, keys: Record<string, string>, limit: number): string {
  if (target === 'stagnating') {
    const stage = keys.stage ? `WHERE stage = ${sqlString(keys.stage)}` : '';
    return `SELECT * FROM (${stagnationSql(input)}) ${stage} LIMIT ${limit}`;
  }
  const position = keys.stage ? input.stages.stages.find((s) => s.stage === keys.stage)?.position : undefined;
  if (keys.stage && position === undefined) throw new Error(`unknown stage "${keys.stage}" for stage set ${input.stages.stage_set}`);
  const s = position ?? 1;
  const groupFilter = input.params.by && keys.group !== undefined ? `AND c.${input.params.by} = ${sqlString(keys.group)}` : '';
  const reached = reachedSql(input, String(s));
  const condition: Record<Exclude<FunnelDrillTarget, 'stagnating'>, string> = {
    reached,
    advanced: `${reached} AND c.max_pos > ${s}`,
    lost: `${reached} AND c.max_pos = ${s} AND c.status IN ('lost', 'invalid')`,
    still_open: `${reached} AND c.max_pos = ${s} AND c.status = 'open'`,
    won: `c.status = 'won'`,
    open: `c.status = 'open'`,
  };
  return `WITH ${opportunityBaseCte(input)}
  SELECT c.opportunity_id, c.customer_name, c.owner, c.team, c.region, c.source, c.product, c.stage, c.status,
         strftime(c.created_at, '%Y-%m-%d') AS created_at, strftime(c.closed_at, '%Y-%m-%d') AS closed_at,
         c.expected_amount, c.amount, c.lost_reason
  FROM cohort c WHERE ${condition[target]} ${groupFilter}
  ORDER BY c.opportunity_id LIMIT ${limit}`;
}
