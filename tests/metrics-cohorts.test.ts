/**
 * Cohorts on real data (UCI Online Retail) and on the demo, against figures computed
 * independently with Python's csv module, applying the documented rules: lines with a
 * customer id only; a line qualifies (makes a customer active, fixes the first-order month) when
 * it is not a cancellation (InvoiceNo starting with C) and its amount > 0; revenue is net of
 * cancellations; calendar months; as-of = the last day in the data.
 *
 * Online Retail (python3, over ../shared/data/online_retail/by-day/*.csv):
 *   import csv, glob, collections
 *   from decimal import Decimal, ROUND_HALF_UP
 *   C = Decimal('0.01'); first = {}; active = collections.defaultdict(set); revenue = collections.defaultdict(Decimal)
 *   for f in sorted(glob.glob('by-day/*.csv')):
 *       for r in csv.DictReader(open(f, newline='', encoding='utf-8')):
 *           cancel = r['InvoiceNo'].startswith('C')
 *           q, p = Decimal(r['Quantity']), Decimal(r['UnitPrice']).quantize(C, ROUND_HALF_UP)  # prices are stored to the cent
 *           if not r['CustomerID'] or (not cancel and (q < 0 or p < 0)): continue  # guests; lines ingest rejects
 *           cid, month, amount = r['CustomerID'].removesuffix('.0'), r['InvoiceDate'][:7], (q * p).quantize(C, ROUND_HALF_UP)
 *           revenue[cid, month] += amount
 *           if not cancel and amount > 0: active[month].add(cid); first[cid] = min(first.get(cid, month), month)
 *   members = {k for k, m in first.items() if m == '2010-12'}
 *   len(members); len(members & active['2011-01']); sum(revenue[k, '2011-01'] for k in members)  # …
 * gives: 4338 customers with a first qualifying order, cohort sizes 2010-12 … 2011-12 =
 *   885 417 380 452 300 284 242 188 169 299 358 323 41;
 *   2010-12: active 885 / 324 (2011-01) / 340 (2011-03) / 445 (2011-11) / 235 (2011-12);
 *            net revenue 558532.69 / 267324.58 / 293111.50 / 499362.92 / 182552.15
 *   2011-03: size 452; active 68 (2011-04) / 121 (2011-09) / 39 (2011-12);
 *            net revenue 197975.99 / 27329.07 / 64188.65 / 12267.91
 *
 * Demo (python3 over data/sample/orders.csv, customers.csv, opportunities.csv; amounts like
 * "¥31,000.00"; no cancellations in the demo; as-of 2026-10-31):
 *   same loop over orders.csv with cid = 客户编号, month = 下单时间[:7], amount = 金额 without ¥ and commas
 *   2025-01: size 11; active 7 (age 1) / 5 (age 3) / 7 (age 12) / 1 (age 21);
 *            revenue 4413064 / 462132 / 568305 / 899618 / 35535;  246 customers in cohorts
 *   region 华东 (customers.csv 区域): 66 customers in cohorts; 2025-11: size 9, active 9 / 6 / 5 / 2 at ages
 *            0 / 1 / 3 / 11, revenue 5283758 / 845873 / 391292 / 1977000
 *   leads, region 华东 (opportunities.csv; the seed-template XLSX rows are all 华南):
 *     rows with region 华东 and created_at[:10] <= '2026-10-31': 621
 *     2025-03: 25 leads, 3 invalid; won (status won, closed_at <= as-of) by age 0..4 = 0 0 2 5 5
 *       (age = closed month − created month)
 *     2026-06: 31 leads, 1 invalid; won by age 0..4 = 0 3 5 5 5
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ONLINE_RETAIL_DIR, runCli, tempDir } from './helpers.ts';
import { openReadOnly, type ReadOnlyWarehouse } from '../src/lib/warehouse/warehouse.server.ts';
import { resolveParams, type MetricParams } from '../src/lib/metrics/params.ts';
import { defaultConfig } from '../src/lib/config/config.ts';
import type { MetricContext } from '../src/lib/metrics/family.ts';
import { cohortsFamily, type CohortsResult, type CustomerCohort } from '../src/lib/metrics/cohorts/cohorts.ts';

async function contextFor(w: ReadOnlyWarehouse, input: MetricParams = {}): Promise<MetricContext> {
  return { connection: w.connection, params: await resolveParams(w.connection, input), config: defaultConfig() };
}


function cohort(r: CohortsResult, month: string): CustomerCohort {
  const c = r.customers.cohorts.find((x) => x.cohort === month);
  if (!c) throw new Error(`no cohort ${month}`);
  return c;
}

describe('cohorts on UCI Online Retail', () => {
  const db = path.join(tempDir(), 'retail.duckdb');
  let w: ReadOnlyWarehouse;

  beforeAll(async () => {
    const r = runCli(['ingest', ONLINE_RETAIL_DIR, '--db', db]);
    expect(r.code, r.stderr).toBe(0);
    w = await openReadOnly(db);
  });
  afterAll(() => w?.close());

  it('customer retention and revenue retention match the csv-module reference', async () => {
    const ctx = await contextFor(w);
    const r = await cohortsFamily.compute(ctx);

    expect([r.params.from, r.params.as_of, r.first_cohort, r.last_cohort]).toEqual(['2010-12-01', '2011-12-09', '2010-12', '2011-12']);
    expect(r.customers.customers_in_cohorts).toBe(4338);
    expect(r.customers.cohorts.map((c) => c.size)).toEqual([885, 417, 380, 452, 300, 284, 242, 188, 169, 299, 358, 323, 41]);

    const dec = cohort(r, '2010-12');
    const at = (c: CustomerCohort, age: number) => c.months[age]!;
    expect([0, 1, 3, 11, 12].map((k) => at(dec, k).active)).toEqual([885, 324, 340, 445, 235]);
    expect(at(dec, 0).retention).toBe(1);
    expect(at(dec, 1).retention).toBeCloseTo(324 / 885, 12); // 0.366102
    expect(at(dec, 3).retention).toBeCloseTo(340 / 885, 12); // 0.384181
    expect(at(dec, 11).retention).toBeCloseTo(445 / 885, 12); // 0.502825
    expect([0, 1, 3, 11, 12].map((k) => at(dec, k).revenue)).toEqual([558532.69, 267324.58, 293111.5, 499362.92, 182552.15]);
    expect(at(dec, 1).revenue_retention).toBeCloseTo(267324.58 / 558532.69, 10); // 0.478619
    expect(at(dec, 12).partial).toBe(true); // as-of 2011-12-09

    const mar = cohort(r, '2011-03');
    expect(mar.size).toBe(452);
    expect([1, 6, 9].map((k) => at(mar, k).active)).toEqual([68, 121, 39]);
    expect(at(mar, 6).retention).toBeCloseTo(121 / 452, 12); // 0.267699
    expect([0, 1, 6, 9].map((k) => at(mar, k).revenue)).toEqual([197975.99, 27329.07, 64188.65, 12267.91]);

    // No opportunities in this warehouse: no lead cohorts rather than a column of empty months.
    expect(r.leads.cohorts).toEqual([]);
  });

  it('drill-down gives the same customers and revenue as the cell', async () => {
    const ctx = await contextFor(w);
    type CustomerRow = { revenue: number; orders: number; first_order: string; country: string | null };
    const drill = async (target: string) => (await cohortsFamily.drill!(ctx, { target, keys: { cohort: '2010-12', age: '11' }, limit: 10_000 })).rows as CustomerRow[];
    const cents = (rows: CustomerRow[]) => rows.reduce((a, r) => a + Math.round(r.revenue * 100), 0);
    const active = await drill('active_customers');
    const lapsed = await drill('lapsed_customers');
    expect(active).toHaveLength(445);
    expect(lapsed).toHaveLength(885 - 445);
    expect(active.every((r) => r.orders > 0 && r.first_order <= '2010-12-31' && typeof r.country === 'string')).toBe(true);
    // The cell's net revenue is the whole cohort's: active customers' plus lapsed ones' cancellations.
    expect((cents(active) + cents(lapsed)) / 100).toBeCloseTo(499362.92, 2);
    expect(cents(lapsed)).toBeLessThan(0);
  });

  it('dimensions the export does not have match nothing', async () => {
    for (const filters of [{ region: ['华东'] }, { owner: ['anyone'] }, { source: ['web'] }]) {
      const r = await cohortsFamily.compute(await contextFor(w, { filters }));
      expect(r.customers.cohorts).toEqual([]);
    }
  });
});

describe('cohorts on the demo warehouse', () => {
  const db = path.join(tempDir(), 'demo.duckdb');
  let w: ReadOnlyWarehouse;

  beforeAll(async () => {
    const r = runCli(['demo', '--db', db]);
    expect(r.code, r.stderr).toBe(0);
    w = await openReadOnly(db);
  });
  afterAll(() => w?.close());

  it('customer cohorts, a region filter, and lead cohorts match the csv-module reference', async () => {
    const ctx = await contextFor(w);
    const r = await cohortsFamily.compute(ctx);
    expect(r.params.as_of).toBe('2026-10-31');
    expect(r.customers.customers_in_cohorts).toBe(246);
    const jan = cohort(r, '2025-01');
    expect(jan.size).toBe(11);
    expect([1, 3, 12, 21].map((k) => jan.months[k]!.active)).toEqual([7, 5, 7, 1]);
    expect([0, 1, 3, 12, 21].map((k) => jan.months[k]!.revenue)).toEqual([4413064, 462132, 568305, 899618, 35535]);

    const east = await cohortsFamily.compute(await contextFor(w, { filters: { region: ['华东'] } }));
    expect(east.customers.customers_in_cohorts).toBe(66);
    const nov = cohort(east, '2025-11');
    expect(nov.size).toBe(9);
    expect([0, 1, 3, 11].map((k) => nov.months[k]!.active)).toEqual([9, 6, 5, 2]);
    expect([0, 1, 3, 11].map((k) => nov.months[k]!.revenue)).toEqual([5283758, 845873, 391292, 1977000]);

    expect(east.leads.leads_in_cohorts).toBe(621);
    const leads = (month: string) => east.leads.cohorts.find((c) => c.cohort === month)!;
    expect(leads('2025-03')).toMatchObject({ size: 25, invalid: 3, won: 5 });
    expect(leads('2025-03').ages.slice(0, 5).map((a) => a.won)).toEqual([0, 0, 2, 5, 5]);
    expect(leads('2026-06')).toMatchObject({ size: 31, invalid: 1, won: 5 });
    expect(leads('2026-06').ages.map((a) => a.won)).toEqual([0, 3, 5, 5, 5]);
    expect(leads('2026-06').ages[1]!.won_rate).toBeCloseTo(3 / 31, 12);
  });

  it('tables carry the same matrix as the result', async () => {
    const r = await cohortsFamily.compute(await contextFor(w));
    const [retention, , , , leads] = cohortsFamily.tables(r);
    const row = (retention!.rows as Record<string, unknown>[]).find((x) => x.cohort === '2025-01')!;
    expect(row.size).toBe(11);
    expect(row.m1 as number).toBeCloseTo(7 / 11, 12);
    expect(row.m22).toBeNull(); // 2025-01 + 22 months is past the as-of month
    expect(leads!.rows).toHaveLength(r.leads.cohorts.length);
  });
});
