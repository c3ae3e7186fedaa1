import { teamPage } from '$lib/site/pages/team-page.ts';
import { reportLoad } from '$lib/site/report-route.server.ts';

export const load = reportLoad(teamPage);
