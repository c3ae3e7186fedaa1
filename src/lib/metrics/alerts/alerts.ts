/**
 * Risk alerts (预警, spec §8): every rule of the spec's table evaluated as of params.as_of, each
 * alert naming the rows behind it. The JSON shape below is the `salesight metrics alerts --json`
 * output: a public interface.
 *
 * The rules compose the finished families instead of recomputing their logic (see
 * alerts-queries.ts for the SQL and the decisions on dates and definitions):
 *   pipeline.stagnation            funnel stagnation, one alert per stage
 *   pipeline.followup_overdue      work reports' overdue follow-ups at the end of as_of, per rep
 *   pipeline.followup_timeliness   share of plans due in the last 3 months kept on time, per rep,
 *                                  against floors.followup_timeliness_min (spec §6's floor)
 *   channel.win_rate_drop          channels' monthly win rate and findDrops, per source
 *   team.rep_retention             reps employed 12 months ago still employed, per team / company
 *   team.departed_rep_open_deals   (beside the spec, seed 000) open deals owned by a rep who left
 *   team.target_completion         targets' progress of monthly revenue targets, per rep / team
 *   customer.core_repeat_rate_drop customer-value tiers and ABC, half-year on half-year
 *   customer.high_value_dormant    customer-value tier half a year ago vs now, per customer
 *   customer.complaint_rate,
 *   market.*                       listed as not evaluated: their inputs are not in the warehouse
 *
 * Decisions:
 * - Alerts are a state as of as_of; params.from / params.to are not used (each rule's window is
 *   given in its rule row). Filters apply as the composed family applies them; `by` is not used
 *   (an alert already has a subject).
 * - Stagnation is one alert per stage (subject kind `stage`) with the deals as rows, rather than
 *   one per deal: a stage where most deals stall is the finding; the rows name the deals.
 * - Repeat-purchase drop is relative, like the channel drop: the spec writes "5 points" where it
 *   means points (competitor share) and "> 10%" here; the detail gives both figures.
 * - Severity is decided per rule (RULES[…].severity_en, in the rule list).
 * - Every alert's `drill` points at this family's drill-down `rows` (exactly the rows behind it:
 *   its `rows.count`); `related_drill` points at a finished family's drill-down where one lists
 *   the same or supporting rows.
 */
import { randomUUID } from 'node:crypto';
import { queryRows } from '../../warehouse/warehouse.server.ts';
import { revenueBasisFor } from '../targets/targets-queries.ts';
import { MAX_DRILL_ROWS, ratio, type DrillRequest, type MetricContext, type MetricFamily, type ResultTable, type TableColumn, column as col } from '../family.ts';
import type { ResolvedParams } from '../params.ts';
import { loadStageList, NoStagesError, type StageList } from '../stages.ts';
import type { FunnelQueryInput } from '../funnel/funnel-queries.ts';
import { findDrops } from '../channels/channels.ts';
import { monthlyWinRateSql, type MonthlyWinRateRow } from '../channels/channels-queries.ts';
import { materializeScoresSql, windowStart, type CustomerValueQueryInput } from '../customer-value/customer-value-queries.ts';
import { TIERS, type TierId } from '../customer-value/customer-value-definitions.ts';
import type { WorkReportsQueryInput } from '../work-reports/work-reports-queries.ts';
import {
  AREAS,
  CUSTOMER_WINDOW_MONTHS,
  INDUSTRY_DECLINE_MONTHS,
  COMPETITOR_SHARE_RISE_POINTS,
  RETENTION_WINDOW_MONTHS,
  ROW_KEYS_CAP,
  RULE_IDS,
  RULES,
  SEVERITIES,
  TIMELINESS_MIN_PLANS,
  TIMELINESS_WINDOW_MONTHS,
  type Area,
  type RuleDefinition,
  type RuleId,
  type Severity,
} from './alerts-definitions.ts';
import {
  addDays,
  channelPeriod,
  channelRowsSql,
  completionAlertsSql,
  completionRowsSql,
  coreRepeatRowsSql,
  coreRepeatSql,
  departedAlertsSql,
  departedRowsSql,
  dormantSql,
  lastCompletedMonth,
  lastDayOfMonth,
  monthShift,
  monthsBefore,
  overdueAlertsSql,
  overdueInput,
  overdueRowsSql,
  retentionAlertsSql,
  retentionRowsSql,
  stagnationAlertsSql,
  stagnationRowsSql,
  timelinessAlertsSql,
  timelinessRowsSql,
  warehouseFactsSql,
  type CompletionInput,
  type CustomerHalves,
  type RetentionInput,
  type TimelinessInput,
} from './alerts-queries.ts';

export { AREAS, RULE_IDS, RULES, SEVERITIES, type Area, type RuleId, type Severity };

export type SubjectKind = 'stage' | 'rep' | 'team' | 'company' | 'source' | 'customer';
export type RowKind = 'opportunity' | 'follow_up_plan' | 'rep' | 'month' | 'customer';

export interface DrillPointer {
  family: string;
  target: string;
  keys: Record<string, string>;
}

export interface Alert {
  /** `<rule>:<subject kind>:<subject key>`, stable across runs for the same finding */
  id: string;
  area: Area;
  rule: RuleId;
  severity: Severity;
  title_zh: string;
  title_en: string;
  /** with the figures behind the alert */
  detail_zh: string;
  detail_en: string;
  subject: { kind: SubjectKind; key: string; label: string };
  /** the figures of the detail text, machine-readable (rates 0–1, money in 元, dates as strings) */
  figures: Record<string, number | string | null>;
  rows: {
    kind: RowKind;
    /** opportunity_id, stage_events.event_id (the record that made the plan), rep, 'YYYY-MM', customer_id */
    keys: string[];
    /** how many rows there are; keys lists the first ROW_KEYS_CAP */
    count: number;
    truncated: boolean;
  };
  /** this family's drill-down listing exactly those rows */
  drill: DrillPointer;
  /** a finished family's drill-down with the same or supporting rows, when there is one */
  related_drill: DrillPointer | null;
}

/** A rule's definition (id, spec wording, titles, severity rule) and what this run made of it. */
export interface RuleStatus extends Pick<RuleDefinition, 'id' | 'area' | 'in_spec' | 'spec_rule' | 'spec_ref' | 'title_en' | 'title_zh' | 'severity_en' | 'severity_zh'> {
  evaluated: boolean;
  reason_if_not: string | null;
  /** the main threshold as a number (fraction, days, months), null when it varies (per stage) or none */
  threshold: number | null;
  threshold_en: string;
  threshold_zh: string;
  /** the dates the rule looked at, e.g. '2026-08-01..2026-10-31' */
  window: string | null;
  alerts: number;
}

export interface AlertsResult {
  family: 'alerts';
  params: ResolvedParams;
  as_of: string;
  period_applies_to: string;
  /** high first, then by area and rule in the spec's order */
  alerts: Alert[];
  /** every rule of spec §8 (and the ones beside it), evaluated or not and why */
  rules: RuleStatus[];
  counts: {
    total: number;
    by_area: Record<Area, number>;
    by_severity: Record<Severity, number>;
    rules_evaluated: number;
    rules_not_evaluated: number;
  };
  notes: string[];
}

// ---------------------------------------------------------------------------------------------
// Formatting

