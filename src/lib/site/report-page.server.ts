/**
 * Loading a report page: URL filters → metric parameters → each family computed once (cached
 * per warehouse version) → the page's content → a view the Svelte side only has to print:
 * values formatted for the language, charts already SVG, tables capped at MAX_PAGE_ROWS with a
 * drill-down link per figure. Nothing but that view reaches the browser.
 */
import { ConfigError, loadConfig, type SalesightConfig } from '../config/config.ts';
import { DIMENSIONS, type Dimension } from '../metrics/dimensions.ts';
import { isNumericFormat, type CellFormat, type MetricContext, type ResultTable } from '../metrics/family.ts';
import { resolveParams, type MetricParams, type ResolvedParams } from '../metrics/params.ts';
import { loadFamily, type FamilyId } from '../metrics/registry.ts';
import { renderChartSvg } from '../charts/render.server.ts';
import { queryRows, WarehouseMissingError } from '../warehouse/warehouse.server.ts';
import { formatKpi, formatValue, t, type Lang } from './i18n.ts';
import { columnsForLang, type DrillLink, type PageBuildContext, type PageDefinition, type PageTable } from './page-model.ts';
import { cached } from './result-cache.server.ts';
import type { Scope } from '../access/roles.ts';
import { withWarehouse, type WarehouseSession } from './site-warehouse.server.ts';
import { parseUrlFilters, presetRange, urlFiltersToSearch, type UrlFilters } from './url-params.ts';

/** Table rows printed on a page; the Excel download has them all. */
export const MAX_PAGE_ROWS = 50;
export const CHART_WIDTH = 720;

export interface CellView {
  text: string;
  /** the raw figure (numbers only), so tests and scripts can read it exactly */
  value?: number;
  href?: string;
  numeric: boolean;
}

export interface TableView {
  name: string;
  title: string;
  headers: { text: string; numeric: boolean }[];
  rows: CellView[][];
  total: number;
  download: string;
}

export interface KpiView {
  id: string;
  label: string;
  text: string;
  value?: number;
  delta?: { text: string; good: boolean } | null;
  hint?: string;
  href?: string;
}

export interface SectionView {
  id: string;
  title: string;
  kpis: KpiView[];
  charts: { id: string; title: string; svg: string }[];
  tables: TableView[];
  notes: string[];
}

export interface FilterView {
  url: UrlFilters;
  params: ResolvedParams;
  /** values to pick from, per dimension */
  options: Record<Dimension, string[]>;
  /** the query string for links that keep the filters */
  search: string;
}

export type PageView =
  | { status: 'ok'; page: string; filters: FilterView; sections: SectionView[]; failures: { family: string; message: string }[]; download: string; serverMs: number }
  | { status: 'empty'; page: string; message: string }
  | { status: 'error'; page: string; message: string };

export function drillHref(link: DrillLink, search: string): string {
  const s = new URLSearchParams(search);
  for (const [k, v] of Object.entries(link.keys)) s.set(`k.${k}`, v);
  return `/drill/${link.family}/${encodeURIComponent(link.target)}?${s}`;
}

function previousPeriod(p: ResolvedParams): ResolvedParams {
  const day = 86_400_000;
  const from = Date.parse(`${p.from}T00:00:00Z`);
  const to = Date.parse(`${p.to}T00:00:00Z`);
  const length = to - from + day;
  const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  return { ...p, from: iso(from - length), to: iso(from - day), as_of: iso(from - day) };
}

async function dimensionOptions(session: WarehouseSession): Promise<Record<Dimension, string[]>> {
  return cached(`${session.version}|options`, async () => {
    const rows = await queryRows<{ dimension: Dimension; value: string }>(
      session.connection,
      DIMENSIONS.map((d) => `SELECT DISTINCT '${d}' AS dimension, ${d} AS value FROM opportunities WHERE ${d} IS NOT NULL`)
        .concat(["SELECT DISTINCT 'owner', owner FROM orders WHERE owner IS NOT NULL", "SELECT DISTINCT 'product', product FROM orders WHERE product IS NOT NULL"])
        .join(' UNION ') + ' ORDER BY 1, 2',
    );
    const out = Object.fromEntries(DIMENSIONS.map((d) => [d, [] as string[]])) as Record<Dimension, string[]>;
    for (const r of rows) out[r.dimension].push(r.value);
    return out;
  });
}

