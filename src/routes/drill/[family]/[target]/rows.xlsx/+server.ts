import { error } from '@sveltejs/kit';
import { requireUser } from '$lib/access/access.server.ts';
import { computeDrill, MAX_DRILL_ROWS } from '$lib/site/drill-page.server.ts';
import { drillWorkbook, streamedDrillWorkbook } from '$lib/site/download.server.ts';
import { isFamilyId, loadFamily } from '$lib/metrics/registry.ts';
import { streamsDrill } from '$lib/metrics/family.ts';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async ({ params, url, locals }) => {
  const { scope } = requireUser(locals);
  try {
    // families that can say a drill-down as one query stream every row; the others give MAX_DRILL_ROWS
    const family = isFamilyId(params.family) ? await loadFamily(params.family) : null;
    if (family && streamsDrill(family, params.target)) return await streamedDrillWorkbook(scope, family, params.target, url, locals.lang);
    const { table, params: p, dbPath } = await computeDrill(scope, params.family, params.target, url, MAX_DRILL_ROWS);
    return drillWorkbook(table, `${params.family}-${params.target}`, p, dbPath, locals.lang);
  } catch (err) {
    error(400, (err as Error).message);
  }
};
