/**
 * Streamed drill-down downloads: a family with drillQuery (the funnel) streams every row of a
 * drill-down from DuckDB into the workbook, past the 10,000 rows a drill-down page or the CLI
 * returns at once. Checked on a real server and read back with exceljs.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { PassThrough, Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import { afterAll, describe, expect, it } from 'vitest';
import { createInstance } from '../src/lib/warehouse/duckdb.server.ts';
import { MAX_DRILL_ROWS } from '../src/lib/metrics/family.ts';
import { streamDrill } from '../src/lib/workbook/streamed-drill.server.ts';
import { writeWorkbook, type StreamedTable } from '../src/lib/workbook/workbook.server.ts';
import { MAX_PENDING_SHEET_BYTES, pendingBytes, relieveSheet, sheetConsumers } from '../src/lib/workbook/sheet-backpressure.server.ts';
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

  it('runs a paged query a range of keys at a time, in key order, and stops at its limit across pages', async () => {
    const instance = await createInstance(':memory:');
    const connection = await instance.connect();
    // 25,000 keys K00000 … K24999, stored shuffled so that order comes only from the pages' ORDER BY
    await connection.run(`CREATE TABLE t AS SELECT printf('K%05d', i) AS k, i AS n FROM range(25000) r(i) ORDER BY hash(i)`);
    const ranges: [string | null, string | null][] = [];
    const query = (limit: number) => ({
      name: 'rows',
      title_en: 'rows',
      title_zh: 'rows',
      sql: `SELECT k, n FROM t ORDER BY k LIMIT ${limit}`,
      columnOf: (name: string) => ({ key: name, header_en: name, header_zh: name, format: 'text' as const }),
      paging: {
        keysSql: 'SELECT k AS key FROM t',
        pageSql(from: string | null, to: string | null) {
          ranges.push([from, to]);
          return `SELECT k, n FROM t WHERE ${from === null ? 'true' : `k >= '${from}'`} AND ${to === null ? 'true' : `k < '${to}'`} ORDER BY k LIMIT ${limit}`;
        },
        limit,
      },
    });
    const read = async (limit: number) => {
      const rows: unknown[][] = [];
      for await (const chunk of (await streamDrill(connection, query(limit), { pageRows: 3000 })).chunks) rows.push(...chunk);
      return rows;
    };
    try {
      const all = await read(100_000);
      // ceil(25,000 / 3,000) = 9 pages, cut at 8 keys: the first open below, the last open above
      expect(ranges).toHaveLength(9);
      expect(ranges[0]![0]).toBeNull();
      expect(ranges[8]![1]).toBeNull();
      for (let i = 1; i < 9; i++) expect(ranges[i]![0]).toBe(ranges[i - 1]![1]);
      expect(all).toHaveLength(25_000);
      expect(all.map((r) => r[1])).toEqual(Array.from({ length: 25_000 }, (_, i) => i));
      // a limit of 10,000 ends inside the fourth page (about 2,778 keys a page) with exactly 10,000 rows
      const first = await read(10_000);
      expect(first).toHaveLength(10_000);
      expect(first.at(-1)).toEqual(['K09999', 9_999]);
      // a limit within one page is the one statement, sorted as its top rows only
      ranges.length = 0;
      expect(await read(3_000)).toHaveLength(3_000);
      expect(ranges).toHaveLength(0);
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
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

/**
 * exceljs's streaming writer has no backpressure of its own; writeWorkbook adds it through
 * exceljs's internals (a sheet's StreamBuf and its `pipes`), so these fail if an exceljs update
 * changes them so that the wait no longer engages.
 */