const pct = (x: number | null) => (x === null ? '—' : `${(Math.round(x * 1000) / 10).toFixed(1)}%`);
const YUAN = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });
const yuan = (x: number | null) => (x === null ? '—' : `¥${YUAN.format(x)}`);
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const span = (from: string, to: string) => (from === to ? from : `${from}..${to}`);
const tierZh = (t: string) => TIERS[t as TierId]?.name_zh ?? t;
const tierEn = (t: string) => TIERS[t as TierId]?.name_en ?? t;

// ---------------------------------------------------------------------------------------------
// Evaluation environment: what several rules share, computed once per compute or drill.

interface Facts {
  opportunities: number;
  opportunities_with_source: number;
  planned_followups: number;
  reps: number;
  reps_with_dates: number;
  orders: number;
  orders_with_customer: number;
  first_customer_order: string | null;
}

interface Env {
  ctx: MetricContext;
  facts: Facts;
  /** null when the warehouse has no stage list (orders-only data) */
  stages: StageList | null;
  notes: string[];
  /** customer-value scores as of as_of − 12, − 6 months and as_of: materialised once, on first use */
  customers(): Promise<CustomerHalves>;
}

async function createEnv(ctx: MetricContext): Promise<{ env: Env; cleanup: () => Promise<void> }> {
  const [facts] = await queryRows<Facts>(ctx.connection, warehouseFactsSql());
  let stages: StageList | null = null;
  try {
    const list = await loadStageList(ctx.connection, ctx.config);
    stages = list.stages.length ? list : null;
  } catch (err) {
    if (!(err instanceof NoStagesError)) throw err;
  }
  const tables: string[] = [];
  let halves: CustomerHalves | null = null;
  const env: Env = {
    ctx,
    facts: facts!,
    stages,
    notes: [],
    async customers() {
      if (halves) return halves;
      const asOf = ctx.params.as_of;
      const days: [string, string, string] = [monthsBefore(asOf, 2 * CUSTOMER_WINDOW_MONTHS), monthsBefore(asOf, CUSTOMER_WINDOW_MONTHS), asOf];
      const id = randomUUID().replaceAll('-', '');
      for (const [i, day] of days.entries()) {
        const table = `alerts_cv_${id}_${i}`;
        const input: CustomerValueQueryInput = {
          params: { ...ctx.params, as_of: day, by: null },
          rfm: ctx.config.rfm,
          abc: ctx.config.abc,
          crossSell: ctx.config.customer_value.cross_sell,
        };
        await ctx.connection.run(materializeScoresSql(input, table));
        tables.push(table);
      }
      halves = { tables: tables as [string, string, string], days, filters: ctx.params.filters };
      return halves;
    },
  };
  const cleanup = async () => {
    for (const t of tables) await ctx.connection.run(`DROP TABLE IF EXISTS ${t}`);
  };
  return { env, cleanup };
}

interface RuleOutcome {
  evaluated: boolean;
  reason_if_not: string | null;
  threshold: number | null;
  threshold_en: string;
  threshold_zh: string;
  window: string | null;
  alerts: Alert[];
  /** the rows behind one of `alerts` (the drill-down) */
  rows?: (alert: Alert, limit: number) => Promise<object[]>;
}

type Evaluator = (env: Env) => Promise<RuleOutcome>;

function makeAlert(
  rule: RuleId,
  severity: Severity,
  subject: Alert['subject'],
  text: Pick<Alert, 'title_zh' | 'title_en' | 'detail_zh' | 'detail_en'>,
  figures: Alert['figures'],
  rows: { kind: RowKind; keys: string[]; count: number },
  related: DrillPointer | null,
): Alert {
  const id = `${rule}:${subject.kind}:${subject.key}`;
  return {
    id,
    area: RULES[rule].area,
    rule,
    severity,
    ...text,
    subject,
    figures,
    rows: { ...rows, truncated: rows.count > rows.keys.length },
    drill: { family: 'alerts', target: 'rows', keys: { alert: id } },
    related_drill: related,
  };
}

function notEvaluated(reason: string, threshold: number | null, threshold_en: string, threshold_zh: string): RuleOutcome {
  return { evaluated: false, reason_if_not: reason, threshold, threshold_en, threshold_zh, window: null, alerts: [] };
}

/** Floating-point slack: 10% missed is exactly twice the 5% a 95% floor allows, not a hair under. */
const EPS = 1e-9;

/** Severity from a shortfall measured in units of what the rule allows. */
function byMultiple(value: number, allowed: number, high: number, medium: number | null): Severity {
  if (allowed <= 0 || value >= high * allowed - EPS) return 'high';
  if (medium === null) return 'medium';
  return value >= medium * allowed - EPS ? 'medium' : 'low';
}

// ---------------------------------------------------------------------------------------------
// pipeline

function funnelInput(env: Env): FunnelQueryInput {
  return { params: env.ctx.params, stages: env.stages!, skippedStagesCountAsReached: env.ctx.config.skipped_stages_count_as_reached };
}

const stagnation: Evaluator = async (env) => {
  const thresholdsEn = 'open deal in its current stage longer than the stage’s stagnation threshold';
  const thresholdsZh = '在途商机在当前阶段停留超过该阶段的停滞阈值';
  if (!env.stages || env.facts.opportunities === 0) return notEvaluated('No opportunities (or no stage list) in the warehouse.', null, thresholdsEn, thresholdsZh);
  const withThreshold = env.stages.stages.filter((s) => s.stagnation_days !== null);
  if (withThreshold.length === 0) return notEvaluated('No stage of the stage list has a stagnation threshold.', null, thresholdsEn, thresholdsZh);
  const days = [...new Set(withThreshold.map((s) => s.stagnation_days!))];
  const list = withThreshold.map((s) => `${s.stage} ${s.stagnation_days}`).join(', ');
  const input = funnelInput(env);
  const asOf = env.ctx.params.as_of;
  const rows = await queryRows<{
    stage: string; threshold_days: number; stagnating: number; open_in_stage: number; longest_dwell_days: number;
    expected_amount: number; row_keys: string[]; longest_owner: string | null;
  }>(env.ctx.connection, stagnationAlertsSql(input, ROW_KEYS_CAP));
  const alerts = rows.map((r) => {
    const stage = env.stages!.stages.find((s) => s.stage === r.stage)!;
    const share = ratio(r.stagnating, r.open_in_stage) ?? 1;
    const severity: Severity = share >= 0.5 ? 'high' : share >= 0.2 ? 'medium' : 'low';
    const longest = r.row_keys[0]!;
    const owner = r.longest_owner ?? '—';
    return makeAlert(
      'pipeline.stagnation',
      severity,
      { kind: 'stage', key: r.stage, label: stage.name_zh === stage.name_en ? stage.name_zh : `${stage.name_zh} ${stage.name_en}` },
      {
        title_zh: `「${stage.name_zh}」阶段 ${r.stagnating} 个商机停滞超过 ${r.threshold_days} 天`,
        title_en: `${plural(r.stagnating, 'deal')} stuck in ${stage.name_en} for over ${r.threshold_days} days`,
        detail_zh: `截至 ${asOf}，「${stage.name_zh}」阶段 ${r.open_in_stage} 个在途商机中有 ${r.stagnating} 个（${pct(share)}）停留超过 ${r.threshold_days} 天，预计金额合计 ${yuan(r.expected_amount)}；停留最久的是 ${longest}（${r.longest_dwell_days} 天，负责人 ${owner}）。`,
        detail_en: `As of ${asOf}, ${r.stagnating} of the ${r.open_in_stage} open deals in ${stage.name_en} (${pct(share)}) have sat there for over ${r.threshold_days} days, ${yuan(r.expected_amount)} expected in all; the longest is ${longest} (${r.longest_dwell_days} days, owner ${owner}).`,
      },
      { stagnating: r.stagnating, open_in_stage: r.open_in_stage, share, threshold_days: r.threshold_days, longest_dwell_days: r.longest_dwell_days, expected_amount: r.expected_amount },
      { kind: 'opportunity', keys: r.row_keys, count: r.stagnating },
      { family: 'funnel', target: 'stagnating', keys: { stage: r.stage } },
    );
  });
  return {
    evaluated: true,
    reason_if_not: null,
    threshold: days.length === 1 ? days[0]! : null,
    threshold_en: `${thresholdsEn} (days: ${list})`,
    threshold_zh: `${thresholdsZh}（天：${list}）`,
    window: asOf,
    alerts,
    rows: (a, limit) => queryRows(env.ctx.connection, stagnationRowsSql(input, a.subject.key, limit)),
  };
};

