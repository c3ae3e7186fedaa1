/** The options `metrics` and `report` share, and turning them into a metric context. */
import { Option, type Command } from 'commander';
import { DIMENSIONS } from '../../../src/lib/metrics/dimensions.ts';
import type { MetricParams } from '../../../src/lib/metrics/params.ts';
import { resolveDbPath } from '../../../src/lib/warehouse/location.ts';
import { EXIT, fail } from '../output.ts';
import type { MetricContext, MetricFamily } from '../../../src/lib/metrics/family.ts';
import type { ReadOnlyWarehouse } from '../../../src/lib/warehouse/warehouse.server.ts';

export interface MetricCliOptions {
  from?: string;
  to?: string;
  asOf?: string;
  filter: string[];
  by?: string;
  config?: string;
  json?: boolean;
}

/** commander helper: a repeatable option collects its values. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function addMetricOptions(cmd: Command): Command {
  return cmd
    .option('--from <date>', 'first day of the period, YYYY-MM-DD (default: the earliest date in the data)')
    .option('--to <date>', 'last day of the period, inclusive (default: the as-of date)')
    .option('--as-of <date>', '"today" for dwell, recency and pace (default: the latest date in the data)')
    .option('--filter <dim=value>', `keep rows where a dimension has a value; repeat, or comma-separate values (${DIMENSIONS.join(', ')})`, collect, [])
    .addOption(new Option('--by <dimension>', 'group figures by a dimension').choices([...DIMENSIONS]))
    .option('--config <file>', 'config file (default: $SALESIGHT_CONFIG or ./salesight.config.json; see docs/config.md)');
}

export function paramsFromOptions(opts: MetricCliOptions): MetricParams {
  const filters: Record<string, string[]> = {};
  for (const f of opts.filter) {
    const eq = f.indexOf('=');
    const key = f.slice(0, eq);
    if (eq < 1 || !(DIMENSIONS as readonly string[]).includes(key)) {
      fail(`--filter "${f}": expected <dimension>=<value> with a dimension among ${DIMENSIONS.join(', ')}.`, EXIT.input, opts.json);
    }
    const values = f.slice(eq + 1).split(',').map((v) => v.trim()).filter(Boolean);
    if (values.length === 0) fail(`--filter "${f}": no value given.`, EXIT.input, opts.json);
    filters[key] = [...(filters[key] ?? []), ...values];
  }
  return { from: opts.from, to: opts.to, as_of: opts.asOf, filters, by: opts.by as MetricParams['by'] };
}

/** Opens the warehouse and builds the context, turning every bad input into one clear line (exit 2). */
export async function openMetricContext(
  cmd: Command,
  opts: MetricCliOptions,
): Promise<{ ctx: MetricContext; warehouse: ReadOnlyWarehouse; configFile: string | null; dbPath: string }> {
  const { loadConfig, ConfigError } = await import('../../../src/lib/config/config.ts');
  const { openReadOnly, WarehouseMissingError } = await import('../../../src/lib/warehouse/warehouse.server.ts');
  const { resolveParams } = await import('../../../src/lib/metrics/params.ts');
  const { ZodError } = await import('zod');
  const input = paramsFromOptions(opts); // bad flags fail before anything is opened
  let loaded;
  try {
    loaded = loadConfig(opts.config);
  } catch (err) {
    if (err instanceof ConfigError) fail(err.message, EXIT.input, opts.json);
    throw err;
  }
  const dbPath = resolveDbPath(cmd.optsWithGlobals().db);
  let warehouse: ReadOnlyWarehouse;
  try {
    warehouse = await openReadOnly(dbPath);
  } catch (err) {
    if (err instanceof WarehouseMissingError) fail(err.message, EXIT.input, opts.json);
    throw err;
  }
  try {
    const params = await resolveParams(warehouse.connection, input);
    return { ctx: { connection: warehouse.connection, params, config: loaded.config }, warehouse, configFile: loaded.file, dbPath };
  } catch (err) {
    warehouse.close();
    if (err instanceof ZodError) {
      fail(err.issues.map((i) => `--${String(i.path[0] ?? '').replace('_', '-')}: ${i.message}`).join('; '), EXIT.input, opts.json);
    }
    throw err;
  }
}

export async function familyOrFail(id: string, json?: boolean): Promise<MetricFamily<unknown>> {
  const { loadFamily, FAMILY_IDS } = await import('../../../src/lib/metrics/registry.ts');
  const family = await loadFamily(id);
  if (!family) fail(`Unknown metric family "${id}". Families: ${FAMILY_IDS.join(', ')}.`, EXIT.input, json);
  return family;
}
