/**
 * Built-in stage lists. Stages belong to the data: the seed template has six stages, Maven CRM
 * has three, Salesforce and HubSpot their own defaults. Ingest writes the list it used into the
 * warehouse's `stages` table, and the metrics read stage order from there.
 */
import type { OpportunityStatus } from '../warehouse/schema.ts';

export interface StageDef {
  /** Canonical name stored in `opportunities.stage`. */
  stage: string;
  name_zh: string;
  name_en: string;
  /** Other spellings found in exports (matched case-insensitively). */
  aliases?: string[];
  is_won?: boolean;
  stagnation_days?: number;
}

export interface StageSet {
  id: string;
  stages: StageDef[];
  /** Values of a stage column that are terminal statuses rather than stages (丢单, Closed Lost). */
  terminal: Partial<Record<Exclude<OpportunityStatus, 'open' | 'won'>, string[]>>;
}

const DEFAULT_STAGNATION_DAYS = 15; // seed 002: 需求挖掘 over 15 days triggers a review

export const DEFAULT_STAGE_SET: StageSet = {
  id: 'default',
  stages: [
    { stage: '潜在接触', name_zh: '潜在接触', name_en: 'Initial contact', aliases: ['initial contact', 'lead', '初步接触'], stagnation_days: DEFAULT_STAGNATION_DAYS },
    { stage: '需求挖掘', name_zh: '需求挖掘', name_en: 'Needs discovery', aliases: ['needs discovery', 'discovery', '需求确认'], stagnation_days: DEFAULT_STAGNATION_DAYS },
    { stage: '方案提案', name_zh: '方案提案', name_en: 'Proposal', aliases: ['proposal', '方案报价', '方案'], stagnation_days: DEFAULT_STAGNATION_DAYS },
    { stage: '商务谈判', name_zh: '商务谈判', name_en: 'Negotiation', aliases: ['negotiation', '谈判'], stagnation_days: DEFAULT_STAGNATION_DAYS },
    { stage: '成交待签约', name_zh: '成交待签约', name_en: 'Closing (awaiting signature)', aliases: ['closing', 'closing (awaiting signature)', 'awaiting signature', '待签约'], stagnation_days: DEFAULT_STAGNATION_DAYS },
    { stage: '已成交', name_zh: '已成交', name_en: 'Won', aliases: ['won', 'closed won', '成交', '赢单'], is_won: true },
  ],
  terminal: {
    lost: ['丢单', '已流失', '丢单/已流失', '输单', 'lost', 'closed lost'],
    invalid: ['无效线索', '无效', 'invalid', 'invalid lead'],
  },
};

export const MAVEN_STAGE_SET: StageSet = {
  id: 'maven_crm',
  stages: [
    { stage: 'Prospecting', name_zh: '潜在客户', name_en: 'Prospecting', stagnation_days: 30 },
    { stage: 'Engaging', name_zh: '接洽中', name_en: 'Engaging', stagnation_days: 30 },
    { stage: 'Won', name_zh: '已成交', name_en: 'Won', is_won: true },
  ],
  terminal: { lost: ['Lost'] },
};

export const SALESFORCE_STAGE_SET: StageSet = {
  id: 'salesforce',
  stages: [
    { stage: 'Prospecting', name_zh: '潜在客户', name_en: 'Prospecting', stagnation_days: 30 },
    { stage: 'Qualification', name_zh: '资格审查', name_en: 'Qualification', stagnation_days: 30 },
    { stage: 'Needs Analysis', name_zh: '需求分析', name_en: 'Needs Analysis', stagnation_days: 30 },
    { stage: 'Value Proposition', name_zh: '价值主张', name_en: 'Value Proposition', stagnation_days: 30 },
    { stage: 'Id. Decision Makers', name_zh: '确定决策者', name_en: 'Id. Decision Makers', stagnation_days: 30 },
    { stage: 'Perception Analysis', name_zh: '认知分析', name_en: 'Perception Analysis', stagnation_days: 30 },
    { stage: 'Proposal/Price Quote', name_zh: '方案/报价', name_en: 'Proposal/Price Quote', stagnation_days: 30 },
    { stage: 'Negotiation/Review', name_zh: '谈判/审核', name_en: 'Negotiation/Review', stagnation_days: 30 },
    { stage: 'Closed Won', name_zh: '已成交', name_en: 'Closed Won', is_won: true },
  ],
  terminal: { lost: ['Closed Lost'] },
};

export const HUBSPOT_STAGE_SET: StageSet = {
  id: 'hubspot',
  stages: [
    { stage: 'Appointment Scheduled', name_zh: '已预约', name_en: 'Appointment Scheduled', aliases: ['appointmentscheduled'], stagnation_days: 30 },
    { stage: 'Qualified To Buy', name_zh: '有购买意向', name_en: 'Qualified To Buy', aliases: ['qualifiedtobuy'], stagnation_days: 30 },
    { stage: 'Presentation Scheduled', name_zh: '已安排演示', name_en: 'Presentation Scheduled', aliases: ['presentationscheduled'], stagnation_days: 30 },
    { stage: 'Decision Maker Bought-In', name_zh: '决策者认可', name_en: 'Decision Maker Bought-In', aliases: ['decisionmakerboughtin'], stagnation_days: 30 },
    { stage: 'Contract Sent', name_zh: '已发合同', name_en: 'Contract Sent', aliases: ['contractsent'], stagnation_days: 30 },
    { stage: 'Closed Won', name_zh: '已成交', name_en: 'Closed Won', aliases: ['closedwon'], is_won: true },
  ],
  terminal: { lost: ['Closed Lost', 'closedlost'] },
};

export const BUILT_IN_STAGE_SETS: StageSet[] = [
  DEFAULT_STAGE_SET,
  MAVEN_STAGE_SET,
  SALESFORCE_STAGE_SET,
  HUBSPOT_STAGE_SET,
];

export function stageSetById(id: string): StageSet | undefined {
  return BUILT_IN_STAGE_SETS.find((s) => s.id === id);
}

export function normaliseLabel(value: string): string {
  return value.trim().toLowerCase();
}

/** Every spelling → what it means: a canonical stage, or a terminal status. */
export function stageLookup(
  set: StageSet,
): Map<string, { stage: string | null; status: OpportunityStatus }> {
  const lookup = new Map<string, { stage: string | null; status: OpportunityStatus }>();
  for (const def of set.stages) {
    const meaning = { stage: def.stage, status: def.is_won ? ('won' as const) : ('open' as const) };
    for (const label of [def.stage, def.name_zh, def.name_en, ...(def.aliases ?? [])]) {
      lookup.set(normaliseLabel(label), meaning);
    }
  }
  for (const [status, labels] of Object.entries(set.terminal)) {
    for (const label of labels ?? []) {
      lookup.set(normaliseLabel(label), { stage: null, status: status as OpportunityStatus });
    }
  }
  return lookup;
}
