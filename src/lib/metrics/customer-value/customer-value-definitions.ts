/**
 * The fixed vocabulary of the customer-value family: the seed 003 tiers with the strategy and
 * channels the seed gives each, the 11 quintile-RFM segments and the grid that assigns them,
 * and the ABC classes with seed 001's note. Text only; the rules live in customer-value-queries.ts.
 */

export const TIER_IDS = ['high_value', 'potential', 'low_value', 'dormant', 'regular'] as const;
export type TierId = (typeof TIER_IDS)[number];

export interface TierDefinition {
  id: TierId;
  name_zh: string;
  name_en: string;
  strategy_zh: string;
  strategy_en: string;
  preferred_channels_zh: string;
  preferred_channels_en: string;
  auxiliary_channels_zh: string;
  auxiliary_channels_en: string;
  /** Where the strategy text comes from: the seed document, or Salesight's own default. */
  source: 'seed 003' | 'salesight';
}

/**
 * Strategies: seed 003 (2024年销售业绩提升实战方案), 三(一) 客户分层 table, column 策略重点.
 * Channels: seed 003, 三(二) 精准触达 table, columns 优先渠道 / 辅助渠道. Quoted, lightly trimmed;
 * the English is a faithful translation. The seed has no text for customers who match no tier
 * (一般客户): that row is Salesight's default and says so.
 */
export const TIERS: Record<TierId, TierDefinition> = {
  high_value: {
    id: 'high_value',
    name_zh: '高价值客户',
    name_en: 'High value',
    strategy_zh: '①专属服务(如客户成功经理一对一跟进);②定制化权益(如优先体验新品、专属折扣);③长期绑定(如签订年度框架协议)',
    strategy_en: '1) Dedicated service (a customer-success manager follows up one to one); 2) tailored benefits (early access to new products, exclusive discounts); 3) long-term commitment (e.g. an annual framework agreement)',
    preferred_channels_zh: '一对一电话、线下拜访',
    preferred_channels_en: 'One-to-one phone calls, on-site visits',
    auxiliary_channels_zh: '企业微信(发送"专属活动邀请")',
    auxiliary_channels_en: 'WeCom (send exclusive event invitations)',
    source: 'seed 003',
  },
  potential: {
    id: 'potential',
    name_zh: '潜力客户',
    name_en: 'Potential',
    strategy_zh: '①培育需求(如发送"产品新版本功能"邮件);②推动决策(如邀请参与"行业解决方案研讨会")',
    strategy_en: '1) Nurture demand (e.g. an e-mail on new product-version features); 2) move them to decide (e.g. invite them to an industry-solutions seminar)',
    preferred_channels_zh: '企业微信(发送"行业报告")、线上直播',
    preferred_channels_en: 'WeCom (send industry reports), live webinars',
    auxiliary_channels_zh: '邮件(发送"产品案例")',
    auxiliary_channels_en: 'E-mail (send product case studies)',
    source: 'seed 003',
  },
  low_value: {
    id: 'low_value',
    name_zh: '低价值客户',
    name_en: 'Low value',
    strategy_zh: '①自动化运营(如通过邮件、社群发送促销信息);②筛选高潜力客户(如"最近浏览过产品页面"的低价值客户,重点跟进)',
    strategy_en: '1) Automated marketing (promotions by e-mail and community groups); 2) pick out the high-potential ones (e.g. those who recently viewed product pages) for personal follow-up',
    preferred_channels_zh: '社群(发送"促销信息")、公众号(推送"入门指南")',
    preferred_channels_en: 'Community groups (send promotions), WeChat official account (push getting-started guides)',
    auxiliary_channels_zh: '小程序(设置"一键下单"入口)',
    auxiliary_channels_en: 'Mini-program (a one-tap ordering entry)',
    source: 'seed 003',
  },
  dormant: {
    id: 'dormant',
    name_zh: '休眠客户',
    name_en: 'Dormant',
    strategy_zh: '①挽回沟通(如电话询问"未复购原因");②激励措施(如"回归客户享8折优惠")',
    strategy_en: '1) Win-back conversation (call and ask why they have not re-ordered); 2) an incentive (e.g. 20% off for returning customers)',
    preferred_channels_zh: '短信(发送"唤醒优惠")、社群(推送"客户故事")',
    preferred_channels_en: 'SMS (send a wake-up offer), community groups (push customer stories)',
    auxiliary_channels_zh: '电话(针对"高潜力休眠客户")',
    auxiliary_channels_en: 'Phone (for high-potential dormant customers)',
    source: 'seed 003',
  },
  regular: {
    id: 'regular',
    name_zh: '一般客户',
    name_en: 'Regular',
    strategy_zh: '按常规节奏维护;留意是否升为潜力客户或滑向休眠(种子文档未给出此层策略,为Salesight默认)',
    strategy_en: 'Keep the usual cadence; watch for moves up to Potential or down to Dormant (the seed gives no strategy for this group: Salesight default)',
    preferred_channels_zh: '负责人常规跟进(电话、企业微信)',
    preferred_channels_en: "The owner's usual follow-up (phone, WeCom)",
    auxiliary_channels_zh: '邮件',
    auxiliary_channels_en: 'E-mail',
    source: 'salesight',
  },
};

export const SEGMENT_IDS = [
  'champions',
  'loyal',
  'potential_loyalist',
  'new',
  'promising',
  'need_attention',
  'about_to_sleep',
  'at_risk',
  'cant_lose',
  'hibernating',
  'lost',
] as const;
export type SegmentId = (typeof SEGMENT_IDS)[number];

export interface SegmentDefinition {
  id: SegmentId;
  name_en: string;
  name_zh: string;
  description_en: string;
  description_zh: string;
}

