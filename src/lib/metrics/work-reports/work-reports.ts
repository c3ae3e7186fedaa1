/**
 * Work reports from daily work (工作报告, spec §6 and seed 000): a weekly and a monthly report per
 * rep generated from the follow-up records themselves — touches by method, new leads, stage
 * advances, wins, losses with reasons, invalid leads, next planned actions and overdue
 * follow-ups — instead of reports written from memory ("周报在周末冥想，月报在月末回忆").
 * The JSON shape below is the `salesight metrics work-reports --json` output: a public interface.
 * What each figure counts, and the decisions behind it, is in work-reports-queries.ts.
 */
import { queryRows } from '../../warehouse/warehouse.server.ts';
import { MAX_DRILL_ROWS, type DrillRequest, type MetricContext, type MetricFamily, type ResultTable, type TableColumn, column as col } from '../family.ts';
import type { ResolvedParams } from '../params.ts';
import { loadStageList, NoStagesError } from '../stages.ts';
import {
  drillSql,
  MEASURES,
  reportSql,
  type DrillKeys,
  type Granularity,
  type Measure,
  type WeekStart,
  type WorkReportsQueryInput,
} from './work-reports-queries.ts';

export interface RepPeriodReport {
  rep: string;
  /** from the reps table; null when the rep is not in it */
  team: string | null;
  rep_left_at: string | null;
  /** first and last day of the week or month */
  period_start: string;
  period_end: string;
  /** false while the period runs past as_of: figures are so far */
  complete: boolean;
  /** follow-up records (stage_events rows) by this rep in the period */
  touches: number;
  /** most used first; sums to `touches` */
  touches_by_method: { method: string; touches: number }[];
  opportunities_touched: number;
  /** opportunities created in the period */
  new_leads: number;
  /** stage changes forwards / backwards in the stage order */
  stage_advances: number;
  stage_setbacks: number;
  /** opportunities won / lost / marked invalid with closed_at in the period */
  wins: number;
  won_amount: number;
  losses: number;
  /** most frequent first; sums to `losses` */
  lost_reasons: { reason: string; losses: number }[];
  invalid_leads: number;
  /** open opportunities whose latest record plans a follow-up in the following week / month */
  planned_next: number;
  /** open opportunities whose planned follow-up date passed with no touch since (at period end) */
  overdue_followups: number;
  summary_zh: string;
  summary_en: string;
}

export interface WorkReportsResult {
  family: 'work-reports';
  params: ResolvedParams;
  /** which date each figure uses, in words */
  period_basis: string;
  week_start: WeekStart;
  /** stage set whose order defines advances; null when the warehouse has no stage list */
  stage_set: string | null;
  /** every follow-up method seen, most used first (the workbook's method columns) */
  methods: string[];
  weekly: RepPeriodReport[];
  monthly: RepPeriodReport[];
}

const PERIOD_BASIS =
  'Weeks (starting on config.fiscal.week_start) and calendar months overlapping from–to, each whole but not past as_of. ' +
  'Touches and stage moves by stage_events.occurred_at; new leads by opportunities.created_at; wins, losses and invalid ' +
  'leads by opportunities.closed_at; planned and overdue follow-ups as of the end of each period.';

const METHOD_EN: Record<string, string> = {
  电话: 'phone',
  面谈: 'meeting',
  拜访: 'visit',
  上门拜访: 'visit',
  邮件: 'email',
  微信: 'WeChat',
  视频会议: 'video call',
  短信: 'SMS',
  未注明: 'unspecified',
};

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
// One formatter: toLocaleString builds a new one per call, which costs more than the whole query.
const YUAN = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });
const yuan = (amount: number) => `¥${YUAN.format(amount)}`;

type SummaryFigures = Omit<RepPeriodReport, 'summary_zh' | 'summary_en' | 'rep' | 'team' | 'rep_left_at' | 'period_start' | 'period_end' | 'complete'>;

