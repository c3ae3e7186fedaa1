/**
 * What a report page shows, independent of Svelte: KPI tiles, charts (as specs), and tables
 * with a drill-down link per figure. Each page in pages/ builds one from metric results; the
 * server turns it into a view (formatted, charts rendered, rows capped) for ReportView.svelte.
 */
import type { ResultTable, CellFormat } from '../metrics/family.ts';
import type { FamilyId } from '../metrics/registry.ts';
import type { ChartOptions, ChartSpec } from '../charts/chart-spec.ts';
import type { Lang } from './i18n.ts';

/** The rows behind a figure: which family answers, which drill target, narrowed by keys. */
export interface DrillLink {
  family: FamilyId;
  target: string;
  keys: Record<string, string>;
}

export interface Kpi {
  id: string;
  label: string;
  value: number | string | null;
  format: CellFormat;
  /** the same figure for the previous period of equal length, for the delta */
  previous?: number | null;
  /** when higher is worse (e.g. cycle days), the delta is coloured the other way */
  lowerIsBetter?: boolean;
  hint?: string;
  drill?: DrillLink;
}

export interface PageTable {
  family: FamilyId;
  table: ResultTable;
  /** the drill-down for one cell, or null when it is not a count of rows */
  drill?: (columnKey: string, row: Record<string, unknown>) => DrillLink | null;
}

export interface PageSection {
  id: string;
  title: string;
  kpis?: Kpi[];
  charts?: ChartSpec[];
  tables?: PageTable[];
  /** plain paragraphs: notes on what the figures cover */
  notes?: string[];
}

export interface PageContent {
  sections: PageSection[];
}

export interface PageBuildContext {
  lang: Lang;
  /** chart options whose drill links go to this family's rows */
  chart(family: FamilyId): ChartOptions;
  /** computed results by family; a family that failed is missing, with its error in `failures` */
  results: Partial<Record<FamilyId, unknown>>;
  failures: Partial<Record<FamilyId, string>>;
  /** results for the previous period of equal length (only the families and totals the page asks for) */
  previous: Partial<Record<FamilyId, unknown>>;
}

export interface PageDefinition {
  id: string;
  /** metric families the page is built from (the Excel download has all their tables) */
  families: FamilyId[];
  /**
   * Families of which the page shows only these totals: the view computes just them (the
   * family's headline, when it has one); the Excel download still has the family whole.
   */
  totalsOnly?: Partial<Record<FamilyId, readonly string[]>>;
  /**
   * Families also computed for the period before, for KPI deltas: the totals the deltas compare
   * (the family's headline), or 'whole' for a family without one.
   */
  previousPeriod?: Partial<Record<FamilyId, readonly string[] | 'whole'>>;
  build(ctx: PageBuildContext): PageContent;
}

/** For a table shown in one language: drop the other language's twin columns (name_en beside name_zh). */
export function columnsForLang(columns: ResultTable['columns'], lang: Lang): ResultTable['columns'] {
  const keys = new Set(columns.map((c) => c.key));
  const other = lang === 'zh' ? '_en' : '_zh';
  const mine = lang === 'zh' ? '_zh' : '_en';
  return columns.filter((c) => !(c.key.endsWith(other) && keys.has(c.key.slice(0, -other.length) + mine)));
}
