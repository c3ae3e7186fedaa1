/** Every report page by id (the id is its path and its download's name). */
import type { PageDefinition } from '../page-model.ts';
import { alertsPage } from './alerts-page.ts';
import { channelsPage } from './channels-page.ts';
import { cohortsPage } from './cohorts-page.ts';
import { customersPage } from './customers-page.ts';
import { funnelPage } from './funnel-page.ts';
import { overviewPage } from './overview-page.ts';
import { targetsPage } from './targets-page.ts';
import { teamPage } from './team-page.ts';

export const PAGES: Record<string, PageDefinition> = Object.fromEntries(
  [overviewPage, funnelPage, channelsPage, cohortsPage, customersPage, teamPage, targetsPage, alertsPage].map((p) => [p.id, p]),
);
