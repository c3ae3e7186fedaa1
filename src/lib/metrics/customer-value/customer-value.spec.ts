/**
 * Customer value on a fixture small enough to work out by hand. As of D = 2024-12-31, W = 12
 * months → window 2024-01-01 … 2024-12-31 (2023-12-31 + 1 day).
 *
 *  cust  orders up to D (amount 元, product)                       R    F   M        region owner
 *  A     12 × 10,000 on the 15th of Jan…Dec 2024 (Jan BI,          16   12  120,000  华东   王磊
 *        Feb 维保, rest CRM); + 50,000 on 2025-01-10 (after D: ignored)
 *  G     12 × 9,000 on the 1st/16th Jun…Nov (06-01 BI, rest CRM)   45   12  108,000  华东   王磊
 *  B     4 × 5,000: 03-01 CRM, 06-01 CRM, 09-01 维保, 12-01 CRM    30   4   20,000   华南   李娜
 *  D     02-01 BI 15,000; 09-01 CRM 15,000                         121  2   30,000   华南   李娜
 *  C     2023-05-01 CRM 800 (before W); 2024-03-15 维保 500        291  1   500      华北   张伟
 *  E     2023-06-30 CRM 3,000 (before W: scored, F 0, M 0)         550  0   0        华北   张伟
 *  F     10-10, 11-10, 12-10 BI 4,000 each                         21   3   12,000   华东   王磊
 *  H     07-01 CRM 8,000; 08-01 CRM 8,000; cancellation 10-01      152  2   8,000    华南   李娜
 *        −8,000 (not an order: F stays 2, R stays from 08-01, M nets 16,000 − 8,000)
 *  P     12-28 维保 2,000 (order owner 赵六; customer row has none)  3    1   2,000    华北   赵六
 *  Q     Q-1 11-20: CRM 3,000 + BI 3,000 (one order, two lines);   26   2   7,000    华东   王磊
 *        Q-2 12-05 BI 1,000
 *  not scored: I (only a cancellation), J (first order 2025-01-05, after D), L (no orders),
 *  a guest order (no customer_id) on 2024-06-01.
 *  reps: 王磊 一组, 李娜 二组, 张伟 三组, 赵六 三组.
 *
 * n = 10 scored. M ascending: E 0, C 500, P 2,000, Q 7,000, H 8,000, F 12,000, B 20,000,
 * D 30,000, G 108,000, A 120,000 → percentile (strictly smaller ÷ 10) 0, .1, .2, … .9.
 */
import fc from 'fast-check';
import { DuckDBInstance } from '../../warehouse/duckdb.server.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig, parseConfig, type SalesightConfig } from '../../config/config.ts';
import { createFixtureWarehouse, type FixtureWarehouse } from '../testing/fixture-warehouse.ts';
import type { ResolvedParams } from '../params.ts';
import { queryRows } from '../../warehouse/warehouse.server.ts';
import { computeCustomerValue, customerValueFamily, type CustomerValueResult } from './customer-value.ts';
import { customerListSql, windowStart, type CustomerValueQueryInput } from './customer-value-queries.ts';
import { SEGMENT_GRID, SEGMENT_IDS, TIER_IDS, type Score } from './customer-value-definitions.ts';

const PARAMS: ResolvedParams = { from: '2024-01-01', to: '2024-12-31', as_of: '2024-12-31', filters: {}, by: null };

let lineNo = 0;
function line(customer_id: string | null, order_id: string, day: string, amount: number, product: string, extra: Record<string, unknown> = {}) {
  return { order_id, order_line: ++lineNo, customer_id, ordered_at: `${day} 10:00:00`, amount, product, ...extra };
}
const months = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => String(from + i).padStart(2, '0'));

