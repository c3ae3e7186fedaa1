/**
 * Every metric family by id: what `salesight metrics <family>`, `salesight report <family>`
 * and the site's pages look up. A family is added here once and is then everywhere.
 */
import type { MetricFamily } from './family.ts';
import { funnelFamily } from './funnel/funnel.ts';
import { channelsFamily } from './channels/channels.ts';
import { cohortsFamily } from './cohorts/cohorts.ts';
import { customerValueFamily } from './customer-value/customer-value.ts';
import { targetsFamily } from './targets/targets.ts';
import { workReportsFamily } from './work-reports/work-reports.ts';
import { customerTimelineFamily } from './customer-timeline/customer-timeline.ts';
import { performanceFamily } from './performance/performance.ts';
import { alertsFamily } from './alerts/alerts.ts';

export const METRIC_FAMILIES: Record<string, MetricFamily<unknown>> = {
  funnel: funnelFamily as MetricFamily<unknown>,
  channels: channelsFamily as MetricFamily<unknown>,
  cohorts: cohortsFamily as MetricFamily<unknown>,
  'customer-value': customerValueFamily as MetricFamily<unknown>,
  targets: targetsFamily as MetricFamily<unknown>,
  performance: performanceFamily as MetricFamily<unknown>,
  'work-reports': workReportsFamily as MetricFamily<unknown>,
  'customer-timeline': customerTimelineFamily as MetricFamily<unknown>,
  alerts: alertsFamily as MetricFamily<unknown>,
};

export function familyById(id: string): MetricFamily<unknown> | undefined {
  return METRIC_FAMILIES[id];
}