function workReportsBase(env: Env): Omit<WorkReportsQueryInput, 'params'> {
  return {
    weekStart: env.ctx.config.fiscal.week_start,
    stageOrder: env.stages ? { stage_set: env.stages.stage_set, stages: env.stages.stages.map((s) => ({ stage: s.stage, position: s.position })) } : null,
  };
}

const followupOverdue: Evaluator = async (env) => {
  const th_en = 'planned follow-up date passed at the end of as_of with no follow-up record since (open deals)';
  const th_zh = '截至当日结束，计划跟进日期已过且此后无跟进记录（在途商机）';
  if (env.facts.planned_followups === 0) return notEvaluated('No follow-up record carries a planned next follow-up date (stage_events.next_followup_at).', null, th_en, th_zh);
  const { params } = env.ctx;
  const input = overdueInput(params, workReportsBase(env));
  const rows = await queryRows<{ rep: string; rep_left_at: string | null; overdue: number; open_deals_owned: number; oldest_due: string; oldest_days_overdue: number; row_keys: string[] }>(
    env.ctx.connection,
    overdueAlertsSql(input, ROW_KEYS_CAP),
  );
  const alerts = rows.map((r) => {
    // The plan is credited to whoever made it, the deal to its owner: after a handover the two can
    // differ, so the share is capped at 1 (it only sets the severity).
    const share = r.overdue / Math.max(r.open_deals_owned, r.overdue);
    const severity: Severity = share >= 0.5 ? 'high' : share >= 0.2 ? 'medium' : 'low';
    const first = r.row_keys[0]!;
    const leftZh = r.rep_left_at ? `${r.rep} 已于 ${r.rep_left_at} 离职，这些商机需要重新分配。` : '';
    const leftEn = r.rep_left_at ? ` ${r.rep} left on ${r.rep_left_at}: these deals need a new owner.` : '';
    return makeAlert(
      'pipeline.followup_overdue',
      severity,
      { kind: 'rep', key: r.rep, label: r.rep },
      {
        title_zh: `${r.rep}：${r.overdue} 个在途商机逾期未跟进`,
        title_en: `${r.rep}: ${plural(r.overdue, 'open deal')} past the planned follow-up date`,
        detail_zh: `截至 ${params.as_of}，${r.rep} 最近一次跟进时计划的下次跟进日期已过、此后再无跟进记录的在途商机有 ${r.overdue} 个（其名下在途商机 ${r.open_deals_owned} 个）；最早一项 ${first} 应于 ${r.oldest_due} 跟进，已逾期 ${r.oldest_days_overdue} 天。${leftZh}`,
        detail_en: `As of ${params.as_of}, ${plural(r.overdue, 'open deal')} (of ${r.open_deals_owned} owned) whose latest record, by ${r.rep}, planned a follow-up that has passed with no record since; the oldest, ${first}, was due on ${r.oldest_due}, ${plural(r.oldest_days_overdue, 'day')} ago.${leftEn}`,
      },
      { overdue: r.overdue, open_deals_owned: r.open_deals_owned, share_of_open_deals: share, oldest_due: r.oldest_due, oldest_days_overdue: r.oldest_days_overdue, rep_left_at: r.rep_left_at },
      { kind: 'opportunity', keys: r.row_keys, count: r.overdue },
      { family: 'work-reports', target: 'overdue_followups', keys: { rep: r.rep, granularity: 'month', period_start: `${params.as_of.slice(0, 7)}-01` } },
    );
  });
  return {
    evaluated: true,
    reason_if_not: null,
    threshold: 0,
    threshold_en: th_en,
    threshold_zh: th_zh,
    window: params.as_of,
    alerts,
    rows: (a, limit) => queryRows(env.ctx.connection, overdueRowsSql(input, a.subject.key, limit)),
  };
};

const followupTimeliness: Evaluator = async (env) => {
  const floor = env.ctx.config.floors.followup_timeliness_min;
  const th_en = `share of planned follow-ups kept by their planned day < ${pct(floor)} (floors.followup_timeliness_min), reps with ≥ ${TIMELINESS_MIN_PLANS} plans due in the last ${TIMELINESS_WINDOW_MONTHS} months`;
  const th_zh = `按计划日期完成的跟进占比 < ${pct(floor)}（floors.followup_timeliness_min），近${TIMELINESS_WINDOW_MONTHS}个月到期计划 ≥ ${TIMELINESS_MIN_PLANS} 次的销售`;
  if (env.facts.planned_followups === 0) return notEvaluated('No follow-up record carries a planned next follow-up date (stage_events.next_followup_at).', floor, th_en, th_zh);
  const { params } = env.ctx;
  const input: TimelinessInput = { params, window_from: addDays(monthsBefore(params.as_of, TIMELINESS_WINDOW_MONTHS), 1) };
  const rows = await queryRows<{ rep: string; due: number; missed: number; timeliness: number; row_keys: string[] }>(
    env.ctx.connection,
    timelinessAlertsSql(input, TIMELINESS_MIN_PLANS, ROW_KEYS_CAP),
  );
  const win = span(input.window_from, params.as_of);
  const alerts = rows
    .filter((r) => r.timeliness < floor)
    .map((r) => {
      const missedShare = r.missed / r.due;
      return makeAlert(
        'pipeline.followup_timeliness',
        byMultiple(missedShare, 1 - floor, 3, 2),
        { kind: 'rep', key: r.rep, label: r.rep },
        {
          title_zh: `${r.rep}：跟进及时率 ${pct(r.timeliness)}，低于 ${pct(floor)}`,
          title_en: `${r.rep}: follow-up timeliness ${pct(r.timeliness)}, below the ${pct(floor)} floor`,
          detail_zh: `${input.window_from} 至 ${params.as_of} 到期的计划跟进共 ${r.due} 次，其中 ${r.missed} 次未在计划日期当天结束前跟进，及时率 ${pct(r.timeliness)}（底线 ${pct(floor)}）。`,
          detail_en: `Of ${plural(r.due, 'planned follow-up')} due ${input.window_from}..${params.as_of}, ${r.missed} ${r.missed === 1 ? 'was' : 'were'} not done by the end of the planned day: timeliness ${pct(r.timeliness)} (floor ${pct(floor)}).`,
        },
        { due: r.due, missed: r.missed, timeliness: r.timeliness, floor },
        { kind: 'follow_up_plan', keys: r.row_keys, count: r.missed },
        null,
      );
    });
  return {
    evaluated: true,
    reason_if_not: null,
    threshold: floor,
    threshold_en: th_en,
    threshold_zh: th_zh,
    window: win,
    alerts,
    rows: (a, limit) => queryRows(env.ctx.connection, timelinessRowsSql(input, a.subject.key, limit)),
  };
};

