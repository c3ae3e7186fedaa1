/**
 * The console's quick chart: from a result and the user's picks (x, y, mark) to Observable Plot
 * options. Pure: quickChartSpec decides the mark, channels and data; quickChartPlotOptions turns
 * that into Plot's options (marks included), which the page hands to Plot.plot in the browser.
 */
import * as Plot from '@observablehq/plot';
import { isNumericType, isTemporalType, type ConsoleColumn, type JsonCell } from './json-values.ts';

export type QuickMark = 'bar' | 'line' | 'dot';
export const QUICK_MARKS: QuickMark[] = ['bar', 'line', 'dot'];

export interface QuickChartOptions {
  /** column for x; null picks the first non-numeric column (else the first column) */
  x: string | null;
  /** column for y (numeric); null picks the first numeric column other than x */
  y: string | null;
  /** 'auto' picks: a date/time x → line, a numeric x → dot, anything else → bar */
  mark: QuickMark | 'auto';
}

/** Bars past this many are unreadable: a bar chart shows the first ones and says so. */
export const MAX_BARS = 100;

export type XScale = 'band' | 'utc' | 'linear';

export interface QuickChartSpec {
  mark: QuickMark;
  x: string;
  y: string;
  xScale: XScale;
  /** the plotted points: rows whose x and y are both present, in plotting order */
  data: { x: string | number | Date; y: number }[];
  /** rows of the result that were plotted, and how many had x and y */
  shown: number;
  total: number;
}

export type QuickChartResult = { ok: true; spec: QuickChartSpec } | { ok: false; reason: 'no-rows' | 'no-numeric-column' | 'unknown-column' };

function toNumber(v: JsonCell): number | null {
  if (typeof v === 'number') return v;
  // integers beyond 2^53 arrive as decimal text; a chart can take the nearest double
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return null;
}

export function quickChartSpec(result: { columns: ConsoleColumn[]; rows: Record<string, JsonCell>[] }, options: QuickChartOptions): QuickChartResult {
  const { columns, rows } = result;
  if (rows.length === 0 || columns.length === 0) return { ok: false, reason: 'no-rows' };
  const byName = new Map(columns.map((c) => [c.name, c]));
  if ((options.x !== null && !byName.has(options.x)) || (options.y !== null && !byName.has(options.y))) return { ok: false, reason: 'unknown-column' };

  const x = options.x ? byName.get(options.x)! : (columns.find((c) => !isNumericType(c.type)) ?? columns[0]!);
  const y = options.y ? byName.get(options.y)! : columns.find((c) => c.name !== x.name && isNumericType(c.type));
  if (!y || !isNumericType(y.type)) return { ok: false, reason: 'no-numeric-column' };

  const xScale: XScale = isTemporalType(x.type) ? 'utc' : isNumericType(x.type) ? 'linear' : 'band';
  const mark: QuickMark = options.mark !== 'auto' ? options.mark : xScale === 'utc' ? 'line' : xScale === 'linear' ? 'dot' : 'bar';

  let data: QuickChartSpec['data'] = [];
  for (const row of rows) {
    const xv = row[x.name];
    const yv = toNumber(row[y.name] ?? null);
    if (xv === null || xv === undefined || yv === null) continue;
    let xOut: string | number | Date;
    if (xScale === 'utc') xOut = new Date(String(xv));
    else if (xScale === 'linear') {
      const n = toNumber(xv);
      if (n === null) continue;
      xOut = n;
    } else xOut = String(xv);
    data.push({ x: xOut, y: yv });
  }
  if (mark === 'bar') {
    data = data.slice(0, MAX_BARS);
  } else if (mark === 'line' && xScale !== 'band') {
    // a line joins its points in x order, whatever the query's order was
    data.sort((a, b) => Number(a.x) - Number(b.x));
  }
  return { ok: true, spec: { mark, x: x.name, y: y.name, xScale, data, shown: data.length, total: rows.length } };
}

/** Plot options for the spec; the caller adds width and calls Plot.plot. */
export function quickChartPlotOptions(spec: QuickChartSpec): Plot.PlotOptions {
  const channels = { x: 'x', y: 'y' } as const;
  const marks: Plot.Markish[] = [];
  if (spec.mark === 'bar') {
    // bars always stand on a band x (one bar per value), whatever type x has
    marks.push(Plot.barY(spec.data, { ...channels, fill: '#2563eb', tip: true }), Plot.ruleY([0]));
  } else if (spec.mark === 'line') {
    marks.push(Plot.lineY(spec.data, { ...channels, stroke: '#2563eb', marker: spec.data.length <= 60 ? 'circle' : null, tip: true }));
  } else {
    marks.push(Plot.dot(spec.data, { ...channels, fill: '#2563eb', r: 3, tip: true }));
  }
  return {
    height: 320,
    marginLeft: 70,
    marginBottom: spec.xScale === 'band' ? 70 : 40,
    x: { label: spec.x, type: spec.mark === 'bar' ? 'band' : spec.xScale === 'band' ? 'point' : spec.xScale, ...(spec.xScale === 'band' || spec.mark === 'bar' ? { tickRotate: -30 } : {}) },
    y: { label: spec.y, grid: true, ...(spec.mark === 'bar' ? { zero: true } : {}) },
    marks,
  };
}
