import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { createInstance } from '../warehouse/duckdb.server.ts';
import { csvDownload, downloadFileName, parquetDownload, xlsxDownload, type DownloadRows } from './downloads.server.ts';

const result: DownloadRows = {
  columns: [
    { name: 'region', type: 'VARCHAR' },
    { name: 'n', type: 'BIGINT' },
    { name: 'amount', type: 'DECIMAL(18,2)' },
    { name: 'day', type: 'DATE' },
    { name: 'at', type: 'TIMESTAMP' },
    { name: 'tags', type: 'VARCHAR[]' },
    { name: 'big', type: 'HUGEINT' },
  ],
  rows: [
    { region: '华东', n: 3, amount: 1234.5, day: '2024-03-15', at: '2024-03-15T10:11:12.000Z', tags: '["a","b"]', big: '170141183460469231731687303715884105727' },
    { region: '=cmd', n: null, amount: null, day: null, at: null, tags: null, big: null },
  ],
  truncated: false,
};

describe('console downloads', () => {
  it('names the file by format and time (UTC)', () => {
    expect(downloadFileName('csv', new Date(Date.UTC(2026, 4, 1, 9, 30, 12)))).toBe('salesight-sql-2026-05-01-093012.csv');
  });

  it('CSV: an attachment, UTF-8 with BOM', async () => {
    const response = csvDownload(result, 'x.csv');
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="x.csv"/);
    const bytes = Buffer.from(await response.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    // the JSON text of the list is quoted (it holds commas and quotes), the formula prefixed
    expect(bytes.toString('utf8').slice(1)).toBe(
      'region,n,amount,day,at,tags,big\r\n华东,3,1234.5,2024-03-15,2024-03-15T10:11:12.000Z,"[""a"",""b""]",170141183460469231731687303715884105727\r\n\'=cmd,,,,,,\r\n',
    );
  });

  it('Excel: the values typed as numbers and dates, formula-looking text kept as text', async () => {
    const response = xlsxDownload(result, 'SELECT 1', 'demo', 'en', 'x.xlsx');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(await response.arrayBuffer());
    const sheet = wb.getWorksheet('SQL')!;
    expect(sheet.getCell('A2').value).toBe('华东');
    expect(sheet.getCell('B2').value).toBe(3);
    expect(sheet.getCell('C2').value).toBe(1234.5);
    expect((sheet.getCell('D2').value as Date).toISOString()).toBe('2024-03-15T00:00:00.000Z');
    expect((sheet.getCell('E2').value as Date).toISOString()).toBe('2024-03-15T10:11:12.000Z');
    expect(sheet.getCell('A3').value).toBe('=cmd');
    expect(sheet.getCell('A3').type).toBe(ExcelJS.ValueType.String);
    const params = wb.getWorksheet('Parameters')!;
    expect(params.getCell('B3').value).toBe('SELECT 1');
  });

  it('Parquet: read back by DuckDB with the result column types, and the temp files gone', async () => {
    const before = fs.readdirSync(os.tmpdir()).filter((f) => f.startsWith('salesight-sql-parquet-')).length;
    const response = await parquetDownload(result, 'x.parquet');
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'salesight-test-')), 'x.parquet');
    fs.writeFileSync(file, Buffer.from(await response.arrayBuffer()));
    const instance = await createInstance(':memory:');
    const connection = await instance.connect();
    try {
      const described = (await connection.runAndReadAll(`DESCRIBE SELECT * FROM '${file}'`)).getRowObjectsJS();
      // parquet has no 128-bit integer: DuckDB writes HUGEINT as DOUBLE; the list went as its JSON text
      expect(described.map((r) => `${r.column_name} ${r.column_type}`)).toEqual([
        'region VARCHAR',
        'n BIGINT',
        'amount DECIMAL(18,2)',
        'day DATE',
        'at TIMESTAMP',
        'tags VARCHAR',
        'big DOUBLE',
      ]);
      const rows = (await connection.runAndReadAll(`SELECT region, n, amount::VARCHAR AS amount, day::VARCHAR AS day, "at"::VARCHAR AS "at", tags FROM '${file}'`)).getRowObjectsJS();
      expect(rows).toEqual([
        { region: '华东', n: 3n, amount: '1234.50', day: '2024-03-15', at: '2024-03-15 10:11:12', tags: '["a","b"]' },
        { region: '=cmd', n: null, amount: null, day: null, at: null, tags: null },
      ]);
    } finally {
      connection.closeSync();
      instance.closeSync();
      fs.rmSync(path.dirname(file), { recursive: true, force: true });
    }
    // the stream was read to its end: its temp folder is deleted on close
    await new Promise((r) => setTimeout(r, 50));
    expect(fs.readdirSync(os.tmpdir()).filter((f) => f.startsWith('salesight-sql-parquet-')).length).toBe(before);
  });
});
