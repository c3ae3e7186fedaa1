import { requireUser } from '$lib/access/access.server.ts';
import { loadDataPage } from '$lib/site/data-page.server.ts';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals }) => ({ view: await loadDataPage(requireUser(locals).scope, locals.lang) });