export const SEGMENTS: Record<SegmentId, SegmentDefinition> = {
  champions: { id: 'champions', name_en: 'Champions', name_zh: '冠军客户', description_en: 'Bought recently, buy often, spend the most', description_zh: '最近购买、购买频繁、花费最多' },
  loyal: { id: 'loyal', name_en: 'Loyal', name_zh: '忠诚客户', description_en: 'Buy often and spend well', description_zh: '经常购买、花费可观' },
  potential_loyalist: { id: 'potential_loyalist', name_en: 'Potential loyalist', name_zh: '潜在忠诚客户', description_en: 'Recent, with middling frequency and spend', description_zh: '近期购买,频次和金额中等' },
  new: { id: 'new', name_en: 'New', name_zh: '新客户', description_en: 'Bought very recently, little so far', description_zh: '刚刚购买,频次和金额尚低' },
  promising: { id: 'promising', name_en: 'Promising', name_zh: '有望客户', description_en: 'Fairly recent, low frequency and spend', description_zh: '较近购买,频次和金额低' },
  need_attention: { id: 'need_attention', name_en: 'Need attention', name_zh: '需要关注', description_en: 'Middling recency, frequency and spend', description_zh: '最近度、频次、金额都居中' },
  about_to_sleep: { id: 'about_to_sleep', name_en: 'About to sleep', name_zh: '即将沉睡', description_en: 'Middling recency, low frequency and spend', description_zh: '最近度居中,频次和金额低' },
  at_risk: { id: 'at_risk', name_en: 'At risk', name_zh: '流失风险', description_en: 'Bought often or spent well, but not lately', description_zh: '曾经常购买或花费可观,但近来没有' },
  cant_lose: { id: 'cant_lose', name_en: "Can't lose", name_zh: '不能失去', description_en: 'Top frequency and spend, but long ago', description_zh: '频次和金额最高,但很久未购买' },
  hibernating: { id: 'hibernating', name_en: 'Hibernating', name_zh: '沉睡客户', description_en: 'Long ago, low frequency and spend', description_zh: '很久未购买,频次和金额低' },
  lost: { id: 'lost', name_en: 'Lost', name_zh: '已流失', description_en: 'Lowest recency, frequency and spend', description_zh: '最近度、频次、金额都最低' },
};

export type Score = 1 | 2 | 3 | 4 | 5;

/**
 * Segment of (R score, FM score), FM = trunc((F + M) / 2): the 11-segment R × FM grid of the
 * widely copied RFM tutorials (regex map '22' hibernating, '[1-2][1-2]' lost, '15' can't lose,
 * '[1-2][3-5]' at risk, '3[1-2]' about to sleep, '33' need attention, '55' champions,
 * '[3-5][4-5]' loyal, '41' promising, '51' new, '[4-5][2-3]' potential loyalists, applied in
 * that order), which condenses Putler's 11-segment table (R vs the F&M average) into one cell
 * per combination. Written out cell by cell so no ordering or overlap is left to interpret:
 * SEGMENT_GRID[r][fm - 1].
 */
export const SEGMENT_GRID: Record<Score, readonly [SegmentId, SegmentId, SegmentId, SegmentId, SegmentId]> = {
  //  FM:  1                 2                     3                     4         5
  5: ['new', 'potential_loyalist', 'potential_loyalist', 'loyal', 'champions'],
  4: ['promising', 'potential_loyalist', 'potential_loyalist', 'loyal', 'loyal'],
  3: ['about_to_sleep', 'about_to_sleep', 'need_attention', 'loyal', 'loyal'],
  2: ['lost', 'hibernating', 'at_risk', 'at_risk', 'at_risk'],
  1: ['lost', 'lost', 'at_risk', 'at_risk', 'cant_lose'],
};

export function segmentOf(r: Score, fm: Score): SegmentId {
  return SEGMENT_GRID[r][fm - 1]!;
}

/** The (R, FM) cells of a segment, e.g. lost → ['R1 FM1', 'R1 FM2', 'R2 FM1']. */
export function segmentCells(id: SegmentId): string[] {
  const cells: string[] = [];
  for (const r of [5, 4, 3, 2, 1] as const) {
    SEGMENT_GRID[r].forEach((s, i) => {
      if (s === id) cells.push(`R${r} FM${i + 1}`);
    });
  }
  return cells;
}

export const ABC_IDS = ['A', 'B', 'C'] as const;
export type AbcClass = (typeof ABC_IDS)[number];

export interface AbcDefinition {
  id: AbcClass;
  note_zh: string;
  note_en: string;
  source: 'seed 001' | 'salesight';
}

/**
 * Seed 001 (销售团队人效提升策略), 资源分配效率提升策略 · 客户分级资源倾斜: "基于客户潜力与贡献度实施ABC分类,
 * 将高价值客户分配给资深销售,并配套专属支持资源", and 客户分级与优先级管理: each class gets its own
 * follow-up frequency and resources. The seed spells out only the A treatment; B and C are
 * Salesight's reading of that principle.
 */
export const ABC_CLASSES: Record<AbcClass, AbcDefinition> = {
  A: { id: 'A', note_zh: '分配给资深销售,并配套专属支持资源', note_en: 'Assign to senior reps, with dedicated support resources', source: 'seed 001' },
  B: { id: 'B', note_zh: '按标准跟进频率和资源投入维护', note_en: 'Standard follow-up frequency and resources', source: 'salesight' },
  C: { id: 'C', note_zh: '降低人工投入,以自动化触达为主', note_en: 'Less hands-on time; mostly automated contact', source: 'salesight' },
};
