import { error } from '@sveltejs/kit';
import { computeDrill, MAX_DRILL_ROWS } from '$lib/site/drill-page.server.ts';
import { drillWorkbook } from '$lib/site/download.server.ts';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async ({ params, url, locals }) => {
  try {
    const { table, params: p, dbPath } = await computeDrill(params.family, params.target, url, MAX_DRILL_ROWS);
    return drillWorkbook(table, `${params.family}-${params.target}`, p, dbPath, locals.lang);
  } catch (err) {
    error(400, (err as Error).message);
  }
};
