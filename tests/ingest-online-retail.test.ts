/**
 * UCI Online Retail, 305 per-day files, as orders + customers. Reference figures from Python's
 * csv module over the same files (for each row of each by-day/*.csv):
 *   lines = 541909; InvoiceNo starting with "C" = 9288 (cancellations);
 *   not a cancellation but Quantity < 0 or UnitPrice < 0 = 1338 (stock write-offs and two
 *   "Adjust bad debt" lines: refused as negative amounts, kept in rejected_rows);
 *   distinct non-empty CustomerID = 4372.
 */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ONLINE_RETAIL_DIR, query, runCli, tempDir } from './helpers.ts';
import type { IngestReport } from '../pipelines/ingest/run-ingest.ts';

describe('ingest ../shared/data/online_retail', () => {
  const db = path.join(tempDir(), 'retail.duckdb');
  let report: IngestReport;

  beforeAll(() => {
    const r = runCli(['ingest', ONLINE_RETAIL_DIR, '--db', db, '--json']);
    expect(r.code, r.stderr).toBe(0);
    report = JSON.parse(r.stdout);
  });

  it('reads all 541,909 lines and accounts for each, file by file', () => {
    expect(report.files).toHaveLength(305);
    expect(report.totals.rows_read).toBe(541909);
    expect(report.totals.rows_rejected).toBe(1338);
    expect(report.totals.rows_loaded).toBe(541909 - 1338);
    for (const f of report.files) {
      expect(f.preset).toBe('online-retail');
      expect(f.rows_read).toBe(f.rows_loaded + f.rows_rejected);
    }
  });

  it('keeps cancellations, marked, with negative quantities', async () => {
    const [c] = await query<{ lines: number; positive: number }>(
      db,
      `SELECT count(*) AS lines, count(*) FILTER (quantity > 0) AS positive FROM orders WHERE is_cancellation`,
    );
    expect(c).toEqual({ lines: 9288, positive: 0 });
    const rejected = await query<{ reason: string; n: number }>(db, `SELECT regexp_extract(reason, '^[A-Za-z]+: negative [a-z]+') AS reason, count(*) AS n FROM rejected_rows GROUP BY 1 ORDER BY 1`);
    expect(rejected.reduce((a, r) => a + r.n, 0)).toBe(1338);
    expect(rejected.every((r) => /^(Quantity|UnitPrice): negative/.test(r.reason))).toBe(true);
  });

  it('derives one customer per CustomerID, with country and first order', async () => {
    const [c] = await query<{ n: number; no_country: number }>(db, `SELECT count(*) AS n, count(*) FILTER (country IS NULL) AS no_country FROM customers`);
    expect(c).toEqual({ n: 4372, no_country: 0 });
    // CustomerID is written 17850.0 in the files; stored as 17850. Its first invoice, 536365,
    // is the first line of 2010-12-01.csv at 2010-12-01 08:26.
    const [first] = await query<{ first: string; country: string }>(db, `SELECT strftime(first_seen_at, '%Y-%m-%d %H:%M') AS first, country FROM customers WHERE customer_id = '17850'`);
    expect(first).toEqual({ first: '2010-12-01 08:26', country: 'United Kingdom' });
  });

  it('numbers the lines of an invoice and computes line amounts as quantity × unit price', async () => {
    // 2010-12-01.csv lines 2–8 are invoice 536365: 7 lines, e.g. 6 × 2.55 = 15.30 for line 1
    const lines = await query<{ order_line: number; amount: number; source_line: number }>(
      db,
      `SELECT order_line, amount::DOUBLE AS amount, source_line FROM orders WHERE order_id = '536365' ORDER BY order_line`,
    );
    expect(lines.map((l) => l.order_line)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(lines[0]).toEqual({ order_line: 1, amount: 15.3, source_line: 2 });
  });
});
