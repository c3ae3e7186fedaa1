import { channelsPage } from '$lib/site/pages/channels-page.ts';
import { reportLoad } from '$lib/site/report-route.server.ts';

export const load = reportLoad(channelsPage);