/** Deterministic Chinese summary, e.g. "本周跟进 23 次（电话 12、面谈 5…），新增线索 4 条，…". */
export function summaryZh(r: SummaryFigures, granularity: Granularity): string {
  const unit = granularity === 'week' ? '周' : '月';
  const parts = [
    r.touches > 0 ? `本${unit}跟进 ${r.touches} 次（${r.touches_by_method.map((m) => `${m.method} ${m.touches}`).join('、')}）` : `本${unit}无跟进记录`,
    `新增线索 ${r.new_leads} 条`,
    `推进阶段 ${r.stage_advances} 次`,
  ];
  if (r.stage_setbacks > 0) parts.push(`阶段回退 ${r.stage_setbacks} 次`);
  parts.push(r.wins > 0 ? `赢单 ${r.wins} 单（${yuan(r.won_amount)}）` : '赢单 0 单');
  const reasons = r.losses === 1 ? r.lost_reasons[0]!.reason : r.lost_reasons.map((x) => `${x.reason} ${x.losses}`).join('、');
  parts.push(r.losses > 0 ? `输单 ${r.losses} 单（原因：${reasons}）` : '输单 0 单');
  if (r.invalid_leads > 0) parts.push(`无效线索 ${r.invalid_leads} 条`);
  return `${parts.join('，')}；下${unit}计划跟进 ${r.planned_next} 项，逾期未跟进 ${r.overdue_followups} 项。`;
}

/** The same summary in English; methods translated where known, loss reasons as recorded. */
export function summaryEn(r: SummaryFigures, granularity: Granularity): string {
  const unit = granularity;
  const methods = r.touches_by_method.map((m) => `${METHOD_EN[m.method] ?? m.method} ${m.touches}`).join(', ');
  const parts = [
    r.touches > 0 ? `This ${unit}: ${plural(r.touches, 'touch', 'touches')} (${methods})` : `This ${unit}: no follow-ups recorded`,
    plural(r.new_leads, 'new lead', 'new leads'),
    plural(r.stage_advances, 'stage advance', 'stage advances'),
  ];
  if (r.stage_setbacks > 0) parts.push(plural(r.stage_setbacks, 'stage setback', 'stage setbacks'));
  parts.push(r.wins > 0 ? `${plural(r.wins, 'win', 'wins')} (${yuan(r.won_amount)})` : '0 wins');
  const reasons = r.losses === 1 ? `reason: ${r.lost_reasons[0]!.reason}` : `reasons: ${r.lost_reasons.map((x) => `${x.reason} ${x.losses}`).join(', ')}`;
  parts.push(r.losses > 0 ? `${plural(r.losses, 'loss', 'losses')} (${reasons})` : '0 losses');
  if (r.invalid_leads > 0) parts.push(plural(r.invalid_leads, 'invalid lead', 'invalid leads'));
  return `${parts.join(', ')}; ${plural(r.planned_next, 'follow-up', 'follow-ups')} planned for next ${unit}, ${r.overdue_followups} overdue.`;
}

type ReportRow = Omit<RepPeriodReport, 'summary_zh' | 'summary_en'>;

async function queryInput(ctx: MetricContext): Promise<WorkReportsQueryInput> {
  let stageOrder: WorkReportsQueryInput['stageOrder'] = null;
  try {
    const list = await loadStageList(ctx.connection, ctx.config);
    stageOrder = { stage_set: list.stage_set, stages: list.stages.map((s) => ({ stage: s.stage, position: s.position })) };
  } catch (err) {
    // Orders-only warehouses (Online Retail) have no stage list: no stage moves to count.
    if (!(err instanceof NoStagesError)) throw err;
  }
  return { params: ctx.params, weekStart: ctx.config.fiscal.week_start, stageOrder };
}

