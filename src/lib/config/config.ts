/**
 * salesight.config.json: every threshold a manager may want to change without touching code.
 * One zod schema holds the keys, their meaning and their defaults (the spec's); a missing file
 * means all defaults, and a bad value is refused with the key's path and what is allowed.
 * Stage lists themselves come from the warehouse (`stages`, written by ingest); the config can
 * override their labels, stagnation thresholds and win probabilities per stage set.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { deliveryConfigSchema } from './delivery-config.ts';
import { jobsConfigSchema } from './jobs-config.ts';
import { okrsConfigSchema } from '../metrics/targets/okr-config.ts';
import { bonusConfigSchema } from '../metrics/targets/bonus-config.ts';
import { customerValueConfigSchema } from '../metrics/customer-value/customer-value-config.ts';

export const CONFIG_FILE_NAME = 'salesight.config.json';

const fraction = z.number().min(0).max(1);

const stageOverride = z.object({
  name_zh: z.string().min(1).optional(),
  name_en: z.string().min(1).optional(),
  /** Days in this stage after which an open deal is stagnating (seed 002: 15). */
  stagnation_days: z.number().int().positive().optional(),
  /** Configured P(win | currently in this stage) for the weighted pipeline; else derived from history. */
  probability: fraction.optional(),
});

export const configSchema = z
  .object({
    /** Per stage set (`default`, `maven_crm`, …), per stage name: overrides of what the warehouse says. */
    stages: z.record(z.string(), z.record(z.string(), stageOverride)).default({}),
    /** A forward jump (1 → 3) counts as reaching the skipped stage 2 (spec §2). */
    skipped_stages_count_as_reached: z.boolean().default(true),
    funnel: z
      .object({
        /** Stagnation threshold for stages the warehouse and config give none. */
        default_stagnation_days: z.number().int().positive().default(15),
      })
      .prefault({}),
    channels: z
      .object({
        /** Months in each window compared by the drop alert: 1 = month on month (spec §8). */
        drop_window_months: z.number().int().positive().default(1),
        /** A source needs this many deals closed in each window before a drop is called: small samples swing. */
        min_closed_for_alert: z.number().int().nonnegative().default(10),
      })
      .prefault({}),
    rfm: z
      .object({
        /** Look-back window W in months for F and M. */
        window_months: z.number().int().positive().default(12),
        /** Seed 003 tiers, evaluated in this order; first match wins. */
        high_value: z.object({ max_recency_days: z.number().default(30), min_orders_per_month: z.number().default(1), min_monetary_percentile: fraction.default(0.8) }).prefault({}),
        potential: z.object({ max_recency_days: z.number().default(60), min_orders_per_quarter: z.number().default(1), monetary_percentile_between: z.tuple([fraction, fraction]).default([0.2, 0.8]) }).prefault({}),
        low_value: z.object({ min_recency_days: z.number().default(180), max_orders_per_year: z.number().default(1), max_monetary_percentile: fraction.default(0.2) }).prefault({}),
        dormant: z.object({ min_recency_days: z.number().default(90), max_orders_per_half_year: z.number().default(1) }).prefault({}),
      })
      .prefault({}),
    abc: z
      .object({
        /** A: customers making the first 80% of the cumulative total; B: the next 15%; C: the rest. */
        a_share: fraction.default(0.8),
        b_share: fraction.default(0.15),
      })
      .prefault({})
      .refine((a) => a.a_share + a.b_share <= 1, { message: 'a_share + b_share must not exceed 1' }),
    scorecard: z
      .object({
        /** Seed 003 weights; inputs that are not supplied are left out and their weight spread over the rest. */
        weights: z
          .object({ performance: fraction.default(0.4), customer_value: fraction.default(0.3), ability: fraction.default(0.2), team: fraction.default(0.1) })
          .prefault({}),
      })
      .prefault({}),
    floors: z
      .object({
        complaint_rate_max: fraction.default(0.01),
        followup_timeliness_min: fraction.default(0.95),
      })
      .prefault({}),
    alerts: z
      .object({
        /** A source's win rate falling by more than this share of its previous value (0.3: 15% → 10% is a 33% fall). */
        channel_conversion_drop: fraction.default(0.3),
        rep_retention_min: fraction.default(0.8),
        completion_min: fraction.default(0.7),
        completion_months_running: z.number().int().positive().default(2),
        core_repeat_rate_drop: fraction.default(0.1),
        complaint_rate_max: fraction.default(0.02),
      })
      .prefault({}),
    /** Cross-sell hint settings of the customer-value family. */
    customer_value: customerValueConfigSchema,
    /** Objectives and key results bound to metrics (docs/metrics.md, Targets and OKR); none by default. */
    okrs: okrsConfigSchema,
    /** Tiered bonus (seed 001): base / challenge / excellence bands with rising pay-out rates. */
    bonus: bonusConfigSchema,
    /** Pipeline jobs by name (src/lib/config/jobs-config.ts); by default `ingest` (the inbox/ folder) and `reports`, run by hand. */
    jobs: jobsConfigSchema,
    /** Delivery channels for alerts and report notices (src/lib/config/delivery-config.ts). */
    delivery: deliveryConfigSchema,
    fiscal: z
      .object({
        year_start_month: z.number().int().min(1).max(12).default(1),
        week_start: z.enum(['monday', 'sunday']).default('monday'),
      })
      .prefault({}),
  })
  .strict();

export type SalesightConfig = z.infer<typeof configSchema>;
export type SalesightConfigInput = z.input<typeof configSchema>;

export class ConfigError extends Error {}

export function defaultConfig(): SalesightConfig {
  return configSchema.parse({});
}

export function parseConfig(input: unknown, where = 'config'): SalesightConfig {
  const result = configSchema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => `  - ${i.path.join('.') || '(top level)'}: ${i.message}`).join('\n');
  throw new ConfigError(`${where} is not valid:\n${problems}\nSee docs/config.md for every key and its default.`);
}

/**
 * `explicit` (--config) beats SALESIGHT_CONFIG beats ./salesight.config.json; no file at the
 * default place means the defaults.
 */
export function loadConfig(explicit?: string): { config: SalesightConfig; file: string | null } {
  const chosen = explicit ?? process.env.SALESIGHT_CONFIG;
  const file = path.resolve(chosen ?? CONFIG_FILE_NAME);
  if (!fs.existsSync(file)) {
    if (chosen) throw new ConfigError(`Config file ${file} does not exist.`);
    return { config: defaultConfig(), file: null };
  }
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError(`Cannot read config file ${file}: ${(err as Error).message}`);
  }
  return { config: parseConfig(json, `Config file ${file}`), file };
}
