/**
 * Excel downloads, streamed: exceljs's streaming writer feeds the HTTP response as it goes, so
 * a long row list is never held whole as a workbook in memory. Built by writeWorkbook, the same
 * code as `salesight report`, from the same results the page showed (same cache key).
 */
import { PassThrough, Readable } from 'node:stream';
import { loadConfig } from '../config/config.ts';
import { MAX_DOWNLOAD_ROWS, type MetricFamily, type ResultTable } from '../metrics/family.ts';
import type { ResolvedParams } from '../metrics/params.ts';
import { loadFamily } from '../metrics/registry.ts';
import { parameterRows } from '../workbook/parameters.ts';
import { writeWorkbook } from '../workbook/workbook.server.ts';
import { streamDrill } from '../workbook/streamed-drill.server.ts';
import type { Lang } from './i18n.ts';
import type { PageDefinition } from './page-model.ts';
import { computePage, paramsFromUrl } from './report-page.server.ts';
import type { Scope } from '../access/roles.ts';
import { withWarehouse } from './site-warehouse.server.ts';
import { parseDrillKeys, parseUrlFilters } from './url-params.ts';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

function streamWorkbook(tables: ResultTable[], title: string, lang: Lang, parameters: [string, string][], fileName: string): Response {
  const out = new PassThrough();
  writeWorkbook(out, tables, { title, language: lang, parameters }).catch((err) => out.destroy(err as Error));
  return xlsxResponse(out, fileName);
}

function xlsxResponse(out: PassThrough, fileName: string): Response {
  return new Response(Readable.toWeb(out) as ReadableStream, {
    headers: {
      'content-type': XLSX,
      'content-disposition': `attachment; filename="${fileName}"; filename*=UTF-8''${encodeURIComponent(fileName)}`,
      'cache-control': 'no-store',
    },
  });
}

function stamp(p: ResolvedParams): string {
  return `${p.from}_${p.to}`;
}

/** Every table of every family the page is built from, for the page's filters. */
export async function pageWorkbook(scope: Scope, page: PageDefinition, url: URL, lang: Lang): Promise<Response> {
  const { tables, params, dbPath } = await withWarehouse(scope, async (session) => {
    const computed = await computePage(session, page, parseUrlFilters(url.searchParams), 'whole');
    const tables: ResultTable[] = [];
    for (const id of page.families) {
      const result = computed.results[id];
      if (result !== undefined) tables.push(...(await loadFamily(id))!.tables(result));
    }
    return { tables, params: computed.params, dbPath: session.dbPath };
  });
  if (tables.length === 0) return new Response('Nothing to download: this page has no data for these filters.', { status: 404 });
  return streamWorkbook(tables, `Salesight ${page.id}`, lang, parameterRows(['page', `${page.id} (${page.families.join(', ')})`], params, { dbPath, configFile: loadConfig().file }), `salesight-${page.id}-${stamp(params)}.xlsx`);
}

/**
 * A drill-down download streamed from DuckDB (families with drillQuery), up to
 * MAX_DOWNLOAD_ROWS rows. The warehouse session stays open until the last row is written; a bad
 * request fails before the first byte, with the error thrown here.
 */
export async function streamedDrillWorkbook(scope: Scope, family: MetricFamily<unknown>, target: string, url: URL, lang: Lang): Promise<Response> {
  const what = `${family.id}-${target}`;
  const out = new PassThrough();
  let opened!: (params: ResolvedParams) => void;
  let failed!: (err: unknown) => void;
  const ready = new Promise<ResolvedParams>((resolve, reject) => {
    opened = resolve;
    failed = reject;
  });
  let started = false;
  withWarehouse(scope, async (session) => {
    const config = loadConfig().config;
    const params = await paramsFromUrl(session, parseUrlFilters(url.searchParams), config);
    const query = await family.drillQuery!({ connection: session.connection, params, config }, { target, keys: parseDrillKeys(url.searchParams), limit: MAX_DOWNLOAD_ROWS });
    const table = await streamDrill(session.connection, query);
    started = true;
    opened(params);
    await writeWorkbook(out, [table], { title: `Salesight ${what}`, language: lang, parameters: parameterRows(['drill-down', what], params, { dbPath: session.dbPath, configFile: loadConfig().file }) });
  }).catch((err) => (started ? out.destroy(err as Error) : failed(err)));
  const params = await ready;
  return xlsxResponse(out, drillFileName(what, params));
}

/** The download's file name: what it is and the period, e.g. salesight-funnel-reached-2024-11-01_2026-10-31.xlsx. */
function drillFileName(what: string, params: ResolvedParams): string {
  return `salesight-${what.replace(/[^\w-]+/g, '-')}-${stamp(params)}.xlsx`;
}

export function drillWorkbook(table: ResultTable, what: string, params: ResolvedParams, dbPath: string, lang: Lang): Response {
  return streamWorkbook([table], `Salesight ${what}`, lang, parameterRows(['drill-down', what], params, { dbPath, configFile: loadConfig().file }), drillFileName(what, params));
}

/** The Data page's tables: warehouse contents, runs and rejected rows. */
export function dataWorkbook(tables: ResultTable[], dbPath: string, lang: Lang): Response {
  const parameters: [string, string][] = [
    ['page', 'data'],
    ['warehouse', dbPath],
    ['generated_at', new Date().toISOString()],
  ];
  return streamWorkbook(tables, 'Salesight data', lang, parameters, 'salesight-data.xlsx');
}
