import { requireUser } from '$lib/access/access.server.ts';
import { dataTables } from '$lib/site/data-page.server.ts';
import { dataWorkbook } from '$lib/site/download.server.ts';
import { MAX_DRILL_ROWS } from '$lib/metrics/family.ts';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async ({ locals }) => {
  const { tables, dbPath } = await dataTables(requireUser(locals).scope, MAX_DRILL_ROWS);
  return dataWorkbook(tables, dbPath, locals.lang);
};
