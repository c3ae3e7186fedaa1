import { requireUser } from '$lib/access/access.server.ts';
import { loadDrillPage } from '$lib/site/drill-page.server.ts';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ params, url, locals, request }) => {
  const referer = request.headers.get('referer');
  const back = referer && new URL(referer).origin === url.origin ? new URL(referer).pathname + new URL(referer).search : '/';
  return { view: await loadDrillPage(requireUser(locals).scope, params.family, params.target, url, locals.lang, back) };
};