// ---------------------------------------------------------------------------------------------
// channel

const channelDrop: Evaluator = async (env) => {
  const { config, params } = env.ctx;
  const threshold = config.alerts.channel_conversion_drop;
  const window = config.channels.drop_window_months;
  const minClosed = config.channels.min_closed_for_alert;
  const unit = window === 1 ? 'month' : `${window} months`;
  const th_en = `win rate of deals closed down by more than ${pct(threshold)} relative to the previous ${unit} (alerts.channel_conversion_drop), ≥ ${minClosed} deals closed in each window`;
  const th_zh = `结单赢率较上一${window === 1 ? '个月' : `${window}个月`}相对下降超过 ${pct(threshold)}（alerts.channel_conversion_drop），每期结单 ≥ ${minClosed} 个`;
  if (!env.stages || env.facts.opportunities === 0) return notEvaluated('No opportunities in the warehouse.', threshold, th_en, th_zh);
  if (env.facts.opportunities_with_source === 0) return notEvaluated('No opportunity records its lead source (线索来源).', threshold, th_en, th_zh);
  const period = channelPeriod(params, window);
  const stageSet = env.stages.stage_set;
  const monthly = await queryRows<MonthlyWinRateRow>(env.ctx.connection, monthlyWinRateSql(period, stageSet));
  const drops = findDrops(monthly, params.as_of, threshold, window, minClosed);
  const partial = lastDayOfMonth(params.as_of.slice(0, 7)) !== params.as_of;
  const alerts: Alert[] = [];
  for (const d of drops) {
    const keys = await queryRows<{ opportunity_id: string }>(env.ctx.connection, channelRowsSql(period, stageSet, d.source, d.current_window.from, ROW_KEYS_CAP));
    const cur = d.current_window;
    const prev = d.previous_window;
    const curLabel = span(cur.from, cur.to);
    const prevLabel = span(prev.from, prev.to);
    alerts.push(
      makeAlert(
        'channel.win_rate_drop',
        byMultiple(d.relative_drop, threshold, 2, null),
        { kind: 'source', key: d.source, label: d.source },
        {
          title_zh: `「${d.source}」赢率环比下降 ${pct(d.relative_drop)}（${pct(prev.win_rate)} → ${pct(cur.win_rate)}）`,
          title_en: `${d.source}: win rate down ${pct(d.relative_drop)} on the previous ${unit} (${pct(prev.win_rate)} → ${pct(cur.win_rate)})`,
          detail_zh: `「${d.source}」来源 ${curLabel}${partial ? `（截至 ${params.as_of}）` : ''} 结单 ${cur.closed} 个，赢率 ${pct(cur.win_rate)}；上期 ${prevLabel} 结单 ${prev.closed} 个，赢率 ${pct(prev.win_rate)}；相对下降 ${pct(d.relative_drop)}（阈值 ${pct(threshold)}）。`,
          detail_en: `Deals from ${d.source} closed in ${curLabel}${partial ? ` (to ${params.as_of})` : ''}: ${cur.closed}, win rate ${pct(cur.win_rate)}; in ${prevLabel}: ${prev.closed}, win rate ${pct(prev.win_rate)}; a relative drop of ${pct(d.relative_drop)} (threshold ${pct(threshold)}).`,
        },
        {
          relative_drop: d.relative_drop,
          previous_win_rate: prev.win_rate,
          current_win_rate: cur.win_rate,
          previous_closed: prev.closed,
          current_closed: cur.closed,
          previous_window: prevLabel,
          current_window: curLabel,
        },
        { kind: 'opportunity', keys: keys.map((k) => k.opportunity_id), count: prev.closed + cur.closed },
        null,
      ),
    );
  }
  return {
    evaluated: true,
    reason_if_not: null,
    threshold,
    threshold_en: th_en,
    threshold_zh: th_zh,
    window: span(period.from, period.to),
    alerts,
    rows: async (a, limit) => {
      const drop = drops.find((d) => d.source === a.subject.key)!;
      return queryRows(env.ctx.connection, channelRowsSql(period, stageSet, drop.source, drop.current_window.from, limit));
    },
  };
};

// ---------------------------------------------------------------------------------------------
// team

function repDatesMissing(env: Env): string | null {
  if (env.facts.reps === 0) return 'No reps export loaded (销售人员: owner, team, hired_at, left_at).';
  if (env.facts.reps_with_dates === 0) return 'The reps export has no hire or leaving dates (入职日期 / 离职日期).';
  return null;
}

const retention: Evaluator = async (env) => {
  const { config, params } = env.ctx;
  const minimum = config.alerts.rep_retention_min;
  const start = monthsBefore(params.as_of, RETENTION_WINDOW_MONTHS);
  const th_en = `reps employed on ${start} still employed on ${params.as_of} < ${pct(minimum)} (alerts.rep_retention_min)`;
  const th_zh = `${start} 在职的销售截至 ${params.as_of} 仍在职的比例 < ${pct(minimum)}（alerts.rep_retention_min）`;
  const missing = repDatesMissing(env);
  if (missing) return notEvaluated(missing, minimum, th_en, th_zh);
  const input: RetentionInput = { params, start };
  const rows = await queryRows<{ kind: 'company' | 'team'; key: string; at_start: number; retained: number; row_keys: string[]; leavers: { owner: string; left_at: string }[] }>(
    env.ctx.connection,
    retentionAlertsSql(input, ROW_KEYS_CAP),
  );
  if (Object.keys(params.filters).length) env.notes.push('Rep retention: with a filter only teams are listed (a company figure would cover the filtered reps only).');
  const alerts = rows
    .filter((r) => r.retained / r.at_start < minimum)
    .map((r) => {
      const rate = r.retained / r.at_start;
      const leavers = r.at_start - r.retained;
      const zhWho = r.kind === 'company' ? '全公司' : r.key;
      const enWho = r.kind === 'company' ? 'Company' : r.key;
      return makeAlert(
        'team.rep_retention',
        byMultiple(1 - rate, 1 - minimum, 2, null),
        { kind: r.kind, key: r.key, label: r.kind === 'company' ? '全公司 company' : r.key },
        {
          title_zh: `${zhWho}：销售留存率 ${pct(rate)}，低于 ${pct(minimum)}`,
          title_en: `${enWho}: rep retention ${pct(rate)}, below ${pct(minimum)}`,
          detail_zh: `${start} 在职的 ${r.at_start} 名销售中，截至 ${params.as_of} 仍在职 ${r.retained} 名（${pct(rate)}）；离职 ${leavers} 名：${r.leavers.map((l) => `${l.owner}（${l.left_at}）`).join('、')}。`,
          detail_en: `Of the ${plural(r.at_start, 'rep')} employed on ${start}, ${r.retained} ${r.retained === 1 ? 'is' : 'are'} still employed on ${params.as_of} (${pct(rate)}); ${leavers} left: ${r.leavers.map((l) => `${l.owner} (${l.left_at})`).join(', ')}.`,
        },
        { employed_at_start: r.at_start, retained: r.retained, retention: rate, minimum },
        { kind: 'rep', keys: r.row_keys, count: leavers },
        null,
      );
    });
  return {
    evaluated: true,
    reason_if_not: null,
    threshold: minimum,
    threshold_en: th_en,
    threshold_zh: th_zh,
    window: span(start, params.as_of),
    alerts,
    rows: (a, limit) => queryRows(env.ctx.connection, retentionRowsSql(input, a.subject.kind, a.subject.key, limit)),
  };
};

