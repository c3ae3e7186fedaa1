/**
 * The funnel through the CLI on real data and on the demo, and its workbook read back with
 * exceljs against the --json figures.
 *
 * Maven reference figures, computed independently with Python's csv module:
 *   rows = list(csv.DictReader(open('maven_crm/sales_pipeline.csv'))); product 'GTXPro' read as 'GTX Pro'
 *   win rate = Won ÷ (Won + Lost); cycle = close_date − engage_date in days over Won rows
 *   overall: 4238 won, 2473 lost, win rate 0.6315005; cycle mean 51.781973, median 57
 *   GTX Pro: 729 won / 418 lost (0.635571), cycle mean 48.326475, median 47
 *   MG Advanced: 654 / 430 (0.603321), mean 51.779817, median 57.5
 *   Darcel Schlecht: 349 / 204 (0.631103), mean 49.426934, median 48
 *   Vicki Laflamme: 221 / 126 (0.636888), mean 53.556561, median 63
 */
import path from 'node:path';
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import fs from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { MAVEN_DIR, runCli, tempDir, writeFiles } from './helpers.ts';
import type { FunnelResult } from '../src/lib/metrics/funnel/funnel.ts';

describe('funnel on the Maven CRM data', () => {
  const db = path.join(tempDir(), 'maven.duckdb');
  beforeAll(() => {
    expect(runCli(['ingest', MAVEN_DIR, '--db', db]).code).toBe(0);
  });

  it('win rate and deal cycle overall, per product and per agent', () => {
    const all: FunnelResult = JSON.parse(runCli(['metrics', 'funnel', '--db', db, '--json']).stdout);
    expect(all.data_basis).toBe('snapshot');
    expect(all.outcomes).toMatchObject({ won: 4238, lost: 2473, cycle_days_median: 57 });
    expect(all.outcomes.win_rate).toBeCloseTo(0.6315005, 6);
    expect(all.outcomes.cycle_days_mean).toBeCloseTo(51.781973, 5);

    const byProduct: FunnelResult = JSON.parse(runCli(['metrics', 'funnel', '--db', db, '--by', 'product', '--json']).stdout);
    const product = (k: string) => byProduct.groups!.rows.find((g) => g.key === k)!.outcomes;
    expect(product('GTX Pro')).toMatchObject({ won: 729, lost: 418, cycle_days_median: 47 });
    expect(product('GTX Pro').win_rate).toBeCloseTo(0.635571, 5);
    expect(product('GTX Pro').cycle_days_mean).toBeCloseTo(48.326475, 5);
    expect(product('MG Advanced')).toMatchObject({ won: 654, lost: 430, cycle_days_median: 57.5 });
    expect(product('MG Advanced').cycle_days_mean).toBeCloseTo(51.779817, 5);

    const byAgent: FunnelResult = JSON.parse(runCli(['metrics', 'funnel', '--db', db, '--by', 'owner', '--json']).stdout);
    const agent = (k: string) => byAgent.groups!.rows.find((g) => g.key === k)!.outcomes;
    expect(agent('Darcel Schlecht')).toMatchObject({ won: 349, lost: 204, cycle_days_median: 48 });
    expect(agent('Darcel Schlecht').cycle_days_mean).toBeCloseTo(49.426934, 5);
    expect(agent('Vicki Laflamme')).toMatchObject({ won: 221, lost: 126, cycle_days_median: 63 });
  });

  it('infers reached stages from the snapshot: Prospecting → Engaging → Won', () => {
    const r: FunnelResult = JSON.parse(runCli(['metrics', 'funnel', '--db', db, '--json']).stdout);
    // 8800 deals; the 500 Prospecting ones have no engage date but the period starts at the data's beginning
    // reached Engaging = 4238 won + 2473 lost (at Engaging) + 1589 open in Engaging = 8300
    expect(r.stages.map((s) => [s.stage, s.reached, s.advanced, s.lost, s.still_open])).toEqual([
      ['Prospecting', 8800, 8300, 0, 500],
      ['Engaging', 8300, 4238, 2473, 1589],
      ['Won', 4238, 0, 0, 0],
    ]);
    expect(r.cohort).toMatchObject({ opportunities: 8800, undated: 500, snapshot_only: 8800 });
  });
});

