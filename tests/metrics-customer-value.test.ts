/**
 * Customer value on UCI Online Retail (../shared/data/online_retail), ingested with the real CLI.
 * Reference figures from an independent re-implementation of the documented rules (see the top
 * of src/lib/metrics/customer-value/customer-value-queries.ts) with Python's csv module, run
 * from the repository root as `python3 ref.py 2011-12-09 12` and `python3 ref.py 2011-06-30 6`:
 *
 *   import calendar, csv, glob, bisect, sys
 *   from collections import defaultdict
 *   from datetime import date, timedelta
 *   from decimal import Decimal, ROUND_HALF_UP
 *   D, W = sys.argv[1], int(sys.argv[2])                    # as of D; window = the W months ending at D
 *   y, m = divmod(int(D[:4]) * 12 + int(D[5:7]) - 1 - W, 12)
 *   WS = (date(y, m + 1, min(int(D[8:]), calendar.monthrange(y, m + 1)[1])) + timedelta(days=1)).isoformat()
 *   days = lambda a, b: (date.fromisoformat(b) - date.fromisoformat(a)).days
 *   seen, last, orders, money, bought, ever = set(), {}, defaultdict(set), defaultdict(Decimal), defaultdict(set), defaultdict(set)
 *   for f in sorted(glob.glob('../shared/data/online_retail/by-day/*.csv')):
 *       for r in csv.DictReader(open(f, newline='', encoding='utf-8')):
 *           cust = r['CustomerID'].strip().removesuffix('.0')
 *           cancel = r['InvoiceNo'].startswith('C')
 *           q, p = Decimal(r['Quantity']), Decimal(r['UnitPrice'])
 *           if not cust or (not cancel and (q < 0 or p < 0)):  # guests; lines ingest rejects
 *               continue
 *           day, amount, product = r['InvoiceDate'][:10], (q * p).quantize(Decimal('0.01'), ROUND_HALF_UP), r['Description'].strip()
 *           seen.add(cust)
 *           if day > D: continue                             # orders after D do not exist yet
 *           if day >= WS: money[cust] += amount             # cancellations net into M
 *           if cancel: continue                              # ... but are not orders
 *           last[cust] = max(last.get(cust, day), day)
 *           if product: ever[cust].add(product)
 *           if day >= WS:
 *               orders[cust].add(r['InvoiceNo'])
 *               if product: bought[cust].add(product)
 *   ids = sorted(last)                                       # scored: at least one order up to D
 *   n = len(ids)
 *   R = {c: days(last[c], D) for c in ids}; F = {c: len(orders[c]) for c in ids}; M = {c: money[c] for c in ids}
 *   sr, sf, sm = sorted(R.values()), sorted(F.values()), sorted(M.values())
 *   worse = {c: (n - bisect.bisect_right(sr, R[c]), bisect.bisect_left(sf, F[c]), bisect.bisect_left(sm, M[c])) for c in ids}
 *   pct = {c: worse[c][2] / n for c in ids}                  # share with strictly smaller M
 *   def tier(c):
 *       r, f, p = R[c], F[c], pct[c]
 *       if r <= 30 and f >= W and p >= 0.8: return 'high_value'           # >= 1 order per month
 *       if r <= 60 and f >= W / 3 and 0.2 <= p < 0.8: return 'potential'  # >= 1 per quarter
 *       if r >= 180 and f <= W / 12 and p < 0.2: return 'low_value'       # <= 1 per year
 *       if r >= 90 and f <= W / 6: return 'dormant'                       # <= 1 per half-year
 *       return 'regular'
 *   GRID = {5: ['new', 'potential_loyalist', 'potential_loyalist', 'loyal', 'champions'],
 *           4: ['promising', 'potential_loyalist', 'potential_loyalist', 'loyal', 'loyal'],
 *           3: ['about_to_sleep', 'about_to_sleep', 'need_attention', 'loyal', 'loyal'],
 *           2: ['lost', 'hibernating', 'at_risk', 'at_risk', 'at_risk'],
 *           1: ['lost', 'lost', 'at_risk', 'at_risk', 'cant_lose']}
 *   score = lambda w: 1 + (5 * w) // n
 *   def segment(c):
 *       r, f, m = (score(w) for w in worse[c])
 *       return GRID[r][(f + m) // 2 - 1]
 *   abc, cum = {}, Decimal(0)
 *   total = sum(max(M[c], 0) for c in ids)
 *   for c in sorted(ids, key=lambda c: (-M[c], c)):
 *       abc[c] = 'C' if M[c] <= 0 else 'A' if float(cum) < 0.8 * float(total) else 'B' if float(cum) < (0.8 + 0.15) * float(total) else 'C'
 *       cum += max(M[c], 0)
 *   count = lambda fn: dict(sorted(((k, sum(1 for c in ids if fn(c) == k)) for k in {fn(c) for c in ids})))
 *   print('window', WS, D, 'scored', n, 'not scored', len(seen) - n, 'tiers', count(tier)); print('segments', count(segment)); print('abc', count(lambda c: abc[c]))
 *   buyers = defaultdict(int)
 *   for c in ids:
 *       for p in bought[c]: buyers[p] += 1
 *   top = sorted(buyers, key=lambda p: (-buyers[p], p))[:20]
 *   both = defaultdict(int)
 *   for c in ids:
 *       mine = [p for p in top if p in bought[c]]
 *       for x in mine:
 *           for y in mine:
 *               if x != y: both[(x, y)] += 1
 *   pairs = sorted(((x, y) for (x, y), k in both.items() if k >= 2), key=lambda xy: (-both[xy], -both[xy] / buyers[xy[0]], xy))[:3]
 *   for x, y in pairs:
 *       cand = sorted((c for c in ids if x in bought[c] and y not in ever[c]), key=lambda c: (-M[c], c))
 *       print('pair', x, '->', y, buyers[x], both[(x, y)], len(cand), cand[:3])
 *
 * Amounts: Quantity × UnitPrice rounded to cents, as the warehouse stores them (DECIMAL(18,2)).
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ONLINE_RETAIL_DIR, runCli, tempDir } from './helpers.ts';
import { openReadOnly, type ReadOnlyWarehouse } from '../src/lib/warehouse/warehouse.server.ts';
import { parseConfig } from '../src/lib/config/config.ts';
import { resolveParams } from '../src/lib/metrics/params.ts';
import { computeCustomerValue, type CustomerValueResult } from '../src/lib/metrics/customer-value/customer-value.ts';

const counts = (rows: { id: string; customers: number }[]) => Object.fromEntries(rows.filter((r) => r.customers > 0).map((r) => [r.id, r.customers]));

describe('customer value on Online Retail', () => {
  const db = path.join(tempDir(), 'retail.duckdb');
  let w: ReadOnlyWarehouse;

  beforeAll(async () => {
    const r = runCli(['ingest', ONLINE_RETAIL_DIR, '--db', db, '--json']);
    expect(r.code, r.stderr).toBe(0);
    w = await openReadOnly(db);
  });
  afterAll(() => w?.close());

  async function compute(asOf: string, windowMonths: number): Promise<CustomerValueResult> {
    const params = await resolveParams(w.connection, { as_of: asOf });
    return computeCustomerValue({ connection: w.connection, params, config: parseConfig({ rfm: { window_months: windowMonths } }) });
  }

  it('as of 2011-12-09 over 12 months matches the Python reference', async () => {
    const r = await compute('2011-12-09', 12);
    // window 2010-12-10 2011-12-09 scored 4339 not scored 33
    expect(r.window).toMatchObject({ start: '2010-12-10', end: '2011-12-09' });
    expect(r.population).toMatchObject({ scored_customers: 4339, customers_without_orders: 33 });
    expect(r.abc_basis).toBe('revenue');
    // tiers {'dormant': 824, 'high_value': 230, 'low_value': 361, 'potential': 524, 'regular': 2400}
    expect(counts(r.tiers)).toEqual({ high_value: 230, potential: 524, low_value: 361, dormant: 824, regular: 2400 });
    // segments {'about_to_sleep': 461, 'at_risk': 417, 'cant_lose': 4, 'champions': 330, 'hibernating': 266,
    //   'lost': 1071, 'loyal': 837, 'need_attention': 157, 'new': 69, 'potential_loyalist': 557, 'promising': 170}
    expect(counts(r.segments)).toEqual({
      about_to_sleep: 461, at_risk: 417, cant_lose: 4, champions: 330, hibernating: 266, lost: 1071,
      loyal: 837, need_attention: 157, new: 69, potential_loyalist: 557, promising: 170,
    });
    // abc {'A': 1170, 'B': 1426, 'C': 1743}
    expect(counts(r.abc)).toEqual({ A: 1170, B: 1426, C: 1743 });
    // pair LUNCH BAG CARS BLUE -> LUNCH BAG RED RETROSPOT 474 303 167 ['15640', '14194', '16033']
    // pair LUNCH BAG RED RETROSPOT -> LUNCH BAG CARS BLUE 525 303 221 ['12415', '13694', '13408']
    // pair SET OF 3 REGENCY CAKE TINS -> REGENCY CAKESTAND 3 TIER 472 300 171 ['17404', '12753', '17675']
    expect(r.cross_sell.pairs.slice(0, 3).map((p) => [p.product_x, p.product_y, p.buyers_x, p.buyers_both, p.candidates])).toEqual([
      ['LUNCH BAG CARS BLUE', 'LUNCH BAG RED RETROSPOT', 474, 303, 167],
      ['LUNCH BAG RED RETROSPOT', 'LUNCH BAG CARS BLUE', 525, 303, 221],
      ['SET OF 3 REGENCY CAKE TINS', 'REGENCY CAKESTAND 3 TIER', 472, 300, 171],
    ]);
    const top3 = (rank: number) => r.cross_sell.hints.filter((h) => h.pair_rank === rank && h.customer_rank <= 3).map((h) => h.customer_id);
    expect([top3(1), top3(2), top3(3)]).toEqual([['15640', '14194', '16033'], ['12415', '13694', '13408'], ['17404', '12753', '17675']]);
  });

  it('as of 2011-06-30 over 6 months (later orders ignored, fractional thresholds) matches too', async () => {
    const r = await compute('2011-06-30', 6);
    // window 2010-12-31 2011-06-30 scored 2960
    expect(r.window).toMatchObject({ start: '2010-12-31', end: '2011-06-30' });
    expect(r.population.scored_customers).toBe(2960);
    // tiers {'dormant': 621, 'high_value': 205, 'low_value': 236, 'potential': 641, 'regular': 1257}
    expect(counts(r.tiers)).toEqual({ high_value: 205, potential: 641, low_value: 236, dormant: 621, regular: 1257 });
    // segments {'about_to_sleep': 277, 'at_risk': 195, 'champions': 209, 'hibernating': 163, 'lost': 837,
    //   'loyal': 566, 'need_attention': 160, 'new': 82, 'potential_loyalist': 376, 'promising': 95}
    expect(counts(r.segments)).toEqual({
      about_to_sleep: 277, at_risk: 195, champions: 209, hibernating: 163, lost: 837,
      loyal: 566, need_attention: 160, new: 82, potential_loyalist: 376, promising: 95,
    });
    // abc {'A': 883, 'B': 939, 'C': 1138}
    expect(counts(r.abc)).toEqual({ A: 883, B: 939, C: 1138 });
    // pair ROSES REGENCY TEACUP AND SAUCER -> REGENCY CAKESTAND 3 TIER 278 201 70 ['14769', '15251', '12744']
    expect(r.cross_sell.pairs[0]).toMatchObject({ product_x: 'ROSES REGENCY TEACUP AND SAUCER', product_y: 'REGENCY CAKESTAND 3 TIER', buyers_x: 278, buyers_both: 201, candidates: 70 });
    expect(r.cross_sell.hints.filter((h) => h.pair_rank === 1 && h.customer_rank <= 3).map((h) => h.customer_id)).toEqual(['14769', '15251', '12744']);
  });
});