describe('workbook backpressure', () => {
  // random base64: deflate cannot squeeze it much, so the XML's size is about what reaches the target
  const text = () => randomBytes(60).toString('base64');

  /** A target that takes nothing until released: its write callbacks are held. */
  function stalledTarget() {
    const parts: Buffer[] = [];
    let held: (() => void)[] | undefined = [];
    const target = new Writable({
      highWaterMark: 1024,
      write(chunk: Buffer, _enc, cb) {
        parts.push(chunk);
        if (held) held.push(cb);
        else cb();
      },
    });
    const release = () => {
      const cbs = held ?? [];
      held = undefined;
      for (const cb of cbs) cb();
    };
    return { target, parts, release };
  }

  /** `chunks` chunks of `size` rows; `pulled` counts the chunks writeWorkbook has asked for. */
  function counted(chunks: number, size: number) {
    const state = { pulled: 0 };
    const table: StreamedTable = {
      name: 'rows',
      title_en: 'rows',
      title_zh: 'rows',
      columns: [
        { key: 'n', header_en: 'n', header_zh: 'n', format: 'integer' },
        { key: 'label', header_en: 'label', header_zh: 'label', format: 'text' },
      ],
      chunks: (async function* () {
        for (let c = 0; c < chunks; c++) {
          state.pulled++;
          yield Array.from({ length: size }, (_, i) => [c * size + i, text()]);
        }
      })(),
    };
    return { table, state };
  }

  /** Resolves once `read()` has not changed for `quietMs` (or after `maxMs`). */
  async function settled(read: () => number, quietMs = 300, maxMs = 20_000): Promise<number> {
    const start = Date.now();
    let last = read();
    let since = Date.now();
    while (Date.now() - start < maxMs) {
      await new Promise((r) => setTimeout(r, 25));
      const now = read();
      if (now !== last) [last, since] = [now, Date.now()];
      else if (Date.now() - since >= quietMs) break;
    }
    return last;
  }

  it('finds the stream exceljs hands a sheet\'s XML to and waits until it has passed it on', async () => {
    const out = new PassThrough();
    const parts: Buffer[] = [];
    out.on('data', (b: Buffer) => parts.push(b));
    const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
    const sheet = workbook.addWorksheet('rows');
    // written without a pause, as exceljs's own loop would: more than MAX_PENDING_SHEET_BYTES of XML piles up
    const rows = 60_000;
    for (let i = 0; i < rows; i++) sheet.addRow([i, text()]).commit();
    const consumers = sheetConsumers(sheet);
    expect(consumers?.length).toBeGreaterThan(0);
    const pending = () => Math.max(...consumers!.map(pendingBytes));
    expect(pending()).toBeGreaterThan(MAX_PENDING_SHEET_BYTES);
    expect(await relieveSheet(sheet, out)).toBe('waited');
    expect(pending()).toBeLessThanOrEqual(MAX_PENDING_SHEET_BYTES);
    expect(await relieveSheet(sheet, out)).toBe('yielded');
    sheet.commit();
    await workbook.commit();
    const back = new ExcelJS.Workbook();
    await back.xlsx.load(Buffer.concat(parts) as unknown as ArrayBuffer);
    expect(back.worksheets[0]!.rowCount).toBe(rows);
  });

  it('stops reading rows while the target takes nothing, then writes every one', async () => {
    const { target, parts, release } = stalledTarget();
    const chunks = 160;
    const size = 1_000;
    const { table, state } = counted(chunks, size);
    let finished = false;
    const writing = writeWorkbook(target, [table], { title: 't', language: 'en', parameters: [['p', 'v']] }).then(() => (finished = true));
    const pulledWhileStalled = await settled(() => state.pulled);
    // ~32 MB of sheet XML in all (200 bytes a row); a stalled target stops it at
    // MAX_PENDING_SHEET_BYTES plus what the streams in between buffer (archiver: up to 1 MB each
    // way), about 10 MB (50 chunks)
    expect(finished).toBe(false);
    expect(pulledWhileStalled).toBeLessThan(chunks / 2);
    release();
    await writing;
    expect(state.pulled).toBe(chunks);
    const back = new ExcelJS.Workbook();
    await back.xlsx.load(Buffer.concat(parts) as unknown as ArrayBuffer);
    const sheet = back.worksheets[0]!;
    expect(sheet.rowCount).toBe(chunks * size + 1); // header + every row
    expect(sheet.getRow(2).getCell(1).value).toBe(0);
    expect(sheet.getRow(chunks * size + 1).getCell(1).value).toBe(chunks * size - 1);
    expect(back.worksheets[1]!.getRow(3).values).toEqual([undefined, 'p', 'v']);
  });

  it('gives up, instead of waiting for ever, when the target closes midway', { timeout: 30_000 }, async () => {
    const { target } = stalledTarget();
    const { table, state } = counted(120, 1_000);
    const writing = writeWorkbook(target, [table], { title: 't', language: 'en', parameters: [] });
    writing.catch(() => {}); // checked below
    await settled(() => state.pulled);
    target.destroy(); // e.g. the browser went away
    await expect(writing).rejects.toThrow(/output closed/);
    expect(state.pulled).toBeLessThan(120);
  });
});