/** Most first, then by name (code-point order, as SQL sorts): the lists come unordered from SQL. */
function byCountThenName<T>(count: (x: T) => number, name: (x: T) => string) {
  return (a: T, b: T) => count(b) - count(a) || (name(a) < name(b) ? -1 : name(a) > name(b) ? 1 : 0);
}

export async function computeWorkReports(ctx: MetricContext): Promise<WorkReportsResult> {
  const input = await queryInput(ctx);
  // One query for weeks and months: they share the follow-up log, its window and the plan state.
  const rows = await queryRows<ReportRow & { granularity: Granularity }>(ctx.connection, reportSql(input));
  const withText = (g: Granularity) =>
    rows
      .filter((r) => r.granularity === g)
      .map((row): RepPeriodReport => {
        // in place: spreading 3,678 wide rows into new objects cost more than the query
        const r = row as ReportRow & Partial<Pick<RepPeriodReport, 'summary_zh' | 'summary_en'>> & { granularity?: Granularity };
        r.granularity = undefined; // left out of the JSON
        // DuckDB's ordered list() is slow per group; the few items per row are ordered here instead.
        r.touches_by_method.sort(byCountThenName((x) => x.touches, (x) => x.method));
        r.lost_reasons.sort(byCountThenName((x) => x.losses, (x) => x.reason));
        r.summary_zh = summaryZh(r, g);
        r.summary_en = summaryEn(r, g);
        return r as RepPeriodReport;
      });
  const weekly = withText('week');
  const monthly = withText('month');
  // Method columns for the workbook: totals over the weekly rows (already aggregated in SQL).
  const totals = new Map<string, number>();
  for (const r of weekly) for (const m of r.touches_by_method) totals.set(m.method, (totals.get(m.method) ?? 0) + m.touches);
  const methods = [...totals].sort(byCountThenName((x) => x[1], (x) => x[0])).map(([m]) => m);
  return {
    family: 'work-reports',
    params: ctx.params,
    period_basis: PERIOD_BASIS,
    week_start: input.weekStart,
    stage_set: input.stageOrder?.stage_set ?? null,
    methods,
    weekly,
    monthly,
  };
}

function reportTable(name: string, title_en: string, title_zh: string, rows: RepPeriodReport[], methods: string[]): ResultTable {
  return {
    name,
    title_en,
    title_zh,
    columns: [
      col('rep', 'Rep', '销售', 'text'),
      col('team', 'Team', '团队', 'text'),
      col('period_start', 'From', '开始', 'date'),
      col('period_end', 'To', '结束', 'date'),
      col('complete', 'Complete', '完整周期', 'text'),
      col('touches', 'Touches', '跟进次数', 'integer'),
      ...methods.map((m) => col(`method:${m}`, `${METHOD_EN[m] ?? m}`, m, 'integer')),
      col('opportunities_touched', 'Opportunities touched', '跟进商机数', 'integer'),
      col('new_leads', 'New leads', '新增线索', 'integer'),
      col('stage_advances', 'Stage advances', '推进阶段', 'integer'),
      col('stage_setbacks', 'Stage setbacks', '阶段回退', 'integer'),
      col('wins', 'Wins', '赢单', 'integer'),
      col('won_amount', 'Won amount', '赢单金额', 'money'),
      col('losses', 'Losses', '输单', 'integer'),
      col('lost_reasons_text', 'Loss reasons', '输单原因', 'text'),
      col('invalid_leads', 'Invalid leads', '无效线索', 'integer'),
      col('planned_next', 'Planned next period', '下期计划跟进', 'integer'),
      col('overdue_followups', 'Overdue follow-ups', '逾期未跟进', 'integer'),
      col('summary_zh', 'Summary (zh)', '摘要', 'text'),
      col('summary_en', 'Summary', '摘要（英文）', 'text'),
    ],
    rows: rows.map((r) => ({
      ...r,
      complete: r.complete ? 'yes' : 'no',
      ...Object.fromEntries(methods.map((m) => [`method:${m}`, r.touches_by_method.find((x) => x.method === m)?.touches ?? 0])),
      lost_reasons_text: r.lost_reasons.map((x) => `${x.reason} ${x.losses}`).join('、'),
    })),
  };
}

