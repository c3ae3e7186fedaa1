/** What a report route's +page.server.ts exports: the page's definition, loaded for the request. */
import type { ServerLoadEvent } from '@sveltejs/kit';
import { requireUser } from '../access/access.server.ts';
import type { PageDefinition } from './page-model.ts';
import { loadReportPage } from './report-page.server.ts';

export function reportLoad(page: PageDefinition) {
  return async ({ url, locals }: Pick<ServerLoadEvent, 'url' | 'locals'>) => ({ view: await loadReportPage(requireUser(locals).scope, page, url, locals.lang) });
}
