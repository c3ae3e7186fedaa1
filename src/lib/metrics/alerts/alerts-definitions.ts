/**
 * The rule catalogue of the alerts family (预警, spec §8): every rule of the spec's table, in its
 * order, with its area, wording in both languages and how its severity is decided. Text and
 * constants only; the rules themselves are in alerts.ts (orchestration) and alerts-queries.ts (SQL).
 *
 * Windows the spec leaves open, fixed here (no config key; see the final report for candidates):
 * - follow-up timeliness: plans due in the trailing 3 months, reps with at least 10 due plans;
 * - rep retention: the trailing 12 months (reps employed on as_of − 12 months);
 * - core customers' repeat purchase and high-value → dormant: half-years (the seed's dormant tier
 *   is stated per half-year: "F ≤ 每半年1次").
 */

export const AREAS = ['pipeline', 'channel', 'team', 'customer', 'market'] as const;
export type Area = (typeof AREAS)[number];

export const SEVERITIES = ['high', 'medium', 'low'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const RULE_IDS = [
  'pipeline.stagnation',
  'pipeline.followup_overdue',
  'pipeline.followup_timeliness',
  'channel.win_rate_drop',
  'team.rep_retention',
  'team.departed_rep_open_deals',
  'team.target_completion',
  'customer.core_repeat_rate_drop',
  'customer.complaint_rate',
  'customer.high_value_dormant',
  'market.industry_growth_decline',
  'market.competitor_share_rise',
] as const;
export type RuleId = (typeof RULE_IDS)[number];

/** Keys listed per alert (the count says how many there are; the drill-down lists them all). */
export const ROW_KEYS_CAP = 50;
/** Follow-up timeliness: plans falling due in the trailing months … */
export const TIMELINESS_WINDOW_MONTHS = 3;
/** … for reps with at least this many due plans (one miss in three is noise, not a habit). */
export const TIMELINESS_MIN_PLANS = 10;
/** Rep retention: reps employed this many months before as_of. */
export const RETENTION_WINDOW_MONTHS = 12;
/** Core repeat purchase and high-value → dormant compare half-years. */
export const CUSTOMER_WINDOW_MONTHS = 6;
/** Spec §8 market rules (no config keys: the inputs do not exist yet). */
export const INDUSTRY_DECLINE_MONTHS = 3;
export const COMPETITOR_SHARE_RISE_POINTS = 0.05;

export interface RuleDefinition {
  id: RuleId;
  area: Area;
  /** false for a rule Salesight adds beside the spec's table (said in `spec_ref`) */
  in_spec: boolean;
  /** the rule as the spec's §8 table words it (tests check every one is covered); null beside the spec */
  spec_rule: string | null;
  spec_ref: string;
  title_en: string;
  title_zh: string;
  severity_en: string;
  severity_zh: string;
}

export const RULES: Record<RuleId, RuleDefinition> = {
  'pipeline.stagnation': {
    id: 'pipeline.stagnation',
    area: 'pipeline',
    in_spec: true,
    spec_rule: 'stage dwell over threshold',
    spec_ref: '§8 pipeline: stage dwell over threshold (thresholds per stage, §2)',
    title_en: 'Deals stagnating in a stage (one alert per stage)',
    title_zh: '商机阶段停滞（每阶段一条）',
    severity_en: "high: ≥ 50% of the stage's open deals stagnating; medium: ≥ 20%; low: fewer",
    severity_zh: '高：该阶段在途商机 ≥ 50% 停滞；中：≥ 20%；低：其余',
  },
  'pipeline.followup_overdue': {
    id: 'pipeline.followup_overdue',
    area: 'pipeline',
    in_spec: true,
    spec_rule: 'lead not followed up by its planned date',
    spec_ref: '§8 pipeline: lead not followed up by its planned date (open deals overdue now)',
    title_en: 'Open deals whose planned follow-up date passed without a touch (per rep)',
    title_zh: '计划跟进日期已过仍未跟进的在途商机（按销售）',
    severity_en: "high: overdue deals ≥ 50% of the rep's open deals; medium: ≥ 20%; low: fewer",
    severity_zh: '高：逾期商机占其名下在途商机 ≥ 50%；中：≥ 20%；低：其余',
  },
  'pipeline.followup_timeliness': {
    id: 'pipeline.followup_timeliness',
    area: 'pipeline',
    in_spec: true,
    spec_rule: 'lead not followed up by its planned date',
    spec_ref: '§8 pipeline: lead not followed up by its planned date, as a rate per rep against the §6 floor (floors.followup_timeliness_min)',
    title_en: 'Follow-up timeliness below the floor (per rep, trailing 3 months)',
    title_zh: '线索跟进及时率低于底线（按销售，近3个月）',
    severity_en: 'high: missed share ≥ 3 × the allowed (1 − floor); medium: ≥ 2 ×; low: less',
    severity_zh: '高：未按时比例 ≥ 允许值（1−底线）的3倍；中：≥ 2倍；低：其余',
  },
  'channel.win_rate_drop': {
    id: 'channel.win_rate_drop',
    area: 'channel',
    in_spec: true,
    spec_rule: 'source conversion down by over 30% relative, month on month',
    spec_ref: '§8 channel / §3: source conversion (win rate of deals closed) down by more than alerts.channel_conversion_drop, relative, month on month',
    title_en: "A source's win rate fell month on month",
    title_zh: '线索来源赢率环比下降',
    severity_en: 'high: relative drop ≥ 2 × the threshold; medium: otherwise',
    severity_zh: '高：相对降幅 ≥ 阈值的2倍；中：其余',
  },
  'team.rep_retention': {
    id: 'team.rep_retention',
    area: 'team',
    in_spec: true,
    spec_rule: 'rep retention < 80%',
    spec_ref: '§8 team: rep retention < alerts.rep_retention_min (per team and company, trailing 12 months)',
    title_en: 'Rep retention below the minimum (per team and company)',
    title_zh: '销售团队留存率低于下限（按团队及全公司）',
    severity_en: 'high: leavers ≥ 2 × the allowed share (1 − minimum); medium: otherwise',
    severity_zh: '高：离职比例 ≥ 允许值（1−下限）的2倍；中：其余',
  },
  'team.departed_rep_open_deals': {
    id: 'team.departed_rep_open_deals',
    area: 'team',
    in_spec: false,
    spec_rule: null,
    spec_ref: 'beside §8: seed 000 (销售人员流动导致客户流失) — a rep who left still owns open deals; the customer-timeline family has the handover view',
    title_en: 'A rep who left still owns open deals',
    title_zh: '已离职销售名下仍有在途商机',
    severity_en: 'always high: nobody is following these customers',
    severity_zh: '一律为高：这些客户无人跟进',
  },
  'team.target_completion': {
    id: 'team.target_completion',
    area: 'team',
    in_spec: true,
    spec_rule: 'a rep or team below 70% completion two months running',
    spec_ref: '§8 team: a rep or team below alerts.completion_min of the monthly revenue target for alerts.completion_months_running completed months running',
    title_en: 'Revenue target completion below the minimum for consecutive months (rep or team)',
    title_zh: '连续多月销售额目标完成率低于下限（销售或团队）',
    severity_en: 'high: the latest month below half the minimum; medium: otherwise',
    severity_zh: '高：最近一个月低于下限的一半；中：其余',
  },
  'customer.core_repeat_rate_drop': {
    id: 'customer.core_repeat_rate_drop',
    area: 'customer',
    in_spec: true,
    spec_rule: "core (high-value or A) customers' repeat-purchase rate down > 10% vs the previous period",
    spec_ref: '§8 customer: core (high-value tier or ABC A) customers’ repeat-purchase rate down by more than alerts.core_repeat_rate_drop, relative, vs the previous half-year',
    title_en: 'Core customers’ repeat-purchase rate fell vs the previous half-year',
    title_zh: '核心客户复购率较上一个半年下降',
    severity_en: 'high: relative drop ≥ 2 × the threshold; medium: otherwise',
    severity_zh: '高：相对降幅 ≥ 阈值的2倍；中：其余',
  },
  'customer.complaint_rate': {
    id: 'customer.complaint_rate',
    area: 'customer',
    in_spec: true,
    spec_rule: 'complaint rate > 2%',
    spec_ref: '§8 customer: complaint rate > alerts.complaint_rate_max (needs a complaints input)',
    title_en: 'Complaint rate above the maximum',
    title_zh: '客户投诉率高于上限',
    severity_en: '—',
    severity_zh: '—',
  },
  'customer.high_value_dormant': {
    id: 'customer.high_value_dormant',
    area: 'customer',
    in_spec: true,
    spec_rule: 'a high-value customer that turned dormant',
    spec_ref: '§8 customer: a high-value customer (seed 003 tier half a year ago) that turned dormant',
    title_en: 'A high-value customer turned dormant',
    title_zh: '高价值客户转为休眠',
    severity_en: 'high: also ABC class A half a year ago; medium: otherwise',
    severity_zh: '高：半年前同时为A类客户；中：其余',
  },
  'market.industry_growth_decline': {
    id: 'market.industry_growth_decline',
    area: 'market',
    in_spec: true,
    spec_rule: 'industry growth down three months running',
    spec_ref: '§8 market (optional input): industry growth down three months running',
    title_en: 'Industry growth down three months running',
    title_zh: '行业增长率连续3个月下降',
    severity_en: '—',
    severity_zh: '—',
  },
  'market.competitor_share_rise': {
    id: 'market.competitor_share_rise',
    area: 'market',
    in_spec: true,
    spec_rule: "a competitor's share up > 5 points",
    spec_ref: '§8 market (optional input): a competitor’s share up more than 5 points',
    title_en: 'A competitor’s market share up more than 5 points',
    title_zh: '竞品市场份额上升超过5个百分点',
    severity_en: '—',
    severity_zh: '—',
  },
};
