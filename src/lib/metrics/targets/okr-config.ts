/**
 * The `okrs` config key (spec §7): objectives with key results, each bound to a metric this
 * family computes or entered by hand. Wire into src/lib/config/config.ts as
 * `okrs: okrsConfigSchema,` (default: no objectives).
 *
 * Key-result metrics (all over the objective's window [period.from, min(period.to, as_of)];
 * `_growth_yoy` compares with the same window one year earlier and is null when last year is 0
 * or before the data starts):
 * - revenue, revenue_growth_yoy: net revenue (orders, or won deals when there are no orders);
 *   scope region / team / rep / product / customer_type (new | existing).
 * - revenue_share: revenue of `scope` ÷ all revenue (e.g. new customers' share, a product's share).
 * - new_customers, new_customers_growth_yoy: customers whose first order is in the window.
 * - won_deals, won_deals_growth_yoy: opportunities won in the window.
 * - repeat_purchase_rate (老客户复购率): of the customers who had ordered before the window,
 *   the share who ordered again within it. No scope.
 * - per_capita_revenue, per_capita_revenue_growth_yoy (人均产能): revenue ÷ reps employed on
 *   any day of the window (reps.hired_at/left_at; without a reps table, the reps who sold);
 *   scope region / team.
 * - manual: `current` typed in by hand (satisfaction 4.3, training score …).
 *
 * Progress of a key result: current ÷ target; with a `baseline`, (current − baseline) ÷
 * (target − baseline); for `direction: "decrease"`, the mirror image. An objective's progress is
 * the weighted mean of its key results' progress, each clamped to 0–1 (over-delivering one KR does
 * not make up for another).
 *
 * Seed 003's example set (2024销售业绩提升实战方案, 目标校准), as it would sit in
 * salesight.config.json for the demo data (its products stand in for the seed's "A" and "B"):
 *
 * ```json
 * "okrs": [
 *   {
 *     "id": "O1",
 *     "objective": "2026年销售额较2025年增长30%，其中新客户贡献占比40%",
 *     "period": { "from": "2026-01-01", "to": "2026-12-31" },
 *     "key_results": [
 *       { "id": "KR1", "title": "销售额同比增长30%", "metric": "revenue_growth_yoy", "target": 0.3 },
 *       { "id": "KR2", "title": "新客户贡献占比40%", "metric": "revenue_share", "scope": { "dimension": "customer_type", "value": "new" }, "target": 0.4 },
 *       { "id": "KR3", "title": "A产品销售额增长25%", "metric": "revenue_growth_yoy", "scope": { "dimension": "product", "value": "智能仓储系统" }, "target": 0.25 },
 *       { "id": "KR4", "title": "B产品（新品）销售额占比提升至15%", "metric": "revenue_share", "scope": { "dimension": "product", "value": "工业物联网网关" }, "target": 0.15 },
 *       { "id": "KR5", "title": "华东地区增长35%", "metric": "revenue_growth_yoy", "scope": { "dimension": "region", "value": "华东" }, "target": 0.35 },
 *       { "id": "KR6", "title": "华南地区增长28%", "metric": "revenue_growth_yoy", "scope": { "dimension": "region", "value": "华南" }, "target": 0.28 },
 *       { "id": "KR7", "title": "老客户复购率提升至60%", "metric": "repeat_purchase_rate", "target": 0.6 },
 *       { "id": "KR8", "title": "新客户获取量增长50%", "metric": "new_customers_growth_yoy", "target": 0.5 },
 *       { "id": "KR9", "title": "销售团队人均产能提升20%", "metric": "per_capita_revenue_growth_yoy", "target": 0.2 },
 *       { "id": "KR10", "title": "客户满意度≥4.5分", "metric": "manual", "current": 4.3, "target": 4.5, "unit": "number" }
 *     ]
 *   }
 * ]
 * ```
 * The same set is exported below as SEED_003_OKRS (the tests run it on the demo).
 */
import { z } from 'zod';

export const OKR_METRICS = [
  'revenue',
  'revenue_growth_yoy',
  'revenue_share',
  'new_customers',
  'new_customers_growth_yoy',
  'won_deals',
  'won_deals_growth_yoy',
  'repeat_purchase_rate',
  'per_capita_revenue',
  'per_capita_revenue_growth_yoy',
  'manual',
] as const;
export type OkrMetric = (typeof OKR_METRICS)[number];

export const OKR_SCOPE_DIMENSIONS = ['region', 'team', 'rep', 'product', 'customer_type'] as const;

/** Which scopes each computed metric understands. */
export const OKR_SCOPES_ALLOWED: Record<Exclude<OkrMetric, 'manual'>, readonly (typeof OKR_SCOPE_DIMENSIONS)[number][]> = {
  revenue: OKR_SCOPE_DIMENSIONS,
  revenue_growth_yoy: OKR_SCOPE_DIMENSIONS,
  revenue_share: OKR_SCOPE_DIMENSIONS,
  new_customers: ['region', 'team', 'rep', 'product'],
  new_customers_growth_yoy: ['region', 'team', 'rep', 'product'],
  won_deals: ['region', 'team', 'rep', 'product'],
  won_deals_growth_yoy: ['region', 'team', 'rep', 'product'],
  repeat_purchase_rate: [],
  per_capita_revenue: ['region', 'team'],
  per_capita_revenue_growth_yoy: ['region', 'team'],
};

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date like 2026-12-31');

