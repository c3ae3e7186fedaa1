/** resolveParams' default period: the first and last day found in any dated column. */
import { describe, expect, it } from 'vitest';
import { createFixtureWarehouse } from './testing/fixture-warehouse.ts';
import { dataSpanSql, resolveParams } from './params.ts';

describe('resolveParams: the data span', () => {
  it('takes the earliest and latest day over every dated column, NULLs ignored', async () => {
    // earliest: the follow-up of 2024-01-05 (before every opportunity date);
    // latest: the order of 2024-09-30 (after the last close, 2024-06-30)
    const w = await createFixtureWarehouse({
      opportunities: [
        { opportunity_id: 'A', created_at: '2024-02-01 09:00:00', closed_at: '2024-06-30 17:00:00', stage: '潜在接触' },
        { opportunity_id: 'B', created_at: '2024-03-10 10:00:00', closed_at: null, stage: '需求挖掘' },
      ],
      stage_events: [{ event_id: 'e1', opportunity_id: 'A', occurred_at: '2024-01-05 08:00:00', to_stage: '潜在接触' }],
      orders: [{ order_id: 'O1', customer_id: 'C1', ordered_at: '2024-09-30 12:00:00', amount: 100 }],
    });
    try {
      expect(await resolveParams(w.connection, {})).toMatchObject({ from: '2024-01-05', to: '2024-09-30', as_of: '2024-09-30' });
      // an explicit as-of still bounds the period's end; the start is still the data's first day
      expect(await resolveParams(w.connection, { as_of: '2024-07-01' })).toMatchObject({ from: '2024-01-05', as_of: '2024-07-01' });
    } finally {
      w.close();
    }
  });

  it('asks each column for its own min and max, so DuckDB can answer from column statistics', () => {
    const sql = dataSpanSql();
    expect(sql).toContain('SELECT min(occurred_at) AS d FROM stage_events');
    expect(sql).toContain('SELECT max(ordered_at) FROM orders');
    expect(sql.match(/SELECT (min|max)\(/g)).toHaveLength(12);
  });
});
