/**
 * Streamed drill-down downloads: a family with drillQuery (the funnel) streams every row of a
 * drill-down from DuckDB into the workbook, past the 10,000 rows a drill-down page or the CLI
 * returns at once. Checked on a real server and read back with exceljs.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import ExcelJS from 'exceljs';
import { afterAll, describe, expect, it } from 'vitest';
import { createInstance } from '../src/lib/warehouse/duckdb.server.ts';
import { MAX_DRILL_ROWS } from '../src/lib/metrics/family.ts';
import { streamDrill } from '../src/lib/workbook/streamed-drill.server.ts';
import { writeWorkbook } from '../src/lib/workbook/workbook.server.ts';
import { writeExports } from '../pipelines/bench/scale/generate.ts';
import { runCli, startServe, tempDir } from './helpers.ts';

const dir = tempDir();
let server: ChildProcess | undefined;
afterAll(() => server?.kill('SIGTERM'));

async function readBack(file: string | Buffer): Promise<ExcelJS.Worksheet> {
  const wb = new ExcelJS.Workbook();
  if (typeof file === 'string') await wb.xlsx.readFile(file);
  else await wb.xlsx.load(file as unknown as ArrayBuffer);
  return wb.worksheets[0]!;
}

describe('streamed drill-down workbooks', () => {
  it('writes every row of a query chunk by chunk, counts as numbers', async () => {
    const instance = await createInstance(':memory:');
    const connection = await instance.connect();
    // 25,000 rows: DuckDB hands them over in chunks of 2,048, so this spans 13 chunks
    const table = await streamDrill(connection, {
      name: 'rows',
      title_en: 'rows',
      title_zh: 'rows',
      sql: `SELECT i AS n, 'R' || i AS label, i * 1.5 AS expected_amount FROM range(25000) t(i) ORDER BY i`,
      columnOf: (name) => ({ key: name, header_en: name, header_zh: name, format: name === 'expected_amount' ? 'money' : name === 'n' ? 'integer' : 'text' }),
    });
    const file = path.join(dir, 'rows.xlsx');
    await writeWorkbook(file, [table], { title: 't', language: 'en', parameters: [] });
    connection.closeSync();
    instance.closeSync();
    const sheet = await readBack(file);
    expect(sheet.rowCount).toBe(25_001); // header + 25,000
    expect(sheet.getRow(2).values).toEqual([undefined, 0, 'R0', 0]);
    // last row: i = 24,999, 24,999 × 1.5 = 37,498.5; range() gives BIGINT, written as a number
    expect(sheet.getRow(25_001).values).toEqual([undefined, 24_999, 'R24999', 37_498.5]);
  });

  it('the site downloads a funnel drill-down of more than MAX_DRILL_ROWS opportunities whole', { timeout: 300_000 }, async () => {
    const instance = await createInstance(':memory:');
    const connection = await instance.connect();
    const files = await writeExports(connection, path.join(dir, 'exports'), 12_000);
    connection.closeSync();
    instance.closeSync();
    const db = path.join(dir, 'w.duckdb');
    expect(runCli(['ingest', files.reps, files.opportunities, files.stage_events, '--db', db]).code).toBe(0);
    // every generated deal reaches the first stage, so "reached 潜在接触" is every line of the
    // export but its header, counted here from the file itself
    const lines = fs.readFileSync(files.opportunities, 'utf8').trim().split('\n').slice(1);
    const deals = lines.length;
    const firstId = lines.map((l) => l.slice(0, l.indexOf(','))).sort()[0];
    expect(deals).toBeGreaterThan(MAX_DRILL_ROWS);
    const funnel = JSON.parse(runCli(['metrics', 'funnel', '--db', db, '--json']).stdout);
    expect(funnel.stages[0].reached).toBe(deals);

    const started = await startServe(db);
    server = started.server;
    const base = started.base;
    const res = await fetch(new URL(`/drill/funnel/reached/rows.xlsx?k.stage=${encodeURIComponent('潜在接触')}`, base));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('spreadsheetml');
    const sheet = await readBack(Buffer.from(await res.arrayBuffer()));
    expect(sheet.rowCount).toBe(deals + 1); // header + every deal
    expect(sheet.getRow(1).values).toContain('opportunity_id');
    expect(sheet.getRow(2).getCell(1).value).toBe(firstId); // ordered by opportunity_id

    const bad = await fetch(new URL('/drill/funnel/no-such-target/rows.xlsx', base));
    expect(bad.status).toBe(400);
  });
});