const departedOpenDeals: Evaluator = async (env) => {
  const { params } = env.ctx;
  const th_en = 'an open deal whose owner left on or before as_of (reps.left_at)';
  const th_zh = '商机负责人已于截至日或之前离职（reps.left_at）且商机仍在途';
  const missing = repDatesMissing(env);
  if (missing) return notEvaluated(missing, null, th_en, th_zh);
  if (env.facts.opportunities === 0) return notEvaluated('No opportunities in the warehouse.', null, th_en, th_zh);
  const rows = await queryRows<{ rep: string; left_at: string; open_deals: number; customers: number; expected_amount: number; row_keys: string[] }>(
    env.ctx.connection,
    departedAlertsSql(params, ROW_KEYS_CAP),
  );
  const alerts = rows.map((r) =>
    makeAlert(
      'team.departed_rep_open_deals',
      'high',
      { kind: 'rep', key: r.rep, label: r.rep },
      {
        title_zh: `${r.rep} 已离职，名下仍有 ${r.open_deals} 个在途商机`,
        title_en: `${r.rep} left on ${r.left_at} but still owns ${plural(r.open_deals, 'open deal')}`,
        detail_zh: `${r.rep} 于 ${r.left_at} 离职，截至 ${params.as_of} 名下仍有 ${r.open_deals} 个在途商机（${r.customers} 个客户，预计金额 ${yuan(r.expected_amount)}）未移交；请指定接手人，并按客户查看跟进全程。`,
        detail_en: `${r.rep} left on ${r.left_at}; on ${params.as_of} ${plural(r.open_deals, 'open deal')} (${plural(r.customers, 'customer')}, ${yuan(r.expected_amount)} expected) still carry that name. Assign a successor; each customer's timeline shows the history.`,
      },
      { open_deals: r.open_deals, customers: r.customers, expected_amount: r.expected_amount, left_at: r.left_at },
      { kind: 'opportunity', keys: r.row_keys, count: r.open_deals },
      null,
    ),
  );
  return {
    evaluated: true,
    reason_if_not: null,
    threshold: null,
    threshold_en: th_en,
    threshold_zh: th_zh,
    window: params.as_of,
    alerts,
    rows: (a, limit) => queryRows(env.ctx.connection, departedRowsSql(params, a.subject.key, limit)),
  };
};

const targetCompletion: Evaluator = async (env) => {
  const { config, params } = env.ctx;
  const minimum = config.alerts.completion_min;
  const months = config.alerts.completion_months_running;
  const lastMonth = lastCompletedMonth(params.as_of);
  const firstMonth = monthShift(lastMonth, -(months - 1));
  const from = `${firstMonth}-01`;
  const to = lastDayOfMonth(lastMonth);
  const monthsLabel = span(firstMonth, lastMonth);
  const th_en = `monthly revenue target completion < ${pct(minimum)} (alerts.completion_min) in each of the last ${months} completed months (alerts.completion_months_running): ${monthsLabel}`;
  const th_zh = `最近 ${months} 个完整月（alerts.completion_months_running：${monthsLabel}）每月销售额目标完成率均 < ${pct(minimum)}（alerts.completion_min）`;
  const basis = revenueBasisFor(env.facts.orders);
  const input: CompletionInput = { targets: { params: { ...params, from, to, by: null }, basis, coverage_start: null }, from, to };
  const rows = await queryRows<{
    dimension: 'rep' | 'team'; dimension_value: string; months: number; below_all: boolean;
    detail: { month: string; target: number; actual: number | null; progress: number | null }[];
  }>(env.ctx.connection, completionAlertsSql(input, months, minimum));
  if (rows.length === 0) {
    const within = Object.keys(params.filters).length ? ' within the filters' : '';
    return notEvaluated(`No monthly revenue targets per rep or team${within} for ${monthsLabel}.`, minimum, th_en, th_zh);
  }
  if (basis === 'won_opportunities') env.notes.push('Target completion: the warehouse has no orders, so revenue is the amount of won deals by close date (as in the targets family).');
  const alerts = rows
    .filter((r) => r.below_all)
    .map((r) => {
      const latest = r.detail[r.detail.length - 1]!;
      const isRep = r.dimension === 'rep';
      const listZh = r.detail.map((m) => `${m.month} 完成 ${pct(m.progress)}（${yuan(m.actual)} / ${yuan(m.target)}）`).join('；');
      const listEn = r.detail.map((m) => `${m.month} ${pct(m.progress)} (${yuan(m.actual)} of ${yuan(m.target)})`).join('; ');
      return makeAlert(
        'team.target_completion',
        (latest.progress ?? 0) < minimum / 2 ? 'high' : 'medium',
        { kind: isRep ? 'rep' : 'team', key: r.dimension_value, label: r.dimension_value },
        {
          title_zh: `${r.dimension_value}：连续 ${months} 个月销售额目标完成率低于 ${pct(minimum)}`,
          title_en: `${r.dimension_value} (${isRep ? 'rep' : 'team'}): revenue below ${pct(minimum)} of target ${months} months running`,
          detail_zh: `${isRep ? '销售' : '团队'} ${r.dimension_value} 月度销售额目标完成情况：${listZh}（下限 ${pct(minimum)}）。`,
          detail_en: `Monthly revenue against target for ${isRep ? 'rep' : 'team'} ${r.dimension_value}: ${listEn} (minimum ${pct(minimum)}).`,
        },
        {
          months,
          minimum,
          latest_month: latest.month,
          latest_progress: latest.progress,
          latest_actual: latest.actual,
          latest_target: latest.target,
          first_progress: r.detail[0]!.progress,
        },
        { kind: 'month', keys: r.detail.map((m) => m.month), count: r.detail.length },
        {
          family: 'targets',
          target: 'actual',
          keys: { metric: 'revenue', dimension: r.dimension, dimension_value: r.dimension_value, period_start: `${latest.month}-01`, period_end: lastDayOfMonth(latest.month) },
        },
      );
    });
  return {
    evaluated: true,
    reason_if_not: null,
    threshold: minimum,
    threshold_en: th_en,
    threshold_zh: th_zh,
    window: span(from, to),
    alerts,
    rows: (a, limit) => queryRows(env.ctx.connection, completionRowsSql(input, a.subject.kind, a.subject.key, limit)),
  };
};

// ---------------------------------------------------------------------------------------------
// customer

function ordersMissing(env: Env): string | null {
  return env.facts.orders_with_customer === 0 ? 'No orders with a customer id in the warehouse (customer tiers need order history).' : null;
}

