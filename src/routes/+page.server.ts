import { overviewPage } from '$lib/site/pages/overview-page.ts';
import { reportLoad } from '$lib/site/report-route.server.ts';

export const load = reportLoad(overviewPage);
