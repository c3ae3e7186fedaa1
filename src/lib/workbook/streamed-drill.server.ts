/**
 * A drill-down query (MetricFamily.drillQuery) as a StreamedTable: DuckDB hands the rows over
 * chunk by chunk (2,048 rows each) and writeWorkbook writes each chunk before the next is read,
 * so a download of a million rows holds one chunk in memory, not the million.
 *
 * DuckDB still sorts the whole result before the first chunk: a query with `paging` is therefore
 * run a page of keys at a time once it can list more than DOWNLOAD_PAGE_ROWS keys, each page
 * sorted on its own and the pages in key order, so the rows come out as the one statement gives them.
 */
import type { DuckDBConnection } from '../warehouse/duckdb.server.ts';
import { queryRows } from '../warehouse/warehouse.server.ts';
import type { DrillPaging, DrillQuery } from '../metrics/family.ts';
import type { StreamedTable } from './workbook.server.ts';

/**
 * Keys per page of a paged download. Measured on the 1M benchmark warehouse, the funnel's
 * "reached" drill-down of every opportunity: the query and its transfer alone peak at 760 MB in
 * 7.4 s whole, 350 MB in 11.5 s in 10 pages, 310 MB in 12.8 s in 20 (each page re-reads its slice
 * of the stage history); the whole workbook at 870-890 MB whole and 450-470 MB in pages of
 * 100,000, in 47-64 s either way (the exceljs writer's time dominates and varies by run here).
 */
export const DOWNLOAD_PAGE_ROWS = 100_000;

export interface StreamDrillOptions {
  /** keys per page (tests make it small) */
  pageRows?: number;
}

export async function streamDrill(connection: DuckDBConnection, query: DrillQuery, options: StreamDrillOptions = {}): Promise<StreamedTable> {
  const statements = query.paging ? await pageStatements(connection, query.sql, query.paging, options.pageRows ?? DOWNLOAD_PAGE_ROWS) : [query.sql];
  const limit = query.paging?.limit ?? Infinity;
  // the first statement runs now, so a bad request fails before the download's first byte
  const first = await connection.stream(statements[0]!);
  const columns = first.columnNames().map((name) => query.columnOf(name));
  async function* chunks(): AsyncGenerator<unknown[][]> {
    let rows = 0;
    for (const [i, sql] of statements.entries()) {
      const result = i === 0 ? first : await connection.stream(sql);
      for await (const chunk of result.yieldRowsJs()) {
        const wanted = chunk.length <= limit - rows ? chunk : chunk.slice(0, limit - rows);
        rows += wanted.length;
        // counts come back as BigInt; a workbook cell wants a number
        yield wanted.map((r) => r.map((v) => (typeof v === 'bigint' ? Number(v) : v)));
        if (rows >= limit) return;
      }
    }
  }
  return { name: query.name, title_en: query.title_en, title_zh: query.title_zh, columns, chunks: chunks() };
}

/**
 * The statements of a paged drill-down: the whole one (`wholeSql`) when its keys or its limit
 * fit one page, otherwise one per key range, cut at evenly spaced keys (quantiles) so each page
 * has about `pageRows` keys. The last pages are not run once the limit is reached.
 */
async function pageStatements(connection: DuckDBConnection, wholeSql: string, paging: DrillPaging, pageRows: number): Promise<string[]> {
  // a short list is sorted as the top rows only (DuckDB keeps `limit` rows, not all of them)
  if (paging.limit <= pageRows) return [wholeSql];
  const { keys } = (await queryRows<{ keys: number }>(connection, `SELECT count(*) AS keys FROM (${paging.keysSql})`))[0]!;
  const pages = Math.ceil(keys / pageRows);
  if (pages <= 1) return [wholeSql];
  // quantile_disc over the keys as DuckDB orders them, the same order as the pages' ORDER BY
  const fractions = Array.from({ length: pages - 1 }, (_, i) => (i + 1) / pages);
  const { cuts } = (await queryRows<{ cuts: string[] }>(connection, `SELECT quantile_disc(key, [${fractions.join(', ')}]) AS cuts FROM (${paging.keysSql})`))[0]!;
  const edges: (string | null)[] = [null, ...new Set(cuts), null];
  return edges.slice(1).map((to, i) => paging.pageSql(edges[i] ?? null, to));
}
