/** What figures can be filtered and grouped by (spec: team, region, industry, product, source, owner). No imports: the CLI's --help reads it. */
export const DIMENSIONS = ['team', 'region', 'industry', 'product', 'source', 'owner'] as const;
export type Dimension = (typeof DIMENSIONS)[number];