const coreRepeatDrop: Evaluator = async (env) => {
  const { config, params } = env.ctx;
  const threshold = config.alerts.core_repeat_rate_drop;
  const th_en = `core customers’ (high-value tier or ABC A at the start of each half-year) repeat-purchase rate down by more than ${pct(threshold)} relative to the previous half-year (alerts.core_repeat_rate_drop)`;
  const th_zh = `核心客户（每个半年开始时为高价值或A类）复购率较上一个半年相对下降超过 ${pct(threshold)}（alerts.core_repeat_rate_drop）`;
  const missing = ordersMissing(env);
  if (missing) return notEvaluated(missing, threshold, th_en, th_zh);
  if (params.filters.source?.length) env.notes.push('Customer rules: customers have no lead source, so a source filter matches no customer (as in customer value).');
  const h = await env.customers();
  const [d0, d1, d2] = h.days;
  const rows = await queryRows<{ half: 'previous' | 'current'; core: number; repeated: number; row_keys: string[] }>(env.ctx.connection, coreRepeatSql(h, ROW_KEYS_CAP));
  const prev = rows.find((r) => r.half === 'previous');
  const cur = rows.find((r) => r.half === 'current');
  const win = span(addDays(d0, 1), d2);
  if (!prev || !cur) {
    return { ...notEvaluated(`No core customers on ${!prev ? d0 : d1}: the order history does not reach back far enough to compare two half-years.`, threshold, th_en, th_zh), window: win };
  }
  const historyFrom = windowStart(d0, config.rfm.window_months);
  if (env.facts.first_customer_order && env.facts.first_customer_order > historyFrom) {
    env.notes.push(`Core repeat purchase: the core customers of ${d0} are scored on orders from ${env.facts.first_customer_order} only (the look-back would start ${historyFrom}).`);
  }
  const prevRate = prev.repeated / prev.core;
  const curRate = cur.repeated / cur.core;
  const drop = prevRate > 0 ? (prevRate - curRate) / prevRate : null;
  const alerts: Alert[] = [];
  if (drop !== null && drop > threshold) {
    const notRepeated = cur.core - cur.repeated;
    const points = (prevRate - curRate) * 100;
    alerts.push(
      makeAlert(
        'customer.core_repeat_rate_drop',
        byMultiple(drop, threshold, 2, null),
        { kind: 'company', key: 'all', label: '全公司 company' },
        {
          title_zh: `核心客户复购率下降 ${pct(drop)}（${pct(prevRate)} → ${pct(curRate)}）`,
          title_en: `Core customers’ repeat-purchase rate down ${pct(drop)} (${pct(prevRate)} → ${pct(curRate)})`,
          detail_zh: `核心客户（半年开始时为高价值客户或A类客户）复购率：上一个半年（${addDays(d0, 1)} 至 ${d1}）${prev.core} 位中 ${prev.repeated} 位再次下单（${pct(prevRate)}）；本半年（${addDays(d1, 1)} 至 ${d2}）${cur.core} 位中 ${cur.repeated} 位（${pct(curRate)}）；相对下降 ${pct(drop)}，即 ${points.toFixed(1)} 个百分点（阈值：相对下降 ${pct(threshold)}）。本半年未再下单的 ${notRepeated} 位核心客户见明细。`,
          detail_en: `Core customers (high-value tier or ABC A when the half-year began) who ordered again: ${prev.repeated} of ${prev.core} in ${addDays(d0, 1)}..${d1} (${pct(prevRate)}), ${cur.repeated} of ${cur.core} in ${addDays(d1, 1)}..${d2} (${pct(curRate)}): down ${pct(drop)} relative, ${points.toFixed(1)} points (threshold: ${pct(threshold)} relative). The rows are the ${notRepeated} core customers who have not ordered this half-year.`,
        },
        {
          relative_drop: drop,
          point_drop: prevRate - curRate,
          previous_rate: prevRate,
          current_rate: curRate,
          previous_core: prev.core,
          previous_repeated: prev.repeated,
          current_core: cur.core,
          current_repeated: cur.repeated,
          previous_half: span(addDays(d0, 1), d1),
          current_half: span(addDays(d1, 1), d2),
        },
        { kind: 'customer', keys: cur.row_keys, count: notRepeated },
        null,
      ),
    );
  }
  return {
    evaluated: true,
    reason_if_not: null,
    threshold,
    threshold_en: th_en,
    threshold_zh: th_zh,
    window: win,
    alerts,
    rows: async (_a, limit) => queryRows(env.ctx.connection, coreRepeatRowsSql(await env.customers(), limit)),
  };
};

const complaintRate: Evaluator = async (env) =>
  notEvaluated(
    'No complaints input in the warehouse (an optional input, spec §1): the complaint rate is not computed, and not faked.',
    env.ctx.config.alerts.complaint_rate_max,
    `complaint rate > ${pct(env.ctx.config.alerts.complaint_rate_max)} (alerts.complaint_rate_max)`,
    `客户投诉率 > ${pct(env.ctx.config.alerts.complaint_rate_max)}（alerts.complaint_rate_max）`,
  );

const highValueDormant: Evaluator = async (env) => {
  const { config, params } = env.ctx;
  const recency = config.rfm.dormant.min_recency_days;
  const then = monthsBefore(params.as_of, CUSTOMER_WINDOW_MONTHS);
  const th_en = `seed 003 tier high-value on ${then} and now dormant or low-value, or without an order for ≥ ${recency} days (rfm.dormant.min_recency_days)`;
  const th_zh = `${then} 为高价值客户（种子003分层），现为休眠或低价值客户，或已 ≥ ${recency} 天未下单（rfm.dormant.min_recency_days）`;
  const missing = ordersMissing(env);
  if (missing) return notEvaluated(missing, recency, th_en, th_zh);
  const h = await env.customers();
  type Row = {
    customer_id: string; customer_name: string | null; owner: string | null; team: string | null; tier_then: string; abc_then: string;
    monetary_then: number; recency_then: number; tier_now: string; abc_now: string; recency_now: number; orders_in_window_now: number; last_order_date: string;
  };
  const rows = await queryRows<Row>(env.ctx.connection, dormantSql(h, recency));
  const window = config.rfm.window_months;
  const alerts = rows.map((r) => {
    const name = r.customer_name ?? r.customer_id;
    const isA = r.abc_then === 'A';
    return makeAlert(
      'customer.high_value_dormant',
      isA ? 'high' : 'medium',
      { kind: 'customer', key: r.customer_id, label: name },
      {
        title_zh: `高价值客户转为休眠：${name}`,
        title_en: `High-value customer gone quiet: ${name}`,
        detail_zh: `${name}（${r.customer_id}）在 ${then} 为高价值客户${isA ? '、A类客户' : ''}，此前${window}个月下单金额 ${yuan(r.monetary_then)}；截至 ${params.as_of} 已 ${r.recency_now} 天未下单（最近下单 ${r.last_order_date}），当前分层：${tierZh(r.tier_now)}。负责人：${r.owner ?? '—'}。`,
        detail_en: `${name} (${r.customer_id}) was a high-value customer${isA ? ' and ABC class A' : ''} on ${then}, ${yuan(r.monetary_then)} ordered in the ${window} months before; on ${params.as_of} it has not ordered for ${r.recency_now} days (last order ${r.last_order_date}); tier now: ${tierEn(r.tier_now)}. Owner: ${r.owner ?? '—'}.`,
      },
      { tier_then: r.tier_then, abc_then: r.abc_then, monetary_then: r.monetary_then, tier_now: r.tier_now, recency_days_now: r.recency_now, last_order_date: r.last_order_date, owner: r.owner },
      { kind: 'customer', keys: [r.customer_id], count: 1 },
      { family: 'customer-timeline', target: 'timeline', keys: { customer: r.customer_id } },
    );
  });
  return {
    evaluated: true,
    reason_if_not: null,
    threshold: recency,
    threshold_en: th_en,
    threshold_zh: th_zh,
    window: span(then, params.as_of),
    alerts,
    rows: async (a, limit) => (await queryRows(env.ctx.connection, dormantSql(await env.customers(), recency, a.subject.key))).slice(0, limit),
  };
};

