/**
 * What every metric family provides, so the CLI, the workbooks and the site treat them alike:
 * `compute` returns the family's typed result (its `--json` shape, snake_case, rates as 0–1
 * fractions, money in 元 as numbers); `tables` lays the same figures out as tables for the
 * workbook and the terminal; `drill` returns the rows behind one figure.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { queryRows } from '../warehouse/warehouse.server.ts';
import type { SalesightConfig } from '../config/config.ts';
import type { ResolvedParams } from './params.ts';

export type CellFormat = 'text' | 'integer' | 'number' | 'money' | 'percent' | 'date' | 'datetime' | 'days';

export interface TableColumn {
  key: string;
  header_en: string;
  header_zh: string;
  format: CellFormat;
}

/** Figures (counts, money, rates, days) align right in tables; text and dates do not. */
export function isNumericFormat(format: CellFormat): boolean {
  return format !== 'text' && format !== 'date' && format !== 'datetime';
}

/** A column of a result table: key, English and Chinese header, display format. */
export function column(key: string, header_en: string, header_zh: string, format: CellFormat): TableColumn {
  return { key, header_en, header_zh, format };
}

export interface ResultTable {
  /** Sheet name in workbooks: short, no []:*?/\ characters. */
  name: string;
  title_en: string;
  title_zh: string;
  columns: TableColumn[];
  /** one object per row, keyed by column key */
  rows: object[];
}

export interface MetricContext {
  connection: DuckDBConnection;
  params: ResolvedParams;
  config: SalesightConfig;
}

export interface DrillRequest {
  /** Which figure, e.g. `stagnating`, `reached`, `lost`. */
  target: string;
  /** Narrowing keys, e.g. { stage: '需求挖掘' } or { owner: '王磊' }. */
  keys: Record<string, string>;
  limit: number;
}

export interface MetricFamily<R> {
  id: string;
  title_en: string;
  title_zh: string;
  compute(ctx: MetricContext): Promise<R>;
  /**
   * Only the named totals, for a page that shows a few of the family's figures and nothing else
   * of it (the overview's KPI strip): `{ family, params, totals: { <field>: value } }`, each value
   * equal to compute's, computed with only the queries those fields need.
   */
  headline?(ctx: MetricContext, fields: readonly string[]): Promise<unknown>;
  /** the totals headline() computes */
  headlineFields?: readonly string[];
  tables(result: R): ResultTable[];
  /** Drill targets this family answers, with the keys each takes. */
  drillTargets?: Record<string, string[]>;
  drill?(ctx: MetricContext, request: DrillRequest): Promise<ResultTable>;
  /**
   * The same drill-down as one SQL statement, for families that can say it so: downloads then
   * stream every row (up to MAX_DOWNLOAD_ROWS) from DuckDB into the workbook.
   */
  drillQuery?(ctx: MetricContext, request: DrillRequest): Promise<DrillQuery>;
  /** The drill targets drillQuery answers, when not all of drillTargets. */
  drillQueryTargets?: readonly string[];
}

/** Whether a drill-down of this family and target streams from one statement (drillQuery). */
export function streamsDrill(family: Pick<MetricFamily<unknown>, 'drillQuery' | 'drillTargets' | 'drillQueryTargets'>, target: string): boolean {
  if (!family.drillQuery || !family.drillTargets || !Object.hasOwn(family.drillTargets, target)) return false;
  return family.drillQueryTargets ? family.drillQueryTargets.includes(target) : true;
}

/**
 * A drill-down query run at once (the CLI, the drill page), not streamed: its rows, with their
 * columns by name; `emptyColumn` names the one column an empty result shows.
 */
export async function drillQueryTable(connection: DuckDBConnection, query: DrillQuery, emptyColumn: string): Promise<ResultTable> {
  const rows = await queryRows<Record<string, unknown>>(connection, query.sql);
  const columns = Object.keys(rows[0] ?? { [emptyColumn]: '' }).map((k) => query.columnOf(k));
  return { name: query.name, title_en: query.title_en, title_zh: query.title_zh, columns, rows };
}

export interface DrillQuery extends Omit<ResultTable, 'rows' | 'columns'> {
  sql: string;
  /** the column of each name the statement returns */
  columnOf(name: string): TableColumn;
  /** The same rows in pages of keys, for a download to stream a page at a time (see streamDrill). */
  paging?: DrillPaging;
}

/**
 * A drill-down statement that can be run a range of its sort key at a time: DuckDB then sorts a
 * page, not every row at once (see DOWNLOAD_PAGE_ROWS for what it saves).
 */
export interface DrillPaging {
  /** one row per key the drill-down can list (a superset will do; never NULL), in column `key`: pages are cut from it */
  keysSql: string;
  /** the drill-down's rows whose key is in [from, to) (null: that end open), in key order as in `sql` */
  pageSql(from: string | null, to: string | null): string;
  /** the most rows the drill-down returns, across all pages */
  limit: number;
}

/** Throws unless every field asked of a headline is one of the family's totals (`totals`' keys). */
export function checkHeadlineFields(family: string, fields: readonly string[], totals: object): void {
  const unknown = fields.filter((f) => !Object.hasOwn(totals, f));
  if (unknown.length) throw new Error(`${family} has no total ${unknown.join(', ')}; it has ${Object.keys(totals).join(', ')}`);
}

/** Default cap on drill-down rows returned at once (pages, the CLI, drills without drillQuery). */
export const MAX_DRILL_ROWS = 10_000;
/** Cap on rows of a streamed drill-down download (drillQuery): beyond it, filter first. */
export const MAX_DOWNLOAD_ROWS = 1_000_000;

/** a / b, or null when b is 0 (a rate over nothing is unknown, not zero). */
export function ratio(a: number, b: number): number | null {
  return b === 0 ? null : a / b;
}
