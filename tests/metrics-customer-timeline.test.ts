/**
 * The customer timeline and handover list on the demo warehouse (`salesight demo`, from
 * data/sample). 蒋军 left on 2025-12-31 (reps.csv); his deals with 成都瑞嘉医疗器械有限公司 were
 * handed to 彭宇. Reference computed independently with Python's csv module:
 *
 *   import csv
 *   name = '成都瑞嘉医疗器械有限公司'
 *   opps = [r for r in csv.DictReader(open('data/sample/opportunities.csv', encoding='utf-8', newline='')) if r['customer_name'] == name]
 *   ids = {r['opportunity_id'] for r in opps}
 *   created = sum(1 for r in opps if r['created_at'])
 *   closed = sum(1 for r in opps if r['status'] != 'open' and r['closed_at'])
 *   events = [r for r in csv.DictReader(open('data/sample/跟进记录.csv', encoding='gb18030', newline='')) if r['商机编号'] in ids]
 *   cid = {r['客户名称']: r['客户编号'] for r in csv.DictReader(open('data/sample/customers.csv', encoding='utf-8-sig', newline=''))}[name]
 *   orders = {r['订单编号'] for r in csv.DictReader(open('data/sample/orders.csv', encoding='utf-8', newline='')) if r['客户编号'] == cid}
 *   print(cid, created, closed, len(events), len(orders), created + closed + len(events) + len(orders), sorted({r['跟进人'] for r in events}))
 *
 *   → KH00321 5 5 38 14 62 ['彭宇', '蒋军']   (none of its records is among the 3 the ingest rejects)
 *
 * Customers needing a handover as of 2026-10-31: an open deal or the account held by a rep who left:
 *
 *   left = {r['owner'] for r in csv.DictReader(open('data/sample/reps.csv', encoding='utf-8', newline='')) if r['left_at'] and r['left_at'] <= '2026-10-31'}
 *   open_ = {r['customer_name'] for r in csv.DictReader(open('data/sample/opportunities.csv', encoding='utf-8', newline='')) if r['status'] == 'open' and r['owner'] in left}
 *   acct = {r['客户名称'] for r in csv.DictReader(open('data/sample/customers.csv', encoding='utf-8-sig', newline='')) if r['负责人'] in left}
 *   print(sorted(left), sorted(open_ | acct))
 *
 *   → ['吴静', '蒋军', '邓超'] ['东莞东锐数字科技集团有限公司', '佛山华驰文化教育有限公司', '广州智拓石化有限公司', '广州鑫科石化有限公司', '深圳和创商贸有限公司']
 *   (the seed-template XLSX adds open deals only for 林志强, 何雪 and 陈晓燕, who have not left)
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../src/lib/config/config.ts';
import { customerTimeline, customerTimelineFamily, type CustomerTimelineResult } from '../src/lib/metrics/customer-timeline/customer-timeline.ts';
import type { MetricContext } from '../src/lib/metrics/family.ts';
import { resolveParams } from '../src/lib/metrics/params.ts';
import { openReadOnly, type ReadOnlyWarehouse } from '../src/lib/warehouse/warehouse.server.ts';
import { runCli, tempDir } from './helpers.ts';

describe('customer timeline on the demo data', () => {
  const db = path.join(tempDir(), 'demo.duckdb');
  let warehouse: ReadOnlyWarehouse;
  let ctx: MetricContext;
  let result: CustomerTimelineResult;

  beforeAll(async () => {
    const r = runCli(['demo', '--db', db]);
    expect(r.code, r.stderr).toBe(0);
    warehouse = await openReadOnly(db);
    ctx = { connection: warehouse.connection, params: await resolveParams(warehouse.connection, { as_of: '2026-10-31' }), config: defaultConfig() };
    result = await customerTimelineFamily.compute(ctx);
  });
  afterAll(() => warehouse?.close());

  it('成都瑞嘉医疗器械有限公司: every interaction across 蒋军 (left) and 彭宇, in order', async () => {
    const { customers, entries } = await customerTimeline(ctx, '成都瑞嘉医疗器械有限公司', 1000);
    expect(customers.map((c) => c.customer_key)).toEqual(['KH00321']);
    expect(entries).toHaveLength(62); // 5 created + 5 closed + 38 follow-up records + 14 orders
    expect(entries.filter((e) => e.kind === 'opportunity_created')).toHaveLength(5);
    expect(entries.filter((e) => e.kind === 'opportunity_closed')).toHaveLength(5);
    expect(entries.filter((e) => e.event_id && e.kind !== 'opportunity_closed')).toHaveLength(38);
    expect(entries.filter((e) => e.kind === 'order')).toHaveLength(14);
    expect(new Set(entries.filter((e) => e.kind === 'follow_up' || e.kind === 'stage_change').map((e) => e.rep))).toEqual(new Set(['彭宇', '蒋军']));
    const times = entries.map((e) => e.occurred_at);
    expect([...times].sort()).toEqual(times);
    const row = result.handover_list.find((c) => c.customer_key === 'KH00321')!;
    expect(row).toMatchObject({ interactions: 62, needs_handover: false, open_opportunities: 0 });
    expect(row.reps_involved).toContain('蒋军');
  });

  it('the handover list: customers whose open deals a departed rep still holds come first', () => {
    const names = ['东莞东锐数字科技集团有限公司', '佛山华驰文化教育有限公司', '广州智拓石化有限公司', '广州鑫科石化有限公司', '深圳和创商贸有限公司'];
    expect(result.needs_handover).toBe(5);
    expect(result.handover_list.slice(0, 5).map((c) => c.customer_name).sort()).toEqual(names);
    expect(result.handover_list.slice(0, 5).every((c) => c.current_owner === '邓超' && c.owner_left && c.open_opportunities > 0)).toBe(true);
    expect(result.customers).toBe(636);
  });

});
