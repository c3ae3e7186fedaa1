/**
 * A drill-down query (MetricFamily.drillQuery) as a StreamedTable: DuckDB hands the rows over
 * chunk by chunk (2,048 rows each) and writeWorkbook writes each chunk before the next is read,
 * so a download of a million rows holds one chunk in memory, not the million.
 */
import type { DuckDBConnection } from '../warehouse/duckdb.server.ts';
import type { DrillQuery } from '../metrics/family.ts';
import type { StreamedTable } from './workbook.server.ts';

export async function streamDrill(connection: DuckDBConnection, query: DrillQuery): Promise<StreamedTable> {
  const result = await connection.stream(query.sql);
  const columns = result.columnNames().map((name) => query.columnOf(name));
  async function* chunks(): AsyncGenerator<unknown[][]> {
    for await (const rows of result.yieldRowsJs()) {
      // counts come back as BigInt; a workbook cell wants a number
      yield rows.map((r) => r.map((v) => (typeof v === 'bigint' ? Number(v) : v)));
    }
  }
  return { name: query.name, title_en: query.title_en, title_zh: query.title_zh, columns, chunks: chunks() };
}
