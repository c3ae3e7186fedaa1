import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../config/config.ts';
import { streamsDrill, type MetricContext, type ResultTable } from '../family.ts';

/** Table rows as plain records (ResultTable types them as object). */
const rowsOf = (t: ResultTable | undefined) => (t?.rows ?? []) as Record<string, unknown>[];
import { resolveParams, type MetricParams } from '../params.ts';
import { createFixtureWarehouse, type FixtureRows, type FixtureWarehouse } from '../testing/fixture-warehouse.ts';
import { handoverDrillSql, handoverListSql, normalisedNameSql, resolveCustomerSql, timelineSql } from './customer-timeline-queries.ts';
import { computeCustomerTimeline, customerTimeline, customerTimelineFamily, type CustomerTimelineResult, type HandoverCustomer } from './customer-timeline.ts';

describe('customer-timeline SQL', () => {
  const params = { from: '2026-01-01', to: '2026-03-15', as_of: '2026-03-15', filters: {}, by: null };

  it('matches names after normalising and only when one customer has the name', () => {
    expect(normalisedNameSql('x')).toBe(`lower(regexp_replace(replace(replace(trim(x), '（', '('), '）', ')'), '[\\s\\x{3000}]+', '', 'g'))`);
    const sql = handoverListSql(params, 50);
    expect(sql).toContain('GROUP BY name_key HAVING count(*) = 1');
    expect(sql).toContain(`coalesce(c.customer_id, nm.customer_id, nullif(trim(r.customer_id), ''),`);
  });

  it('bounds everything by the end of the as-of day and counts the period separately', () => {
    const sql = handoverListSql(params, 50);
    expect(sql).toContain(`FROM entries WHERE occurred_at < (DATE '2026-03-15' + INTERVAL 1 DAY)`);
    expect(sql).toContain(`count(*) FILTER ((occurred_at >= DATE '2026-01-01' AND occurred_at < DATE '2026-03-15' + INTERVAL 1 DAY))`);
    expect(sql).toContain(`departed AS (SELECT owner, left_at FROM reps WHERE left_at <= DATE '2026-03-15')`);
    expect(timelineSql(params, ['KH001'], 10)).toContain(`WHERE customer_key IN ('KH001') AND occurred_at < (DATE '2026-03-15' + INTERVAL 1 DAY)`);
  });

  it('filters customers through their opportunities, the owner also through who followed them up; values escaped', () => {
    const sql = handoverListSql({ ...params, filters: { owner: ["O'Neil"], region: ['华东'] } }, 50);
    expect(sql).toContain(
      `WHERE o.customer_key IS NOT NULL AND o.region IN ('华东') AND o.opportunity_id IN (SELECT opportunity_id FROM opportunities WHERE owner IN ('O''Neil') UNION ALL SELECT opportunity_id FROM stage_events WHERE owner IN ('O''Neil'))`,
    );
    // the directory of customers is grouped for the selected ones only
    expect(sql).toContain(`FROM named WHERE true AND customer_key IN (SELECT customer_key FROM selected) GROUP BY customer_key`);
    expect(handoverListSql(params, 50)).not.toContain('selected');
    expect(resolveCustomerSql("a'b")).toContain(`customer_key = 'a''b' OR customer_id = 'a''b'`);
  });

  it('builds the per-customer lists only for the customers shown (a list per customer is a state DuckDB cannot spill)', () => {
    for (const sql of [handoverListSql(params, 50), handoverDrillSql(params, true, 50)]) {
      const page = sql.indexOf('page AS (');
      expect(page).toBeGreaterThan(0);
      // every customer is aggregated before the page is cut, with no list among the aggregates
      expect(sql.slice(0, page)).not.toMatch(/\blist\(/);
      expect(sql.slice(page)).toContain('list(DISTINCT rep) FILTER (rep IS NOT NULL)');
    }
    expect(handoverListSql(params, 50)).toContain('page AS (SELECT * FROM listed ORDER BY needs_handover DESC');
    expect(handoverDrillSql(params, true, 50)).toContain('page AS (SELECT * FROM listed WHERE needs_handover ORDER BY');
  });
});

/*
 * Hand-worked fixture, as of 2026-03-15. 王五 left on 02-28; 张三 took over the account 甲方科技.
 * Customers: KH001 甲方科技有限公司 (account owner 张三), KH002 乙方（上海）贸易有限公司 (李四).
 * Opportunities: O1 甲方 won (re-assigned to 张三), O2 甲方 open (still 王五's), O3 乙方 lost (name
 * written with half-width brackets), O4 丙无档案公司 open (王五; no customers row).
 * Orders: SO1 (KH001, two lines), SO2 (name only → KH001), SO3 (KH999, unknown id, 王五), SO4 (guest).
 */
const FIXTURE: FixtureRows = {
  reps: [
    { owner: '王五', team: '华东一组', region: '华东', left_at: '2026-02-28' },
    { owner: '张三', team: '华东一组', region: '华东' },
    { owner: '李四', team: '华东二组', region: '华东' },
  ],
  customers: [
    { customer_id: 'KH001', customer_name: '甲方科技有限公司', owner: '张三' },
    { customer_id: 'KH002', customer_name: '乙方（上海）贸易有限公司', owner: '李四' },
  ],
  opportunities: [
    { opportunity_id: 'O1', customer_name: '甲方科技有限公司', owner: '张三', team: '华东一组', region: '华东', stage: '已成交', status: 'won', created_at: '2026-01-05 09:00:00', closed_at: '2026-02-20 10:00:00', expected_amount: 60000, amount: 50000, product: '产品A' },
    { opportunity_id: 'O2', customer_name: ' 甲方科技有限公司 ', owner: '王五', team: '华东一组', region: '华东', stage: '需求挖掘', status: 'open', created_at: '2026-02-10 14:00:00', expected_amount: 80000 },
    { opportunity_id: 'O3', customer_name: '乙方(上海)贸易有限公司', owner: '李四', team: '华东二组', region: '华东', stage: '潜在接触', status: 'lost', created_at: '2026-01-20 09:00:00', closed_at: '2026-02-01 11:00:00', lost_reason: '预算取消' },
    { opportunity_id: 'O4', customer_name: '丙无档案公司', owner: '王五', team: '华东一组', region: '华东', stage: '潜在接触', status: 'open', created_at: '2026-01-15 10:00:00', expected_amount: 30000 },
  ],
  stage_events: [
    { opportunity_id: 'O1', occurred_at: '2026-01-05 09:00:00', to_stage: '潜在接触', method: '电话', owner: '王五', next_followup_at: '2026-01-08 10:00:00' },
    { opportunity_id: 'O1', occurred_at: '2026-01-20 10:00:00', from_stage: '潜在接触', to_stage: '方案提案', method: '面谈', owner: '王五', objection: '价格偏高', next_action: '报价' },
    { opportunity_id: 'O1', occurred_at: '2026-02-20 10:00:00', from_stage: '方案提案', to_stage: '已成交', to_status: 'won', method: '面谈', owner: '张三' },
    { opportunity_id: 'O2', occurred_at: '2026-02-10 14:00:00', to_stage: '潜在接触', method: '微信', owner: '王五' },
    { opportunity_id: 'O2', occurred_at: '2026-02-25 15:00:00', from_stage: '潜在接触', to_stage: '需求挖掘', method: '电话', owner: '王五', summary: '客户确认预算' },
    { opportunity_id: 'O2', occurred_at: '2026-03-20 10:00:00', method: '电话', owner: '张三' }, // after as-of
    { opportunity_id: 'O3', occurred_at: '2026-01-20 09:00:00', to_stage: '潜在接触', method: '邮件', owner: '李四' },
    { opportunity_id: 'O3', occurred_at: '2026-02-01 11:00:00', from_stage: '潜在接触', to_status: 'lost', method: '电话', owner: '李四' },
    { opportunity_id: 'O4', occurred_at: '2026-01-15 10:00:00', to_stage: '潜在接触', method: '电话', owner: '王五' },
  ],
  orders: [
    { order_id: 'SO1', order_line: 1, customer_id: 'KH001', ordered_at: '2026-02-25 10:00:00', product: '产品A', amount: 30000, owner: '张三', opportunity_id: 'O1' },
    { order_id: 'SO1', order_line: 2, customer_id: 'KH001', ordered_at: '2026-02-25 10:00:00', product: '产品B', amount: 20000, owner: '张三', opportunity_id: 'O1' },
    { order_id: 'SO2', customer_name: '甲方科技有限公司', ordered_at: '2026-03-01 00:00:00', product: '产品A', amount: 10000, owner: '张三' },
    { order_id: 'SO3', customer_id: 'KH999', ordered_at: '2026-02-02 12:00:00', product: '产品C', amount: 5000, owner: '王五' },
    { order_id: 'SO4', ordered_at: '2026-02-03 12:00:00', product: '产品C', amount: 700 },
  ],
};

const PARAMS: MetricParams = { from: '2026-01-01', to: '2026-03-15', as_of: '2026-03-15' };

async function context(w: FixtureWarehouse, input: MetricParams = PARAMS): Promise<MetricContext> {
  return { connection: w.connection, params: await resolveParams(w.connection, input), config: defaultConfig() };
}

describe('customer timeline: hand-worked fixture', () => {
  let w: FixtureWarehouse;
  let ctx: MetricContext;
  let result: CustomerTimelineResult;
  const customer = (key: string) => result.handover_list.find((c) => c.customer_key === key)!;
  beforeAll(async () => {
    w = await createFixtureWarehouse(FIXTURE);
    ctx = await context(w);
    result = await customerTimelineFamily.compute(ctx);
  });
  afterAll(() => w.close());

  it('orders the handover list: departed reps first, open deals first, then open amount', () => {
    // KH001 (open 80,000, 王五) and 丙无档案公司 (open 30,000, 王五) have open deals; KH999's only rep (its
    // order's) left, no open deal; KH002 is 李四's and needs nothing. The guest order SO4 is nobody's.
    expect(result.handover_list.map((c) => [c.customer_key, c.needs_handover])).toEqual([
      ['KH001', true], ['丙无档案公司', true], ['KH999', true], ['KH002', false],
    ]);
    expect(result).toMatchObject({ customers: 4, needs_handover: 3, needs_handover_with_open_deals: 2, handover_list_truncated: false });
  });

  it('carries the first customers of a long list, with the counts over all of it', async () => {
    // a list cut at 2 of the 4 customers: KH001 and 丙无档案公司 (the order above); counts still 4, 3, 2
    const cut = await computeCustomerTimeline(ctx, 2);
    expect(cut.handover_list.map((c) => c.customer_key)).toEqual(['KH001', '丙无档案公司']);
    expect(cut).toMatchObject({ customers: 4, needs_handover: 3, needs_handover_with_open_deals: 2, handover_list_truncated: true });
    expect(cut.handover_list[0]).toEqual(result.handover_list[0]);
  });

  it('drills into the whole list, or the part needing a handover, as flat rows', async () => {
    const all = await customerTimelineFamily.drill!(ctx, { target: 'customers', keys: {}, limit: 100 });
    expect(all.rows.map((r) => (r as { customer_key: string }).customer_key)).toEqual(['KH001', '丙无档案公司', 'KH999', 'KH002']);
    const needing = await customerTimelineFamily.drill!(ctx, { target: 'customers', keys: { needs_handover: 'true' }, limit: 100 });
    // KH001's departed reps: 王五 (owner of its open deal O2); reps involved 王五 and 张三
    expect(needing.rows[0]).toMatchObject({ customer_key: 'KH001', departed_reps_text: '王五', reps_involved_text: '张三、王五', open_opportunity_ids_text: 'O2' });
    expect(needing.rows).toHaveLength(3);
    const rest = await customerTimelineFamily.drill!(ctx, { target: 'customers', keys: { needs_handover: 'false' }, limit: 100 });
    expect(rest.rows.map((r) => (r as { customer_key: string }).customer_key)).toEqual(['KH002']);
    await expect(customerTimelineFamily.drill!(ctx, { target: 'customers', keys: { needs_handover: 'maybe' }, limit: 100 })).rejects.toThrow(/true or false/);
    expect(streamsDrill(customerTimelineFamily, 'customers')).toBe(true);
    expect(streamsDrill(customerTimelineFamily, 'timeline')).toBe(false);
  });

  it('KH001: the open deal is still the departed rep’s', () => {
    expect(customer('KH001')).toEqual<HandoverCustomer>({
      customer_key: 'KH001',
      customer_id: 'KH001',
      customer_name: '甲方科技有限公司',
      account_owner: '张三',
      current_owner: '王五', // owner of the newest open opportunity (O2) beats the account owner
      current_owner_basis: 'open_opportunity',
      owner_left: true,
      current_owner_left_at: '2026-02-28',
      departed_reps: ['王五'],
      needs_handover: true,
      open_opportunities: 1, // O2 (its name has spaces around it: still KH001)
      open_amount: 80000,
      open_opportunity_ids: ['O2'],
      opportunities: 2,
      won_opportunities: 1,
      won_amount: 50000, // O1
      orders: 2, // SO1 (two lines) and SO2 (matched by name)
      order_amount: 60000, // 30,000 + 20,000 + 10,000
      last_order_at: '2026-03-01 00:00:00',
      first_activity_at: '2026-01-05 09:00:00',
      last_activity_at: '2026-03-01 00:00:00', // SO2; the 03-20 record is after as-of
      last_activity_kind: 'order',
      last_activity_rep: '张三',
      days_since_last_activity: 14, // 03-01 → 03-15
      // O1: created + 3 records + closed = 5; O2: created + 2 records = 3; orders SO1, SO2 = 2
      interactions: 10,
      interactions_in_period: 10,
      reps_involved: ['张三', '王五'],
    });
  });

  it('other customers: unmatched names, unknown ids, owner from account or order', () => {
    expect(customer('丙无档案公司')).toMatchObject({ customer_id: null, customer_name: '丙无档案公司', current_owner: '王五', current_owner_basis: 'open_opportunity', open_amount: 30000, interactions: 2 });
    expect(customer('KH999')).toMatchObject({ customer_id: 'KH999', current_owner: '王五', current_owner_basis: 'latest_order', owner_left: true, open_opportunities: 0, orders: 1, interactions: 1 });
    // O3's half-width brackets still match KH002; created + 2 records + closed = 4
    expect(customer('KH002')).toMatchObject({ current_owner: '李四', current_owner_basis: 'account', owner_left: false, departed_reps: [], opportunities: 1, interactions: 4 });
  });

  it('counts the period separately and keeps every customer', async () => {
    const later = await customerTimelineFamily.compute(await context(w, { from: '2026-02-21', to: '2026-03-15', as_of: '2026-03-15' }));
    // KH001 after 02-21: SO1 (02-25), O2's 02-25 record, SO2 (03-01) = 3
    expect(later.handover_list.find((c) => c.customer_key === 'KH001')!.interactions_in_period).toBe(3);
    expect(later.customers).toBe(4);
  });

  it('filters: owner finds the customers a departed rep worked on, even after reassignment', async () => {
    const byOwner = await customerTimelineFamily.compute(await context(w, { ...PARAMS, filters: { owner: ['王五'] } }));
    expect(byOwner.handover_list.map((c) => c.customer_key)).toEqual(['KH001', '丙无档案公司']);
    const byTeam = await customerTimelineFamily.compute(await context(w, { ...PARAMS, filters: { team: ['华东二组'] } }));
    expect(byTeam.handover_list.map((c) => c.customer_key)).toEqual(['KH002']);
    // a filter selects customers, it does not change their rows: KH001's row counts 张三's records
    // and orders too (the filtered query reads only the selected customers' rows from the start)
    const unfiltered = (keys: string[]) => result.handover_list.filter((c) => keys.includes(c.customer_key));
    expect(byOwner.handover_list).toEqual(unfiltered(['KH001', '丙无档案公司']));
    expect(byTeam.handover_list).toEqual(unfiltered(['KH002']));
    expect(byOwner).toMatchObject({ customers: 2, needs_handover: 2, needs_handover_with_open_deals: 2 });
  });

  it('the timeline of KH001 in order, across both reps', async () => {
    const { entries } = await customerTimeline(ctx, 'KH001', 100);
    expect(entries.map((e) => [e.seq, e.occurred_at, e.kind, e.opportunity_id ?? e.order_id, e.rep])).toEqual([
      [1, '2026-01-05 09:00:00', 'opportunity_created', 'O1', '王五'], // created by the rep of its first record
      [2, '2026-01-05 09:00:00', 'stage_change', 'O1', '王五'],
      [3, '2026-01-20 10:00:00', 'stage_change', 'O1', '王五'],
      [4, '2026-02-10 14:00:00', 'opportunity_created', 'O2', '王五'],
      [5, '2026-02-10 14:00:00', 'stage_change', 'O2', '王五'],
      [6, '2026-02-20 10:00:00', 'stage_change', 'O1', '张三'], // same time: the record before the close
      [7, '2026-02-20 10:00:00', 'opportunity_closed', 'O1', '张三'],
      [8, '2026-02-25 10:00:00', 'order', 'O1', '张三'],
      [9, '2026-02-25 15:00:00', 'stage_change', 'O2', '王五'],
      [10, '2026-03-01 00:00:00', 'order', 'SO2', '张三'],
    ]);
    expect(entries[2]).toMatchObject({ method: '面谈', objection: '价格偏高', next_action: '报价', from_stage: '潜在接触', to_stage: '方案提案' });
    expect(entries[6]).toMatchObject({ status: 'won', amount: 50000, expected_amount: 60000, from_stage: '方案提案', opportunity_owner: '张三' });
    expect(entries[7]).toMatchObject({ order_id: 'SO1', product: '产品A、产品B', amount: 50000 });
  });

  it('drill: by id, by name (brackets and spaces normalised), capped, unknown refused', async () => {
    const byName = await customerTimelineFamily.drill!(ctx, { target: 'timeline', keys: { customer: ' 乙方（上海）贸易有限公司' }, limit: 100 });
    expect(rowsOf(byName).map((r) => r.kind)).toEqual(['opportunity_created', 'stage_change', 'stage_change', 'opportunity_closed']);
    expect(byName.rows[3]).toMatchObject({ status: 'lost', lost_reason: '预算取消', from_stage: '潜在接触' });
    expect(byName.title_zh).toBe('客户跟进全程：乙方（上海）贸易有限公司');
    const capped = await customerTimelineFamily.drill!(ctx, { target: 'timeline', keys: { customer: 'KH001' }, limit: 3 });
    expect(capped.rows).toHaveLength(3);
    await expect(customerTimelineFamily.drill!(ctx, { target: 'timeline', keys: { customer: '没有这家' }, limit: 3 })).rejects.toThrow(/no customer matches/);
    await expect(customerTimelineFamily.drill!(ctx, { target: 'timeline', keys: {}, limit: 3 })).rejects.toThrow(/needs the key customer/);
  });

  it('tables: the handover sheet holds only customers needing one', () => {
    const [handover, all] = customerTimelineFamily.tables(result);
    expect(rowsOf(handover).map((r) => r.customer_key)).toEqual(['KH001', '丙无档案公司', 'KH999']);
    expect(all!.rows).toHaveLength(4);
    expect(handover!.rows[0]).toMatchObject({ departed_reps_text: '王五', reps_involved_text: '张三、王五', open_opportunity_ids_text: 'O2' });
  });
});

describe('customer timeline: snapshot exports', () => {
  it('shows a snapshot’s last activity once, unless a follow-up record has that time', async () => {
    const w = await createFixtureWarehouse({
      opportunities: [
        { opportunity_id: 'S1', customer_name: '快照客户', owner: '何雪', status: 'open', created_at: '2026-01-01 00:00:00', last_activity_at: '2026-02-01 10:00:00', last_activity_method: '面谈', last_activity_summary: '需求迫切' },
        { opportunity_id: 'S2', customer_name: '快照客户', owner: '何雪', status: 'open', created_at: '2026-01-02 00:00:00', last_activity_at: '2026-02-02 10:00:00', last_activity_method: '电话' },
      ],
      stage_events: [{ opportunity_id: 'S2', occurred_at: '2026-02-02 10:00:00', method: '电话', owner: '何雪' }],
    });
    try {
      const { entries } = await customerTimeline(await context(w), '快照客户', 100);
      expect(entries.map((e) => `${e.kind} ${e.opportunity_id} ${e.method ?? ''} ${e.event_id ? 'record' : 'snapshot'}`)).toEqual([
        'opportunity_created S1  snapshot', 'opportunity_created S2  snapshot', 'follow_up S1 面谈 snapshot', 'follow_up S2 电话 record',
      ]);
    } finally {
      w.close();
    }
  });
});

/* Property: the timeline is in time order and holds every record of the customer's opportunities. */
describe('customer timeline: invariants', () => {
  const eventArb = fc.record({ opp: fc.integer({ min: 0, max: 3 }), day: fc.integer({ min: 0, max: 60 }), minute: fc.integer({ min: 0, max: 1439 }), rep: fc.constantFrom('甲', '乙', '丙') });
  const orderArb = fc.record({ customer: fc.integer({ min: 0, max: 1 }), day: fc.integer({ min: 0, max: 60 }), lines: fc.integer({ min: 1, max: 3 }) });
  const at = (d: number, m = 0) => new Date(Date.UTC(2026, 0, 1) + d * 86_400_000 + m * 60_000).toISOString().replace('T', ' ').slice(0, 19);

  it('sorted by time, numbered 1…n, every record and order of the customer exactly once', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(eventArb, { maxLength: 20 }), fc.array(orderArb, { maxLength: 5 }), fc.integer({ min: 0, max: 60 }), async (events, orders, asOfDay) => {
        const asOf = at(asOfDay).slice(0, 10);
        const w = await createFixtureWarehouse({
          customers: [{ customer_id: 'C0', customer_name: '零号' }, { customer_id: 'C1', customer_name: '壹号' }],
          // O0, O2 belong to 零号 (O2 by a differently spaced name), O1, O3 to 壹号
          opportunities: [0, 1, 2, 3].map((i) => ({
            opportunity_id: `O${i}`, customer_name: i % 2 ? '壹号' : i === 2 ? ' 零 号' : '零号', owner: '甲', status: i === 3 ? 'won' : 'open',
            created_at: at(i), closed_at: i === 3 ? at(30) : null,
          })),
          stage_events: events.map((e, i) => ({ event_id: `E${i}`, opportunity_id: `O${e.opp}`, occurred_at: at(e.day, e.minute), owner: e.rep, method: '电话' })),
          orders: orders.flatMap((o, i) => Array.from({ length: o.lines }, (_, l) => ({ order_id: `R${i}`, order_line: l + 1, customer_id: `C${o.customer}`, ordered_at: at(o.day, 60), amount: 10 }))),
        });
        try {
          const ctx = await context(w, { as_of: asOf });
          const { entries } = await customerTimeline(ctx, '零号', 10_000);
          const end = `${asOf} 24`;
          expect(entries.map((e) => e.seq)).toEqual(entries.map((_, i) => i + 1));
          expect([...entries.map((e) => e.occurred_at)].sort()).toEqual(entries.map((e) => e.occurred_at));
          const mine = events.map((e, i) => ({ ...e, id: `E${i}`, t: at(e.day, e.minute) })).filter((e) => e.opp % 2 === 0 && e.t < end);
          expect(entries.filter((e) => e.event_id).map((e) => e.event_id).sort()).toEqual(mine.map((e) => e.id).sort());
          const myOrders = orders.map((o, i) => ({ ...o, id: `R${i}` })).filter((o) => o.customer === 0 && at(o.day, 60) < end);
          expect(entries.filter((e) => e.kind === 'order').map((e) => e.order_id).sort()).toEqual(myOrders.map((o) => o.id).sort());
          const created = [0, 2].filter((i) => at(i) < end).length;
          expect(entries.length).toBe(created + mine.length + myOrders.length);
          // the handover list counts the same entries
          const list = await customerTimelineFamily.compute(ctx);
          expect(list.handover_list.find((c) => c.customer_key === 'C0')?.interactions ?? 0).toBe(entries.length);
        } finally {
          w.close();
        }
      }),
      { numRuns: 25 },
    );
  });
});
