/**
 * The bundled demo dataset: two years of invented Chinese B2B sales data (reps, customers,
 * opportunities with their follow-up history, orders, targets, and a regional funnel sheet).
 *
 * Pure and deterministic: every random choice comes from one seeded PRNG, consumed in a fixed
 * order, and all dates are fixed constants handled in UTC, so the same seed gives the same data
 * on every run and machine. write-sample.ts turns the result into export files.
 *
 * The data is shaped so each dashboard view has something to show: sources with clearly
 * different quality (and one channel collapsing in the last two months), reps with different
 * strengths per stage, stagnating deals, late follow-ups, repeat buyers and lapsed big accounts,
 * reps missing target, and a few target decompositions that do not add up.
 */

export const DEMO_SEED = 20241101;
export const DEMO_START = '2024-11-01';
export const DEMO_END = '2026-10-31';
/** "Today" in the demo: open deals' stage dwell is measured against it. */
export const DEMO_AS_OF = '2026-10-31';

export const STAGES = ['潜在接触', '需求挖掘', '方案提案', '商务谈判', '成交待签约', '已成交'] as const;
export type Stage = (typeof STAGES)[number];
/** 新阶段 values that close an opportunity without a stage of their own. */
export const LOST_MARKER = '丢单';
export const INVALID_MARKER = '无效线索';

export const REGIONS = ['华东', '华南', '华北', '西南', '华中'] as const;
export type Region = (typeof REGIONS)[number];
export const INDUSTRIES = ['制造业', '零售', '医疗健康', '教育', '金融', '物流', '能源', '互联网'] as const;
export type Industry = (typeof INDUSTRIES)[number];
export const SOURCES = ['展会推广', '官网表单', '老客户转介绍', '渠道合作', '线上广告', '电话营销'] as const;
export type Source = (typeof SOURCES)[number];
export const PRODUCTS = ['智能仓储系统', 'CRM云服务', '数据分析平台', '工业物联网网关', '售后维保服务'] as const;
export type Product = (typeof PRODUCTS)[number];
export const LOST_REASONS = ['价格过高', '选择竞品', '预算取消', '需求变更', '决策延期', '联系不上'] as const;
export type LostReason = (typeof LOST_REASONS)[number];
export const FOLLOWUP_METHODS = ['电话', '面谈', '邮件', '微信', '视频会议'] as const;
export type FollowupMethod = (typeof FOLLOWUP_METHODS)[number];

export type OpportunityStatus = 'open' | 'won' | 'lost' | 'invalid';

// ---------------------------------------------------------------------------------------------
// Output shapes. Timestamps are 'YYYY-MM-DD HH:MM:SS' (UTC, no zone), dates 'YYYY-MM-DD',
// money in 元 unless the field name says otherwise.

export interface DemoRep {
  owner: string;
  team: string;
  region: Region;
  manager: string;
  hiredAt: string;
  leftAt: string | null;
}

export interface DemoCustomer {
  customerId: string;
  customerName: string;
  industry: Industry;
  region: Region;
  firstContactAt: string;
  owner: string;
  creditStatus: '良好' | '一般' | '较差';
}

export interface DemoOpportunity {
  opportunityId: string;
  opportunityName: string;
  customerId: string;
  customerName: string;
  contactName: string;
  contactInfo: string;
  owner: string;
  team: string;
  region: Region;
  industry: Industry;
  product: Product;
  source: Source;
  stage: Stage;
  status: OpportunityStatus;
  createdAt: string;
  stageEnteredAt: string;
  closedAt: string | null;
  expectedCloseDate: string;
  expectedAmount: number;
  amount: number | null;
  lostReason: LostReason | null;
  need: string;
}

export interface DemoStageEvent {
  opportunityId: string;
  occurredAt: string;
  /** Both null on a plain touch; fromStage null and toStage 潜在接触 on the creating event. */
  fromStage: Stage | null;
  toStage: Stage | typeof LOST_MARKER | typeof INVALID_MARKER | null;
  method: FollowupMethod;
  summary: string;
  objection: string | null;
  nextAction: string | null;
  nextFollowupAt: string | null;
  owner: string;
}

export interface DemoOrder {
  orderId: string;
  customerId: string;
  customerName: string;
  orderedAt: string;
  product: Product;
  quantity: number;
  unitPrice: number;
  amount: number;
  owner: string;
  /** Set on the first order of a won deal; null on repeat purchases. */
  opportunityId: string | null;
}

export interface DemoTarget {
  periodStart: string;
  periodEnd: string;
  dimension: 'company' | 'region' | 'team' | 'rep';
  dimensionValue: string;
  metric: 'revenue' | 'new_customers';
  /** 元 for revenue, a count for new_customers. */
  value: number;
}

/** One row of the 华南 regional "销售漏斗跟踪模板" sheet (seed 002 layout). */
export interface DemoFunnelTemplateRow {
  leadId: string;
  customerName: string;
  contact: string;
  source: Source;
  stage: Stage;
  firstContactAt: string;
  lastFollowupAt: string;
  method: FollowupMethod;
  summary: string;
  need: string;
  expectedCloseDate: string;
  expectedAmountWan: number;
  owner: string;
  stageDays: number;
  conversionNote: string | null;
}

export interface DemoData {
  reps: DemoRep[];
  customers: DemoCustomer[];
  opportunities: DemoOpportunity[];
  stageEvents: DemoStageEvent[];
  orders: DemoOrder[];
  /** Revenue targets (monthly and quarterly) and yearly new_customers targets. */
  targets: DemoTarget[];
  funnelTemplate: DemoFunnelTemplateRow[];
}

// ---------------------------------------------------------------------------------------------
// Seeded randomness

/** mulberry32: tiny, fast, and the same sequence on every JS engine. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Rng {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  /**
   * An independent stream for one part of the generation (and one item of it), so tuning one
   * thing, e.g. a rep's skill, does not reshuffle everything drawn after it.
   */
  static derive(seed: number, stream: Stream, index: number): Rng {
    let h = (seed ^ Math.imul(stream + 1, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca77)) >>> 0;
    h = Math.imul(h ^ (h >>> 16), 0x7feb352d); // murmur3-style finaliser
    h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
    return new Rng((h ^ (h >>> 16)) >>> 0);
  }
  float(): number {
    return this.next();
  }
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }
  /** Integer in [lo, hi], both inclusive. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }
  weighted<T>(entries: readonly (readonly [T, number])[]): T {
    const total = entries.reduce((s, [, w]) => s + w, 0);
    let r = this.next() * total;
    for (const [value, w] of entries) {
      r -= w;
      if (r < 0) return value;
    }
    return entries[entries.length - 1]![0];
  }
  /** Standard normal by Irwin–Hall (sum of 12 uniforms): plain arithmetic, no trig. */
  normal(): number {
    let s = 0;
    for (let i = 0; i < 12; i++) s += this.next();
    return s - 6;
  }
  lognormal(median: number, sigma: number): number {
    return median * Math.exp(sigma * this.normal());
  }
  poisson(lambda: number): number {
    const limit = Math.exp(-lambda);
    let k = 0;
    let p = 1;
    do {
      k++;
      p *= this.next();
    } while (p > limit);
    return k - 1;
  }
}

const enum Stream {
  Simulation,
  Touches,
  Texts,
  Template,
  Orders,
  Targets,
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}

function roundTo(x: number, step: number): number {
  return Math.round(x / step) * step;
}

