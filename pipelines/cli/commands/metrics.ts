import type { Command } from 'commander';
import { isNumericFormat, type CellFormat, type ResultTable } from '../../../src/lib/metrics/family.ts';
import { formatCount, renderTextTable } from '../text-table.ts';
import { EXIT, fail, printJson } from '../output.ts';
import { addMetricOptions, collect, familyOrFail, openMetricContext, type MetricCliOptions } from './metric-options.ts';

const money = new Intl.NumberFormat(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 });

export function formatCell(value: unknown, format: CellFormat): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') {
    if (format === 'percent') return `${(value * 100).toFixed(1)}%`;
    if (format === 'money') return money.format(value);
    if (format === 'days') return value.toFixed(1);
    return formatCount(value);
  }
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

export function renderResultTable(t: ResultTable, language: 'zh' | 'en' = 'en'): string {
  const rows = t.rows as Record<string, unknown>[];
  const right = new Set(t.columns.flatMap((c, i) => (isNumericFormat(c.format) ? [i] : [])));
  const title = language === 'zh' ? t.title_zh : t.title_en;
  if (rows.length === 0) return `${title}\n(no rows)`;
  return `${title}\n${renderTextTable(t.columns.map((c) => (language === 'zh' ? c.header_zh : c.header_en)), rows.map((r) => t.columns.map((c) => formatCell(r[c.key], c.format))), { alignRight: right })}`;
}

export function registerMetrics(program: Command): void {
  const cmd = program
    .command('metrics')
    .description('Compute a metric family (funnel, …) and print it, or its JSON, or the rows behind one figure.')
    .argument('<family>', 'which metrics (see docs/metrics.md)');
  addMetricOptions(cmd)
    .option('--drill <target>', 'print the rows behind one figure instead, e.g. stagnating, reached, lost')
    .option('--key <k=v>', 'narrow the drill-down, e.g. stage=需求挖掘 (repeatable)', collect, [])
    .option('--limit <n>', 'drill-down rows at most', '1000')
    .option('--lang <zh|en>', 'table language', process.env.LANG?.startsWith('zh') ? 'zh' : 'en')
    .option('--json', 'print the result as one JSON document (its shape: docs/metrics.md)')
    .addHelpText('after', `
Examples:
  salesight metrics funnel --from 2026-01-01 --to 2026-06-30 --filter region=华东 --by owner
  salesight metrics funnel --drill stagnating --key stage=需求挖掘
  salesight metrics funnel --json > funnel.json`)
    .action(async (id: string, opts: MetricCliOptions & { drill?: string; key: string[]; limit: string; lang: string }, c: Command) => {
      const family = await familyOrFail(id, opts.json);
      const { ctx, warehouse } = await openMetricContext(c, opts);
      try {
        const lang = opts.lang === 'zh' ? 'zh' : 'en';
        if (opts.drill) {
          if (!family.drill) fail(`${id} has no drill-down.`, EXIT.input, opts.json);
          const keys = Object.fromEntries(opts.key.map((k) => [k.slice(0, k.indexOf('=')), k.slice(k.indexOf('=') + 1)]));
          let table: ResultTable;
          try {
            table = await family.drill(ctx, { target: opts.drill, keys, limit: Number.parseInt(opts.limit, 10) || 1000 });
          } catch (err) {
            fail((err as Error).message, EXIT.input, opts.json);
          }
          if (opts.json) printJson({ family: id, params: ctx.params, target: opts.drill, keys, rows: table.rows });
          else process.stdout.write(`${renderResultTable(table, lang)}\n`);
          return;
        }
        const result = await family.compute(ctx);
        if (opts.json) printJson(result);
        else process.stdout.write(`${family.tables(result).map((t) => renderResultTable(t, lang)).join('\n\n')}\n`);
      } finally {
        warehouse.close();
      }
    });
}

export function registerReport(program: Command): void {
  const cmd = program
    .command('report')
    .description('Write a metric family as an Excel workbook: one sheet per table, plus the parameters used.')
    .argument('<family>', 'which metrics (see docs/metrics.md)');
  addMetricOptions(cmd)
    .requiredOption('--xlsx <file>', 'the workbook to write')
    .option('--lang <zh|en>', 'header language', process.env.LANG?.startsWith('zh') ? 'zh' : 'en')
    .option('--json', 'print {"file", "sheets"} as JSON')
    .action(async (id: string, opts: MetricCliOptions & { xlsx: string; lang: string }, c: Command) => {
      const family = await familyOrFail(id, opts.json);
      const { ctx, warehouse, configFile, dbPath } = await openMetricContext(c, opts);
      try {
        const { writeWorkbook } = await import('../../../src/lib/workbook/workbook.server.ts');
        const { SALESIGHT_VERSION } = await import('../../version.ts');
        const { parameterRows } = await import('../../../src/lib/workbook/parameters.ts');
        const path = await import('node:path');
        const tables = family.tables(await family.compute(ctx));
        const p = ctx.params;
        const file = path.resolve(opts.xlsx);
        await writeWorkbook(file, tables, {
          title: `${family.title_en} ${family.title_zh}`,
          language: opts.lang === 'zh' ? 'zh' : 'en',
          parameters: parameterRows(['family', id], p, { dbPath, configFile, version: SALESIGHT_VERSION }),
        });
        if (opts.json) printJson({ file, sheets: tables.map((t) => t.name) });
        else process.stdout.write(`Wrote ${file} (${tables.length} sheets: ${tables.map((t) => t.name).join(', ')}, Parameters)\n`);
      } finally {
        warehouse.close();
      }
    });
}
