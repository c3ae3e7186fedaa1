/**
 * The Maven CRM practice dataset, as published, through the real CLI.
 * Reference figures were worked out independently with Python's csv module:
 *   rows = list(csv.DictReader(open('maven_crm/sales_pipeline.csv')))
 *   len(rows) → 8800; Counter(deal_stage) → Won 4238, Lost 2473, Engaging 1589, Prospecting 500
 *   sum(int(close_value) for Won) → 10005534; rows with product 'GTXPro' → 1480
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { MAVEN_DIR, query, runCli, tempDir } from './helpers.ts';
import type { IngestReport } from '../pipelines/ingest/run-ingest.ts';

describe('ingest ../shared/data/maven_crm', () => {
  const db = path.join(tempDir(), 'maven.duckdb');
  let first: IngestReport;
  let second: IngestReport;

  beforeAll(() => {
    const r1 = runCli(['ingest', MAVEN_DIR, '--db', db, '--json']);
    expect(r1.code, r1.stderr).toBe(0);
    first = JSON.parse(r1.stdout);
    const r2 = runCli(['ingest', MAVEN_DIR, '--db', db, '--json']);
    expect(r2.code, r2.stderr).toBe(0);
    second = JSON.parse(r2.stdout);
  });

  it('loads 8,800 opportunities by stage as the source says', async () => {
    const byStage = await query<{ stage: string | null; status: string; n: number }>(
      db,
      `SELECT stage, status, count(*) AS n FROM opportunities GROUP BY ALL ORDER BY n DESC`,
    );
    expect(byStage).toEqual([
      { stage: 'Won', status: 'won', n: 4238 },
      // Maven writes Lost as a stage; it is a status. All 2473 have an engage_date (the date a
      // deal entered Engaging), so they were lost at Engaging.
      { stage: 'Engaging', status: 'lost', n: 2473 },
      { stage: 'Engaging', status: 'open', n: 1589 },
      { stage: 'Prospecting', status: 'open', n: 500 },
    ]);
    const [won] = await query<{ amount: number }>(db, `SELECT sum(amount)::DOUBLE AS amount FROM opportunities WHERE status = 'won'`);
    expect(won!.amount).toBe(10005534);
  });

  it('accounts for every row of every file, including the re-saved copies', () => {
    // 9 files: 4 tables × (original + excel_resave) + data_dictionary.csv (skipped, not data)
    expect(first.files).toHaveLength(9);
    for (const f of first.files) expect(f.rows_read).toBe(f.rows_loaded + f.rows_rejected);
    const dictionary = first.files.find((f) => f.file.endsWith('data_dictionary.csv'))!;
    expect(dictionary.status).toBe('skipped');
    expect(dictionary.message).toMatch(/not a known export layout/);
    const pipelines = first.files.filter((f) => f.file.endsWith('sales_pipeline.csv'));
    expect(pipelines.map((f) => f.rows_read)).toEqual([8800, 8800]);
    // 8800 + 85 accounts + 35 agents + 7 products, each twice
    expect(first.totals.rows_read).toBe(2 * (8800 + 85 + 35 + 7));
    expect(first.totals.rows_rejected).toBe(0);
    expect(first.tables.opportunities).toEqual({ inserted: 8800, updated: 0, unchanged: 0 });
  });

  it('changes nothing when the same files are ingested again', async () => {
    expect(second.totals.rows_inserted).toBe(0);
    expect(second.totals.rows_updated).toBe(0);
    expect(second.totals.rows_unchanged).toBe(8800 + 85 + 35 + 7);
    const [{ runs }] = (await query<{ runs: number }>(db, `SELECT count(*) AS runs FROM ingest_runs`)) as [{ runs: number }];
    expect(runs).toBe(2);
    // lineage still points at run 1: unchanged rows were not rewritten
    const [{ latest }] = (await query<{ latest: number }>(db, `SELECT max(run_id) AS latest FROM opportunities`)) as [{ latest: number }];
    expect(latest).toBe(1);
  });

  it('fixes the known traps: GTXPro, the misspelt sector, teams from sales_teams.csv', async () => {
    // every one of the 1480 "GTXPro" rows becomes products.csv's "GTX Pro"
    const products = await query<{ product: string; n: number }>(db, `SELECT product, count(*) AS n FROM opportunities WHERE product IN ('GTX Pro', 'GTXPro') GROUP BY ALL`);
    expect(products).toEqual([{ product: 'GTX Pro', n: 1480 }]);
    const sectors = await query<{ industry: string }>(db, `SELECT DISTINCT industry FROM customers WHERE industry LIKE 'techn%'`);
    expect(sectors).toEqual([{ industry: 'technology' }]);
    const [noTeam] = await query<{ n: number }>(db, `SELECT count(*) AS n FROM opportunities WHERE team IS NULL OR region IS NULL`);
    expect(noTeam!.n).toBe(0);
  });

  it('reads the spreadsheet re-save (M/D/YYYY dates) to exactly the same rows as the ISO original', async () => {
    const isoDb = path.join(tempDir(), 'iso.duckdb');
    const resaveDb = path.join(tempDir(), 'resave.duckdb');
    expect(runCli(['ingest', path.join(MAVEN_DIR, 'sales_pipeline.csv'), '--db', isoDb]).code).toBe(0);
    expect(runCli(['ingest', path.join(MAVEN_DIR, 'excel_resave/sales_pipeline.csv'), '--db', resaveDb]).code).toBe(0);
    const cols = 'opportunity_id, owner, product, customer_name, stage, status, created_at, closed_at, amount, stage_entered_at';
    const a = await query(isoDb, `SELECT ${cols} FROM opportunities ORDER BY opportunity_id`);
    const b = await query(resaveDb, `SELECT ${cols} FROM opportunities ORDER BY opportunity_id`);
    expect(a).toHaveLength(8800);
    expect(b).toEqual(a);
    const [sample] = await query<{ created_at: Date; closed_at: Date }>(resaveDb, `SELECT created_at, closed_at FROM opportunities WHERE opportunity_id = '1C1I7A6R'`);
    // sales_pipeline.csv line 2: 1C1I7A6R,…,2016-10-20,2017-03-01 (re-save: 10/20/2016, 3/1/2017)
    expect(sample!.created_at.toISOString()).toBe('2016-10-20T00:00:00.000Z');
    expect(sample!.closed_at.toISOString()).toBe('2017-03-01T00:00:00.000Z');
    fs.rmSync(path.dirname(isoDb), { recursive: true, force: true });
  });
});

