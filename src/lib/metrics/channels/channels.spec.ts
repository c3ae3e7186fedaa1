/** Channel quality on hand-worked data. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../config/config.ts';
import { createFixtureWarehouse, type FixtureWarehouse } from '../testing/fixture-warehouse.ts';
import type { ResolvedParams } from '../params.ts';
import { computeChannels, findDrops } from './channels.ts';

describe('findDrops', () => {
  const monthly = [
    // 展会: August 6 of 20 = 30%, September 2 of 20 = 10%: (0.3 − 0.1) ÷ 0.3 = 66.7% drop
    { source: '展会', month: '2026-08', closed: 20, won: 6, win_rate: 0.3 },
    { source: '展会', month: '2026-09', closed: 20, won: 2, win_rate: 0.1 },
    // 官网: 15% → 10% is the seed 003 example: (0.15 − 0.10) ÷ 0.15 = 33.3% > 30%
    { source: '官网', month: '2026-08', closed: 20, won: 3, win_rate: 0.15 },
    { source: '官网', month: '2026-09', closed: 20, won: 2, win_rate: 0.1 },
    // 转介绍: 50% → 40% is a 20% drop: under the threshold
    { source: '转介绍', month: '2026-08', closed: 10, won: 5, win_rate: 0.5 },
    { source: '转介绍', month: '2026-09', closed: 10, won: 4, win_rate: 0.4 },
    // 电话: 40% → 0% but only 3 deals in September: too few to call
    { source: '电话', month: '2026-08', closed: 10, won: 4, win_rate: 0.4 },
    { source: '电话', month: '2026-09', closed: 3, won: 0, win_rate: 0 },
  ];

  it('calls month-on-month drops above the threshold with enough deals', () => {
    const drops = findDrops(monthly, '2026-09-30', 0.3, 1, 10);
    expect(drops.map((d) => [d.source, d.previous_window.win_rate, d.current_window.win_rate])).toEqual([
      ['展会', 0.3, 0.1],
      ['官网', 0.15, 0.1],
    ]);
    expect(drops[0]!.relative_drop).toBeCloseTo(2 / 3);
    expect(drops[1]!.relative_drop).toBeCloseTo(1 / 3);
  });

  it('does not call a drop exactly at the threshold, float noise included', () => {
    // 50% → 35%: (0.5 − 0.35) ÷ 0.5 = 0.3 exactly on paper, 0.30000000000000004 in doubles
    const edge = [
      { source: '展会', month: '2026-08', closed: 20, won: 10, win_rate: 0.5 },
      { source: '展会', month: '2026-09', closed: 20, won: 7, win_rate: 0.35 },
    ];
    expect(findDrops(edge, '2026-09-30', 0.3, 1, 10)).toEqual([]);
  });

  it('compares two-month windows when configured', () => {
    // 展会 Aug+Sep 8 of 40 = 20% against nothing before (June–July): no previous window, no call
    expect(findDrops(monthly, '2026-09-30', 0.3, 2, 10)).toEqual([]);
  });
});

describe('computeChannels', () => {
  let w: FixtureWarehouse;
  beforeAll(async () => {
    // 展会: 4 leads in March, 1 won (¥100,000), 2 lost, 1 open; 官网: 2 leads, 1 won (¥300,000), 1 open
    const o = (id: string, source: string, status: string, stage: string, closed: string | null, amount?: number) => ({
      opportunity_id: id, source, status, stage, created_at: '2024-03-01', closed_at: closed, amount: amount ?? null,
    });
    w = await createFixtureWarehouse({
      opportunities: [
        o('1', '展会', 'won', '已成交', '2024-04-01', 100000),
        o('2', '展会', 'lost', '需求挖掘', '2024-04-02'),
        o('3', '展会', 'lost', '潜在接触', '2024-04-03'),
        o('4', '展会', 'open', '方案提案', null),
        o('5', '官网', 'won', '已成交', '2024-04-10', 300000),
        o('6', '官网', 'open', '潜在接触', null),
      ],
    });
  });
  afterAll(() => w.close());

  it('gives leads, lead-to-win, win rate and revenue share per source', async () => {
    const params: ResolvedParams = { from: '2024-03-01', to: '2024-04-30', as_of: '2024-04-30', filters: {}, by: null };
    const r = await computeChannels({ connection: w.connection, params, config: defaultConfig() });
    const row = (s: string) => r.channels.find((c) => c.source === s)!;
    // 展会: won 1 of 4 leads = 25%; closed 3 (1 won) → win rate 1/3; ¥100,000 of ¥400,000 = 25%
    expect(row('展会')).toMatchObject({ leads: 4, won: 1, won_amount: 100000, revenue_share: 0.25, lead_to_win: 0.25 });
    expect(row('展会').win_rate).toBeCloseTo(1 / 3);
    // 官网: 1 of 2 leads won; closed 1 (won) → 100%; ¥300,000 of ¥400,000 = 75%
    expect(row('官网')).toMatchObject({ leads: 2, won: 1, win_rate: 1, won_amount: 300000, revenue_share: 0.75, lead_to_win: 0.5 });
    // sorted by won revenue
    expect(r.channels.map((c) => c.source)).toEqual(['官网', '展会']);
    expect(r.monthly).toEqual([
      { source: '官网', month: '2024-04', closed: 1, won: 1, win_rate: 1 },
      { source: '展会', month: '2024-04', closed: 3, won: 1, win_rate: 1 / 3 },
    ]);
    expect(r.cost.available).toBe(false);
  });
});