function logistic(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

function logit(p: number): number {
  return Math.log(p / (1 - p));
}

// ---------------------------------------------------------------------------------------------
// Calendar: days since 1970-01-01 and minutes since 1970-01-01 00:00, all UTC.

const MIN_PER_DAY = 1440;

export function dayNumber(iso: string): number {
  const [y, m, d] = iso.slice(0, 10).split('-').map(Number) as [number, number, number];
  return Date.UTC(y, m - 1, d) / 86_400_000;
}

export function isoDate(day: number): string {
  return new Date(day * 86_400_000).toISOString().slice(0, 10);
}

function isoMinute(minute: number): string {
  const s = new Date(minute * 60_000).toISOString();
  return `${s.slice(0, 10)} ${s.slice(11, 19)}`;
}

function dayOfMinute(minute: number): number {
  return Math.floor(minute / MIN_PER_DAY);
}

/** 0 = Sunday … 6 = Saturday (1970-01-01 was a Thursday). */
function weekday(day: number): number {
  return (day + 4) % 7;
}

function monthOf(day: number): number {
  return new Date(day * 86_400_000).getUTCMonth() + 1;
}

function rangeDays(from: string, to: string): Set<number> {
  const out = new Set<number>();
  for (let d = dayNumber(from); d <= dayNumber(to); d++) out.add(d);
  return out;
}

/** Official closures: Spring Festival, Labour Day, National Day. */
const HOLIDAYS = new Set([
  ...rangeDays('2025-01-01', '2025-01-01'),
  ...rangeDays('2025-01-28', '2025-02-04'),
  ...rangeDays('2025-05-01', '2025-05-05'),
  ...rangeDays('2025-10-01', '2025-10-08'),
  ...rangeDays('2026-01-01', '2026-01-03'),
  ...rangeDays('2026-02-15', '2026-02-23'),
  ...rangeDays('2026-05-01', '2026-05-05'),
  ...rangeDays('2026-10-01', '2026-10-07'),
]);
/** The slow weeks around Spring Festival, when few new leads come in. */
const SPRING_FESTIVAL_SHOULDERS = new Set([
  ...rangeDays('2025-01-20', '2025-01-27'),
  ...rangeDays('2025-02-05', '2025-02-12'),
  ...rangeDays('2026-02-07', '2026-02-14'),
  ...rangeDays('2026-02-24', '2026-03-03'),
]);

function isWorkday(day: number): boolean {
  const wd = weekday(day);
  return wd !== 0 && wd !== 6 && !HOLIDAYS.has(day);
}

/** A time on `day` within working hours, moved off weekends and holidays most of the time. */
function workTime(rng: Rng, day: number, lateEvening = false): number {
  let d = day;
  if (!isWorkday(d) && rng.chance(0.9)) while (!isWorkday(d)) d++;
  if (d > AS_OF_DAY) d = day; // never pushed past "today"
  const from = 9 * 60;
  const to = lateEvening ? 21 * 60 : 18 * 60 + 30;
  return d * MIN_PER_DAY + rng.int(from, to);
}

const START_DAY = dayNumber(DEMO_START);
const AS_OF_DAY = dayNumber(DEMO_AS_OF);
/** Nothing happens after 19:00 on the as-of day. */
const HORIZON = AS_OF_DAY * MIN_PER_DAY + 19 * 60;
/** The channel partner programme falls apart from here on (the channel-drop alert). */
const CHANNEL_DROP_FROM = dayNumber('2026-09-01') * MIN_PER_DAY;
const CHANNEL_DROP_SOURCE: Source = '渠道合作';

// ---------------------------------------------------------------------------------------------
// The sales organisation

interface TeamDef {
  team: string;
  region: Region;
  manager: string;
}

const TEAMS: TeamDef[] = [
  { team: '华东一组', region: '华东', manager: '沈建国' },
  { team: '华东二组', region: '华东', manager: '顾晓峰' },
  { team: '华南一组', region: '华南', manager: '黄志勇' },
  { team: '华南二组', region: '华南', manager: '梁文斌' },
  { team: '华北一组', region: '华北', manager: '马骏' },
  { team: '华北二组', region: '华北', manager: '韩冬' },
  { team: '西南一组', region: '西南', manager: '袁明' },
  { team: '华中一组', region: '华中', manager: '田刚' },
];

interface RepProfile {
  owner: string;
  team: string;
  hiredAt: string;
  leftAt?: string;
  /** Takes over the leaver's accounts, and open deals unless `staleOnLeave`. */
  successor?: string;
  /** Open deals were never reassigned: they sit with the departed rep and go stale. */
  staleOnLeave?: boolean;
  /** Relative share of new leads. */
  capacity: number;
  /** Logit added to every stage's pass probability. */
  skill: number;
  /** Extra logit per open stage (index 0–4). */
  stageSkill?: [number, number, number, number, number];
  /** Share of follow-ups done after the planned date. */
  lateRate: number;
  /** Mean days between plain follow-ups. */
  touchGap: number;
  /** Multiplies stage dwell times. */
  slowness: number;
  /** From this date the rep's deals go badly (misses target two months running). */
  slumpFrom?: string;
  /** Extra discount the rep gives away at closing. */
  discountBias?: number;
}

/** Fixed, hand-made roster: the per-rep stories below are what the dashboard should surface. */
const ROSTER: RepProfile[] = [
  { owner: '王磊', team: '华东一组', hiredAt: '2019-03-11', capacity: 1.2, skill: 0.1, lateRate: 0.02, touchGap: 5, slowness: 1 },
  // Excellent at discovery: far more deals leave 需求挖掘 for 方案提案 than anyone else's.
  { owner: '周敏', team: '华东一组', hiredAt: '2020-07-06', capacity: 1.0, skill: 0, stageSkill: [0, 2.0, 0, 0, 0], lateRate: 0.015, touchGap: 4.5, slowness: 0.9 },
  { owner: '陈浩', team: '华东一组', hiredAt: '2021-09-13', capacity: 1.0, skill: -0.05, lateRate: 0.03, touchGap: 6, slowness: 1 },
  { owner: '刘洋', team: '华东一组', hiredAt: '2025-03-03', capacity: 0.9, skill: -0.1, lateRate: 0.03, touchGap: 6, slowness: 1.05 },
  { owner: '李娜', team: '华东二组', hiredAt: '2019-05-20', capacity: 1.2, skill: 0.2, lateRate: 0.01, touchGap: 4.5, slowness: 0.95 },
  { owner: '张伟', team: '华东二组', hiredAt: '2022-02-14', capacity: 1.0, skill: 0, lateRate: 0.025, touchGap: 5.5, slowness: 1 },
  { owner: '吴静', team: '华东二组', hiredAt: '2023-04-17', leftAt: '2025-06-30', successor: '张伟', capacity: 1.0, skill: 0, lateRate: 0.03, touchGap: 6, slowness: 1 },
  { owner: '孙涛', team: '华东二组', hiredAt: '2024-06-03', capacity: 0.9, skill: -0.05, lateRate: 0.12, touchGap: 7, slowness: 1.1 },
  { owner: '朱丽', team: '华东二组', hiredAt: '2025-07-14', capacity: 0.9, skill: -0.05, lateRate: 0.02, touchGap: 5, slowness: 1 },
  // The star: most leads, best conversion at every stage.
  { owner: '林志强', team: '华南一组', hiredAt: '2019-08-05', capacity: 1.4, skill: 0.35, lateRate: 0.01, touchGap: 4, slowness: 0.9 },
  { owner: '陈晓燕', team: '华南一组', hiredAt: '2020-11-16', capacity: 1.1, skill: 0.1, lateRate: 0.02, touchGap: 5, slowness: 1 },
  { owner: '郑凯', team: '华南一组', hiredAt: '2022-05-09', capacity: 1.0, skill: 0, lateRate: 0.03, touchGap: 6, slowness: 1 },
  { owner: '何雪', team: '华南一组', hiredAt: '2023-10-09', capacity: 0.9, skill: -0.1, lateRate: 0.025, touchGap: 5.5, slowness: 1 },
  // Slow: deals sit in a stage far longer than the 15-day review threshold.
  { owner: '罗斌', team: '华南二组', hiredAt: '2021-03-22', capacity: 1.0, skill: -0.05, lateRate: 0.04, touchGap: 8, slowness: 1.7 },
  { owner: '谢婷', team: '华南二组', hiredAt: '2022-08-15', capacity: 1.0, skill: 0, lateRate: 0.15, touchGap: 6.5, slowness: 1.1 },
  { owner: '邓超', team: '华南二组', hiredAt: '2024-02-26', leftAt: '2026-07-15', successor: '罗斌', staleOnLeave: true, capacity: 1.0, skill: -0.05, lateRate: 0.04, touchGap: 7, slowness: 1.1 },
  { owner: '冯佳', team: '华南二组', hiredAt: '2026-03-02', capacity: 0.8, skill: -0.1, lateRate: 0.03, touchGap: 5, slowness: 1 },
  // Weak negotiator: reaches 商务谈判 normally, then loses on price or gives big discounts.
  { owner: '赵强', team: '华北一组', hiredAt: '2020-04-13', capacity: 1.25, skill: 0.1, stageSkill: [0, 0, 0, -2.0, 0], lateRate: 0.02, touchGap: 5, slowness: 1, discountBias: 0.05 },
  { owner: '杨帆', team: '华北一组', hiredAt: '2021-06-21', capacity: 1.0, skill: 0, lateRate: 0.03, touchGap: 5.5, slowness: 1, slumpFrom: '2026-08-10' },
  { owner: '高敏', team: '华北一组', hiredAt: '2023-02-20', capacity: 1.0, skill: 0, lateRate: 0.02, touchGap: 5, slowness: 1 },
  { owner: '徐丽', team: '华北二组', hiredAt: '2019-10-14', capacity: 1.1, skill: 0.15, lateRate: 0.015, touchGap: 5, slowness: 0.95 },
  { owner: '宋佳', team: '华北二组', hiredAt: '2022-11-07', capacity: 1.0, skill: 0, lateRate: 0.025, touchGap: 6, slowness: 1 },
  { owner: '唐亮', team: '华北二组', hiredAt: '2024-09-02', capacity: 0.9, skill: -0.1, lateRate: 0.11, touchGap: 7, slowness: 1.1 },
  { owner: '许晨', team: '华北二组', hiredAt: '2025-11-03', capacity: 0.8, skill: -0.1, lateRate: 0.03, touchGap: 5.5, slowness: 1 },
  { owner: '曹磊', team: '西南一组', hiredAt: '2020-02-17', capacity: 1.1, skill: 0.1, lateRate: 0.02, touchGap: 5, slowness: 1 },
  { owner: '彭宇', team: '西南一组', hiredAt: '2021-12-06', capacity: 1.0, skill: 0, lateRate: 0.025, touchGap: 5.5, slowness: 1 },
  { owner: '吕倩', team: '西南一组', hiredAt: '2023-07-03', capacity: 1.0, skill: 0, lateRate: 0.03, touchGap: 6, slowness: 1 },
  { owner: '蒋军', team: '西南一组', hiredAt: '2022-04-11', leftAt: '2025-12-31', successor: '彭宇', capacity: 1.0, skill: -0.05, lateRate: 0.03, touchGap: 6, slowness: 1 },
  { owner: '魏巍', team: '华中一组', hiredAt: '2019-06-03', capacity: 1.1, skill: 0.1, lateRate: 0.02, touchGap: 5, slowness: 1 },
  { owner: '董洁', team: '华中一组', hiredAt: '2021-04-26', capacity: 1.0, skill: 0, lateRate: 0.025, touchGap: 5.5, slowness: 1, slumpFrom: '2026-08-10' },
  { owner: '范伟', team: '华中一组', hiredAt: '2024-04-15', capacity: 0.9, skill: -0.05, lateRate: 0.03, touchGap: 6, slowness: 1 },
  { owner: '潘婷', team: '华中一组', hiredAt: '2026-05-11', capacity: 0.8, skill: -0.1, lateRate: 0.03, touchGap: 5, slowness: 1 },
];

interface RepState extends RepProfile {
  region: Region;
  manager: string;
  hiredMin: number;
  leftMin: number;
  slumpMin: number;
}

// ---------------------------------------------------------------------------------------------
// Products, sources, industries

interface ProductDef {
  /** Multiplies stage dwell times: big projects move slowly. */
  cycle: number;
  logit: number;
  /** Quantity and list unit price for a customer of the given size. */
  quote(rng: Rng, size: number): { quantity: number; unitPrice: number };
}

const PRODUCT_DEFS: Record<Product, ProductDef> = {
  智能仓储系统: {
    cycle: 1.4,
    logit: -0.25,
    quote: (rng, size) => ({ quantity: 1, unitPrice: roundTo(clamp(rng.lognormal(1_000_000 * size ** 0.7, 0.35), 500_000, 3_000_000), 1000) }),
  },
  CRM云服务: {
    cycle: 0.8,
    logit: 0.1,
    // annual seats
    quote: (rng, size) => ({ quantity: Math.round(clamp(rng.lognormal(60 * size, 0.5), 15, 300)), unitPrice: rng.pick([980, 1380, 1980]) }),
  },
  数据分析平台: {
    cycle: 1.1,
    logit: 0,
    quote: (rng, size) => ({ quantity: 1, unitPrice: roundTo(clamp(rng.lognormal(450_000 * size ** 0.7, 0.4), 150_000, 1_500_000), 1000) }),
  },
  工业物联网网关: {
    cycle: 1.15,
    logit: -0.1,
    quote: (rng, size) => ({ quantity: Math.round(clamp(rng.lognormal(70 * size, 0.5), 10, 400)), unitPrice: rng.pick([3280, 4580, 6800]) }),
  },
  售后维保服务: {
    cycle: 0.6,
    logit: 0.7,
    quote: (rng, size) => ({ quantity: 1, unitPrice: roundTo(clamp(rng.lognormal(70_000 * size ** 0.7, 0.4), 20_000, 300_000), 1000) }),
  },
};

interface SourceDef {
  share: number;
  invalidRate: number;
  logit: number;
}

/** 老客户转介绍 converts best, 线上广告 worst; 展会推广 brings the most volume. */
const SOURCE_DEFS: Record<Source, SourceDef> = {
  展会推广: { share: 0.27, invalidRate: 0.07, logit: -0.15 },
  官网表单: { share: 0.18, invalidRate: 0.07, logit: 0.05 },
  老客户转介绍: { share: 0.1, invalidRate: 0.015, logit: 0.9 },
  渠道合作: { share: 0.16, invalidRate: 0.035, logit: 0.4 },
  线上广告: { share: 0.17, invalidRate: 0.14, logit: -0.85 },
  电话营销: { share: 0.12, invalidRate: 0.09, logit: -0.45 },
};

const INDUSTRY_SHARE: [Industry, number][] = [
  ['制造业', 0.28], ['零售', 0.14], ['医疗健康', 0.1], ['教育', 0.07],
  ['金融', 0.08], ['物流', 0.13], ['能源', 0.08], ['互联网', 0.12],
];

/** Which products each industry tends to buy (weights in PRODUCTS order). */
const INDUSTRY_PRODUCTS: Record<Industry, [number, number, number, number, number]> = {
  制造业: [0.25, 0.15, 0.15, 0.35, 0.1],
  零售: [0.15, 0.4, 0.35, 0.05, 0.05],
  医疗健康: [0.25, 0.3, 0.3, 0.05, 0.1],
  教育: [0.02, 0.55, 0.38, 0, 0.05],
  金融: [0, 0.45, 0.5, 0, 0.05],
  物流: [0.45, 0.1, 0.15, 0.22, 0.08],
  能源: [0.1, 0.1, 0.3, 0.42, 0.08],
  互联网: [0.05, 0.45, 0.45, 0, 0.05],
};

/** Median days in each open stage before the next decision. */
const STAGE_DWELL_DAYS = [9, 14, 11, 17, 7];
/** Pass probability per open stage for an average rep, source and product. */
const BASE_PASS = [0.66, 0.72, 0.7, 0.76, 0.92];
/** Chance a deal stalls in a stage (sits there for months): mostly discovery and negotiation. */
const STALL_RATE = [0.02, 0.1, 0.03, 0.1, 0.02];

const LOST_REASON_BY_STAGE: [LostReason, number][][] = [
  [['联系不上', 0.4], ['需求变更', 0.2], ['预算取消', 0.15], ['决策延期', 0.15], ['选择竞品', 0.1]],
  [['需求变更', 0.3], ['预算取消', 0.25], ['决策延期', 0.2], ['联系不上', 0.15], ['选择竞品', 0.1]],
  [['选择竞品', 0.35], ['价格过高', 0.25], ['需求变更', 0.15], ['决策延期', 0.15], ['预算取消', 0.1]],
  [['价格过高', 0.4], ['选择竞品', 0.3], ['决策延期', 0.15], ['预算取消', 0.15]],
  [['决策延期', 0.4], ['预算取消', 0.3], ['选择竞品', 0.2], ['价格过高', 0.1]],
];

// ---------------------------------------------------------------------------------------------
// Names

const CITIES: Record<Region, string[]> = {
  华东: ['上海', '苏州', '杭州', '南京', '宁波', '无锡', '合肥', '济南', '青岛', '常州', '温州', '嘉兴', '绍兴', '南通'],
  华南: ['广州', '深圳', '东莞', '佛山', '珠海', '厦门', '福州', '南宁', '中山', '惠州', '泉州'],
  华北: ['北京', '天津', '石家庄', '太原', '唐山', '保定', '廊坊', '呼和浩特', '沧州'],
  西南: ['成都', '重庆', '昆明', '贵阳', '绵阳', '遵义', '宜宾'],
  华中: ['武汉', '长沙', '郑州', '南昌', '宜昌', '洛阳', '株洲', '襄阳', '岳阳'],
};

const BRAND_FIRST = '恒华瑞金宏鑫博天嘉中润永东新汇凯海鼎明康信泰远丰诚通源德兴隆佳正安和美智创睿卓锦益航力昌宇森'.split('');
const BRAND_SECOND = '达信丰诚远泰盛通源德兴隆华业科成创禾邦联瑞晟辉宏嘉程安美拓驰鸿锐'.split('');

const INDUSTRY_SEGMENTS: Record<Industry, string[]> = {
  制造业: ['精密机械', '电子科技', '汽车零部件', '新材料', '智能装备', '五金制品', '模具', '化工', '纺织', '包装材料', '电器'],
  零售: ['商贸', '连锁超市', '百货', '便利店', '电子商务', '家居用品', '服饰'],
  医疗健康: ['医药', '医疗器械', '生物科技', '健康管理', '药业'],
  教育: ['教育科技', '职业培训', '教育咨询', '文化教育'],
  金融: ['融资租赁', '投资管理', '保险代理', '金融服务', '商业保理'],
  物流: ['物流', '供应链管理', '国际货运代理', '快运', '仓储服务'],
  能源: ['新能源', '电力工程', '燃气', '光伏科技', '储能科技', '石化'],
  互联网: ['网络科技', '信息技术', '软件', '数字科技', '云计算'],
};

const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈'.split('');
const GIVEN_NAMES = [
  '伟', '芳', '娜', '敏', '静', '丽', '强', '磊', '军', '洋', '勇', '艳', '杰', '娟', '涛', '明', '超', '霞', '平', '刚',
  '建华', '志刚', '晓东', '海燕', '俊', '鹏', '辉', '宇', '婷', '雪', '琳', '斌', '浩', '凯', '鑫', '倩', '颖', '文博',
  '思远', '佳怡', '子涵', '国强', '丽华', '春梅', '振华', '雅琴', '立新', '红梅',
];
const CONTACT_TITLES = ['经理', '总', '总监', '主任', '工'];

// ---------------------------------------------------------------------------------------------
// Follow-up texts

const CREATE_TEXTS: Record<Source, string[]> = {
  展会推广: ['{fair}现场留资，客户对{product}感兴趣', '展会交换名片，客户想了解{product}', '{fair}展位咨询，客户留下联系方式'],
  官网表单: ['官网表单留资，咨询{product}功能和价格', '客户在官网申请{product}试用'],
  老客户转介绍: ['老客户{ref}推荐，客户主动联系了解{product}', '经{ref}介绍认识，客户有{product}需求'],
  渠道合作: ['渠道伙伴{partner}报备商机，客户有{product}需求', '{partner}转来线索，客户计划采购{product}'],
  线上广告: ['搜索广告留资，客户咨询{product}', '信息流广告留资, 客户想了解{product}价格'],
  电话营销: ['电话陌拜，客户对{product}有兴趣，同意加微信', '电销外呼，客户表示可以先了解{product}'],
};
const EXISTING_CUSTOMER_CREATE_TEXTS = ['老客户新需求：{need}', '老客户回访中发现新需求，客户考虑采购{product}', '客户使用情况良好，主动询问{product}'];
const FAIRS = ['华东工业博览会', '智慧物流展', '数字经济峰会', '智能制造展', '零售数字化大会'];
const PARTNERS = ['华信集成', '鼎讯科技', '远景数智', '中联信息', '博达系统'];

const TOUCH_TEXTS: string[][] = [
  [
    '首次电话沟通，客户对{product}有初步兴趣',
    '微信添加客户，发送公司介绍和{product}产品资料',
    '客户在忙，约定下周再详细沟通',
    '电话未接通，已发短信说明来意',
    '客户表示正在了解同类产品，先看看资料',
    '邮件发送{product}产品白皮书和报价区间',
    '与客户{title}简单交流，初步了解公司规模和现状',
  ],
  [
    '上门拜访，了解客户现有流程，主要痛点：{need}',
    '与客户IT负责人沟通系统对接需求，现用ERP为SAP, 需评估接口',
    '客户希望先看同行业案例，已发送{industry}行业案例',
    '需求访谈，客户关注数据安全和私有化部署',
    '现场调研，记录业务流程和关键数据口径',
    '客户内部还在统一意见，需求尚未最终确定',
    '客户老板说"今年一定要把这件事做起来"，需求比较迫切',
    '约了客户业务部门负责人，一起梳理需求清单',
  ],
  [
    '提交{product}初版方案，客户反馈需要细化实施计划',
    '方案演示，客户{title}参加，对报表功能比较满意',
    '根据客户意见修改方案，增加移动端审批',
    '客户要求提供分期实施方案，控制首期投入',
    '技术交流会，客户对接口稳定性有疑问，已安排工程师答疑',
    '发送方案V2，补充了实施排期, 培训计划和验收标准',
    '客户组织内部评审，我方方案评分排名第二',
  ],
  [
    '客户对价格有异议，要求增加3个月免费维护',
    '报价{amount}，客户希望再降5%，需申请特价',
    '与采购部沟通付款方式，客户要求3-6-1分期',
    '客户比较了两家竞品，我方在服务响应上有优势',
    '法务审核合同条款，违约责任条款待确认',
    '客户总经理出差，谈判暂缓，约定下周再议',
    '客户要求首年维保免费, 培训费打包在总价内',
  ],
  [
    '合同已定稿，等待客户走用印流程',
    '客户采购流程审批中，预计本周内签约',
    '发送正式合同，客户财务确认开票信息',
    '客户法务提出两处修改意见，已回复',
    '催签约，客户表示领导下周回来签字',
  ],
];

const ADVANCE_TEXTS: string[][] = [
  [],
  ['客户确认有{product}采购意向，进入需求调研', '电话沟通后客户同意安排需求访谈', '客户主动约见，希望了解{product}具体能力'],
  ['需求已明确，开始准备{product}解决方案', '完成需求调研报告，客户认可，进入方案阶段', '客户需求清晰，直接安排方案交流'],
  ['方案获客户认可，进入商务报价环节', '客户要求正式报价，报价{amount}', '方案评审通过，开始商务谈判'],
  ['价格谈妥，合同进入客户法务审核', '双方确认合同条款，等待签约', '客户口头确认中标，准备签约'],
  ['合同已签署，金额{won}，安排实施启动会', '客户完成用印，合同金额{won}，转交付团队', '签约完成，首付款30%已到账'],
];
const BACK_TEXTS = ['客户新增需求，需要重新调整方案', '客户领导层变动，要求重新出方案', '竞品低价搅局，客户要求优化方案配置'];
const LOST_TEXTS: Record<LostReason, string[]> = {
  价格过高: ['客户认为报价超出预算太多，最终放弃', '多轮议价未达成一致，客户放弃采购'],
  选择竞品: ['客户最终选择了{competitor}的方案', '客户选择{competitor}，对方价格低约15%'],
  预算取消: ['客户今年预算被砍，项目取消', '客户资金紧张，采购计划取消'],
  需求变更: ['客户业务调整，需求发生变化，项目终止', '客户改为自研，不再外采'],
  决策延期: ['客户决策无限期推迟，暂时关闭商机', '客户内部重组，项目搁置'],
  联系不上: ['多次电话微信未回复，联系不上客户', '对接人离职，新负责人联系不上'],
};
const COMPETITORS = ['某国际品牌', '本地集成商', '同行业另一家供应商', '竞争对手A公司'];
const INVALID_TEXTS = ['核实为同行询价，标记无效', '电话为空号，无法联系', '个人咨询，无企业采购需求', '与已有商机重复，标记无效', '学生做调研，非真实需求'];

const OBJECTIONS: string[][] = [
  ['暂无预算', '已有供应商'],
  ['预算不足', '决策链长', '实施周期长', '与现有系统兼容性'],
  ['需对比竞品', '担心数据安全', '实施周期长', '定制化需求多'],
  ['价格偏高', '预算不足', '付款条件', '需对比竞品', '决策链长'],
  ['合同条款', '付款条件', '内部审批慢'],
];
const NEXT_ACTIONS: string[][] = [
  ['发送产品资料', '约上门拜访', '电话回访确认需求', '邀请参加产品沙龙'],
  ['整理需求清单', '安排技术交流', '约客户IT部门沟通', '准备行业案例'],
  ['提交方案初稿', '安排产品演示', '修改方案并报价', '组织参观样板客户'],
  ['申请特价审批', '提交正式报价单', '与采购谈付款条件', '约客户高层会面'],
  ['跟进合同审批', '催促用印', '准备开票资料', '确认交付排期'],
];
const METHOD_WEIGHTS: [FollowupMethod, number][][] = [
  [['电话', 0.45], ['微信', 0.3], ['邮件', 0.15], ['面谈', 0.05], ['视频会议', 0.05]],
  [['面谈', 0.35], ['电话', 0.25], ['视频会议', 0.2], ['微信', 0.15], ['邮件', 0.05]],
  [['面谈', 0.35], ['视频会议', 0.3], ['邮件', 0.2], ['电话', 0.1], ['微信', 0.05]],
  [['面谈', 0.45], ['电话', 0.25], ['微信', 0.15], ['视频会议', 0.1], ['邮件', 0.05]],
  [['电话', 0.3], ['微信', 0.3], ['邮件', 0.3], ['面谈', 0.1]],
];
/** Two summaries are meeting minutes with line breaks (they exercise multi-line CSV fields). */
const MULTILINE_SUMMARIES = ['会议纪要：\n1. 确认一期实施范围\n2. 下周提交正式报价', '客户反馈两点意见：\n1. 希望缩短实施周期\n2. 需要增加培训课时'];

const NEEDS: Record<Product, string[]> = {
  智能仓储系统: ['仓库拣货效率低，旺季经常爆仓', '库存账实不符，盘点耗时长', '人工成本逐年上涨，希望提升自动化', '多仓协同困难，调拨信息不及时'],
  CRM云服务: ['销售过程不透明，客户资源掌握在个人手里', '线索跟进不及时，转化率低', '销售报表靠Excel手工汇总', '客户信息分散在多个系统'],
  数据分析平台: ['各系统数据孤岛，管理层看不到实时经营数据', '报表开发周期长，业务部门等不及', '希望建立统一的指标体系', '需要对门店和渠道销售做精细化分析'],
  工业物联网网关: ['设备联网率低，故障无法提前预警', '产线数据靠人工抄表', '能耗统计不准确，需要分项计量', '老旧设备协议多样，难以统一接入'],
  售后维保服务: ['现有系统维保到期，需要续保', '希望提供7×24小时响应服务', '设备老化故障增多，需要定期巡检'],
};

/** ¥1,280,000: the thousands separators are ASCII commas, so these summaries get quoted. */
export function formatYuan(amount: number, decimals = 0): string {
  const fixed = Math.abs(amount).toFixed(decimals);
  const [int, frac] = fixed.split('.') as [string, string | undefined];
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${amount < 0 ? '-' : ''}¥${grouped}${frac ? `.${frac}` : ''}`;
}

function fill(template: string, vars: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (_, k: string) => vars[k] ?? '');
}

// ---------------------------------------------------------------------------------------------
// Generation

interface Contact {
  name: string;
  phone: string;
}

interface CustomerState {
  key: number;
  name: string;
  shortName: string;
  industry: Industry;
  region: Region;
  size: number;
  credit: DemoCustomer['creditStatus'];
  /** Account owner when the customer was first contacted. */
  owner: string;
  firstContact: number;
  contacts: Contact[];
  opps: OppState[];
}

type StepKind = 'create' | 'advance' | 'back' | 'won' | 'lost' | 'invalid' | 'handover';

interface Step {
  at: number;
  kind: StepKind;
  from: number | null;
  /** Stage index after the step (0–5); null for lost/invalid. */
  to: number | null;
  owner: string;
  /** The stage that follows is stalled: few touches, long dwell. */
  stalled?: boolean;
  previousOwner?: string;
}

interface OppState {
  seq: number;
  customer: CustomerState;
  existingCustomer: boolean;
  createdAt: number;
  owner: string;
  product: Product;
  source: Source;
  quantity: number;
  listUnitPrice: number;
  contact: Contact;
  need: string;
  expectedCloseDay: number;
  status: OpportunityStatus;
  stage: number;
  stageEnteredAt: number;
  closedAt: number | null;
  lostReason: LostReason | null;
  wonUnitPrice: number | null;
  steps: Step[];
  /** Touches stop here: the owner left and nobody took the deal over. */
  frozenAt: number | null;
  id?: string;
}

export function generateDemoData(seed: number = DEMO_SEED): DemoData {
  const rng = new Rng(seed);
  const reps = buildReps();
  const repByName = new Map(reps.map((r) => [r.owner, r]));
  const rep = (owner: string) => repByName.get(owner)!;

  const usedCompanyNames = new Set<string>();
  const newCompanyName = (region: Region, industry: Industry) => {
    for (;;) {
      const brand = rng.pick(BRAND_FIRST) + rng.pick(BRAND_SECOND);
      const segment = rng.pick(INDUSTRY_SEGMENTS[industry]);
      const suffix = rng.weighted([['有限公司', 0.8], ['股份有限公司', 0.15], ['集团有限公司', 0.05]] as const);
      const name = `${rng.pick(CITIES[region])}${brand}${segment}${suffix}`;
      if (brand[0] !== brand[1] && !usedCompanyNames.has(name)) {
        usedCompanyNames.add(name);
        return { name, shortName: `${brand}${segment}` };
      }
    }
  };
  const personName = () => rng.pick(SURNAMES) + rng.pick(GIVEN_NAMES);
  const maskedMobile = () => `1${rng.pick(['3', '5', '8', '7'])}${rng.int(0, 9)}****${String(rng.int(0, 9999)).padStart(4, '0')}`;

  /** Owner of an account at a moment: leavers' accounts pass to their successor. */
  const ownerAt = (owner: string, at: number): string => {
    let r = rep(owner);
    while (r.leftMin <= at && r.successor) r = rep(r.successor);
    return r.owner;
  };

  const isActive = (r: RepState, at: number) => r.hiredMin <= at && at < r.leftMin;
  const ramp = (r: RepState, at: number) => {
    const months = (at - r.hiredMin) / (30 * MIN_PER_DAY);
    const leaving = r.leftMin - at < 30 * MIN_PER_DAY ? 0.3 : 1;
    return (months < 3 ? 0.5 : months < 6 ? 0.8 : 1) * leaving;
  };

  // ---- customers and opportunities, in creation order --------------------------------------
  const customers: CustomerState[] = [];
  const opps: OppState[] = [];

  const chooseExistingCustomer = (region: Region, at: number): CustomerState | undefined => {
    const pool = customers.filter((c) => c.region === region && c.firstContact < at - 7 * MIN_PER_DAY);
    if (pool.length === 0) return undefined;
    const pExisting = pool.length / (pool.length + 22);
    if (!rng.chance(pExisting)) return undefined;
    return rng.weighted(
      pool.map((c) => {
        const won = c.opps.some((o) => o.status === 'won' && o.closedAt! <= at);
        const inProgress = c.opps.some((o) => o.createdAt <= at && (o.closedAt === null || o.closedAt > at));
        const onlyInvalid = c.opps.every((o) => o.status === 'invalid');
        const w = (won ? 1.5 : 1) * (inProgress ? 0.25 : 1) * (onlyInvalid ? 0.1 : 1) * Math.sqrt(c.size);
        return [c, w] as const;
      }),
    );
  };

  const chooseProduct = (c: CustomerState, at: number): Product => {
    const weights: number[] = [...INDUSTRY_PRODUCTS[c.industry]];
    const bought = new Set(c.opps.filter((o) => o.status === 'won' && o.closedAt! <= at).map((o) => o.product));
    if (bought.has('智能仓储系统') || bought.has('工业物联网网关') || bought.has('数据分析平台')) weights[4] = weights[4]! + 0.6;
    // no second open deal for the same product
    for (const o of c.opps) if (o.closedAt === null || o.closedAt > at) weights[PRODUCTS.indexOf(o.product)] = 0;
    const entries = PRODUCTS.map((p, i) => [p, weights[i]!] as const);
    return entries.some(([, w]) => w > 0) ? rng.weighted(entries) : rng.pick(PRODUCTS);
  };

  const chooseSource = (day: number): Source => {
    const m = monthOf(day);
    const fairSeason = [3, 4, 9, 10, 11].includes(m);
    return rng.weighted(SOURCES.map((s) => [s, SOURCE_DEFS[s].share * (s === '展会推广' ? (fairSeason ? 1.6 : 0.6) : 1)] as const));
  };

  const createdDays = leadDays(rng);
  for (const [seq, day] of createdDays.entries()) {
    const createdAt = workTime(rng, day);
    const active = reps.filter((r) => isActive(r, createdAt));
    const region = rng.weighted(REGIONS.map((g) => [g, active.filter((r) => r.region === g).reduce((s, r) => s + r.capacity * ramp(r, createdAt), 0)] as const));
    let customer = chooseExistingCustomer(region, createdAt);
    let owner: string;
    const existingCustomer = customer !== undefined;
    if (customer) {
      owner = ownerAt(customer.owner, createdAt);
      if (!isActive(rep(owner), createdAt)) owner = rep(owner).successor ?? owner;
    } else {
      // New companies go preferentially to reps with few accounts (new hires build a book).
      const book = (owner: string) => customers.filter((c) => ownerAt(c.owner, createdAt) === owner).length;
      owner = rng.weighted(active.filter((r) => r.region === region).map((r) => [r.owner, r.capacity * ramp(r, createdAt) * (1 + 2 * Math.exp(-book(r.owner) / 10))] as const));
      const industry = rng.weighted(INDUSTRY_SHARE);
      const { name, shortName } = newCompanyName(region, industry);
      customer = {
        key: customers.length,
        name,
        shortName,
        industry,
        region,
        size: clamp(rng.lognormal(1, 0.5), 0.35, 3),
        credit: rng.weighted([['良好', 0.7], ['一般', 0.22], ['较差', 0.08]] as const),
        owner,
        firstContact: createdAt,
        contacts: [],
        opps: [],
      };
      customers.push(customer);
    }
    const product = chooseProduct(customer, createdAt);
    const source = chooseSource(day);
    if (customer.contacts.length === 0 || (customer.contacts.length < 3 && rng.chance(0.25))) {
      customer.contacts.push({ name: personName(), phone: maskedMobile() });
    }
    const { quantity, unitPrice } = PRODUCT_DEFS[product].quote(rng, customer.size);
    const expectedCycle = 75 * PRODUCT_DEFS[product].cycle * rng.uniform(0.7, 1.3);
    let expectedCloseDay = day + Math.round(expectedCycle);
    if (rng.chance(0.5)) expectedCloseDay = monthEnd(expectedCloseDay); // reps like month ends
    const opp: OppState = {
      seq,
      customer,
      existingCustomer,
      createdAt,
      owner,
      product,
      source,
      quantity,
      listUnitPrice: unitPrice,
      contact: rng.pick(customer.contacts),
      need: rng.pick(NEEDS[product]),
      expectedCloseDay,
      status: 'open',
      stage: 0,
      stageEnteredAt: createdAt,
      closedAt: null,
      lostReason: null,
      wonUnitPrice: null,
      steps: [],
      frozenAt: null,
    };
    simulate(opp);
    customer.opps.push(opp);
    opps.push(opp);
  }

  // ---- the stage process ---------------------------------------------------------------------
  function passProbability(o: OppState, stage: number, owner: string, at: number, stalled: boolean, handedOver: boolean): number {
    const r = rep(owner);
    const wonBefore = o.customer.opps.some((x) => x.status === 'won' && x.closedAt! <= at);
    let x = logit(BASE_PASS[stage]!);
    x += SOURCE_DEFS[o.source].logit + PRODUCT_DEFS[o.product].logit + r.skill + (r.stageSkill?.[stage] ?? 0);
    x += o.existingCustomer ? (wonBefore ? 0.5 : -0.1) : 0;
    x += o.customer.credit === '较差' ? -0.3 : 0;
    if (at - r.hiredMin < 180 * MIN_PER_DAY) x -= 0.25; // new hires are still learning
    if (at >= r.slumpMin) x -= 1.3;
    if (stalled) x -= 0.9;
    if (handedOver) x -= 0.3;
    if (o.source === CHANNEL_DROP_SOURCE && at >= CHANNEL_DROP_FROM) x -= 2.2;
    return logistic(x);
  }

  function simulate(o: OppState): void {
    // Won deals outside a realistic 20–150 day cycle are re-drawn.
    const rng = Rng.derive(seed, Stream.Simulation, o.seq);
    for (let attempt = 0; attempt < 40; attempt++) {
      simulateOnce(o, rng);
      if (o.status !== 'won') return;
      const cycleDays = (o.closedAt! - o.createdAt) / MIN_PER_DAY;
      if (cycleDays >= 20 && cycleDays <= 150) return;
    }
  }

  function simulateOnce(o: OppState, rng: Rng): void {
    let owner = o.owner;
    let t = o.createdAt;
    let stage = 0;
    let movedBack = false;
    let handedOver = false;
    const steps: Step[] = [{ at: t, kind: 'create', from: null, to: 0, owner }];
    const finish = (status: OpportunityStatus, closedAt: number | null, lostReason: LostReason | null = null) => {
      o.status = status;
      o.stage = stage;
      o.stageEnteredAt = t;
      o.closedAt = closedAt;
      o.lostReason = lostReason;
      o.steps = steps;
      o.owner = owner;
      o.frozenAt = null;
      o.wonUnitPrice = null;
    };

    const dropChannel = o.source === CHANNEL_DROP_SOURCE && o.createdAt >= CHANNEL_DROP_FROM;
    if (rng.chance(SOURCE_DEFS[o.source].invalidRate * (dropChannel ? 4 : 1) * (o.existingCustomer ? 0.5 : 1))) {
      const at = Math.max(workTime(rng, dayOfMinute(t) + rng.int(1, 10)), t + 60);
      if (at <= HORIZON) {
        steps.push({ at, kind: 'invalid', from: 0, to: null, owner });
        return finish('invalid', at);
      }
    }

    for (;;) {
      const stalled = rng.chance(STALL_RATE[stage]! * (rep(owner).slowness > 1.3 ? 2 : 1));
      steps[steps.length - 1]!.stalled = stalled;
      const dwellDays =
        rng.lognormal(STAGE_DWELL_DAYS[stage]!, 0.55) * PRODUCT_DEFS[o.product].cycle * rep(owner).slowness * (stalled ? rng.uniform(3, 7) : 1);
      let next = Math.max(workTime(rng, dayOfMinute(t) + Math.max(1, Math.round(dwellDays))), t + 60);

      const r = rep(owner);
      if (r.leftMin < next) {
        if (r.staleOnLeave || !r.successor) {
          finish('open', null);
          o.frozenAt = r.leftMin;
          return;
        }
        const handoverAt = Math.max(workTime(rng, dayOfMinute(r.leftMin) + rng.int(1, 4)), t + 60);
        if (handoverAt > HORIZON) return finish('open', null);
        steps.push({ at: handoverAt, kind: 'handover', from: null, to: stage, owner: r.successor, previousOwner: owner, stalled });
        owner = r.successor;
        handedOver = true;
        next = Math.max(next, workTime(rng, dayOfMinute(handoverAt) + rng.int(3, 10)));
      }
      if (next > HORIZON) return finish('open', null);

      if (stage === 3 && !movedBack && rng.chance(0.07)) {
        steps.push({ at: next, kind: 'back', from: 3, to: 2, owner });
        movedBack = true;
        stage = 2;
        t = next;
        continue;
      }
      if (rng.chance(passProbability(o, stage, owner, next, stalled, handedOver))) {
        let to = stage + 1;
        if (stage === 0 && rng.chance(o.source === '老客户转介绍' || o.existingCustomer ? 0.2 : 0.08)) to = 2;
        else if (stage === 3 && rng.chance(0.08)) to = 5;
        if (to === 5) {
          steps.push({ at: next, kind: 'won', from: stage, to: 5, owner });
          stage = 5;
          t = next;
          finish('won', next);
          const discount = rng.chance(0.4) ? 0 : rng.uniform(0.02, 0.14) + (rep(owner).discountBias ?? 0);
          o.wonUnitPrice = roundTo(o.listUnitPrice * (1 - discount), o.listUnitPrice >= 10_000 ? 100 : 1);
          return;
        }
        steps.push({ at: next, kind: 'advance', from: stage, to, owner });
        stage = to;
        t = next;
        continue;
      }
      let reasons = LOST_REASON_BY_STAGE[stage]!;
      if (stalled) reasons = [['决策延期', 0.6], ['联系不上', 0.4]];
      else if (o.source === CHANNEL_DROP_SOURCE && next >= CHANNEL_DROP_FROM) reasons = [['选择竞品', 0.7], ['价格过高', 0.3]];
      const reason = rng.weighted(reasons);
      // A dying deal lingers a while before anyone admits it is lost.
      // (Not so once the partner programme collapsed: those deals were closed out at once.)
      let lostAt = Math.max(workTime(rng, dayOfMinute(next) + Math.round(dwellDays * rng.uniform(0.4, 1.4))), next);
      if (lostAt >= rep(owner).leftMin || (o.source === CHANNEL_DROP_SOURCE && next >= CHANNEL_DROP_FROM)) lostAt = next;
      if (lostAt > HORIZON) return finish('open', null);
      steps.push({ at: lostAt, kind: 'lost', from: stage, to: null, owner });
      return finish('lost', lostAt, reason);
    }
  }

  // ---- ids -------------------------------------------------------------------------------
  const perYear = new Map<string, number>();
  for (const o of opps) {
    const year = isoMinute(o.createdAt).slice(0, 4);
    const n = (perYear.get(year) ?? 0) + 1;
    perYear.set(year, n);
    o.id = `OPP-${year}-${String(n).padStart(5, '0')}`;
  }

  // ---- follow-up history -----------------------------------------------------------------
  const stageEvents = buildStageEvents(seed, opps, rep);

  // ---- the 华南 funnel sheet (kept outside the CRM, so its deals are not in opportunities) ----
  const funnelTemplate = buildFunnelTemplate(Rng.derive(seed, Stream.Template, 0), reps, newCompanyName);
  for (const row of funnelTemplate.rows) {
    customers.push({
      key: customers.length,
      name: row.customerName,
      shortName: '',
      industry: row.industry,
      region: '华南',
      size: 1,
      credit: rng.weighted([['良好', 0.75], ['一般', 0.2], ['较差', 0.05]] as const),
      owner: row.owner,
      firstContact: dayNumber(row.firstContactAt) * MIN_PER_DAY,
      contacts: [],
      opps: [],
    });
  }

  // ---- customers: ids in order of first contact ---------------------------------------------
  const customerIds = new Map<CustomerState, string>();
  [...customers]
    .sort((a, b) => a.firstContact - b.firstContact || a.key - b.key)
    .forEach((c, i) => customerIds.set(c, `KH${String(i + 1).padStart(5, '0')}`));

  const orders = buildOrders(Rng.derive(seed, Stream.Orders, 0), opps, customers, customerIds, ownerAt);
  const targets = buildTargets(Rng.derive(seed, Stream.Targets, 0), reps, orders, customers, customerIds);

  return {
    reps: reps.map((r) => ({ owner: r.owner, team: r.team, region: r.region, manager: r.manager, hiredAt: r.hiredAt, leftAt: r.leftAt ?? null })),
    customers: [...customers]
      .sort((a, b) => (customerIds.get(a)! < customerIds.get(b)! ? -1 : 1))
      .map((c) => ({
        customerId: customerIds.get(c)!,
        customerName: c.name,
        industry: c.industry,
        region: c.region,
        firstContactAt: isoDate(dayOfMinute(c.firstContact)),
        owner: ownerAt(c.owner, HORIZON),
        creditStatus: c.credit,
      })),
    opportunities: opps.map((o) => toOpportunity(o, customerIds.get(o.customer)!, rep(o.owner))),
    stageEvents,
    orders,
    targets,
    funnelTemplate: funnelTemplate.rows.map(({ industry: _industry, ...row }) => row),
  };
}

// ---------------------------------------------------------------------------------------------

function buildReps(): RepState[] {
  return ROSTER.map((p) => {
    const team = TEAMS.find((t) => t.team === p.team)!;
    return {
      ...p,
      region: team.region,
      manager: team.manager,
      hiredMin: dayNumber(p.hiredAt) * MIN_PER_DAY,
      leftMin: p.leftAt ? (dayNumber(p.leftAt) + 1) * MIN_PER_DAY : Number.POSITIVE_INFINITY,
      slumpMin: p.slumpFrom ? dayNumber(p.slumpFrom) * MIN_PER_DAY : Number.POSITIVE_INFINITY,
    };
  });
}

function monthEnd(day: number): number {
  const d = new Date(day * 86_400_000);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0) / 86_400_000;
}

/** Creation day of every lead: steady growth, a Q4 push, quiet Spring Festival weeks. */
function leadDays(rng: Rng): number[] {
  const monthFactor = [0, 0.95, 0.8, 1.05, 1, 0.95, 1, 0.9, 0.9, 1.1, 1.2, 1.2, 1.2];
  const days: number[] = [];
  const span = AS_OF_DAY - START_DAY;
  for (let d = START_DAY; d <= AS_OF_DAY; d++) {
    let lambda = (3.3 + 2.2 * ((d - START_DAY) / span)) * monthFactor[monthOf(d)]!;
    if (!isWorkday(d)) lambda *= HOLIDAYS.has(d) ? 0.04 : 0.12;
    if (SPRING_FESTIVAL_SHOULDERS.has(d)) lambda *= 0.45;
    const n = rng.poisson(lambda);
    for (let i = 0; i < n; i++) days.push(d);
  }
  return days;
}

function toOpportunity(o: OppState, customerId: string, r: RepState): DemoOpportunity {
  const amount = o.status === 'won' ? o.quantity * o.wonUnitPrice! : null;
  const suffix = o.existingCustomer ? (o.product === '售后维保服务' ? '年度维保' : '扩容项目') : '采购项目';
  return {
    opportunityId: o.id!,
    opportunityName: `${o.customer.shortName}${o.product}${suffix}`,
    customerId,
    customerName: o.customer.name,
    contactName: o.contact.name,
    contactInfo: o.contact.phone,
    owner: o.owner,
    team: r.team,
    region: r.region,
    industry: o.customer.industry,
    product: o.product,
    source: o.source,
    stage: STAGES[o.stage]!,
    status: o.status,
    createdAt: isoMinute(o.createdAt),
    stageEnteredAt: isoMinute(o.stageEnteredAt),
    closedAt: o.closedAt === null ? null : isoMinute(o.closedAt),
    expectedCloseDate: isoDate(o.expectedCloseDay),
    expectedAmount: o.quantity * o.listUnitPrice,
    amount,
    lostReason: o.lostReason,
    need: o.need,
  };
}

// ---------------------------------------------------------------------------------------------
// Follow-ups: the stage changes plus plain touches between them, each planning the next one.

interface RawEvent {
  at: number;
  opp: OppState;
  step?: Step;
  /** Stage the deal is in when a plain touch happens. */
  stage: number;
  owner: string;
}

function buildStageEvents(seed: number, opps: OppState[], rep: (owner: string) => RepState): DemoStageEvent[] {
  const perOpp: RawEvent[][] = [];
  for (const o of opps) {
    const rng = Rng.derive(seed, Stream.Touches, o.seq);
    const events: RawEvent[] = [];
    const steps = o.steps;
    for (let i = 0; i < steps.length; i++) {
      const step = steps[i]!;
      events.push({ at: step.at, opp: o, step, stage: step.to ?? step.from ?? 0, owner: step.owner });
      if (step.kind === 'won' || step.kind === 'lost' || step.kind === 'invalid') break;
      const stage = step.to!;
      const start = step.at;
      let end: number;
      const next = steps[i + 1];
      if (next) end = next.at;
      else if (o.frozenAt !== null) end = o.frozenAt - rng.int(2, 12) * MIN_PER_DAY;
      else if (step.stalled) end = start + (HORIZON - start) * rng.uniform(0.15, 0.5);
      else end = HORIZON;
      const lengthDays = (end - start) / MIN_PER_DAY;
      if (lengthDays < 1.5) continue;
      const gap = rep(step.owner).touchGap * 1.8 * (step.stalled ? 3 : 1) * (stage === 0 ? 1.3 : 1);
      const count = Math.min(rng.poisson(lengthDays / gap), 9);
      const times: number[] = [];
      for (let k = 0; k < count; k++) {
        const day = dayOfMinute(start) + rng.int(1, Math.max(1, Math.floor(lengthDays) - 1));
        const at = workTime(rng, day, rng.chance(0.15));
        if (at > start + 30 && at < end - 30 && at <= HORIZON) times.push(at);
      }
      times.sort((a, b) => a - b);
      let last = start;
      for (const at of times) {
        if (at - last < 20) continue;
        events.push({ at, opp: o, stage, owner: step.owner });
        last = at;
      }
    }
    events.sort((a, b) => a.at - b.at);
    perOpp.push(events);
  }

  // Two meeting-minute summaries with line breaks, on deterministic 方案提案 touches.
  const minutesTargets = new Set<RawEvent>();
  const candidates = perOpp.flat().filter((e) => !e.step && e.stage === 2);
  if (candidates.length > 2) {
    minutesTargets.add(candidates[Math.floor(candidates.length * 0.3)]!);
    minutesTargets.add(candidates[Math.floor(candidates.length * 0.7)]!);
  }
  let minutesUsed = 0;

  const out: { sortKey: number; seq: number; event: DemoStageEvent }[] = [];
  for (const events of perOpp) {
    const rng = Rng.derive(seed, Stream.Texts, events[0]!.opp.seq);
    for (let i = 0; i < events.length; i++) {
      const e = events[i]!;
      const o = e.opp;
      const step = e.step;
      const vars = {
        product: o.product,
        need: o.need,
        industry: o.customer.industry,
        title: rng.pick(['IT经理', '运营总监', '采购经理', '副总', '财务总监']),
        amount: formatYuan(o.quantity * o.listUnitPrice),
        won: formatYuan(o.quantity * (o.wonUnitPrice ?? o.listUnitPrice)),
        fair: rng.pick(FAIRS),
        partner: rng.pick(PARTNERS),
        ref: rng.pick(['恒通物流', '瑞丰电子', '嘉禾商贸', '宏远机械', '博远科技']),
        competitor: rng.pick(COMPETITORS),
      };
      const stageForText = Math.min(e.stage, 4);
      let fromStage: Stage | null = null;
      let toStage: DemoStageEvent['toStage'] = null;
      let summary: string;
      let method = rng.weighted(METHOD_WEIGHTS[stageForText]!);
      let objection: string | null = null;
      let nextAction: string | null = rng.pick(NEXT_ACTIONS[stageForText]!);
      switch (step?.kind) {
        case 'create':
          toStage = STAGES[0];
          summary = fill(o.existingCustomer ? rng.pick(EXISTING_CUSTOMER_CREATE_TEXTS) : rng.pick(CREATE_TEXTS[o.source]), vars);
          if (o.source === '展会推广') method = '面谈';
          break;
        case 'advance':
        case 'won':
          fromStage = STAGES[step.from!]!;
          toStage = STAGES[step.to!]!;
          summary = fill(rng.pick(ADVANCE_TEXTS[step.to!]!), vars);
          if (step.kind === 'won') nextAction = '安排实施启动会';
          break;
        case 'back':
          fromStage = STAGES[step.from!]!;
          toStage = STAGES[step.to!]!;
          summary = rng.pick(BACK_TEXTS);
          break;
        case 'lost':
          fromStage = STAGES[step.from!]!;
          toStage = LOST_MARKER;
          summary = fill(rng.pick(LOST_TEXTS[o.lostReason!]), vars);
          nextAction = null;
          break;
        case 'invalid':
          fromStage = STAGES[0];
          toStage = INVALID_MARKER;
          summary = rng.pick(INVALID_TEXTS);
          method = '电话';
          nextAction = null;
          break;
        case 'handover':
          summary = `原负责人${step.previousOwner}离职，商机移交${step.owner}，已电话联系客户确认对接人`;
          method = '电话';
          nextAction = '上门拜访客户，重新梳理项目进展';
          break;
        default:
          if (minutesTargets.has(e) && minutesUsed < MULTILINE_SUMMARIES.length) {
            summary = MULTILINE_SUMMARIES[minutesUsed++]!;
            method = '面谈';
          } else {
            summary = fill(rng.pick(TOUCH_TEXTS[stageForText]!), vars);
          }
          if (rng.chance(stageForText >= 2 ? 0.35 : 0.2)) objection = rng.pick(OBJECTIONS[stageForText]!);
      }

      // Planned next follow-up: set on most events except the closing one. The owner of the
      // next event decides whether it happened on time; late ones are at least a day late.
      let nextFollowupAt: number | null = null;
      const closing = step?.kind === 'won' || step?.kind === 'lost' || step?.kind === 'invalid';
      const nextEvent = events[i + 1];
      if (!closing && rng.chance(0.93)) {
        if (nextEvent) {
          const nextDay = dayOfMinute(nextEvent.at);
          const late = rng.chance(rep(nextEvent.owner).lateRate) && nextDay - dayOfMinute(e.at) >= 3;
          if (late) {
            const plannedDay = nextDay - rng.int(1, Math.min(7, nextDay - dayOfMinute(e.at) - 1));
            nextFollowupAt = plannedDay * MIN_PER_DAY + rng.pick([10, 14, 16]) * 60;
          } else {
            const plannedDay = nextDay + rng.weighted([[0, 0.3], [1, 0.4], [2, 0.2], [3, 0.1]] as const);
            nextFollowupAt = Math.max(plannedDay * MIN_PER_DAY + rng.pick([10, 14, 16, 17]) * 60, nextEvent.at + 30);
            nextFollowupAt = Math.ceil(nextFollowupAt / 30) * 30;
          }
        } else {
          // the last word on an open deal: planned a few days on (overdue if the deal is stuck)
          nextFollowupAt = (dayOfMinute(e.at) + rng.int(2, 10)) * MIN_PER_DAY + rng.pick([10, 14, 16]) * 60;
        }
      }

      out.push({
        sortKey: e.at,
        seq: o.seq,
        event: {
          opportunityId: o.id!,
          occurredAt: isoMinute(e.at),
          fromStage,
          toStage,
          method,
          summary,
          objection,
          nextAction,
          nextFollowupAt: nextFollowupAt === null ? null : isoMinute(nextFollowupAt),
          owner: e.owner,
        },
      });
    }
  }
  // An activity log export: chronological across all deals.
  out.sort((a, b) => a.sortKey - b.sortKey || a.seq - b.seq);
  return out.map((x) => x.event);
}

// ---------------------------------------------------------------------------------------------
// Orders: the won deal's order on the win date, then repeat purchases while the customer stays.

interface RepeatItem {
  product: Product;
  weight: number;
  make(rng: Rng): { quantity: number; unitPrice: number };
}

function repeatItemsFor(o: OppState): RepeatItem[] {
  const unit = o.wonUnitPrice!;
  const amount = o.quantity * unit;
  switch (o.product) {
    case '智能仓储系统':
      return [
        { product: '售后维保服务', weight: 3, make: (rng) => ({ quantity: 1, unitPrice: roundTo(amount * rng.uniform(0.02, 0.03), 100) }) },
        { product: '智能仓储系统', weight: 1, make: (rng) => ({ quantity: 1, unitPrice: roundTo(rng.uniform(20_000, 200_000), 100) }) },
      ];
    case '工业物联网网关':
      return [
        { product: '工业物联网网关', weight: 3, make: (rng) => ({ quantity: rng.int(5, Math.max(8, Math.round(o.quantity / 3))), unitPrice: unit }) },
        { product: '售后维保服务', weight: 1, make: (rng) => ({ quantity: 1, unitPrice: roundTo(rng.uniform(8_000, 30_000), 100) }) },
      ];
    case 'CRM云服务':
      return [{ product: 'CRM云服务', weight: 3, make: (rng) => ({ quantity: rng.int(3, Math.max(5, Math.round(o.quantity / 4))), unitPrice: unit }) }];
    case '数据分析平台':
      return [
        { product: '数据分析平台', weight: 2, make: (rng) => ({ quantity: rng.int(1, 3), unitPrice: roundTo(rng.uniform(30_000, 90_000), 1000) }) },
        { product: '售后维保服务', weight: 1, make: (rng) => ({ quantity: 1, unitPrice: roundTo(amount * rng.uniform(0.03, 0.05), 100) }) },
      ];
    case '售后维保服务':
      return [{ product: '售后维保服务', weight: 2, make: (rng) => ({ quantity: 1, unitPrice: roundTo(amount * rng.uniform(0.2, 0.3), 100) }) }];
  }
}

function buildOrders(
  rng: Rng,
  opps: OppState[],
  customers: CustomerState[],
  customerIds: Map<CustomerState, string>,
  ownerAt: (owner: string, at: number) => string,
): DemoOrder[] {
  interface Line {
    at: number;
    customer: CustomerState;
    product: Product;
    quantity: number;
    unitPrice: number;
    owner: string;
    opportunityId: string | null;
    /** Lines sharing a group are one order. */
    group: number;
  }
  const lines: Line[] = [];
  let group = 0;

  const won = opps.filter((o) => o.status === 'won').sort((a, b) => a.closedAt! - b.closedAt! || a.seq - b.seq);
  for (const o of won) {
    const at = Math.min(o.closedAt! + rng.int(10, 180), dayOfMinute(o.closedAt!) * MIN_PER_DAY + 21 * 60 + 30);
    lines.push({ at: Math.max(at, o.closedAt!), customer: o.customer, product: o.product, quantity: o.quantity, unitPrice: o.wonUnitPrice!, owner: o.owner, opportunityId: o.id!, group: group++ });
  }

  // Lapsed big accounts: bought often, then stopped about six months before the as-of date.
  const lapseFrom = dayNumber('2026-04-01') * MIN_PER_DAY;
  const wonValue = (c: CustomerState) => c.opps.filter((o) => o.status === 'won').reduce((s, o) => s + o.quantity * o.wonUnitPrice!, 0);
  const lapsed = new Set(
    customers
      .filter((c) => {
        const wins = c.opps.filter((o) => o.status === 'won');
        return wins.length > 0 && Math.min(...wins.map((o) => o.closedAt!)) < dayNumber('2025-09-30') * MIN_PER_DAY && wins.every((o) => o.closedAt! < lapseFrom);
      })
      .sort((a, b) => wonValue(b) - wonValue(a) || a.key - b.key)
      .slice(0, 14),
  );

  for (const c of customers) {
    const wins = c.opps.filter((o) => o.status === 'won').sort((a, b) => a.closedAt! - b.closedAt!);
    if (wins.length === 0) continue;
    const firstWin = wins[0]!.closedAt!;
    const isLapsed = lapsed.has(c);
    const profile = isLapsed ? 'champion' : rng.weighted([['one-off', 0.22], ['regular', 0.58], ['champion', 0.2]] as const);
    const stopAt = isLapsed ? lapseFrom + rng.int(0, 45) * MIN_PER_DAY : Number.POSITIVE_INFINITY;
    let churned = false;

    // Yearly renewals of subscriptions and maintenance contracts.
    for (const w of wins) {
      if (w.product !== 'CRM云服务' && w.product !== '售后维保服务') continue;
      let at = w.closedAt! + 365 * MIN_PER_DAY;
      while (at <= HORIZON && at < stopAt && rng.chance(profile === 'one-off' ? 0.55 : 0.85)) {
        const when = workTime(rng, dayOfMinute(at) + rng.int(-10, 10));
        if (when > HORIZON || when >= stopAt) break;
        lines.push({ at: when, customer: c, product: w.product, quantity: w.quantity, unitPrice: roundTo(w.wonUnitPrice! * rng.uniform(1, 1.08), w.wonUnitPrice! >= 10_000 ? 100 : 1), owner: ownerAt(w.owner, when), opportunityId: null, group: group++ });
        at += 365 * MIN_PER_DAY;
      }
    }
    if (profile === 'one-off') continue;

    const meanGap = Math.max(10, (profile === 'champion' ? rng.uniform(12, 22) : rng.uniform(17, 38)) / c.size ** 0.3);
    const churnRate = isLapsed ? 0 : profile === 'champion' ? 0.01 : 0.07;
    let at = firstWin + Math.round(meanGap * rng.uniform(0.6, 1.4)) * MIN_PER_DAY;
    while (!churned) {
      const when = workTime(rng, dayOfMinute(at));
      if (when > HORIZON || when >= stopAt) break;
      const items = wins.filter((w) => w.closedAt! < when).flatMap(repeatItemsFor);
      const first = rng.weighted(items.map((it) => [it, it.weight] as const));
      const chosen = [first];
      const second = items.find((it) => it.product !== first.product);
      if (second && rng.chance(0.3)) chosen.push(second);
      const owner = ownerAt(c.owner, when);
      for (const item of chosen) {
        const { quantity, unitPrice } = item.make(rng);
        lines.push({ at: when, customer: c, product: item.product, quantity, unitPrice, owner, opportunityId: null, group });
      }
      group++;
      at += Math.round(meanGap * rng.uniform(0.5, 1.5)) * MIN_PER_DAY;
      if (rng.chance(churnRate)) churned = true;
    }
  }

  // Order numbers by date: SO + yyyymmdd + a per-day sequence.
  const groups = new Map<number, Line[]>();
  for (const l of lines) groups.set(l.group, [...(groups.get(l.group) ?? []), l]);
  const ordered = [...groups.values()].sort((a, b) => a[0]!.at - b[0]!.at || a[0]!.group - b[0]!.group);
  const perDay = new Map<number, number>();
  const out: DemoOrder[] = [];
  for (const g of ordered) {
    const day = dayOfMinute(g[0]!.at);
    const n = (perDay.get(day) ?? 0) + 1;
    perDay.set(day, n);
    const orderId = `SO${isoDate(day).replaceAll('-', '')}${String(n).padStart(3, '0')}`;
    for (const l of g) {
      out.push({
        orderId,
        customerId: customerIds.get(l.customer)!,
        customerName: l.customer.name,
        orderedAt: isoMinute(g[0]!.at),
        product: l.product,
        quantity: l.quantity,
        unitPrice: l.unitPrice,
        amount: l.quantity * l.unitPrice,
        owner: l.owner,
        opportunityId: l.opportunityId,
      });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Targets: planned from each rep's share and the company trend, then rolled up.

interface Month {
  key: string;
  start: number;
  end: number;
}

function monthsBetween(from: string, to: string): Month[] {
  const out: Month[] = [];
  let d = dayNumber(from);
  while (d <= dayNumber(to)) {
    const end = monthEnd(d);
    out.push({ key: isoDate(d).slice(0, 7), start: d, end });
    d = end + 1;
  }
  return out;
}

/** Rep targets mostly add up to teams, teams to regions, regions to the company, except: */
const TARGET_MISMATCHES = {
  /** 华北's 2026 monthly targets were raised after the teams had been allocated. */
  regionAboveTeams: { region: '华北' as Region, fromMonth: '2026-01', factor: 1.12 },
  /** 邓超 left; his share stayed in 华南二组's target and was never given to anyone. */
  teamKeepsLeaverShare: { team: '华南二组', rep: '邓超' },
  /** The company's 2025 Q4 target was set above what the regions signed up for. */
  companyQuarterAboveRegions: { quarterStart: '2025-10-01', factor: 1.05 },
};

/** Targets cover FY2025 and FY2026; Nov–Dec 2024 were the CRM roll-out, before any plan. */
const TARGETS_FROM = '2025-01-01';
/** Quotas relative to what the company actually sells per head (lumpy B2B months, so below 1). */
const QUOTA_LEVEL = 0.85;

function buildTargets(
  rng: Rng,
  reps: RepState[],
  orders: DemoOrder[],
  customers: CustomerState[],
  customerIds: Map<CustomerState, string>,
): DemoTarget[] {
  const months = monthsBetween(TARGETS_FROM, '2026-12-31');
  const actualMonths = months.filter((m) => m.start <= AS_OF_DAY);
  const revenue = (owner: string | null, m: Month) =>
    orders.filter((o) => (owner === null || o.owner === owner) && dayNumber(o.orderedAt) >= m.start && dayNumber(o.orderedAt) <= m.end).reduce((s, o) => s + o.amount, 0);

  // Company trend: centred 5-month moving average of actual revenue, flat into the future.
  const companyActual = actualMonths.map((m) => revenue(null, m));
  const trend = months.map((_, i) => {
    const window = companyActual.slice(Math.max(0, Math.min(i, companyActual.length - 1) - 2), Math.min(companyActual.length, Math.min(i, companyActual.length - 1) + 3));
    return window.reduce((s, v) => s + v, 0) / window.length;
  });

  /** Planning weight of a rep in a month: 0 outside employment, ramping up after hire. */
  const presence = (r: RepState, m: Month, ignoreLeaving = false) => {
    const mid = (m.start + 14) * MIN_PER_DAY;
    if (mid < r.hiredMin || (!ignoreLeaving && mid >= r.leftMin)) return 0;
    const monthsIn = (mid - r.hiredMin) / (30 * MIN_PER_DAY);
    return monthsIn < 3 ? 0 : monthsIn < 6 ? 0.5 : monthsIn < 12 ? 0.75 : 1; // no revenue quota while onboarding
  };

  // A monthly target is the run-rate of the rep's territory (a 12-month window around the month,
  // over the months they worked, scaled to the company trend) blended with what the rep committed
  // to close that month (承诺成交: the month's actual, give or take a forecasting error), with a
  // floor so everyone past onboarding carries a quota. Lumpy B2B months and slumps still miss.
  const companyTotal = companyActual.reduce((s, v) => s + v, 0);
  const headMonths = reps.reduce((s, r) => s + actualMonths.reduce((t, m) => t + presence(r, m), 0), 0);
  const perHead = companyTotal / headMonths;
  const repTarget = new Map<string, number[]>();
  const leaverShare = new Map<string, number[]>();
  for (const r of reps) {
    const own = actualMonths.map((m) => revenue(r.owner, m));
    const plan = (ignoreLeaving: boolean) =>
      months.map((m, i) => {
        const p = presence(r, m, ignoreLeaving);
        if (p === 0) return 0;
        const centre = Math.min(i, actualMonths.length - 1);
        const worked: number[] = [];
        const trendInWindow: number[] = [];
        for (let j = Math.max(0, centre - 6); j < Math.min(actualMonths.length, centre + 6); j++) {
          if (presence(r, actualMonths[j]!) === 0) continue;
          worked.push(own[j]!);
          trendInWindow.push(trend[j]!);
        }
        const runRate = worked.length ? worked.reduce((s, v) => s + v, 0) / worked.length : 0;
        // the business grows: plan each month at the run-rate the company trend implies for it
        const growth = trendInWindow.length ? trend[i]! / (trendInWindow.reduce((s, v) => s + v, 0) / trendInWindow.length) : 1;
        const committed = i < actualMonths.length ? own[i]! * rng.lognormal(1, 0.3) : runRate * growth;
        const quota = Math.max((0.55 * runRate * growth + 0.45 * committed) * QUOTA_LEVEL, perHead * 0.3 * p);
        return roundTo(quota * rng.uniform(0.95, 1.05), 5000);
      });
    repTarget.set(r.owner, plan(false));
    if (r.owner === TARGET_MISMATCHES.teamKeepsLeaverShare.rep) leaverShare.set(r.owner, plan(true));
  }

  // Slumping reps must visibly miss 70% of target in the last two months.
  for (const r of reps.filter((x) => x.slumpFrom)) {
    const t = repTarget.get(r.owner)!;
    for (const key of ['2026-09', '2026-10']) {
      const i = months.findIndex((m) => m.key === key);
      const actual = revenue(r.owner, months[i]!);
      if (actual >= 0.7 * t[i]!) t[i] = Math.ceil(actual / 0.6 / 5000) * 5000;
    }
  }

  const out: DemoTarget[] = [];
  const monthly = new Map<string, number[]>(); // "dimension|value" → per month
  const put = (dimension: DemoTarget['dimension'], value: string, values: number[]) => monthly.set(`${dimension}|${value}`, values);
  const sum = (arrays: number[][]) => months.map((_, i) => arrays.reduce((s, a) => s + a[i]!, 0));

  for (const r of reps) put('rep', r.owner, repTarget.get(r.owner)!);
  for (const team of TEAMS) {
    const values = sum(reps.filter((r) => r.team === team.team).map((r) => repTarget.get(r.owner)!));
    const keep = TARGET_MISMATCHES.teamKeepsLeaverShare;
    if (team.team === keep.team) {
      const leaver = reps.find((r) => r.owner === keep.rep)!;
      const share = leaverShare.get(keep.rep)!;
      months.forEach((m, i) => {
        if ((m.start + 14) * MIN_PER_DAY >= leaver.leftMin) values[i]! += share[i]!;
      });
    }
    put('team', team.team, values);
  }
  for (const region of REGIONS) {
    const values = sum(TEAMS.filter((t) => t.region === region).map((t) => monthly.get(`team|${t.team}`)!));
    const raise = TARGET_MISMATCHES.regionAboveTeams;
    if (region === raise.region) months.forEach((m, i) => m.key >= raise.fromMonth && (values[i] = roundTo(values[i]! * raise.factor, 10_000)));
    put('region', region, values);
  }
  put('company', 'all', sum(REGIONS.map((g) => monthly.get(`region|${g}`)!)));

  const quarters = [...new Set(months.map((m) => quarterStart(m.start)))].filter((q) => months.filter((m) => quarterStart(m.start) === q).length === 3);
  for (const [key, values] of monthly) {
    const [dimension, value] = key.split('|') as [DemoTarget['dimension'], string];
    months.forEach((m, i) => {
      if (values[i]! > 0) out.push({ periodStart: isoDate(m.start), periodEnd: isoDate(m.end), dimension, dimensionValue: value, metric: 'revenue', value: values[i]! });
    });
    for (const q of quarters) {
      let total = months.reduce((s, m, i) => s + (quarterStart(m.start) === q ? values[i]! : 0), 0);
      const stretch = TARGET_MISMATCHES.companyQuarterAboveRegions;
      if (dimension === 'company' && isoDate(q) === stretch.quarterStart) total = roundTo(total * stretch.factor, 10_000);
      if (total > 0) out.push({ periodStart: isoDate(q), periodEnd: isoDate(quarterEnd(q)), dimension, dimensionValue: value, metric: 'revenue', value: total });
    }
  }

  // New customers per region and year: customers whose first order falls in the year.
  const firstOrder = new Map<string, number>();
  for (const o of orders) if (!firstOrder.has(o.customerId)) firstOrder.set(o.customerId, dayNumber(o.orderedAt));
  for (const region of REGIONS) {
    for (const year of [2025, 2026]) {
      const count = customers.filter((c) => {
        const d = firstOrder.get(customerIds.get(c)!);
        return c.region === region && d !== undefined && isoDate(d).startsWith(String(year));
      }).length;
      const fullYear = year === 2026 ? (count * 12) / 10 : count;
      out.push({ periodStart: `${year}-01-01`, periodEnd: `${year}-12-31`, dimension: 'region', dimensionValue: region, metric: 'new_customers', value: Math.max(5, Math.round(fullYear * rng.uniform(1.05, 1.2))) });
    }
  }
  return out;
}

function quarterStart(day: number): number {
  const d = new Date(day * 86_400_000);
  return Date.UTC(d.getUTCFullYear(), Math.floor(d.getUTCMonth() / 3) * 3, 1) / 86_400_000;
}

function quarterEnd(qStart: number): number {
  const d = new Date(qStart * 86_400_000);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 3, 0) / 86_400_000;
}

// ---------------------------------------------------------------------------------------------
// The 华南 regional funnel sheet: open deals tracked by hand in the seed 002 template.

function buildFunnelTemplate(
  rng: Rng,
  reps: RepState[],
  newCompany: (region: Region, industry: Industry) => { name: string; shortName: string },
): { rows: (DemoFunnelTemplateRow & { industry: Industry })[] } {
  const southReps = reps.filter((r) => r.region === '华南' && r.hiredMin <= HORIZON && r.leftMin > HORIZON);
  const stageCounts: [number, number][] = [[0, 10], [1, 10], [2, 9], [3, 7], [4, 4]];
  const conversion = ['62%（潜在接触→需求挖掘）', '58%（需求挖掘→方案提案）', '70%（方案提案→商务谈判）', '80%（商务谈判→成交待签约）', '92%（成交待签约→已成交）'];
  const drafts: (Omit<DemoFunnelTemplateRow, 'leadId'> & { industry: Industry; created: number })[] = [];
  for (const [stage, count] of stageCounts) {
    for (let k = 0; k < count; k++) {
      const r = rng.weighted(southReps.map((x) => [x, x.capacity] as const));
      const industry = rng.weighted(INDUSTRY_SHARE);
      const product = rng.weighted(PRODUCTS.map((p, i) => [p, INDUSTRY_PRODUCTS[industry][i]! + 0.01] as const));
      const { name } = newCompany('华南', industry);
      // Days in the current stage first: mostly fresh, a third past the 15-day review mark, a
      // few stuck for months. The deal was created some weeks before it reached that stage.
      const earliest = Math.max(dayNumber('2026-01-05'), dayOfMinute(r.hiredMin) + 7);
      const dwell = rng.weighted([[rng.int(1, 15), 0.6], [rng.int(16, 45), 0.3], [rng.int(46, 120), 0.1]] as const);
      const entered = Math.max(AS_OF_DAY - dwell, earliest + stage * 6);
      const created = stage === 0 ? entered : Math.max(earliest, entered - stage * rng.int(6, 20) - rng.int(0, 10));
      const lastFollowup = AS_OF_DAY - rng.int(0, Math.min(AS_OF_DAY - entered, 20));
      const { quantity, unitPrice } = PRODUCT_DEFS[product].quote(rng, clamp(rng.lognormal(1, 0.5), 0.35, 3));
      const need = rng.pick(NEEDS[product]);
      const expectedClose = rng.chance(0.15) ? AS_OF_DAY - rng.int(3, 30) : AS_OF_DAY + rng.int(10, 120);
      drafts.push({
        created,
        industry,
        customerName: name,
        contact: `${rng.pick(SURNAMES)}${rng.pick(CONTACT_TITLES)}`,
        source: rng.weighted(SOURCES.map((s) => [s, SOURCE_DEFS[s].share] as const)),
        stage: STAGES[stage]!,
        firstContactAt: isoDate(created),
        lastFollowupAt: `${isoDate(lastFollowup)} ${String(rng.int(9, 18)).padStart(2, '0')}:${rng.pick(['00', '15', '30', '45'])}:00`,
        method: rng.weighted(METHOD_WEIGHTS[stage]!),
        summary: fill(rng.pick(TOUCH_TEXTS[stage]!), { product, need, industry, title: '采购经理', amount: formatYuan(quantity * unitPrice) }),
        need,
        expectedCloseDate: isoDate(expectedClose),
        expectedAmountWan: Math.max(1, roundTo((quantity * unitPrice) / 10_000, 0.5)),
        owner: r.owner,
        stageDays: AS_OF_DAY - entered,
        conversionNote: rng.chance(0.35) ? conversion[stage]! : null,
      });
    }
  }
  drafts.sort((a, b) => a.created - b.created || (a.customerName < b.customerName ? -1 : 1));
  return {
    rows: drafts.map(({ created: _created, ...d }, i) => ({ leadId: `LF2026${String(i + 1).padStart(3, '0')}`, ...d })),
  };
}
