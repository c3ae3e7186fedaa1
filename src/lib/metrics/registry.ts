/**
 * Every metric family by id: what `salesight metrics <family>`, `salesight report <family>`
 * and the site's pages look up. A family is added here once and is then everywhere.
 *
 * Loaded on demand: a CLI command needs one family, and importing all nine costs ~90 ms of a
 * command that should finish well under a second.
 */
import type { MetricFamily } from './family.ts';

const LOADERS = {
  funnel: async () => (await import('./funnel/funnel.ts')).funnelFamily,
  channels: async () => (await import('./channels/channels.ts')).channelsFamily,
  cohorts: async () => (await import('./cohorts/cohorts.ts')).cohortsFamily,
  'customer-value': async () => (await import('./customer-value/customer-value.ts')).customerValueFamily,
  targets: async () => (await import('./targets/targets.ts')).targetsFamily,
  performance: async () => (await import('./performance/performance.ts')).performanceFamily,
  'work-reports': async () => (await import('./work-reports/work-reports.ts')).workReportsFamily,
  'customer-timeline': async () => (await import('./customer-timeline/customer-timeline.ts')).customerTimelineFamily,
  alerts: async () => (await import('./alerts/alerts.ts')).alertsFamily,
} satisfies Record<string, () => Promise<unknown>>;

export type FamilyId = keyof typeof LOADERS;

/** Family ids in the order menus and listings show them. */
export const FAMILY_IDS = Object.keys(LOADERS) as FamilyId[];

export function isFamilyId(id: string): id is FamilyId {
  return Object.hasOwn(LOADERS, id);
}

/** The family with this id, or undefined when there is none. */
export async function loadFamily(id: string): Promise<MetricFamily<unknown> | undefined> {
  return isFamilyId(id) ? ((await LOADERS[id]()) as MetricFamily<unknown>) : undefined;
}
