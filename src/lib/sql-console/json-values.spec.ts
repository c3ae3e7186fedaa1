import { describe, expect, it } from 'vitest';
import { deduplicatedColumns, isNumericType, isTemporalType, jsonCell, jsonRows } from './json-values.ts';

describe('console values as JSON', () => {
  it('keeps integers exact: safe ones as numbers, larger ones as decimal text', () => {
    expect(jsonCell(5n, 'BIGINT')).toBe(5);
    // 2^53 = 9007199254740992 is not a safe integer (2^53 - 1 is the largest)
    expect(jsonCell(9_007_199_254_740_991n, 'BIGINT')).toBe(9_007_199_254_740_991);
    expect(jsonCell(9_007_199_254_740_993n, 'BIGINT')).toBe('9007199254740993');
    expect(jsonCell('170141183460469231731687303715884105727', 'HUGEINT')).toBe('170141183460469231731687303715884105727');
  });

  it('writes dates as YYYY-MM-DD, timestamps as ISO 8601 UTC, TIME as HH:MM:SS', () => {
    expect(jsonCell(new Date(Date.UTC(2024, 2, 15)), 'DATE')).toBe('2024-03-15');
    expect(jsonCell(new Date(Date.UTC(2024, 2, 15, 10, 11, 12)), 'TIMESTAMP')).toBe('2024-03-15T10:11:12.000Z');
    // 10:11:12 = (10·3600 + 11·60 + 12) s = 36,672 s = 36,672,000,000 µs
    expect(jsonCell(36_672_000_000, 'TIME')).toBe('10:11:12');
    // plus 0.5 s = 500,000 µs
    expect(jsonCell(36_672_500_000, 'TIME')).toBe('10:11:12.500000');
    expect(jsonCell(new Date(Number.NaN), 'DATE')).toBeNull();
  });

  it('turns lists, structs, maps and intervals into JSON text, bigints inside included', () => {
    expect(jsonCell([1, 2], 'INTEGER[]')).toBe('[1,2]');
    expect(jsonCell({ a: 1, b: 'x' }, 'STRUCT(a INTEGER, b VARCHAR)')).toBe('{"a":1,"b":"x"}');
    expect(jsonCell([{ key: 'k', value: 1 }], 'MAP(VARCHAR, INTEGER)')).toBe('[{"key":"k","value":1}]');
    expect(jsonCell({ months: 0, days: 3, micros: 0n }, 'INTERVAL')).toBe('{"months":0,"days":3,"micros":0}');
    expect(jsonCell([new Date(Date.UTC(2024, 0, 1))], 'DATE[]')).toBe('["2024-01-01T00:00:00.000Z"]');
  });

  it('writes non-finite doubles and blobs as text, keeps the rest', () => {
    expect(jsonCell(Infinity, 'DOUBLE')).toBe('Infinity');
    expect(jsonCell(Number.NaN, 'DOUBLE')).toBe('NaN');
    // 'x' = 0x78 printable; 0x00 and backslash (0x5C) escaped the way DuckDB prints a BLOB
    expect(jsonCell(new Uint8Array([0x78, 0x00, 0x5c]), 'BLOB')).toBe('x\\x00\\x5C');
    expect(jsonCell(null, 'INTEGER')).toBeNull();
    expect(jsonCell(undefined, 'INTEGER')).toBeNull();
    expect(jsonCell(true, 'BOOLEAN')).toBe(true);
    expect(jsonCell('中文', 'VARCHAR')).toBe('中文');
    expect(jsonCell(12.34, 'DECIMAL(10,2)')).toBe(12.34);
  });

  it('converts whole rows by column, and survives JSON.stringify', () => {
    const columns = [
      { name: 'n', type: 'BIGINT' },
      { name: 'd', type: 'DATE' },
    ];
    const rows = jsonRows(columns, [{ n: 2n ** 60n, d: new Date(Date.UTC(2026, 0, 31)) }]);
    // 2^60 = 1,152,921,504,606,846,976
    expect(rows).toEqual([{ n: '1152921504606846976', d: '2026-01-31' }]);
    expect(JSON.parse(JSON.stringify(rows))).toEqual(rows);
  });

  it('classifies column types', () => {
    for (const t of ['BIGINT', 'DOUBLE', 'DECIMAL(18,2)', 'HUGEINT', 'UTINYINT', 'FLOAT']) expect(isNumericType(t), t).toBe(true);
    for (const t of ['VARCHAR', 'DATE', 'INTEGER[]', 'BOOLEAN', 'INTERVAL']) expect(isNumericType(t), t).toBe(false);
    expect(isTemporalType('DATE')).toBe(true);
    expect(isTemporalType('TIMESTAMP WITH TIME ZONE')).toBe(true);
    expect(isTemporalType('TIME')).toBe(false);
  });

  it('names repeated columns as @duckdb/node-api keys their values (a, a:1, a:2)', () => {
    const t = 'INTEGER';
    expect(deduplicatedColumns([{ name: 'a', type: t }, { name: 'b', type: t }, { name: 'a', type: t }, { name: 'a', type: t }]).map((c) => c.name)).toEqual(['a', 'b', 'a:1', 'a:2']);
  });
});