const ORDERS = [
  ...months(1, 12).map((m) => line('A', `A-${m}`, `2024-${m}-15`, 10000, m === '01' ? 'BI' : m === '02' ? '维保' : 'CRM', { owner: '王磊' })),
  line('A', 'A-2025', '2025-01-10', 50000, 'CRM', { owner: '王磊' }),
  ...months(6, 11).flatMap((m) => [
    line('G', `G-${m}a`, `2024-${m}-01`, 9000, m === '06' ? 'BI' : 'CRM', { owner: '王磊' }),
    line('G', `G-${m}b`, `2024-${m}-16`, 9000, 'CRM', { owner: '王磊' }),
  ]),
  line('B', 'B-1', '2024-03-01', 5000, 'CRM'),
  line('B', 'B-2', '2024-06-01', 5000, 'CRM'),
  line('B', 'B-3', '2024-09-01', 5000, '维保'),
  line('B', 'B-4', '2024-12-01', 5000, 'CRM'),
  line('D', 'D-1', '2024-02-01', 15000, 'BI'),
  line('D', 'D-2', '2024-09-01', 15000, 'CRM'),
  line('C', 'C-0', '2023-05-01', 800, 'CRM'),
  line('C', 'C-1', '2024-03-15', 500, '维保'),
  line('E', 'E-0', '2023-06-30', 3000, 'CRM'),
  line('F', 'F-1', '2024-10-10', 4000, 'BI'),
  line('F', 'F-2', '2024-11-10', 4000, 'BI'),
  line('F', 'F-3', '2024-12-10', 4000, 'BI'),
  line('H', 'H-1', '2024-07-01', 8000, 'CRM'),
  line('H', 'H-2', '2024-08-01', 8000, 'CRM'),
  line('H', 'CH-1', '2024-10-01', -8000, 'CRM', { is_cancellation: true }),
  line('P', 'P-1', '2024-12-28', 2000, '维保', { owner: '赵六' }),
  line('Q', 'Q-1', '2024-11-20', 3000, 'CRM'),
  line('Q', 'Q-1', '2024-11-20', 3000, 'BI'),
  line('Q', 'Q-2', '2024-12-05', 1000, 'BI'),
  line('I', 'CI-1', '2024-05-01', -1000, 'CRM', { is_cancellation: true }),
  line('J', 'J-1', '2025-01-05', 5000, 'CRM'),
  line(null, 'GUEST-1', '2024-06-01', 700, 'CRM'),
];

const CUSTOMERS = [
  { customer_id: 'A', customer_name: '甲公司', region: '华东', industry: '制造', owner: '王磊' },
  { customer_id: 'G', customer_name: '庚公司', region: '华东', industry: '制造', owner: '王磊' },
  { customer_id: 'B', customer_name: '乙公司', region: '华南', industry: '零售', owner: '李娜' },
  { customer_id: 'D', customer_name: '丁公司', region: '华南', industry: '零售', owner: '李娜' },
  { customer_id: 'C', customer_name: '丙公司', region: '华北', industry: '物流', owner: '张伟' },
  { customer_id: 'E', customer_name: '戊公司', region: '华北', industry: '物流', owner: '张伟' },
  { customer_id: 'F', customer_name: '己公司', region: '华东', industry: '零售', owner: '王磊' },
  { customer_id: 'H', customer_name: '辛公司', region: '华南', industry: '制造', owner: '李娜' },
  { customer_id: 'P', customer_name: '壬公司', region: '华北', industry: '物流', owner: null },
  { customer_id: 'Q', customer_name: '癸公司', region: '华东', industry: '制造', owner: '王磊' },
  { customer_id: 'I', customer_name: '退单公司', region: '华东', industry: '制造', owner: '王磊' },
  { customer_id: 'J', customer_name: '新签公司', region: '华东', industry: '制造', owner: '王磊' },
  { customer_id: 'L', customer_name: '潜客公司', region: '华南', industry: '零售', owner: '李娜' },
];

const REPS = [
  { owner: '王磊', team: '一组' },
  { owner: '李娜', team: '二组' },
  { owner: '张伟', team: '三组' },
  { owner: '赵六', team: '三组' },
];

function input(params: ResolvedParams = PARAMS, config: SalesightConfig = defaultConfig()): CustomerValueQueryInput {
  return { params, rfm: config.rfm, abc: config.abc, crossSell: config.customer_value.cross_sell };
}

