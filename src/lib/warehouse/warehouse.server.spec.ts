import { describe, expect, it } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import { queryRows } from './warehouse.server.ts';

describe('queryRows', () => {
  it('gives the same objects as the reader row by row, with BIGINT as numbers', async () => {
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    const sql = `SELECT i AS id, i::BIGINT * 3 AS big, CASE WHEN i % 2 = 0 THEN i::BIGINT END AS sometimes_big,
                        'r' || i AS name, (i * 1.25)::DECIMAL(18, 2) AS amount, TIMESTAMP '2026-01-01' + INTERVAL (i) DAY AS at,
                        [i::INTEGER, (i + 1)::INTEGER] AS pair, {'k': i::INTEGER} AS s, NULL::VARCHAR AS nothing, i % 7 AS name
                 FROM range(0, 5000) t(i) ORDER BY i`;
    const rows = await queryRows(connection, sql);
    // the reference: the reader's own row conversion, with BIGINTs turned into numbers by hand
    const reference = (await connection.runAndReadAll(sql)).getRowObjectsJS().map((row) =>
      Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v])),
    );
    expect(rows).toEqual(reference);
    expect(rows).toHaveLength(5000); // more than one chunk of 2,048
    // row 7 worked out: big = 7 × 3 = 21, odd so sometimes_big is null, amount 7 × 1.25 = 8.75, 7 % 7 = 0;
    // the repeated name comes out as `name:1`, as the reader names it
    expect(rows[7]).toMatchObject({ id: 7, big: 21, sometimes_big: null, name: 'r7', amount: 8.75, pair: [7, 8], nothing: null, 'name:1': 0 });
    expect(rows[4099]).toMatchObject({ id: 4099, big: 12297, 'name:1': 4 }); // 4099 = 585 × 7 + 4, in the third chunk
    expect(rows[8]!.sometimes_big).toBe(8);
    expect(await queryRows(connection, 'SELECT 1 AS one WHERE false')).toEqual([]);
    connection.closeSync();
    instance.closeSync();
  });
});
