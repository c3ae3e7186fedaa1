/**
 * Ingest rules beyond the corpus: the read = loaded + rejected invariant on generated files,
 * --strict, user mapping files, the Salesforce and HubSpot presets, globs, and re-ingesting
 * a newer export of the same opportunity.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { query, REPO_ROOT, runCli, tempDir, writeFiles } from './helpers.ts';
import { runIngest } from '../pipelines/ingest/run-ingest.ts';

const HEADER = 'opportunity_id,customer_name,owner,stage,status,created_at,expected_amount';

type Defect = 'none' | 'multiline' | 'bad_date' | 'negative' | 'unknown_stage' | 'short_row' | 'exact_duplicate';

/** A generated file and, computed alongside it (not by the code under test), its rejected lines. */
function buildFile(defects: Defect[]): { text: string; rejectedLines: number[]; rows: number } {
  const lines: string[] = [HEADER];
  const rejected: number[] = [];
  let line = 2; // physical line the next record starts on
  let rows = 0;
  let previousGood: { record: string; height: number } | undefined;
  defects.forEach((defect, i) => {
    const id = `OPP-${i}`;
    let record = `${id},公司${i},王磊,需求挖掘,open,2024-03-${String((i % 28) + 1).padStart(2, '0')},${1000 + i}`;
    let height = 1;
    switch (defect) {
      case 'multiline':
        record = `${id},"公司${i}\n分部",王磊,需求挖掘,open,2024-03-01,${1000 + i}`;
        height = 2;
        break;
      case 'bad_date':
        record = record.replace(/2024-03-\d\d/, '2024-02-31');
        break;
      case 'negative':
        record = record.replace(/,\d+$/, ',-1');
        break;
      case 'unknown_stage':
        record = record.replace('需求挖掘', '摸鱼');
        break;
      case 'short_row':
        record = record.split(',').slice(0, 5).join(',');
        break;
      case 'exact_duplicate':
        // a copy of the last good record is as many lines tall as it
        if (previousGood) ({ record, height } = previousGood);
        break;
    }
    const isDuplicate = defect === 'exact_duplicate' && previousGood !== undefined;
    if (defect !== 'none' && defect !== 'multiline' && (defect !== 'exact_duplicate' || isDuplicate)) rejected.push(line);
    if (defect === 'none' || defect === 'multiline') previousGood = { record, height };
    lines.push(record);
    line += height;
    rows++;
  });
  return { text: lines.join('\n') + '\n', rejectedLines: rejected, rows };
}

const defectArb = fc.constantFrom<Defect>('none', 'none', 'none', 'multiline', 'bad_date', 'negative', 'unknown_stage', 'short_row', 'exact_duplicate');

describe('invariant: rows read = rows loaded + rows rejected, with the right lines', () => {
  it('holds for generated files with random defects', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(defectArb, { minLength: 1, maxLength: 40 }), async (defects) => {
        const { text, rejectedLines, rows } = buildFile(defects);
        const { dir, path: p } = writeFiles({ 'gen.csv': text });
        const report = await runIngest({ dbPath: path.join(dir, 'w.duckdb'), inputs: [p('gen.csv')] });
        const [f] = report.files;
        expect(f!.rows_read).toBe(rows);
        expect(f!.rows_rejected).toBe(rejectedLines.length);
        expect(f!.rows_read).toBe(f!.rows_loaded + f!.rows_rejected);
        const lines = await query<{ line: number }>(path.join(dir, 'w.duckdb'), 'SELECT line FROM rejected_rows ORDER BY line');
        expect(lines.map((l) => l.line)).toEqual(rejectedLines);
        fs.rmSync(dir, { recursive: true, force: true });
      }),
      { numRuns: 25, seed: 20241101 },
    );
  });
});

