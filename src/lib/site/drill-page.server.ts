/**
 * The rows behind one figure: /drill/<family>/<target>?k.stage=需求挖掘&<filters>. Keys come
 * as k.<name> so they never clash with the page filters. The page shows MAX_DRILL_PAGE_ROWS;
 * the download streams up to MAX_DOWNLOAD_ROWS (families with drillQuery) or MAX_DRILL_ROWS.
 */
import { loadConfig } from '../config/config.ts';
import { MAX_DRILL_ROWS, type ResultTable } from '../metrics/family.ts';
import type { ResolvedParams } from '../metrics/params.ts';
import { isFamilyId, loadFamily } from '../metrics/registry.ts';
import { WarehouseMissingError } from '../warehouse/warehouse.server.ts';
import type { Lang } from './i18n.ts';
import { paramsFromUrl, toTableView, type TableView } from './report-page.server.ts';
import type { Scope } from '../access/roles.ts';
import { withWarehouse } from './site-warehouse.server.ts';
import { parseDrillKeys, parseUrlFilters, urlFiltersToSearch } from './url-params.ts';

export const MAX_DRILL_PAGE_ROWS = 200;

export type DrillView =
  | { status: 'ok'; family: string; target: string; keys: Record<string, string>; params: ResolvedParams; table: TableView; back: string }
  | { status: 'error'; family: string; target: string; message: string };


/** The drill-down table for a request, up to `limit` rows. */
export async function computeDrill(scope: Scope, familyId: string, target: string, url: URL, limit: number): Promise<{ table: ResultTable; params: ResolvedParams; dbPath: string }> {
  if (!isFamilyId(familyId)) throw new Error(`There is no metric family "${familyId}".`);
  const family = (await loadFamily(familyId))!;
  if (!family.drill || !family.drillTargets?.[target]) {
    throw new Error(`${familyId} has no drill-down "${target}"; it has: ${Object.keys(family.drillTargets ?? {}).join(', ') || 'none'}.`);
  }
  const filters = parseUrlFilters(url.searchParams);
  return withWarehouse(scope, async (session) => {
    const config = loadConfig().config;
    const params = await paramsFromUrl(session, filters, config);
    const table = await family.drill!({ connection: session.connection, params, config }, { target, keys: parseDrillKeys(url.searchParams), limit });
    return { table, params, dbPath: session.dbPath };
  });
}

export async function loadDrillPage(scope: Scope, familyId: string, target: string, url: URL, lang: Lang, back: string): Promise<DrillView> {
  try {
    // one more than shown, to know whether there are more
    const { table, params } = await computeDrill(scope, familyId, target, url, MAX_DRILL_PAGE_ROWS + 1);
    const search = urlFiltersToSearch(parseUrlFilters(url.searchParams));
    for (const [k, v] of Object.entries(parseDrillKeys(url.searchParams))) search.set(`k.${k}`, v);
    search.set('lang', lang);
    const download = `/drill/${familyId}/${encodeURIComponent(target)}/rows.xlsx?${search}`;
    const view = toTableView(table, lang, '', download, undefined, MAX_DRILL_PAGE_ROWS);
    return { status: 'ok', family: familyId, target, keys: parseDrillKeys(url.searchParams), params, table: view, back };
  } catch (err) {
    const message = err instanceof WarehouseMissingError ? err.message : (err as Error).message;
    return { status: 'error', family: familyId, target, message };
  }
}

export { MAX_DRILL_ROWS };
