import { error } from '@sveltejs/kit';
import { requireUser } from '$lib/access/access.server.ts';
import { pageWorkbook } from '$lib/site/download.server.ts';
import { PAGES } from '$lib/site/pages/index.ts';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async ({ params, url, locals }) => {
  const page = PAGES[params.page];
  if (!page) error(404, `No page "${params.page}".`);
  return pageWorkbook(requireUser(locals).scope, page, url, locals.lang);
};