/** URL filters → resolved parameters: presets are measured back from as-of. */
export async function paramsFromUrl(session: WarehouseSession, url: UrlFilters, config: SalesightConfig): Promise<ResolvedParams> {
  const base: MetricParams = { as_of: url.as_of, filters: url.filters, by: url.by };
  const defaults = await resolveParams(session.connection, base);
  const range = url.period === 'custom' ? { from: url.from, to: url.to } : presetRange(url.period, defaults.as_of, config.fiscal);
  if (!range) return defaults;
  return resolveParams(session.connection, { ...base, from: range.from ?? defaults.from, to: range.to ?? defaults.to, as_of: defaults.as_of });
}

/** A family's result is cached per warehouse version, what was computed (`part`), parameters and config. */
function resultKey(session: WarehouseSession, id: FamilyId, part: string, params: ResolvedParams, config: SalesightConfig): string {
  return `${session.version}|${id}|${part}|${JSON.stringify(params)}|${JSON.stringify(config)}`;
}

export async function computeFamily(session: WarehouseSession, id: FamilyId, params: ResolvedParams, config: SalesightConfig): Promise<unknown> {
  return cached(resultKey(session, id, 'whole', params, config), async () => {
    const family = (await loadFamily(id))!;
    const ctx: MetricContext = { connection: session.connection, params, config };
    return family.compute(ctx);
  });
}

/** Only the named totals of a family (its headline), or the whole family. */
export async function computeTotals(session: WarehouseSession, id: FamilyId, fields: readonly string[] | 'whole', params: ResolvedParams, config: SalesightConfig): Promise<unknown> {
  if (fields === 'whole') return computeFamily(session, id, params, config);
  const family = (await loadFamily(id))!;
  if (!family.headline) throw new Error(`${id} has no headline: a page can ask for it whole only`);
  const key = resultKey(session, id, `totals:${[...fields].sort().join(',')}`, params, config);
  return cached(key, () => family.headline!({ connection: session.connection, params, config }, fields));
}

export interface ComputedPage {
  params: ResolvedParams;
  config: SalesightConfig;
  results: Partial<Record<FamilyId, unknown>>;
  failures: Partial<Record<FamilyId, string>>;
  previous: Partial<Record<FamilyId, unknown>>;
}

/**
 * Every family the page needs, for the URL's filters. For the view: families the page shows
 * only totals of are computed as those totals, and the previous period's too; for the Excel
 * download (`whole`): every family whole, and no previous period (the workbook has no deltas).
 */
export async function computePage(session: WarehouseSession, page: PageDefinition, url: UrlFilters, purpose: 'view' | 'whole' = 'view'): Promise<ComputedPage> {
  const config = loadConfig().config;
  const params = await paramsFromUrl(session, url, config);
  const results: ComputedPage['results'] = {};
  const failures: ComputedPage['failures'] = {};
  const previous: ComputedPage['previous'] = {};
  for (const id of page.families) {
    const totals = (purpose === 'view' && page.totalsOnly?.[id]) || 'whole';
    try {
      results[id] = await computeTotals(session, id, totals, params, config);
    } catch (err) {
      failures[id] = (err as Error).message;
    }
  }
  if (purpose === 'view') {
    for (const [id, totals] of Object.entries(page.previousPeriod ?? {}) as [FamilyId, readonly string[] | 'whole'][]) {
      try {
        previous[id] = await computeTotals(session, id, totals, previousPeriod(params), config);
      } catch {
        // no previous figures: the KPI shows no delta
      }
    }
  }
  return { params, config, results, failures, previous };
}

function cell(lang: Lang, value: unknown, format: CellFormat, href?: string): CellView {
  const numeric = typeof value === 'number';
  return { text: formatValue(lang, value, format), ...(numeric ? { value } : {}), ...(href ? { href } : {}), numeric: numeric || isNumericFormat(format) };
}

