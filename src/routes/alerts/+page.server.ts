import { alertsPage } from '$lib/site/pages/alerts-page.ts';
import { reportLoad } from '$lib/site/report-route.server.ts';

export const load = reportLoad(alertsPage);