function sha256(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

describe('--strict', () => {
  it('fails the run with exit 3 and changes nothing when any row is rejected', () => {
    const { dir, path: p } = writeFiles({
      'good.csv': `${HEADER}\nOPP-1,甲,王磊,需求挖掘,open,2024-03-01,1000\n`,
      'one-bad.csv': `${HEADER}\nOPP-2,乙,王磊,需求挖掘,open,2024-03-01,1000\nOPP-3,丙,王磊,需求挖掘,open,not-a-date,1000\n`,
    });
    const db = path.join(dir, 'w.duckdb');
    expect(runCli(['ingest', p('good.csv'), '--db', db]).code).toBe(0);
    const before = sha256(db);
    const r = runCli(['ingest', p('one-bad.csv'), '--db', db, '--strict', '--json']);
    expect(r.code).toBe(3);
    const doc = JSON.parse(r.stdout);
    expect(doc.status).toBe('failed');
    expect(doc.run_id).toBeNull();
    // the report still says which row and why, so the user can fix it
    expect(doc.rejected_rows).toMatchObject([{ line: 3, reason: expect.stringMatching(/created_at: "not-a-date" is not a date/) }]);
    expect(doc.errors[0]).toMatch(/--strict: 1 of 2 rows were rejected, so nothing was loaded/);
    expect(sha256(db)).toBe(before);
    // without --strict the good row loads
    expect(runCli(['ingest', p('one-bad.csv'), '--db', db]).code).toBe(0);
  });
});

describe('user mapping files', () => {
  const mapping = {
    id: 'my-crm',
    table: 'opportunities',
    date_order: 'dmy',
    stages: [
      { stage: 'Lead', name_zh: '线索', name_en: 'Lead' },
      { stage: 'Demo', name_zh: '演示', name_en: 'Demo', stagnation_days: 10 },
      { stage: 'Signed', name_zh: '签约', name_en: 'Signed', is_won: true },
    ],
    terminal: { lost: ['Dropped'] },
    columns: {
      opportunity_id: 'Deal #',
      customer_name: 'Client',
      stage: 'Phase',
      created_at: 'Opened',
      expected_amount: { header: 'Value (万元)', unit: 10000 },
      industry: { from: ['Sector'], values: { fintec: 'fintech' } },
    },
  };

  it('maps an unknown layout, with its own stages and day-first dates', async () => {
    const { dir, path: p } = writeFiles({
      'mapping.json': JSON.stringify(mapping),
      'deals.csv': 'Deal #,Client,Phase,Opened,Value (万元),Sector\nD1,甲,Demo,15/03/2024,12.5,fintec\nD2,乙,Signed,1/4/2024,3,retail\nD3,丙,Dropped,2/4/2024,1,retail\n',
    });
    const db = path.join(dir, 'w.duckdb');
    const r = runCli(['ingest', p('deals.csv'), '--mapping', p('mapping.json'), '--db', db, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).files[0]).toMatchObject({ preset: 'my-crm', rows_loaded: 3 });
    const rows = await query(db, `SELECT opportunity_id, stage, status, stage_set, strftime(created_at, '%Y-%m-%d') AS created, expected_amount::DOUBLE AS amount, industry FROM opportunities ORDER BY 1`);
    expect(rows).toEqual([
      // 15/03/2024 day-first is 15 March; 12.5 万元 = 125,000 元
      { opportunity_id: 'D1', stage: 'Demo', status: 'open', stage_set: 'my-crm', created: '2024-03-15', amount: 125000, industry: 'fintech' },
      { opportunity_id: 'D2', stage: 'Signed', status: 'won', stage_set: 'my-crm', created: '2024-04-01', amount: 30000, industry: 'retail' },
      { opportunity_id: 'D3', stage: null, status: 'lost', stage_set: 'my-crm', created: '2024-04-02', amount: 10000, industry: 'retail' },
    ]);
    const stages = await query(db, `SELECT position, stage, is_won, stagnation_days FROM stages WHERE stage_set = 'my-crm' ORDER BY position`);
    expect(stages).toEqual([
      { position: 1, stage: 'Lead', is_won: false, stagnation_days: null },
      { position: 2, stage: 'Demo', is_won: false, stagnation_days: 10 },
      { position: 3, stage: 'Signed', is_won: true, stagnation_days: null },
    ]);
  });

  it('explains what is wrong with a bad mapping file', () => {
    const { path: p } = writeFiles({
      'bad.json': JSON.stringify({ ...mapping, date_order: 'ydm', columns: { ...mapping.columns, deal_size: 'Size' } }),
      'deals.csv': 'Deal #,Phase\nD1,Demo\n',
    });
    const r = runCli(['ingest', p('deals.csv'), '--mapping', p('bad.json'), '--db', path.join(tempDir(), 'w.duckdb')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Mapping file .*bad\.json is not valid/);
    expect(r.stderr).toMatch(/date_order/);
    expect(r.stderr).toMatch(/columns\.deal_size: "deal_size" is not a column of opportunities; known columns: opportunity_id/);
  });
});

describe('CRM presets', () => {
  const fixtures = path.join(REPO_ROOT, 'tests/fixtures/crm-exports');

  it('reads a Salesforce opportunity report (US dates, "12,500.00", Probability (%))', async () => {
    const db = path.join(tempDir(), 'w.duckdb');
    const r = runCli(['ingest', path.join(fixtures, 'salesforce-opportunities.csv'), '--db', db, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).files[0]).toMatchObject({ preset: 'salesforce-opportunities', rows_loaded: 4 });
    const rows = await query(db, `SELECT opportunity_id, customer_name, owner, stage, status, probability, expected_amount::DOUBLE AS expected, amount::DOUBLE AS amount,
      expected_close_date::VARCHAR AS close, strftime(closed_at, '%Y-%m-%d') AS closed, source FROM opportunities ORDER BY opportunity_id`);
    expect(rows).toEqual([
      // no Opportunity ID column in this report: the name is the key
      { opportunity_id: 'Acme - 200 Widgets', customer_name: 'Acme Corp', owner: 'Jane Smith', stage: 'Prospecting', status: 'open', probability: 0.1, expected: 12500, amount: null, close: '2024-06-30', closed: null, source: 'Web' },
      { opportunity_id: 'Globex - Renewal', customer_name: 'Globex', owner: 'Jane Smith', stage: 'Negotiation/Review', status: 'open', probability: 0.9, expected: 48000, amount: null, close: '2024-05-31', closed: null, source: 'Partner Referral' },
      { opportunity_id: 'Initech - Pilot', customer_name: 'Initech', owner: 'Raj Patel', stage: 'Closed Won', status: 'won', probability: 1, expected: 7200, amount: 7200, close: '2024-03-29', closed: '2024-03-29', source: 'Trade Show' },
      { opportunity_id: 'Umbrella - Expansion', customer_name: 'Umbrella', owner: 'Raj Patel', stage: null, status: 'lost', probability: 0, expected: 30000, amount: null, close: '2024-03-01', closed: '2024-03-01', source: 'Web' },
    ]);
  });

  it('reads a HubSpot deals export', async () => {
    const db = path.join(tempDir(), 'w.duckdb');
    const r = runCli(['ingest', path.join(fixtures, 'hubspot-deals.csv'), '--db', db, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).files[0]).toMatchObject({ preset: 'hubspot-deals', rows_loaded: 3 });
    const rows = await query(db, `SELECT opportunity_id, opportunity_name, stage, status, amount::DOUBLE AS amount, expected_amount::DOUBLE AS expected, strftime(created_at, '%Y-%m-%d %H:%M') AS created, owner, customer_name FROM opportunities ORDER BY 1`);
    expect(rows).toEqual([
      { opportunity_id: '9876543210', opportunity_name: 'Hooli - Platform', stage: 'Presentation Scheduled', status: 'open', amount: null, expected: 25000, created: '2024-04-02 09:12', owner: 'Gavin Belson', customer_name: 'Hooli' },
      { opportunity_id: '9876543211', opportunity_name: 'Pied Piper - Seats', stage: 'Closed Won', status: 'won', amount: 12000, expected: 12000, created: '2024-03-10 14:03', owner: 'Richard Hendricks', customer_name: 'Pied Piper' },
      { opportunity_id: '9876543212', opportunity_name: 'Aviato - Trial', stage: null, status: 'lost', amount: null, expected: 5000, created: '2024-03-01 10:00', owner: 'Erlich Bachman', customer_name: 'Aviato' },
    ]);
  });
});

describe('re-ingesting a newer export', () => {
  it('updates the opportunity in place, keeps its stage history, and counts the change', async () => {
    const events = '商机编号,跟进时间,原阶段,新阶段,跟进方式\nOPP-1,2024/3/1 10:00,,潜在接触,电话\nOPP-1,2024/3/9 15:30,潜在接触,需求挖掘,面谈\n';
    const { dir } = writeFiles({
      'week1/opportunities.csv': `${HEADER}\nOPP-1,甲,王磊,需求挖掘,open,2024-03-01,1000\nOPP-2,乙,王磊,潜在接触,open,2024-03-02,500\n`,
      'week1/events.csv': events,
      'week2/opportunities.csv': `${HEADER}\nOPP-1,甲,王磊,方案提案,open,2024-03-01,1200\nOPP-2,乙,王磊,潜在接触,open,2024-03-02,500\n`,
      'week2/events.csv': `${events}OPP-1,2024/3/20 11:00,需求挖掘,方案提案,邮件\n`,
    });
    const db = path.join(dir, 'w.duckdb');
    await runIngest({ dbPath: db, inputs: [path.join(dir, 'week1')] });
    const second = await runIngest({ dbPath: db, inputs: [path.join(dir, 'week2')] });
    expect(second.tables.opportunities).toEqual({ inserted: 0, updated: 1, unchanged: 1 });
    expect(second.tables.stage_events).toEqual({ inserted: 1, updated: 0, unchanged: 2 });
    const [opp] = await query(db, `SELECT stage, expected_amount::DOUBLE AS amount, run_id FROM opportunities WHERE opportunity_id = 'OPP-1'`);
    expect(opp).toEqual({ stage: '方案提案', amount: 1200, run_id: 2 });
    const history = await query<{ to_stage: string }>(db, `SELECT to_stage FROM stage_events WHERE opportunity_id = 'OPP-1' ORDER BY occurred_at`);
    expect(history.map((h) => h.to_stage)).toEqual(['潜在接触', '需求挖掘', '方案提案']);
  });

  it('keeps the later file\'s copy of a key given twice in one run, into an empty and into a loaded warehouse', async () => {
    // OPP-1 is in a.csv (line 2) and in b.csv (line 2, a later file): b.csv wins (方案提案, 1500).
    // OPP-2 is only in a.csv (line 3). (Within one file a repeated key is rejected instead.)
    const { dir } = writeFiles({
      'in/a.csv': `${HEADER}\nOPP-1,甲,王磊,潜在接触,open,2024-03-01,1000\nOPP-2,乙,李娜,需求挖掘,open,2024-03-02,800\n`,
      'in/b.csv': `${HEADER}\nOPP-1,甲,王磊,方案提案,open,2024-03-01,1500\n`,
    });
    const expected = [
      { opportunity_id: 'OPP-1', stage: '方案提案', amount: 1500, file: 'b.csv', line: 2 },
      { opportunity_id: 'OPP-2', stage: '需求挖掘', amount: 800, file: 'a.csv', line: 3 },
    ];
    const read = (db: string) =>
      query(db, `SELECT opportunity_id, stage, expected_amount::DOUBLE AS amount, regexp_extract(source_file, '[^/]+$') AS file, source_line AS line FROM opportunities ORDER BY 1`);
    const db = path.join(dir, 'w.duckdb');
    const first = await runIngest({ dbPath: db, inputs: [path.join(dir, 'in')] });
    expect(first.tables.opportunities).toEqual({ inserted: 2, updated: 0, unchanged: 0 });
    expect(await read(db)).toEqual(expected);
    // the same files again: the same two rows, nothing changed
    const again = await runIngest({ dbPath: db, inputs: [path.join(dir, 'in')] });
    expect(again.tables.opportunities).toEqual({ inserted: 0, updated: 0, unchanged: 2 });
    expect(await read(db)).toEqual(expected);
  });
});

describe('inputs', () => {
  it('expands globs and reports a path that matches nothing', () => {
    const { dir } = writeFiles({
      'a-1.csv': `${HEADER}\nOPP-1,甲,王磊,需求挖掘,open,2024-03-01,1000\n`,
      'a-2.csv': `${HEADER}\nOPP-2,乙,王磊,需求挖掘,open,2024-03-01,1000\n`,
      'b.csv': `${HEADER}\nOPP-3,丙,王磊,需求挖掘,open,2024-03-01,1000\n`,
    });
    const db = path.join(dir, 'w.duckdb');
    const r = runCli(['ingest', 'a-*.csv', '--db', db, '--json'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).files.map((f: { file: string }) => f.file)).toEqual(['a-1.csv', 'a-2.csv']);
    const missing = runCli(['ingest', 'nope.csv', '--db', db], { cwd: dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nope\.csv: no such file or directory/);
  });
});