// ---------------------------------------------------------------------------------------------
// market (optional inputs that do not exist in the warehouse)

const industryGrowth: Evaluator = async () =>
  notEvaluated(
    'No industry growth figures in the warehouse (external market data is an optional input, spec §1): not evaluated.',
    INDUSTRY_DECLINE_MONTHS,
    `industry growth rate down ${INDUSTRY_DECLINE_MONTHS} months running`,
    `行业增长率连续 ${INDUSTRY_DECLINE_MONTHS} 个月下降`,
  );

const competitorShare: Evaluator = async () =>
  notEvaluated(
    'No competitor market-share figures in the warehouse (external market data is an optional input, spec §1): not evaluated.',
    COMPETITOR_SHARE_RISE_POINTS,
    `a competitor’s market share up by more than ${COMPETITOR_SHARE_RISE_POINTS * 100} points`,
    `竞品市场份额上升超过 ${COMPETITOR_SHARE_RISE_POINTS * 100} 个百分点`,
  );

const EVALUATORS: Record<RuleId, Evaluator> = {
  'pipeline.stagnation': stagnation,
  'pipeline.followup_overdue': followupOverdue,
  'pipeline.followup_timeliness': followupTimeliness,
  'channel.win_rate_drop': channelDrop,
  'team.rep_retention': retention,
  'team.departed_rep_open_deals': departedOpenDeals,
  'team.target_completion': targetCompletion,
  'customer.core_repeat_rate_drop': coreRepeatDrop,
  'customer.complaint_rate': complaintRate,
  'customer.high_value_dormant': highValueDormant,
  'market.industry_growth_decline': industryGrowth,
  'market.competitor_share_rise': competitorShare,
};

// ---------------------------------------------------------------------------------------------
// compute

const SEVERITY_ORDER: Record<Severity, number> = { high: 0, medium: 1, low: 2 };

export async function computeAlerts(ctx: MetricContext): Promise<AlertsResult> {
  const { env, cleanup } = await createEnv(ctx);
  const outcomes = new Map<RuleId, RuleOutcome>();
  try {
    for (const id of RULE_IDS) outcomes.set(id, await EVALUATORS[id](env));
  } finally {
    await cleanup();
  }
  const rules: RuleStatus[] = RULE_IDS.map((id) => {
    const d = RULES[id];
    const o = outcomes.get(id)!;
    return {
      id,
      area: d.area,
      in_spec: d.in_spec,
      spec_rule: d.spec_rule,
      spec_ref: d.spec_ref,
      title_en: d.title_en,
      title_zh: d.title_zh,
      evaluated: o.evaluated,
      reason_if_not: o.reason_if_not,
      threshold: o.threshold,
      threshold_en: o.threshold_en,
      threshold_zh: o.threshold_zh,
      window: o.window,
      severity_en: d.severity_en,
      severity_zh: d.severity_zh,
      alerts: o.alerts.length,
    };
  });
  const ruleOrder = new Map(RULE_IDS.map((id, i) => [id, i]));
  // Within a rule the evaluators already order their alerts (by subject, or by value for customers).
  const alerts = RULE_IDS.flatMap((id) => outcomes.get(id)!.alerts)
    .map((a, i) => ({ a, i }))
    .sort((x, y) => SEVERITY_ORDER[x.a.severity] - SEVERITY_ORDER[y.a.severity] || ruleOrder.get(x.a.rule)! - ruleOrder.get(y.a.rule)! || x.i - y.i)
    .map(({ a }) => a);
  const count = <K extends string>(keys: readonly K[], of: (a: Alert) => K) =>
    Object.fromEntries(keys.map((k) => [k, alerts.filter((a) => of(a) === k).length])) as Record<K, number>;
  const notes = [...env.notes];
  if (ctx.params.by) notes.push(`Alerts are not grouped (by ${ctx.params.by} is ignored): each alert has its own subject.`);
  return {
    family: 'alerts',
    params: ctx.params,
    as_of: ctx.params.as_of,
    period_applies_to: 'Every rule is evaluated as of as_of over its own window (the rules list gives it); from and to are not used.',
    alerts,
    rules,
    counts: {
      total: alerts.length,
      by_area: count(AREAS, (a) => a.area),
      by_severity: count(SEVERITIES, (a) => a.severity),
      rules_evaluated: rules.filter((r) => r.evaluated).length,
      rules_not_evaluated: rules.filter((r) => !r.evaluated).length,
    },
    notes,
  };
}

// ---------------------------------------------------------------------------------------------
// tables and drill-down

const SEVERITY_ZH: Record<Severity, string> = { high: '高', medium: '中', low: '低' };

export function alertsTables(r: AlertsResult): ResultTable[] {
  return [
    {
      name: 'Alerts',
      title_en: `Risk alerts as of ${r.as_of}: ${r.counts.total} (${r.counts.by_severity.high} high, ${r.counts.by_severity.medium} medium, ${r.counts.by_severity.low} low)`,
      title_zh: `风险预警（截至 ${r.as_of}）：共 ${r.counts.total} 条（高 ${r.counts.by_severity.high}、中 ${r.counts.by_severity.medium}、低 ${r.counts.by_severity.low}）`,
      columns: [
        col('severity', 'Severity', '级别', 'text'),
        col('area', 'Area', '领域', 'text'),
        col('rule', 'Rule', '规则', 'text'),
        col('subject_kind', 'Subject', '对象类型', 'text'),
        col('subject', 'Who / what', '对象', 'text'),
        col('title_zh', 'Alert (zh)', '预警', 'text'),
        col('title_en', 'Alert', '预警（英文）', 'text'),
        col('detail_zh', 'Detail (zh)', '详情', 'text'),
        col('detail_en', 'Detail', '详情（英文）', 'text'),
        col('row_count', 'Rows behind it', '明细行数', 'integer'),
        col('row_keys', 'Rows (first keys)', '明细（前若干项）', 'text'),
        col('id', 'Alert id (drill: rows alert=…)', '预警编号（明细：rows alert=…）', 'text'),
      ],
      rows: r.alerts.map((a) => ({
        severity: `${a.severity} ${SEVERITY_ZH[a.severity]}`,
        area: a.area,
        rule: a.rule,
        subject_kind: a.subject.kind,
        subject: a.subject.label,
        title_zh: a.title_zh,
        title_en: a.title_en,
        detail_zh: a.detail_zh,
        detail_en: a.detail_en,
        row_count: a.rows.count,
        row_keys: a.rows.keys.slice(0, 10).join(', ') + (a.rows.count > 10 ? ', …' : ''),
        id: a.id,
      })),
    },
    {
      name: 'Rules',
      title_en: 'Alert rules: evaluated or not, and why',
      title_zh: '预警规则：是否评估及原因',
      columns: [
        col('area', 'Area', '领域', 'text'),
        col('id', 'Rule', '规则', 'text'),
        col('title_zh', 'Rule (zh)', '规则说明', 'text'),
        col('title_en', 'Rule (en)', '规则说明（英文）', 'text'),
        col('evaluated', 'Evaluated', '是否评估', 'text'),
        col('reason_if_not', 'Why not', '未评估原因', 'text'),
        col('threshold_zh', 'Threshold (zh)', '阈值', 'text'),
        col('threshold_en', 'Threshold', '阈值（英文）', 'text'),
        col('window', 'Window', '区间', 'text'),
        col('severity_zh', 'Severity rule (zh)', '级别规则', 'text'),
        col('severity_en', 'Severity rule', '级别规则（英文）', 'text'),
        col('alerts', 'Alerts', '预警数', 'integer'),
        col('spec_ref', 'Spec', '依据', 'text'),
      ],
      rows: r.rules.map((x) => ({ ...x, evaluated: x.evaluated ? 'yes 是' : 'no 否' })),
    },
  ];
}

