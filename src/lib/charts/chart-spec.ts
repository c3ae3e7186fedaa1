/**
 * What every chart spec is: a pure function from a metric result (plus options) to Observable
 * Plot options. No DOM, no DuckDB: unit tests call it and check the marks and data it builds;
 * render.server.ts turns the options into SVG on the server, so pages ship no chart code.
 */
import type { PlotOptions } from '@observablehq/plot';

export type Lang = 'zh' | 'en';

export interface ChartOptions {
  lang: Lang;
  /** Width in px the page lays the chart out at (the SVG scales down on a phone). */
  width?: number;
  /**
   * Link for a datum: bars and cells link to the rows behind them (drill-down).
   * Gets the drill target and its keys; returns a URL, or null for no link.
   */
  drillHref?: (target: string, keys: Record<string, string>) => string | null;
}

/** A chart ready to render: Plot options plus a caption a screen reader and a title can use. */
export interface ChartSpec {
  id: string;
  title: string;
  plot: PlotOptions;
}

export const DEFAULT_CHART_WIDTH = 640;
