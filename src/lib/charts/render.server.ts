/**
 * Renders a ChartSpec to an SVG string on the server with Observable Plot and linkedom's DOM:
 * the browser gets finished SVG (links included), no Plot or d3 bundle.
 */
import * as Plot from '@observablehq/plot';
import { parseHTML } from 'linkedom';
import type { ChartSpec } from './chart-spec.ts';

export function renderChartSvg(spec: ChartSpec): string {
  const { document } = parseHTML('<!doctype html><html><body></body></html>');
  const figure = Plot.plot({ ...spec.plot, document } as Plot.PlotOptions);
  figure.setAttribute('role', 'img');
  figure.setAttribute('aria-label', spec.title);
  return figure.outerHTML;
}