describe('customer-value SQL', () => {
  it('windows are the W months ending at D, day clamped like DuckDB', () => {
    expect(windowStart('2024-12-31', 12)).toBe('2024-01-01'); // 2023-12-31 + 1 day
    expect(windowStart('2011-12-09', 12)).toBe('2010-12-10');
    expect(windowStart('2024-03-31', 1)).toBe('2024-03-01'); // 2024-02-29 (clamped) + 1 day
    expect(windowStart('2024-02-29', 12)).toBe('2023-03-01'); // 2023-02-28 (clamped) + 1 day
  });

  it('pins the rules in the generated SQL', () => {
    const sql = customerListSql(input({ ...PARAMS, filters: { region: ["华东'"], product: ['BI'] } }));
    expect(sql).toContain("count(DISTINCT order_id) FILTER (WHERE NOT is_cancellation AND ordered_at >= DATE '2024-01-01') AS orders_in_window");
    expect(sql).toContain("coalesce(sum(amount) FILTER (WHERE ordered_at >= DATE '2024-01-01'), 0) AS monetary");
    expect(sql).toContain("WHERE customer_id IS NOT NULL AND ordered_at < DATE '2024-12-31' + INTERVAL 1 DAY");
    expect(sql).toContain("date_diff('day', ac.last_order_at::DATE, DATE '2024-12-31') AS recency_days");
    expect(sql).toContain('rank() OVER (ORDER BY monetary) - 1 AS worse_monetary');
    expect(sql).toContain('rank() OVER (ORDER BY recency_days DESC) - 1 AS worse_recency');
    expect(sql).toContain('worse_monetary / scored_customers AS monetary_percentile');
    expect(sql).toContain('1 + (5 * worse_recency) // scored_customers AS r_score');
    expect(sql).toContain('(f_score + m_score) // 2 AS fm_score');
    expect(sql).toContain('WHEN recency_days <= 30::DOUBLE AND orders_in_window >= 12::DOUBLE');
    expect(sql).toContain('AND monetary_percentile >= 0.8::DOUBLE THEN \'high_value\'');
    expect(sql).toContain('orders_in_window >= 4::DOUBLE');
    expect(sql).toContain('AND monetary_percentile >= 0.2::DOUBLE AND monetary_percentile < 0.8::DOUBLE THEN \'potential\'');
    expect(sql).toContain('WHEN recency_days >= 180::DOUBLE AND orders_in_window <= 1::DOUBLE');
    expect(sql).toContain('WHEN recency_days >= 90::DOUBLE AND orders_in_window <= 2::DOUBLE THEN \'dormant\'');
    expect(sql).toContain("WHEN r_score * 10 + fm_score IN (55) THEN 'champions'");
    expect(sql).toContain("WHEN r_score * 10 + fm_score IN (21, 11, 12) THEN 'lost'");
    expect(sql).toContain('ORDER BY contribution DESC, customer_id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING');
    expect(sql).toContain('WHEN cumulative_before::DOUBLE < 0.8::DOUBLE * positive_total::DOUBLE THEN \'A\'');
    expect(sql).toContain("ac.region IN ('华东''')"); // escaped
    expect(sql).toContain("SELECT * FROM all_lines WHERE product IN ('BI')");
    expect(customerListSql(input({ ...PARAMS, filters: { source: ['展会'] } }))).toContain('WHERE false');
  });
});

