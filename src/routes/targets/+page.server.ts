import { targetsPage } from '$lib/site/pages/targets-page.ts';
import { reportLoad } from '$lib/site/report-route.server.ts';

export const load = reportLoad(targetsPage);
