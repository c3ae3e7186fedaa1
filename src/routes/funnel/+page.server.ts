import { funnelPage } from '$lib/site/pages/funnel-page.ts';
import { reportLoad } from '$lib/site/report-route.server.ts';

export const load = reportLoad(funnelPage);
