/**
 * Settings of the customer-value family that config.ts does not have yet. Until the lead wires
 * `customer_value: customerValueConfigSchema` into configSchema, compute reads the key if it is
 * there and falls back to these defaults.
 */
import { z } from 'zod';
import type { SalesightConfig } from '../../config/config.ts';

export const crossSellConfigSchema = z
  .object({
    /** The products a hint may name: the N bought by the most customers in the window. */
    products_considered: z.number().int().positive().default(20),
    /** Directed pairs X → Y listed, the most co-purchased first. */
    pairs: z.number().int().positive().default(10),
    /** Customers listed per pair (the most valuable first); drill `cross_sell` lists them all. */
    customers_per_pair: z.number().int().positive().default(10),
    /** A pair needs at least this many customers who bought both X and Y in the window. */
    min_buyers_both: z.number().int().positive().default(2),
  })
  .prefault({});

export const customerValueConfigSchema = z.object({ cross_sell: crossSellConfigSchema }).prefault({});

export type CrossSellConfig = z.infer<typeof crossSellConfigSchema>;
export type CustomerValueConfig = z.infer<typeof customerValueConfigSchema>;

/** The family's own settings from a config that may or may not carry `customer_value` yet. */
export function customerValueSettings(config: SalesightConfig): CustomerValueConfig {
  return customerValueConfigSchema.parse((config as unknown as { customer_value?: unknown }).customer_value ?? {});
}