describe('customer value on the hand-worked fixture', () => {
  let w: FixtureWarehouse;
  let r: CustomerValueResult;
  const of = (id: string) => r.customers.find((c) => c.customer_id === id)!;

  beforeAll(async () => {
    w = await createFixtureWarehouse({ orders: ORDERS, customers: CUSTOMERS, reps: REPS });
    r = await computeCustomerValue({ connection: w.connection, params: PARAMS, config: defaultConfig() });
  });
  afterAll(() => w.close());

  it('scores the ten customers with an order up to D, and says who is left out', () => {
    expect(r.customers.map((c) => c.customer_id).sort()).toEqual(['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'P', 'Q']);
    expect(r.window).toEqual({ months: 12, start: '2024-01-01', end: '2024-12-31', date_basis: 'orders.ordered_at' });
    // I (only a cancellation), J (only after D), L (none): 3; the guest order: 1
    expect(r.population).toMatchObject({ scored_customers: 10, customers_without_orders: 3, guest_orders_in_window: 1 });
    // orders in W: A 12 + G 12 + B 4 + D 2 + C 1 + E 0 + F 3 + H 2 + P 1 + Q 2 = 39
    expect(r.population.orders_in_window).toBe(39);
    // M total: 120,000 + 108,000 + 20,000 + 30,000 + 500 + 0 + 12,000 + 8,000 + 2,000 + 7,000 = 307,500
    expect(r.population.revenue_in_window).toBe(307500);
  });

  it('computes R, F and M as defined', () => {
    // A: the 2025-01-10 order is after D, so R = 2024-12-15 → 12-31 = 16; 12 orders; 12 × 10,000
    expect(of('A')).toMatchObject({ recency_days: 16, orders_in_window: 12, orders_per_month: 1, monetary: 120000, first_order_date: '2024-01-15', last_order_date: '2024-12-15' });
    // H: the cancellation (10-01) moves neither R nor F; M = 8,000 + 8,000 − 8,000
    expect(of('H')).toMatchObject({ recency_days: 152, orders_in_window: 2, monetary: 8000, last_order_date: '2024-08-01' });
    // E: only ordered before W: R = 2023-06-30 → 2024-12-31 = 550, F 0, M 0
    expect(of('E')).toMatchObject({ recency_days: 550, orders_in_window: 0, monetary: 0 });
    // Q: order Q-1 has two lines and counts once: F = 2; M = 3,000 + 3,000 + 1,000
    expect(of('Q')).toMatchObject({ recency_days: 26, orders_in_window: 2, monetary: 7000 });
    // C: first order 2023-05-01 (before W) still sets the first order date; R from 2024-03-15 = 291
    expect(of('C')).toMatchObject({ recency_days: 291, orders_in_window: 1, monetary: 500, first_order_date: '2023-05-01' });
  });

  it('takes the owner from the customer export, else from the latest order', () => {
    expect(of('A')).toMatchObject({ owner: '王磊', team: '一组', region: '华东', customer_name: '甲公司' });
    expect(of('P')).toMatchObject({ owner: '赵六', team: '三组', region: '华北' });
  });

  it('ranks M into percentiles: customers strictly below ÷ 10', () => {
    const pct = Object.fromEntries(r.customers.map((c) => [c.customer_id, c.monetary_percentile]));
    expect(pct).toEqual({ E: 0, C: 0.1, P: 0.2, Q: 0.3, H: 0.4, F: 0.5, B: 0.6, D: 0.7, G: 0.8, A: 0.9 });
  });

  it('puts each customer in the first seed 003 tier it matches', () => {
    const tier = Object.fromEntries(r.customers.map((c) => [c.customer_id, c.tier]));
    expect(tier).toEqual({
      A: 'high_value', // R 16 ≤ 30, F 12 ≥ 12, percentile .9 ≥ .8
      B: 'potential', // R 30 ≤ 60, F 4 ≥ 12/3, percentile .6 in [.2, .8)
      C: 'low_value', // R 291 ≥ 180, F 1 ≤ 12/12, percentile .1 < .2
      E: 'low_value', // R 550, F 0, percentile 0: no order in W still scores
      D: 'dormant', // R 121 ≥ 90 (< 180), F 2 ≤ 12/6
      H: 'dormant', // R 152, F 2
      G: 'regular', // R 45 > 30 fails high; M top (.8) fails potential's middle band; R < 90
      F: 'regular', // F 3 < 4 fails potential
      P: 'regular', // F 1
      Q: 'regular', // F 2
    });
    const counts = Object.fromEntries(r.tiers.map((t) => [t.id, t.customers]));
    expect(counts).toEqual({ high_value: 1, potential: 1, low_value: 2, dormant: 2, regular: 4 });
    const high = r.tiers.find((t) => t.id === 'high_value')!;
    expect(high).toMatchObject({ name_zh: '高价值客户', share: 0.1, revenue: 120000, revenue_share: 120000 / 307500, preferred_channels_zh: '一对一电话、线下拜访', source: 'seed 003' });
    expect(high.strategy_zh).toContain('客户成功经理一对一跟进');
    expect(r.tiers.find((t) => t.id === 'dormant')!.strategy_zh).toContain('电话询问"未复购原因"');
    expect(r.tiers.find((t) => t.id === 'dormant')!.revenue).toBe(38000); // D 30,000 + H 8,000
  });

  it('scores R, F, M by quintile with ties sharing a score, and maps the segment grid', () => {
    // score = 1 + ⌊5 × worse / 10⌋ = 1 + ⌊worse / 2⌋
    // R worse (strictly larger R): E0 C1 H2 D3 G4 B5 Q6 F7 A8 P9
    // F worse (strictly fewer orders): E0 C1 P1 D3 H3 Q3 F6 B7 A8 G8 (C=P at 1 order; D=H=Q at 2; A=G at 12)
    // M worse = percentile × 10
    const cells = Object.fromEntries(r.customers.map((c) => [c.customer_id, `${c.rfm_cell} fm${c.fm_score} ${c.segment}`]));
    expect(cells).toEqual({
      A: '555 fm5 champions', // R5 FM (5+5)/2 = 5
      G: '355 fm5 loyal', // R3 FM5
      B: '344 fm4 loyal', // R3 FM4
      D: '224 fm3 at_risk', // R2 FM (2+4)/2 = 3
      C: '111 fm1 lost',
      E: '111 fm1 lost',
      F: '443 fm3 potential_loyalist', // R4 FM (4+3)/2 = 3
      H: '223 fm2 hibernating', // R2 FM (2+3)/2 = 2
      P: '512 fm1 new', // R5 FM (1+2)/2 = 1
      Q: '422 fm2 potential_loyalist', // R4 FM2
    });
    const counts = Object.fromEntries(r.segments.filter((s) => s.customers > 0).map((s) => [s.id, s.customers]));
    expect(counts).toEqual({ champions: 1, loyal: 2, potential_loyalist: 2, new: 1, at_risk: 1, hibernating: 1, lost: 2 });
    expect(r.segments.find((s) => s.id === 'lost')).toMatchObject({ cells: ['R2 FM1', 'R1 FM1', 'R1 FM2'], avg_recency_days: (291 + 550) / 2, avg_monetary: 250 });
  });

  it('splits ABC at 80% / 95% of revenue, the customer who crosses 80% being A', () => {
    // by M desc: A 120,000 (before 0) · G 108,000 (before 120,000) · D 30,000 (before 228,000 <
    // 246,000 = 80% of 307,500: A, crosses 80%) · B (before 258,000 ≥ 246,000; < 292,125 = 95%) ·
    // F (278,000) · H (290,000) · Q (298,000 ≥ 292,125: C) · P · C · E (0: always C)
    const abc = Object.fromEntries(r.customers.map((c) => [c.customer_id, c.abc_class]));
    expect(abc).toEqual({ A: 'A', G: 'A', D: 'A', B: 'B', F: 'B', H: 'B', Q: 'C', P: 'C', C: 'C', E: 'C' });
    expect(r.abc_basis).toBe('revenue');
    expect(r.abc.map((a) => [a.id, a.customers, a.customer_share, a.contribution])).toEqual([
      ['A', 3, 0.3, 258000],
      ['B', 3, 0.3, 40000], // 20,000 + 12,000 + 8,000
      ['C', 4, 0.4, 9500], // 7,000 + 2,000 + 500 + 0
    ]);
    expect(r.abc[0]!.contribution_share).toBeCloseTo(258000 / 307500, 12);
    expect(of('D').cumulative_share).toBeCloseTo(258000 / 307500, 12);
    expect(r.customers.map((c) => c.customer_id)).toEqual(['A', 'G', 'D', 'B', 'F', 'H', 'Q', 'P', 'C', 'E']);
  });

  it('lists cross-sell pairs by co-purchase and the customers who bought X but never Y', () => {
    // buyers in W: CRM A G B D H Q (6); BI A G D F Q (5); 维保 A B C P (4)
    // both: CRM&BI A G D Q (4); CRM&维保 A B (2); BI&维保 A (1 < 2: dropped)
    expect(r.cross_sell.pairs).toEqual([
      { pair_rank: 1, product_x: 'BI', product_y: 'CRM', buyers_x: 5, buyers_both: 4, confidence: 0.8, candidates: 1 },
      { pair_rank: 2, product_x: 'CRM', product_y: 'BI', buyers_x: 6, buyers_both: 4, confidence: 4 / 6, candidates: 2 },
      // C bought CRM in 2023: "never bought Y" looks before W too, so only P
      { pair_rank: 3, product_x: '维保', product_y: 'CRM', buyers_x: 4, buyers_both: 2, confidence: 0.5, candidates: 1 },
      { pair_rank: 4, product_x: 'CRM', product_y: '维保', buyers_x: 6, buyers_both: 2, confidence: 2 / 6, candidates: 4 },
    ]);
    const hints = r.cross_sell.hints.map((h) => `${h.pair_rank}:${h.customer_id}`);
    // pair 2: B (20,000) before H (8,000); pair 4: G 108,000, D 30,000, H 8,000, Q 7,000
    expect(hints).toEqual(['1:F', '2:B', '2:H', '3:P', '4:G', '4:D', '4:H', '4:Q']);
  });

  it('caps the customers per pair from the customer_value config key', async () => {
    const config = parseConfig({ customer_value: { cross_sell: { customers_per_pair: 2 } } });
    const capped = await computeCustomerValue({ connection: w.connection, params: PARAMS, config });
    expect(capped.cross_sell.hints.filter((h) => h.pair_rank === 4).map((h) => h.customer_id)).toEqual(['G', 'D']);
    expect(capped.cross_sell.pairs[3]!.candidates).toBe(4);
  });

  it('recomputes percentiles inside a filter: region 华南 is B, D, H', async () => {
    const south = await computeCustomerValue({ connection: w.connection, params: { ...PARAMS, filters: { region: ['华南'] } }, config: defaultConfig() });
    // n = 3; M: H 8,000 (0), B 20,000 (1/3), D 30,000 (2/3); m_score = 1 + ⌊5 × worse / 3⌋ = 1, 2, 4
    expect(south.customers.map((c) => [c.customer_id, c.tier, c.m_score, c.monetary_percentile])).toEqual([
      ['D', 'dormant', 4, 2 / 3],
      ['B', 'potential', 2, 1 / 3],
      ['H', 'dormant', 1, 0],
    ]);
    expect(south.population.customers_without_orders).toBe(1); // L
  });

  it('filters by team through the owner: 三组 is C, E (张伟) and P (赵六 via the order)', async () => {
    const t3 = await computeCustomerValue({ connection: w.connection, params: { ...PARAMS, filters: { team: ['三组'] } }, config: defaultConfig() });
    // n = 3; M: E 0 (pct 0), C 500 (1/3), P 2,000 (2/3): C is no longer in the bottom 20%, so dormant
    expect(Object.fromEntries(t3.customers.map((c) => [c.customer_id, c.tier]))).toEqual({ P: 'regular', C: 'dormant', E: 'low_value' });
  });

  it('computes from the filtered product lines only', async () => {
    const bi = await computeCustomerValue({ connection: w.connection, params: { ...PARAMS, filters: { product: ['BI'] } }, config: defaultConfig() });
    // BI lines: A 01-15 10,000 (R 351); G 06-01 9,000 (R 213); D 02-01 15,000 (R 334);
    // F 3 × 4,000 (R 21); Q 3,000 in Q-1 + 1,000 in Q-2 (R 26, F 2)
    // M: Q 4,000 (0) G 9,000 (.2) A 10,000 (.4) F 12,000 (.6) D 15,000 (.8)
    expect(bi.customers.map((c) => [c.customer_id, c.recency_days, c.orders_in_window, c.monetary, c.tier])).toEqual([
      ['D', 334, 1, 15000, 'dormant'], // R ≥ 180 but percentile .8 is not bottom: dormant
      ['F', 21, 3, 12000, 'regular'],
      ['A', 351, 1, 10000, 'dormant'],
      ['G', 213, 1, 9000, 'dormant'], // percentile .2 is not < .2
      ['Q', 26, 2, 4000, 'regular'],
    ]);
    // X is narrowed to BI; Y is any considered product: BI → CRM (4 of 5), BI → 维保 has 1 (< 2)
    expect(bi.cross_sell.pairs.map((p) => `${p.product_x}→${p.product_y}`)).toEqual(['BI→CRM']);
  });

  it('a source filter matches no customer, and says why', async () => {
    const s = await computeCustomerValue({ connection: w.connection, params: { ...PARAMS, filters: { source: ['展会'] } }, config: defaultConfig() });
    expect(s.customers).toEqual([]);
    expect(s.tiers.every((t) => t.customers === 0 && t.share === null)).toBe(true);
    expect(s.abc.every((a) => a.customers === 0 && a.customer_share === null)).toBe(true);
    expect(s.notes.join(' ')).toMatch(/source/);
  });

  it('groups counts by region with population-wide scores', async () => {
    const g = await computeCustomerValue({ connection: w.connection, params: { ...PARAMS, by: 'region' }, config: defaultConfig() });
    const rows = Object.fromEntries(g.groups!.rows.map((x) => [x.key, x]));
    // 华东: A (high), G F Q (regular); 华南: B (potential), D H (dormant); 华北: C E (low), P (regular)
    expect(rows['华东']).toMatchObject({ customers: 4, revenue: 247000, tiers: { high_value: 1, potential: 0, low_value: 0, dormant: 0, regular: 3 }, abc: { A: 2, B: 1, C: 1 } });
    expect(rows['华南']!.tiers).toEqual({ high_value: 0, potential: 1, low_value: 0, dormant: 2, regular: 0 });
    expect(rows['华北']!.segments).toMatchObject({ lost: 2, new: 1 });
    const tables = customerValueFamily.tables(g);
    expect(tables.map((t) => t.name)).toEqual(['Tiers', 'RFM segments', 'ABC', 'Customers', 'Cross-sell', 'By region', 'About']);
  });

  it('groups by product: a customer counts under every product it bought up to D', async () => {
    const g = await computeCustomerValue({ connection: w.connection, params: { ...PARAMS, by: 'product' }, config: defaultConfig() });
    // CRM: A G B D H Q + C and E (2023); BI: A G D F Q; 维保: A B C P
    expect(Object.fromEntries(g.groups!.rows.map((x) => [x.key, x.customers]))).toEqual({ BI: 5, CRM: 8, 维保: 4 });
  });

  it('drills into a tier, a segment, an ABC class, a group and a cross-sell pair', async () => {
    const ctx = { connection: w.connection, params: PARAMS, config: defaultConfig() };
    const ids = (t: { rows: object[] }) => (t.rows as { customer_id: string }[]).map((x) => x.customer_id);
    expect(ids(await customerValueFamily.drill!(ctx, { target: 'tier', keys: { tier: '休眠客户' }, limit: 100 }))).toEqual(['D', 'H']);
    expect(ids(await customerValueFamily.drill!(ctx, { target: 'segment', keys: { segment: 'Lost' }, limit: 100 }))).toEqual(['C', 'E']);
    expect(ids(await customerValueFamily.drill!(ctx, { target: 'abc', keys: { class: 'a' }, limit: 2 }))).toEqual(['A', 'G']);
    const byRegion = { ...ctx, params: { ...PARAMS, by: 'region' as const } };
    expect(ids(await customerValueFamily.drill!(byRegion, { target: 'tier', keys: { tier: 'regular', group: '华东' }, limit: 100 }))).toEqual(['G', 'F', 'Q']);
    expect(ids(await customerValueFamily.drill!(ctx, { target: 'cross_sell', keys: { product_x: 'CRM', product_y: '维保' }, limit: 100 }))).toEqual(['G', 'D', 'H', 'Q']);
    await expect(customerValueFamily.drill!(ctx, { target: 'tier', keys: { tier: 'vip' }, limit: 10 })).rejects.toThrow(/unknown tier/);
  });

  it('lays the figures out as workbook tables', () => {
    const tables = customerValueFamily.tables(r);
    const tiers = tables.find((t) => t.name === 'Tiers')!;
    expect((tiers.rows as { customers: number }[]).map((x) => x.customers)).toEqual([1, 1, 2, 2, 4]);
    expect(tiers.columns.map((c) => c.key)).toContain('strategy_en');
    expect(tables.find((t) => t.name === 'Customers')!.rows[0]).toMatchObject({ customer_id: 'A', tier_zh: '高价值客户', segment_en: 'Champions' });
    for (const t of tables) expect(t.name).not.toMatch(/[[\]:*?/\\]/);
  });
});

describe('ABC on profit when every line has one', () => {
  // revenue X 100, Y 50, Z 10; profit X 10, Y 40, Z 50 (one order each, in W)
  const rows = (withProfit: boolean) => [
    line('X', 'X-1', '2024-06-01', 100, 'CRM', { profit: 10 }),
    line('Y', 'Y-1', '2024-06-01', 50, 'CRM', { profit: 40 }),
    line('Z', 'Z-1', '2024-06-01', 10, 'CRM', { profit: withProfit ? 50 : null }),
  ];
  it('uses profit: Z 50 (before 0), Y 40 (50 < 80), X 10 (90 ≥ 80, < 95): A A B', async () => {
    const w = await createFixtureWarehouse({ orders: rows(true) });
    const r = await computeCustomerValue({ connection: w.connection, params: PARAMS, config: defaultConfig() });
    w.close();
    expect(r.abc_basis).toBe('profit');
    expect(r.customers.map((c) => [c.customer_id, c.contribution, c.abc_class])).toEqual([['Z', 50, 'A'], ['Y', 40, 'A'], ['X', 10, 'B']]);
  });
  it('falls back to revenue when a line lacks profit: X 100 (0), Y 50 (100 < 128), Z 10 (150 < 152): A A B', async () => {
    const w = await createFixtureWarehouse({ orders: rows(false) });
    const r = await computeCustomerValue({ connection: w.connection, params: PARAMS, config: defaultConfig() });
    w.close();
    expect(r.abc_basis).toBe('revenue');
    expect(r.customers.map((c) => [c.customer_id, c.contribution, c.abc_class])).toEqual([['X', 100, 'A'], ['Y', 50, 'A'], ['Z', 10, 'B']]);
  });
});

describe('customer value properties', () => {
  const PRODUCTS = ['CRM', 'BI', '维保'];
  const order = fc.record({
    customer: fc.integer({ min: 1, max: 12 }),
    day: fc.integer({ min: 0, max: 800 }), // days after 2023-01-01, so some fall after D
    amount: fc.integer({ min: 0, max: 50_000 }),
    cancel: fc.integer({ min: 0, max: 6 }).map((n) => n === 0), // about one line in seven
    product: fc.constantFrom(...PRODUCTS),
  });
  const dayOf = (n: number) => new Date(Date.UTC(2023, 0, 1 + n)).toISOString().slice(0, 10);

  /** The documented rules, re-implemented naively: R, F, M, percentile, tier, scores, segment, ABC. */
  function oracle(orders: { customer: number; day: number; amount: number; cancel: boolean; product: string; id: number }[], config: SalesightConfig) {
    const D = '2024-12-31';
    const ws = windowStart(D, config.rfm.window_months);
    const W = config.rfm.window_months;
    const upToD = orders.filter((o) => dayOf(o.day) <= D);
    const ids = [...new Set(upToD.filter((o) => !o.cancel).map((o) => `C${String(o.customer).padStart(2, '0')}`))].sort();
    const mine = (id: string) => upToD.filter((o) => `C${String(o.customer).padStart(2, '0')}` === id);
    const facts = ids.map((id) => {
      const os = mine(id);
      const last = os.filter((o) => !o.cancel).map((o) => dayOf(o.day)).sort().at(-1)!;
      const inW = os.filter((o) => dayOf(o.day) >= ws);
      return {
        id,
        R: Math.round((Date.parse(D) - Date.parse(last)) / 86_400_000),
        F: new Set(inW.filter((o) => !o.cancel).map((o) => o.id)).size,
        M: inW.reduce((a, o) => a + (o.cancel ? -o.amount : o.amount), 0),
      };
    });
    const n = facts.length;
    const below = (xs: number[], x: number) => xs.filter((v) => v < x).length;
    return facts.map((f) => {
      const p = below(facts.map((g) => g.M), f.M) / n;
      const t = config.rfm;
      const tier =
        f.R <= t.high_value.max_recency_days && f.F >= t.high_value.min_orders_per_month * W && p >= t.high_value.min_monetary_percentile ? 'high_value'
        : f.R <= t.potential.max_recency_days && f.F >= (t.potential.min_orders_per_quarter * W) / 3 && p >= t.potential.monetary_percentile_between[0] && p < t.potential.monetary_percentile_between[1] ? 'potential'
        : f.R >= t.low_value.min_recency_days && f.F <= (t.low_value.max_orders_per_year * W) / 12 && p < t.low_value.max_monetary_percentile ? 'low_value'
        : f.R >= t.dormant.min_recency_days && f.F <= (t.dormant.max_orders_per_half_year * W) / 6 ? 'dormant'
        : 'regular';
      const score = (worse: number) => (1 + Math.floor((5 * worse) / n)) as Score;
      const r = score(facts.filter((g) => g.R > f.R).length);
      const fs = score(below(facts.map((g) => g.F), f.F));
      const m = score(below(facts.map((g) => g.M), f.M));
      return { ...f, p, tier, r, f: fs, m, segment: SEGMENT_GRID[r][Math.floor((fs + m) / 2) - 1] };
    });
  }

  it('SQL agrees with a naive re-implementation, and the invariants hold', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(order, { maxLength: 40 }), fc.constantFrom(12, 6, 3), async (raw, windowMonths) => {
        const orders = raw.map((o, id) => ({ ...o, id }));
        const w = await createFixtureWarehouse({
          orders: orders.map((o) =>
            ({ order_id: `${o.cancel ? 'C' : 'S'}${o.id}`, order_line: 1, customer_id: `C${String(o.customer).padStart(2, '0')}`, ordered_at: `${dayOf(o.day)} 12:00:00`, amount: o.cancel ? -o.amount : o.amount, product: o.product, is_cancellation: o.cancel }),
          ),
        });
        const config = parseConfig({ rfm: { window_months: windowMonths } });
        try {
          const r = await computeCustomerValue({ connection: w.connection, params: PARAMS, config });
          const expected = oracle(orders, config);
          const got = new Map(r.customers.map((c) => [c.customer_id, c]));
          expect(r.customers).toHaveLength(expected.length);
          for (const e of expected) {
            const c = got.get(e.id)!;
            expect([c.recency_days, c.orders_in_window, c.monetary, c.monetary_percentile, c.tier, c.r_score, c.f_score, c.m_score, c.segment]).toEqual([e.R, e.F, e.M, e.p, e.tier, e.r, e.f, e.m, e.segment]);
          }
          // every customer in exactly one tier and one segment: the summaries add up
          expect(r.tiers.reduce((a, t) => a + t.customers, 0)).toBe(r.customers.length);
          expect(r.segments.reduce((a, s) => a + s.customers, 0)).toBe(r.customers.length);
          for (const c of r.customers) {
            expect(TIER_IDS).toContain(c.tier);
            expect(SEGMENT_IDS).toContain(c.segment);
            for (const s of [c.r_score, c.f_score, c.m_score]) expect(s >= 1 && s <= 5 && Number.isInteger(s)).toBe(true);
            expect(c.monetary_percentile >= 0 && c.monetary_percentile < 1).toBe(true);
          }
          // ABC: shares add to 100%, and every A out-contributes every B, every B every C
          if (r.customers.length) {
            expect(r.abc.reduce((a, x) => a + x.customer_share!, 0)).toBeCloseTo(1, 12);
            const total = r.abc.reduce((a, x) => a + x.contribution, 0);
            if (total !== 0) expect(r.abc.reduce((a, x) => a + x.contribution_share!, 0)).toBeCloseTo(1, 9);
            const min = (k: string) => Math.min(...r.customers.filter((c) => c.abc_class === k).map((c) => c.contribution));
            const max = (k: string) => Math.max(...r.customers.filter((c) => c.abc_class === k).map((c) => c.contribution));
            expect(min('A') >= max('B') && min('B') >= max('C') && min('A') >= max('C')).toBe(true);
            // A is the fewest top customers reaching a_share of the positive total
            const positive = r.customers.reduce((a, c) => a + Math.max(c.contribution, 0), 0);
            const a = r.customers.filter((c) => c.abc_class === 'A');
            if (positive > 0) {
              expect(a.reduce((s, c) => s + c.contribution, 0)).toBeGreaterThanOrEqual(0.8 * positive - 1e-6);
              expect(a.slice(0, -1).reduce((s, c) => s + c.contribution, 0)).toBeLessThan(0.8 * positive);
            }
          }
        } finally {
          w.close();
        }
      }),
      { numRuns: 40 },
    );
  });

  it('windowStart matches DuckDB date arithmetic', async () => {
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    try {
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 0, max: 3650 }), fc.integer({ min: 1, max: 36 }), async (offset, w) => {
          const d = new Date(Date.UTC(2015, 0, 1 + offset)).toISOString().slice(0, 10);
          const [row] = await queryRows<{ s: string }>(connection, `SELECT strftime((DATE '${d}' - INTERVAL ${w} MONTH + INTERVAL 1 DAY)::DATE, '%Y-%m-%d') AS s`);
          expect(windowStart(d, w)).toBe(row!.s);
        }),
        { numRuns: 200 },
      );
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  });
});
