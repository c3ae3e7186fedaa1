/**
 * GET /api/metrics/<family>?<filters>: the family's result as JSON, exactly the shape of
 * `salesight metrics <family> --json`, for scripts and dashboards elsewhere. Same parameters,
 * cache and warehouse version as the pages; `warehouse_version` (in a header) says which file
 * version answered.
 */
import { loadConfig } from '../config/config.ts';
import { isFamilyId } from '../metrics/registry.ts';
import { WarehouseMissingError } from '../warehouse/warehouse.server.ts';
import { computeFamily, paramsFromUrl } from './report-page.server.ts';
import type { Scope } from '../access/roles.ts';
import { withWarehouse } from './site-warehouse.server.ts';
import { parseUrlFilters } from './url-params.ts';

export async function metricsApi(scope: Scope, familyId: string, url: URL): Promise<Response> {
  if (!isFamilyId(familyId)) return Response.json({ status: 'failed', errors: [`There is no metric family "${familyId}".`] }, { status: 404 });
  try {
    return await withWarehouse(scope, async (session) => {
      const config = loadConfig().config;
      const params = await paramsFromUrl(session, parseUrlFilters(url.searchParams), config);
      const result = await computeFamily(session, familyId, params, config);
      return Response.json(result, { headers: { 'x-salesight-warehouse-version': session.version, 'cache-control': 'no-store' } });
    });
  } catch (err) {
    const status = err instanceof WarehouseMissingError ? 503 : 400;
    return Response.json({ status: 'failed', errors: [(err as Error).message] }, { status });
  }
}