export const ALERTS_DRILL_TARGETS: Record<string, string[]> = {
  /** the rows behind one alert (key alert = its id) */
  rows: ['alert'],
};

/** `<rule>:<kind>:<key>` → its parts (the key may itself contain ':'). */
export function parseAlertId(id: string): { rule: RuleId; kind: string; key: string } {
  const first = id.indexOf(':');
  const second = id.indexOf(':', first + 1);
  const rule = id.slice(0, first) as RuleId;
  if (first < 0 || second < 0 || !(RULE_IDS as readonly string[]).includes(rule)) {
    throw new Error(`"${id}" is not an alert id (expected <rule>:<subject kind>:<key>, e.g. pipeline.stagnation:stage:需求挖掘)`);
  }
  return { rule, kind: id.slice(first + 1, second), key: id.slice(second + 1) };
}

/** Headers of the drill-down columns the rules return (unknown keys fall back to the key). */
const DRILL_HEADERS: Record<string, [string, string, TableColumn['format']]> = {
  opportunity_id: ['Opportunity', '商机编号', 'text'],
  customer_id: ['Customer ID', '客户编号', 'text'],
  customer_name: ['Customer', '客户', 'text'],
  owner: ['Owner', '负责人', 'text'],
  rep: ['Rep', '销售', 'text'],
  team: ['Team', '团队', 'text'],
  region: ['Region', '区域', 'text'],
  source: ['Source', '线索来源', 'text'],
  stage: ['Stage', '阶段', 'text'],
  status: ['Status', '状态', 'text'],
  stage_entered_at: ['In stage since', '进入阶段', 'date'],
  dwell_days: ['Days in stage', '停留天数', 'integer'],
  threshold_days: ['Threshold (days)', '阈值（天）', 'integer'],
  expected_amount: ['Expected amount', '预计金额', 'money'],
  expected_close_date: ['Expected close', '预计成交日期', 'date'],
  last_activity_at: ['Last activity', '最近跟进', 'date'],
  owner_left_at: ['Owner left', '负责人离职日期', 'date'],
  planned_at: ['Plan made at', '计划制定时间', 'text'],
  planned_for: ['Planned follow-up', '计划跟进时间', 'text'],
  next_touch_at: ['Next record', '下次实际跟进', 'text'],
  days_late: ['Days late', '迟到天数', 'integer'],
  days_overdue: ['Days overdue', '逾期天数', 'integer'],
  method: ['Method', '跟进方式', 'text'],
  summary: ['Summary', '跟进内容摘要', 'text'],
  next_action: ['Next action', '下一步行动', 'text'],
  event_id: ['Record', '记录编号', 'text'],
  source_file: ['Source file', '来源文件', 'text'],
  source_line: ['Source line', '来源行', 'integer'],
  window: ['Window', '区间', 'text'],
  month: ['Month', '月份', 'text'],
  closed_at: ['Closed', '结单日期', 'date'],
  amount: ['Amount', '金额', 'money'],
  lost_reason: ['Lost reason', '丢单原因', 'text'],
  hired_at: ['Hired', '入职日期', 'date'],
  left_at: ['Left', '离职日期', 'date'],
  dimension: ['Dimension', '维度', 'text'],
  dimension_value: ['Who', '对象', 'text'],
  period_start: ['From', '开始', 'date'],
  period_end: ['To', '结束', 'date'],
  target: ['Target', '目标', 'money'],
  actual: ['Actual', '实际', 'money'],
  progress: ['Completion', '完成率', 'percent'],
  tier_at_start: ['Tier when the half began', '期初分层', 'text'],
  abc_at_start: ['ABC when the half began', '期初ABC', 'text'],
  monetary_at_start: ['M when the half began', '期初金额M', 'money'],
  last_order_date: ['Last order', '最近下单', 'date'],
  recency_days: ['Days since last order', '未下单天数', 'integer'],
  tier_then: ['Tier then', '当时分层', 'text'],
  abc_then: ['ABC then', '当时ABC', 'text'],
  monetary_then: ['M then', '当时金额M', 'money'],
  recency_then: ['Days since last order then', '当时未下单天数', 'integer'],
  tier_now: ['Tier now', '当前分层', 'text'],
  abc_now: ['ABC now', '当前ABC', 'text'],
  recency_now: ['Days since last order now', '当前未下单天数', 'integer'],
  orders_in_window_now: ['Orders in window now', '当前窗口订单数', 'integer'],
};

function drillColumns(rows: object[]): TableColumn[] {
  return Object.keys(rows[0] ?? {}).map((k) => {
    const [en, zh, format] = DRILL_HEADERS[k] ?? [k, k, 'text' as const];
    return col(k, en, zh, format);
  });
}

export async function drillAlerts(ctx: MetricContext, request: DrillRequest): Promise<ResultTable> {
  if (request.target !== 'rows') throw new Error(`alerts has no drill target "${request.target}"; try rows (key alert=<alert id>)`);
  const id = request.keys.alert;
  if (!id) throw new Error('alerts drill rows needs the key alert=<alert id>');
  const { rule } = parseAlertId(id);
  const { env, cleanup } = await createEnv(ctx);
  try {
    const outcome = await EVALUATORS[rule](env);
    const alert = outcome.alerts.find((a) => a.id === id);
    if (!alert || !outcome.rows) throw new Error(`no alert "${id}" as of ${ctx.params.as_of}`);
    const rows = await outcome.rows(alert, Math.max(0, Math.min(request.limit, MAX_DRILL_ROWS)));
    return { name: 'Alert rows', title_en: `Rows behind: ${alert.title_en}`, title_zh: `明细：${alert.title_zh}`, columns: drillColumns(rows), rows };
  } finally {
    await cleanup();
  }
}

export const alertsFamily: MetricFamily<AlertsResult> = {
  id: 'alerts',
  title_en: 'Risk alerts',
  title_zh: '风险预警',
  compute: computeAlerts,
  tables: alertsTables,
  drillTargets: ALERTS_DRILL_TARGETS,
  drill: drillAlerts,
};