const keyResultSchema = z
  .object({
    id: z.string().min(1).optional(),
    title: z.string().min(1),
    metric: z.enum(OKR_METRICS),
    scope: z.object({ dimension: z.enum(OKR_SCOPE_DIMENSIONS), value: z.string().min(1) }).strict().optional(),
    /** Goal in the metric's unit: fractions for growth, shares and rates (0.3 = 30%), 元, counts. */
    target: z.number(),
    /** Where the KR started; progress is then measured from it. */
    baseline: z.number().optional(),
    direction: z.enum(['increase', 'decrease']).default('increase'),
    weight: z.number().positive().default(1),
    /** manual only: the value as of now (null: not reported yet). */
    current: z.number().nullable().optional(),
    /** manual only: how to show it. */
    unit: z.enum(['percent', 'number', 'money', 'integer']).optional(),
  })
  .strict()
  .superRefine((kr, ctx) => {
    if (kr.metric === 'manual') {
      if (kr.current === undefined) ctx.addIssue({ code: 'custom', path: ['current'], message: 'a manual key result needs `current` (a number, or null when not reported yet)' });
      if (kr.scope) ctx.addIssue({ code: 'custom', path: ['scope'], message: 'a manual key result takes no scope' });
      return;
    }
    if (kr.current !== undefined) ctx.addIssue({ code: 'custom', path: ['current'], message: `\`current\` is computed for ${kr.metric}; only manual key results take it` });
    const allowed = OKR_SCOPES_ALLOWED[kr.metric];
    if (kr.scope && !allowed.includes(kr.scope.dimension)) {
      ctx.addIssue({ code: 'custom', path: ['scope', 'dimension'], message: `${kr.metric} cannot be scoped by ${kr.scope.dimension}${allowed.length ? ` (allowed: ${allowed.join(', ')})` : ' (it takes no scope)'}` });
    }
    if (kr.metric === 'revenue_share' && !kr.scope) ctx.addIssue({ code: 'custom', path: ['scope'], message: 'revenue_share needs a scope: whose share of revenue' });
    if (kr.scope?.dimension === 'customer_type' && !['new', 'existing'].includes(kr.scope.value)) {
      ctx.addIssue({ code: 'custom', path: ['scope', 'value'], message: 'customer_type is "new" or "existing"' });
    }
    if (kr.baseline !== undefined && kr.baseline === kr.target) ctx.addIssue({ code: 'custom', path: ['baseline'], message: 'baseline equals target: progress would divide by zero' });
  });

const objectiveSchema = z
  .object({
    id: z.string().min(1).optional(),
    objective: z.string().min(1),
    owner: z.string().min(1).optional(),
    /** The OKR's own period; without it, the period the metrics are run for. */
    period: z
      .object({ from: isoDate, to: isoDate })
      .strict()
      .refine((p) => p.from <= p.to, { message: 'period.from must not be after period.to' })
      .optional(),
    key_results: z.array(keyResultSchema).min(1),
  })
  .strict();

export const okrsConfigSchema = z.array(objectiveSchema).default([]);

export type OkrKeyResultConfig = z.infer<typeof keyResultSchema>;
export type OkrObjectiveConfig = z.infer<typeof objectiveSchema>;
export type OkrsConfig = z.infer<typeof okrsConfigSchema>;


/** Seed 003's example OKR set, for the demo data (see the comment at the top). */
export const SEED_003_OKRS: z.input<typeof okrsConfigSchema> = [
  {
    id: 'O1',
    objective: '2026年销售额较2025年增长30%，其中新客户贡献占比40%',
    period: { from: '2026-01-01', to: '2026-12-31' },
    key_results: [
      { id: 'KR1', title: '销售额同比增长30%', metric: 'revenue_growth_yoy', target: 0.3 },
      { id: 'KR2', title: '新客户贡献占比40%', metric: 'revenue_share', scope: { dimension: 'customer_type', value: 'new' }, target: 0.4 },
      { id: 'KR3', title: 'A产品销售额增长25%', metric: 'revenue_growth_yoy', scope: { dimension: 'product', value: '智能仓储系统' }, target: 0.25 },
      { id: 'KR4', title: 'B产品（新品）销售额占比提升至15%', metric: 'revenue_share', scope: { dimension: 'product', value: '工业物联网网关' }, target: 0.15 },
      { id: 'KR5', title: '华东地区增长35%', metric: 'revenue_growth_yoy', scope: { dimension: 'region', value: '华东' }, target: 0.35 },
      { id: 'KR6', title: '华南地区增长28%', metric: 'revenue_growth_yoy', scope: { dimension: 'region', value: '华南' }, target: 0.28 },
      { id: 'KR7', title: '老客户复购率提升至60%', metric: 'repeat_purchase_rate', target: 0.6 },
      { id: 'KR8', title: '新客户获取量增长50%', metric: 'new_customers_growth_yoy', target: 0.5 },
      { id: 'KR9', title: '销售团队人均产能提升20%', metric: 'per_capita_revenue_growth_yoy', target: 0.2 },
      { id: 'KR10', title: '客户满意度≥4.5分', metric: 'manual', current: 4.3, target: 4.5, unit: 'number' },
    ],
  },
];