export function workReportsTables(r: WorkReportsResult): ResultTable[] {
  return [
    reportTable('Weekly', 'Weekly work reports per rep', '销售周报', r.weekly, r.methods),
    reportTable('Monthly', 'Monthly work reports per rep', '销售月报', r.monthly, r.methods),
  ];
}

const PERIOD_KEYS = ['rep', 'granularity', 'period_start'];
const DRILL_TARGETS: Record<Measure, string[]> = {
  touches: [...PERIOD_KEYS, 'method'],
  new_leads: PERIOD_KEYS,
  stage_advances: PERIOD_KEYS,
  stage_setbacks: PERIOD_KEYS,
  wins: PERIOD_KEYS,
  losses: [...PERIOD_KEYS, 'reason'],
  invalid_leads: PERIOD_KEYS,
  planned_next: PERIOD_KEYS,
  overdue_followups: PERIOD_KEYS,
};

const DRILL_COLUMNS: TableColumn[] = [
  col('rep', 'Rep', '销售', 'text'),
  col('period_start', 'Period from', '周期开始', 'date'),
  col('opportunity_id', 'Opportunity', '商机编号', 'text'),
  col('customer_name', 'Customer', '客户', 'text'),
  col('happened_at', 'When', '时间', 'datetime'),
  col('method', 'Method', '跟进方式', 'text'),
  col('summary', 'Summary', '跟进内容摘要', 'text'),
  col('objection', 'Objection', '异议点', 'text'),
  col('from_stage', 'From stage', '原阶段', 'text'),
  col('to_stage', 'To stage', '新阶段', 'text'),
  col('amount', 'Amount', '金额', 'money'),
  col('reason', 'Reason', '原因', 'text'),
  col('next_action', 'Next action', '下一步行动', 'text'),
  col('next_followup_at', 'Next follow-up', '下次跟进时间', 'datetime'),
  col('event_id', 'Event', '记录编号', 'text'),
  col('source_file', 'Source file', '来源文件', 'text'),
  col('source_line', 'Source line', '来源行', 'integer'),
];

export async function drillWorkReports(ctx: MetricContext, request: DrillRequest): Promise<ResultTable> {
  if (!(MEASURES as readonly string[]).includes(request.target)) {
    throw new Error(`work-reports has no drill target "${request.target}"; try ${MEASURES.join(', ')}`);
  }
  const measure = request.target as Measure;
  const granularity = request.keys.granularity ?? 'week';
  if (granularity !== 'week' && granularity !== 'month') throw new Error(`granularity must be week or month, not "${granularity}"`);
  const { rep, period_start, method, reason } = request.keys;
  if (period_start !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(period_start)) throw new Error(`period_start must be a date like 2026-10-05, not "${period_start}"`);
  const keys: DrillKeys = { rep, period_start, method: measure === 'touches' ? method : undefined, reason: measure === 'losses' ? reason : undefined };
  const input = await queryInput(ctx);
  const rows = await queryRows(ctx.connection, drillSql(input, granularity, measure, keys, Math.max(0, Math.min(request.limit, MAX_DRILL_ROWS))));
  return {
    name: measure,
    title_en: `Records behind ${measure}`,
    title_zh: `明细：${measure}`,
    columns: DRILL_COLUMNS,
    rows,
  };
}

export const workReportsFamily: MetricFamily<WorkReportsResult> = {
  id: 'work-reports',
  title_en: 'Work reports from daily work',
  title_zh: '销售工作报告（周报/月报）',
  compute: computeWorkReports,
  tables: workReportsTables,
  drillTargets: DRILL_TARGETS,
  drill: drillWorkReports,
};
