import { cohortsPage } from '$lib/site/pages/cohorts-page.ts';
import { reportLoad } from '$lib/site/report-route.server.ts';

export const load = reportLoad(cohortsPage);
