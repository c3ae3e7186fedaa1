/**
 * Customer retention by first-order cohort as a heatmap (cohort × months since first order): the
 * classic cohort triangle, where fading along a row is churn and differences down a column are
 * cohorts aging better or worse. The color scale is quantized (5 steps) because Plot draws a
 * continuous legend on a canvas, which the server-side DOM does not have.
 */
import * as Plot from '@observablehq/plot';
import type { CohortsResult } from '../metrics/cohorts/cohorts.ts';
import type { ChartOptions, ChartSpec } from './chart-spec.ts';
import { MARGIN_BOTTOM, MARGIN_TOP, barsHeight, chartWidth, drill, labelMargin, percent, pick } from './chart-helpers.ts';
import { PERCENT_TICKS } from './format-axis.ts';

const MARGIN_RIGHT = 20;

/**
 * `group`: with `by`, the group whose cohorts to draw (null = customers without a value); without
 * `by` every cohort has group null.
 */
export function cohortsRetentionHeatmap(result: CohortsResult, opts: ChartOptions, group: string | null = null): ChartSpec | null {
  // the drill's group key: absent without `by`; '' is the group without a value
  const groupKey: Record<string, string> = result.params.by ? { group: group ?? '' } : {};
  const cells = result.customers.cohorts
    .filter((c) => c.group === group)
    .flatMap((c) =>
      c.months
        .filter((m) => m.retention !== null)
        .map((m) => ({
          cohort: c.cohort,
          age: m.age,
          retention: m.retention!,
          label: percent(m.retention, 0),
          href: drill(opts, 'active_customers', { cohort: c.cohort, age: String(m.age), ...groupKey }),
        })),
    );
  if (cells.length === 0) return null;
  const cohorts = [...new Set(cells.map((c) => c.cohort))];
  const maxAge = Math.max(...cells.map((c) => c.age));
  const width = chartWidth(opts);
  const marginLeft = labelMargin(cohorts);
  // "100%" is about 3 font sizes wide: shrink the text to the cell, drop it when it would be unreadable
  const fontSize = Math.min(9, Math.floor((width - marginLeft - MARGIN_RIGHT) / (maxAge + 1) / 3));
  return {
    id: 'cohorts-retention',
    title: pick(opts.lang, '客户留存：按首单月份分组', 'Customer retention by first-order month'),
    plot: {
      width,
      height: barsHeight(cohorts.length),
      marginTop: MARGIN_TOP,
      marginLeft,
      marginRight: MARGIN_RIGHT,
      marginBottom: MARGIN_BOTTOM,
      x: { type: 'band', domain: Array.from({ length: maxAge + 1 }, (_, age) => age), label: pick(opts.lang, '距首单月数', 'Months since first order') },
      // the title names the rows (first-order month); a y label would overlap the month labels
      y: { domain: cohorts, label: null },
      color: { type: 'quantize', n: 5, scheme: 'blues', domain: [0, 1], legend: true, tickFormat: PERCENT_TICKS, label: pick(opts.lang, '留存率', 'Retention') },
      marks: [
        Plot.cell(cells, { x: 'age', y: 'cohort', fill: 'retention', href: 'href', inset: 0.5 }),
        ...(fontSize >= 6
          ? [Plot.text(cells, { x: 'age', y: 'cohort', text: 'label', fontSize, fill: (d: { retention: number }) => (d.retention >= 0.6 ? 'white' : 'black') })]
          : []),
      ],
    },
  };
}
