import { customersPage } from '$lib/site/pages/customers-page.ts';
import { reportLoad } from '$lib/site/report-route.server.ts';

export const load = reportLoad(customersPage);