function delta(lang: Lang, value: unknown, previous: number | null | undefined, format: CellFormat, lowerIsBetter?: boolean) {
  if (typeof value !== 'number' || typeof previous !== 'number' || previous === 0) return null;
  // rates compare in points, everything else as a relative change
  const change = format === 'percent' ? value - previous : (value - previous) / Math.abs(previous);
  const text = format === 'percent' ? `${change >= 0 ? '+' : ''}${(change * 100).toFixed(1)} pt` : `${change >= 0 ? '+' : ''}${(change * 100).toFixed(1)}%`;
  return { text: `${text} ${t(lang, 'kpi_delta_vs')}`, good: lowerIsBetter ? change <= 0 : change >= 0 };
}

/** A result table for the page: the language's columns, formatted cells, at most `maxRows` rows. */
export function toTableView(
  table: ResultTable,
  lang: Lang,
  search: string,
  download: string,
  drill?: PageTable['drill'],
  maxRows = MAX_PAGE_ROWS,
): TableView {
  const columns = columnsForLang(table.columns, lang);
  const rows = table.rows as Record<string, unknown>[];
  return {
    name: table.name,
    title: lang === 'zh' ? table.title_zh : table.title_en,
    headers: columns.map((c) => ({ text: lang === 'zh' ? c.header_zh : c.header_en, numeric: isNumericFormat(c.format) })),
    rows: rows.slice(0, maxRows).map((row) =>
      columns.map((c) => {
        // no link behind an empty cell: there are no rows to show
        const link = row[c.key] === null || row[c.key] === undefined ? null : drill?.(c.key, row);
        return cell(lang, row[c.key], c.format, link ? drillHref(link, search) : undefined);
      }),
    ),
    total: rows.length,
    download,
  };
}

export async function loadReportPage(scope: Scope, page: PageDefinition, url: URL, lang: Lang): Promise<PageView> {
  const started = performance.now();
  try {
    const urlFilters = parseUrlFilters(url.searchParams);
    return await withWarehouse(scope, async (session) => {
      const computed = await computePage(session, page, urlFilters);
      const search = urlFiltersToSearch(urlFilters).toString();
      const withLang = (path: string) => `${path}?${new URLSearchParams([...new URLSearchParams(search), ['lang', lang]])}`;
      const ctx: PageBuildContext = {
        lang,
        chart: (family) => ({ lang, width: CHART_WIDTH, drillHref: (target, keys) => drillHref({ family, target, keys }, search) }),
        results: computed.results,
        failures: computed.failures,
        previous: computed.previous,
      };
      const sections = page.build(ctx).sections;
      if (sections.length === 0 && Object.keys(computed.failures).length === page.families.length) {
        return { status: 'empty' as const, page: page.id, message: Object.values(computed.failures).join(' ') };
      }
      const view: SectionView[] = sections.map((s) => ({
        id: s.id,
        title: s.title,
        notes: s.notes ?? [],
        kpis: (s.kpis ?? []).map((k) => ({
          id: k.id,
          label: k.label,
          text: formatKpi(lang, k.value, k.format),
          ...(typeof k.value === 'number' ? { value: k.value } : {}),
          delta: delta(lang, k.value, k.previous, k.format, k.lowerIsBetter),
          ...(k.hint ? { hint: k.hint } : {}),
          ...(k.drill ? { href: drillHref(k.drill, search) } : {}),
        })),
        charts: (s.charts ?? []).map((c) => ({ id: c.id, title: c.title, svg: renderChartSvg(c) })),
        tables: (s.tables ?? []).map(({ table, drill }) => toTableView(table, lang, search, withLang(`/download/${page.id}.xlsx`), drill)),
      }));
      const failures = Object.entries(computed.failures).map(([family, message]) => ({ family, message: message! }));
      return {
        status: 'ok' as const,
        page: page.id,
        filters: { url: urlFilters, params: computed.params, options: await dimensionOptions(session), search },
        sections: view,
        failures,
        download: withLang(`/download/${page.id}.xlsx`),
        serverMs: Math.round(performance.now() - started),
      };
    });
  } catch (err) {
    if (err instanceof WarehouseMissingError) return { status: 'empty', page: page.id, message: err.message };
    if (err instanceof ConfigError) return { status: 'error', page: page.id, message: err.message };
    const message = (err as Error).message;
    // bad filter values (e.g. from after to) are the user's to fix, not a crash
    return { status: 'error', page: page.id, message };
  }
}