describe('funnel workbook', () => {
  it('reads back with exceljs with the same figures as --json, headers frozen, no formulas', async () => {
    const db = path.join(tempDir(), 'demo.duckdb');
    expect(runCli(['demo', '--db', db]).code).toBe(0);
    const json: FunnelResult = JSON.parse(runCli(['metrics', 'funnel', '--db', db, '--by', 'team', '--json']).stdout);
    const file = path.join(tempDir(), 'funnel.xlsx');
    const r = runCli(['report', 'funnel', '--db', db, '--by', 'team', '--xlsx', file, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).sheets).toEqual(['Funnel', 'Outcomes', 'Weighted pipeline', 'Stagnation', 'Lost reasons', 'By team']);

    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    const funnel = wb.getWorksheet('Funnel')!;
    expect(funnel.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(funnel.getRow(1).font?.bold).toBe(true);
    json.stages.forEach((s, i) => {
      const row = funnel.getRow(i + 2);
      expect(row.getCell(1).value).toBe(s.name_zh);
      expect(row.getCell(3).value).toBe(s.reached);
      expect(row.getCell(8).value).toBe(s.conversion);
      expect(row.getCell(8).numFmt).toBe('0.0%');
    });
    const stagnation = wb.getWorksheet('Stagnation')!;
    expect(stagnation.rowCount - 1).toBe(Math.min(json.stagnation.count, 100));
    expect(stagnation.getRow(2).getCell(5).value).toBeInstanceOf(Date);
    const params = wb.getWorksheet('Parameters')!;
    const kv = Object.fromEntries(params.getSheetValues().slice(2).map((v) => [(v as unknown[])[1], (v as unknown[])[2]]));
    expect(kv).toMatchObject({ family: 'funnel', from: json.params.from, to: json.params.to, as_of: json.params.as_of, by: 'team' });
  });

  it('writes text that looks like a formula as a string cell, never a formula', async () => {
    const header = 'opportunity_id,customer_name,owner,stage,status,created_at,stage_entered_at';
    const { dir, path: p } = writeFiles({ 'o.csv': `${header}\nOPP-1,"=HYPERLINK(""http://evil.example"",""x"")",@王磊,需求挖掘,open,2024-03-01,2024-03-01\n` });
    const db = path.join(dir, 'w.duckdb');
    expect(runCli(['ingest', p('o.csv'), '--db', db]).code).toBe(0);
    const file = path.join(dir, 'f.xlsx');
    expect(runCli(['report', 'funnel', '--db', db, '--xlsx', file, '--as-of', '2024-06-30']).code).toBe(0);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    const cell = wb.getWorksheet('Stagnation')!.getRow(2).getCell(2);
    expect(cell.value).toBe('=HYPERLINK("http://evil.example","x")');
    expect(cell.formula).toBeUndefined();
    const zip = await JSZip.loadAsync(fs.readFileSync(file));
    for (const name of Object.keys(zip.files).filter((n) => n.startsWith('xl/worksheets/'))) {
      expect(await zip.file(name)!.async('string'), name).not.toMatch(/<f[ >]/);
    }
  });
});

describe('metrics CLI', () => {
  it('explains bad parameters (exit 2)', () => {
    const db = path.join(tempDir(), 'none.duckdb');
    expect(runCli(['metrics', 'nonsense', '--db', db]).stderr).toMatch(/Unknown metric family "nonsense". Families: funnel/);
    const r = runCli(['metrics', 'funnel', '--db', db, '--filter', 'colour=red']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--filter "colour=red": expected <dimension>=<value>/);
  });
});
