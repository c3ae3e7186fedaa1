/** Settings of the customer-value family: the `customer_value` key of salesight.config.json. */
import { z } from 'zod';

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

