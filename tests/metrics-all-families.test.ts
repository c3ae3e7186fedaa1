/**
 * Every registered metric family, through the real CLI, on the three warehouses (the demo,
 * Maven CRM, Online Retail): `metrics <family> --json` succeeds, and `report <family> --xlsx`
 * writes a workbook whose every cell, read back with exceljs, equals the family's tables()
 * of that same JSON result.
 */
import path from 'node:path';
import ExcelJS from 'exceljs';
import { beforeAll, describe, expect, it } from 'vitest';
import { FAMILY_IDS, loadFamily } from '../src/lib/metrics/registry.ts';
import type { ResultTable } from '../src/lib/metrics/family.ts';
import { MAVEN_DIR, ONLINE_RETAIL_DIR, runCli, tempDir } from './helpers.ts';

const dir = tempDir();
const WAREHOUSES = {
  demo: path.join(dir, 'demo.duckdb'),
  maven: path.join(dir, 'maven.duckdb'),
  retail: path.join(dir, 'retail.duckdb'),
};

function expectedCell(value: unknown, format: ResultTable['columns'][number]['format']): unknown {
  // a spreadsheet has no empty-string cells: '' reads back as an empty cell
  if (value === null || value === undefined || value === '') return null;
  if ((format === 'date' || format === 'datetime') && typeof value === 'string' && /^\d{4}-\d{2}-\d{2}/.test(value)) {
    return new Date(`${value.slice(0, 10)}T${value.length > 10 ? value.slice(11, 19).padEnd(8, ':00') : '00:00:00'}Z`).getTime();
  }
  if (typeof value === 'object') return JSON.stringify(value);
  return value;
}

function actualCell(value: ExcelJS.CellValue): unknown {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.getTime();
  return value;
}

describe('every metric family on every warehouse', () => {
  beforeAll(() => {
    expect(runCli(['demo', '--db', WAREHOUSES.demo]).code).toBe(0);
    expect(runCli(['ingest', MAVEN_DIR, '--db', WAREHOUSES.maven]).code).toBe(0);
    expect(runCli(['ingest', ONLINE_RETAIL_DIR, '--db', WAREHOUSES.retail]).code).toBe(0);
  });

  for (const id of FAMILY_IDS) {
    for (const [name, db] of Object.entries(WAREHOUSES)) {
      it(`${id} on ${name}: --json, and the workbook reads back with the same figures`, async () => {
        const json = runCli(['metrics', id, '--db', db, '--json']);
        expect(json.code, json.stderr).toBe(0);
        const result = JSON.parse(json.stdout);
        expect(result.family).toBe(id);
        const tables = (await loadFamily(id))!.tables(result);

        const file = path.join(dir, `${id}-${name}.xlsx`);
        const report = runCli(['report', id, '--db', db, '--xlsx', file, '--json', ...(result.params?.as_of ? ['--as-of', result.params.as_of] : [])]);
        expect(report.code, report.stderr).toBe(0);
        const wb = new ExcelJS.Workbook();
        await wb.xlsx.readFile(file);
        expect(wb.worksheets.map((w) => w.name).slice(0, -1)).toEqual(JSON.parse(report.stdout).sheets);
        tables.forEach((table, t) => {
          const sheet = wb.worksheets[t]!;
          const rows = table.rows as Record<string, unknown>[];
          expect(sheet.actualRowCount, `${table.name} rows`).toBe(rows.length + 1);
          rows.forEach((row, r) => {
            table.columns.forEach((col, c) => {
              const got = actualCell(sheet.getRow(r + 2).getCell(c + 1).value);
              const want = expectedCell(row[col.key], col.format);
              if (typeof want === 'number' && typeof got === 'number') expect(got, `${table.name}!${col.key} row ${r + 1}`).toBeCloseTo(want, 9);
              else expect(got, `${table.name}!${col.key} row ${r + 1}`).toEqual(want);
            });
          });
        });
      });
    }
  }
});
