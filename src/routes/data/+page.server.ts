import { loadDataPage } from '$lib/site/data-page.server.ts';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals }) => ({ view: await loadDataPage(locals.lang) });
