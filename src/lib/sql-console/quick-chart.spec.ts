import { describe, expect, it } from 'vitest';
import { MAX_BARS, quickChartPlotOptions, quickChartSpec } from './quick-chart.ts';

const bySource = {
  columns: [
    { name: 'source', type: 'VARCHAR' },
    { name: 'leads', type: 'BIGINT' },
    { name: 'won', type: 'BIGINT' },
  ],
  rows: [
    { source: '官网', leads: 10, won: 3 },
    { source: '展会', leads: 7, won: null },
    { source: null, leads: 2, won: 1 },
  ],
};

const byMonth = {
  columns: [
    { name: 'month', type: 'DATE' },
    { name: 'amount', type: 'DECIMAL(18,2)' },
  ],
  rows: [
    { month: '2024-03-01', amount: 30.5 },
    { month: '2024-01-01', amount: 10 },
    { month: '2024-02-01', amount: '20' },
  ],
};

describe('quick chart spec', () => {
  it('a text x and a number y: bars, x the text column, y the first number column', () => {
    const r = quickChartSpec(bySource, { x: null, y: null, mark: 'auto' });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.spec).toMatchObject({ mark: 'bar', x: 'source', y: 'leads', xScale: 'band', shown: 2, total: 3 });
    // the row with no source is left out: 2 of the 3 rows
    expect(r.spec.data).toEqual([
      { x: '官网', y: 10 },
      { x: '展会', y: 7 },
    ]);
  });

  it('a date x: a line, points in date order whatever the row order, numeric text read as numbers', () => {
    const r = quickChartSpec(byMonth, { x: null, y: null, mark: 'auto' });
    if (!r.ok) throw new Error(r.reason);
    expect(r.spec).toMatchObject({ mark: 'line', x: 'month', y: 'amount', xScale: 'utc' });
    expect(r.spec.data.map((d) => [(d.x as Date).toISOString().slice(0, 10), d.y])).toEqual([
      ['2024-01-01', 10],
      ['2024-02-01', 20],
      ['2024-03-01', 30.5],
    ]);
  });

  it('two number columns: dots; an explicit pick wins over auto', () => {
    const r = quickChartSpec(bySource, { x: 'leads', y: 'won', mark: 'auto' });
    if (!r.ok) throw new Error(r.reason);
    // rows with a null y are left out: (10,3) and (2,1)
    expect(r.spec).toMatchObject({ mark: 'dot', xScale: 'linear', data: [{ x: 10, y: 3 }, { x: 2, y: 1 }] });
    const bars = quickChartSpec(byMonth, { x: 'month', y: 'amount', mark: 'bar' });
    expect(bars.ok && bars.spec.mark).toBe('bar');
  });

  it('says why there is no chart', () => {
    expect(quickChartSpec({ columns: bySource.columns, rows: [] }, { x: null, y: null, mark: 'auto' })).toEqual({ ok: false, reason: 'no-rows' });
    expect(quickChartSpec({ columns: [{ name: 's', type: 'VARCHAR' }], rows: [{ s: 'a' }] }, { x: null, y: null, mark: 'auto' })).toEqual({ ok: false, reason: 'no-numeric-column' });
    expect(quickChartSpec(bySource, { x: 'nope', y: null, mark: 'auto' })).toEqual({ ok: false, reason: 'unknown-column' });
    // a text column is not a y
    expect(quickChartSpec(bySource, { x: null, y: 'source', mark: 'auto' })).toEqual({ ok: false, reason: 'no-numeric-column' });
  });

  it(`draws at most ${MAX_BARS} bars`, () => {
    const rows = Array.from({ length: 250 }, (_, i) => ({ k: `k${i}`, v: i }));
    const r = quickChartSpec({ columns: [{ name: 'k', type: 'VARCHAR' }, { name: 'v', type: 'INTEGER' }], rows }, { x: null, y: null, mark: 'auto' });
    if (!r.ok) throw new Error(r.reason);
    expect(r.spec.shown).toBe(MAX_BARS);
    expect(r.spec.total).toBe(250);
  });

  it('Plot options: the mark class, its x/y channels, the scales and axis labels', () => {
    const bar = quickChartSpec(bySource, { x: null, y: null, mark: 'auto' });
    const line = quickChartSpec(byMonth, { x: null, y: null, mark: 'auto' });
    if (!bar.ok || !line.ok) throw new Error('no spec');
    const b = quickChartPlotOptions(bar.spec);
    const marks = b.marks as unknown as { constructor: { name: string }; channels: Record<string, unknown> }[];
    expect(marks.map((m) => m.constructor.name)).toEqual(['BarY', 'RuleY']);
    // barY stacks y into y1 (base) and y2 (top); x stays x
    expect(Object.keys(marks[0]!.channels).sort()).toEqual(['x', 'y1', 'y2']);
    expect(b.x).toMatchObject({ label: 'source', type: 'band' });
    expect(b.y).toMatchObject({ label: 'leads', grid: true, zero: true });
    const l = quickChartPlotOptions(line.spec);
    const lineMarks = l.marks as unknown as { constructor: { name: string }; channels: Record<string, unknown> }[];
    expect(lineMarks.map((m) => m.constructor.name)).toEqual(['Line']);
    expect(Object.keys(lineMarks[0]!.channels)).toEqual(expect.arrayContaining(['x', 'y']));
    expect(l.x).toMatchObject({ label: 'month', type: 'utc' });
  });
});
