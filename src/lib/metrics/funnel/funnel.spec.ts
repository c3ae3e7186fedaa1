/**
 * The funnel on a fixture small enough to work out by hand. Period 2024-03-01 … 2024-06-30,
 * as of 2024-06-30, the six seed stages (1 潜在接触 … 5 成交待签约, 6 已成交), threshold 15 days.
 *
 *  opp  path (stage changes)                     now                    furthest  owner
 *  A    1→2→3→4→5→6                              won 04-10, ¥100,000    6         王磊
 *  B    1→2                                      lost 03-20 (价格过高)  2         王磊
 *  C    1→3 (skips 2)                            open at 3 since 03-10  3         王磊
 *  D    1                                        invalid 03-05          1         李娜
 *  E    1→2→3→2 (moves back)                     open at 2 since 06-25  3         李娜
 *  F    (no history: snapshot)                   open at 4 since 06-01  4         李娜
 *  G    (no history: snapshot)                   won 05-06, ¥200,000    6         李娜
 *  H    1→2→3→4                                  lost 05-01 (选择竞品)  4         李娜
 *  I    created 2024-02-20, outside the period   lost 03-15            1         张伟
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../config/config.ts';
import { createFixtureWarehouse, type FixtureWarehouse } from '../testing/fixture-warehouse.ts';
import type { ResolvedParams } from '../params.ts';
import { computeFunnel, computeFunnelHeadline, funnelFamily } from './funnel.ts';
import { stageCountsSql } from './funnel-queries.ts';
import { streamDrill } from '../../workbook/streamed-drill.server.ts';
import type { StageList } from '../stages.ts';
import { DEFAULT_STAGE_SET } from '../../config/stage-sets.ts';

const S = ['潜在接触', '需求挖掘', '方案提案', '商务谈判', '成交待签约', '已成交'];

function path(id: string, stages: number[], days: string[]): Record<string, unknown>[] {
  return stages.map((s, i) => ({
    opportunity_id: id,
    occurred_at: `${days[i]} 10:00:00`,
    from_stage: i === 0 ? null : S[stages[i - 1]! - 1],
    to_stage: S[s - 1],
    method: '电话',
  }));
}

const OPPORTUNITIES = [
  { opportunity_id: 'A', owner: '王磊', stage: '已成交', status: 'won', created_at: '2024-03-01', closed_at: '2024-04-10', amount: 100000 },
  { opportunity_id: 'B', owner: '王磊', stage: '需求挖掘', status: 'lost', created_at: '2024-03-02', closed_at: '2024-03-20', lost_reason: '价格过高' },
  { opportunity_id: 'C', owner: '王磊', stage: '方案提案', status: 'open', created_at: '2024-03-03', stage_entered_at: '2024-03-10', expected_amount: 200000 },
  { opportunity_id: 'D', owner: '李娜', stage: '潜在接触', status: 'invalid', created_at: '2024-03-04', closed_at: '2024-03-05' },
  { opportunity_id: 'E', owner: '李娜', stage: '需求挖掘', status: 'open', created_at: '2024-03-05', expected_amount: 50000 },
  { opportunity_id: 'F', owner: '李娜', stage: '商务谈判', status: 'open', created_at: '2024-03-06', stage_entered_at: '2024-06-01', expected_amount: 300000 },
  { opportunity_id: 'G', owner: '李娜', stage: '已成交', status: 'won', created_at: '2024-03-07', closed_at: '2024-05-06', amount: 200000 },
  { opportunity_id: 'H', owner: '李娜', stage: '商务谈判', status: 'lost', created_at: '2024-03-08', closed_at: '2024-05-01', lost_reason: '选择竞品' },
  { opportunity_id: 'I', owner: '张伟', stage: '潜在接触', status: 'lost', created_at: '2024-02-20', closed_at: '2024-03-15' },
];
const EVENTS = [
  ...path('A', [1, 2, 3, 4, 5, 6], ['2024-03-01', '2024-03-08', '2024-03-15', '2024-03-25', '2024-04-02', '2024-04-10']),
  ...path('B', [1, 2], ['2024-03-02', '2024-03-10']),
  ...path('C', [1, 3], ['2024-03-03', '2024-03-10']),
  ...path('D', [1], ['2024-03-04']),
  ...path('E', [1, 2, 3, 2], ['2024-03-05', '2024-04-01', '2024-05-01', '2024-06-25']),
  ...path('H', [1, 2, 3, 4], ['2024-03-08', '2024-03-20', '2024-04-02', '2024-04-20']),
  ...path('I', [1], ['2024-02-20']),
];

const PARAMS: ResolvedParams = { from: '2024-03-01', to: '2024-06-30', as_of: '2024-06-30', filters: {}, by: null };

describe('funnel on the hand-worked fixture', () => {
  let w: FixtureWarehouse;
  beforeAll(async () => {
    w = await createFixtureWarehouse({ opportunities: OPPORTUNITIES, stage_events: EVENTS });
  });
  afterAll(() => w.close());

  it('counts reached / advanced / lost / still open per stage (skipped stages count as reached)', async () => {
    const r = await computeFunnel({ connection: w.connection, params: PARAMS, config: defaultConfig() });
    // cohort: A–H (I was created in February); F and G have no stage history
    expect(r.cohort).toMatchObject({ opportunities: 8, with_stage_history: 6, snapshot_only: 2, unknown_stage: 0 });
    expect(r.data_basis).toBe('mixed');
    const rows = r.stages.map((s) => [s.stage, s.reached, s.advanced, s.lost, s.still_open, s.won]);
    expect(rows).toEqual([
      // furthest ≥ 1: all 8; advanced (furthest > 1): all but D; D invalid at 1
      ['潜在接触', 8, 7, 1, 0, 0],
      // furthest ≥ 2: A B C E F G H (C skipped 2 but counts); advanced: all but B; B lost at 2
      ['需求挖掘', 7, 6, 1, 0, 0],
      // furthest ≥ 3: A C E F G H; advanced: A F G H; C and E still open (E moved back to 2, still reached 3)
      ['方案提案', 6, 4, 0, 2, 0],
      // furthest ≥ 4: A F G H; advanced A G; H lost at 4; F open at 4
      ['商务谈判', 4, 2, 1, 1, 0],
      ['成交待签约', 2, 2, 0, 0, 0],
      ['已成交', 2, 0, 0, 0, 2],
    ]);
    const [s1, s2, s3, s4, s5, s6] = r.stages;
    expect(s1!.conversion).toBeCloseTo(7 / 8); // advanced 7 ÷ exited (7 + 1)
    expect(s1!.loss_rate).toBeCloseTo(1 / 8);
    expect(s2!.conversion).toBeCloseTo(6 / 7);
    expect(s3!.conversion).toBe(1); // 4 ÷ 4: the two still open are censored, not failures
    expect(s4!.conversion).toBeCloseTo(2 / 3); // 2 ÷ (2 + 1)
    expect(s5!.conversion).toBe(1);
    expect(s6!.conversion).toBeNull();
    expect(r.stages.map((s) => s.cumulative_conversion)).toEqual([1, 7 / 8, 6 / 8, 4 / 8, 2 / 8, 2 / 8]);
  });

  it('with the skipped-stage rule off, C does not reach 需求挖掘; snapshot rows are still inferred', async () => {
    const config = { ...defaultConfig(), skipped_stages_count_as_reached: false };
    const r = await computeFunnel({ connection: w.connection, params: PARAMS, config });
    // 需求挖掘 reached by A B E (visited) + F G (snapshot, inferred) + H = 6; advanced A E F G H = 5; lost B
    expect(r.stages[1]).toMatchObject({ reached: 6, advanced: 5, lost: 1, still_open: 0 });
    expect(r.stages[1]!.conversion).toBeCloseTo(5 / 6);
  });

  it('win rate, cycle and velocity come from deals closed in the period', async () => {
    const r = await computeFunnel({ connection: w.connection, params: PARAMS, config: defaultConfig() });
    // closed in period: A won, B lost, G won, H lost, I lost (created in Feb, closed 03-15); D invalid is not a loss
    // cycle: A 03-01 → 04-10 = 31 + 9 = 40 days; G 03-07 → 05-06 = 31 + 30 − 1 = 60 days
    // velocity = open (C E F = 3) × 0.4 × 150,000 ÷ 50 = 3,600 元 per day
    const { velocity_per_day, ...rest } = r.outcomes;
    expect(rest).toEqual({
      closed: 5, won: 2, lost: 3, win_rate: 0.4, won_amount: 300000, avg_won_amount: 150000,
      cycle_days_mean: 50, cycle_days_median: 50, cycle_sample: 2, open_opportunities: 3,
    });
    expect(velocity_per_day).toBeCloseTo(3600, 9);
  });

  it('lists stagnating deals by dwell, entry dates taken from history when the export has none', async () => {
    const r = await computeFunnel({ connection: w.connection, params: PARAMS, config: defaultConfig() });
    // C in 方案提案 since 03-10: 21 + 30 + 31 + 30 = 112 days; F in 商务谈判 since 06-01: 29 days;
    // E back in 需求挖掘 since 06-25 (from its last stage change): 5 days, under 15. Owners from
    // the fixture: the list looks them up (the materialized base does not keep names)
    expect(r.stagnation.opportunities.map((o) => [o.opportunity_id, o.owner, o.stage, o.stage_entered_at, o.dwell_days])).toEqual([
      ['C', '王磊', '方案提案', '2024-03-10', 112],
      ['F', '李娜', '商务谈判', '2024-06-01', 29],
    ]);
    expect(r.stagnation.count).toBe(2);
    const drill = await funnelFamily.drill!({ connection: w.connection, params: PARAMS, config: defaultConfig() }, { target: 'stagnating', keys: { stage: '商务谈判' }, limit: 10 });
    expect(drill.rows.map((x) => (x as { opportunity_id: string }).opportunity_id)).toEqual(['F']);
  });

  it('weights the open pipeline by P(win | stage) from the historical conversions', async () => {
    const r = await computeFunnel({ connection: w.connection, params: PARAMS, config: defaultConfig() });
    // P(需求挖掘) = 6/7 × 1 × 2/3 × 1 = 4/7; P(方案提案) = 1 × 2/3 × 1 = 2/3; P(商务谈判) = 2/3 × 1 = 2/3
    // E 50,000 × 4/7 + C 200,000 × 2/3 + F 300,000 × 2/3 = 28,571.43 + 133,333.33 + 200,000
    expect(r.weighted_pipeline.by_stage.map((s) => [s.stage, s.open, s.expected_amount])).toEqual([
      ['需求挖掘', 1, 50000], ['方案提案', 1, 200000], ['商务谈判', 1, 300000],
    ]);
    expect(r.weighted_pipeline.amount).toBeCloseTo(50000 * (4 / 7) + 200000 * (2 / 3) + 300000 * (2 / 3), 6);
  });

  it('uses a configured probability when the config gives one', async () => {
    const config = { ...defaultConfig(), stages: { default: { 商务谈判: { probability: 0.5 } } } };
    const r = await computeFunnel({ connection: w.connection, params: PARAMS, config });
    const negotiation = r.weighted_pipeline.by_stage.find((s) => s.stage === '商务谈判')!;
    expect(negotiation).toMatchObject({ probability: 0.5, probability_source: 'configured', weighted_amount: 150000 });
  });

  it('lost reasons by the stage they were lost at (cohort only)', async () => {
    const r = await computeFunnel({ connection: w.connection, params: PARAMS, config: defaultConfig() });
    expect(r.lost_reasons).toEqual([
      { lost_at_stage: '商务谈判', reason: '选择竞品', opportunities: 1, invalid: 0 },
      { lost_at_stage: '潜在接触', reason: '(none recorded)', opportunities: 1, invalid: 1 },
      { lost_at_stage: '需求挖掘', reason: '价格过高', opportunities: 1, invalid: 0 },
    ]);
  });

  it('compares reps stage by stage with --by owner', async () => {
    const r = await computeFunnel({ connection: w.connection, params: { ...PARAMS, by: 'owner' }, config: defaultConfig() });
    const byKey = new Map(r.groups!.rows.map((g) => [g.key, g]));
    // 王磊: A B C — s1 3 of 3 advance; s2: A C advance, B lost → 2/3; closed in period: A won, B lost
    expect(byKey.get('王磊')!.stages.slice(0, 2).map((s) => s.conversion)).toEqual([1, 2 / 3]);
    expect(byKey.get('王磊')!.outcomes.win_rate).toBe(0.5);
    // 李娜: D E F G H — s1: 4 advance, D invalid → 4/5; s2: E F G H all advance → 1
    expect(byKey.get('李娜')!.stages.slice(0, 2).map((s) => s.conversion)).toEqual([4 / 5, 1]);
    // 张伟: only I, outside the cohort, lost in the period → no stage figures, win rate 0
    expect(byKey.get('张伟')!.stages[0]!.reached).toBe(0);
    expect(byKey.get('张伟')!.outcomes.win_rate).toBe(0);
  });

  it('filters narrow everything to the matching opportunities', async () => {
    const r = await computeFunnel({ connection: w.connection, params: { ...PARAMS, filters: { owner: ['王磊'] } }, config: defaultConfig() });
    expect(r.cohort.opportunities).toBe(3);
    expect(r.outcomes.open_opportunities).toBe(1); // C
    // filtered, the materialized base keeps the names itself (unfiltered they are looked up: above)
    expect(r.stagnation.opportunities.map((o) => [o.opportunity_id, o.owner, o.dwell_days])).toEqual([['C', '王磊', 112]]);
  });

  it('headline: only the totals asked for, without stage history, each equal to the whole family\'s', async () => {
    const ctx = (params: ResolvedParams) => ({ connection: w.connection, params, config: defaultConfig() });
    // worked above: A–H in the cohort; closed in the period A, G won and B, H, I lost: 2 ÷ 5;
    // won 100,000 + 200,000; cycles 40 and 60 days; open now C, E, F
    const all = await computeFunnelHeadline(ctx(PARAMS), ['opportunities', 'win_rate', 'won_amount', 'cycle_days_mean', 'open_opportunities']);
    expect(all.totals).toEqual({ opportunities: 8, win_rate: 0.4, won_amount: 300000, cycle_days_mean: 50, open_opportunities: 3 });
    const fields = funnelFamily.headlineFields!;
    for (const params of [PARAMS, { ...PARAMS, filters: { owner: ['李娜'] } }, { ...PARAMS, from: '2024-02-01', to: '2024-04-30', as_of: '2024-04-30' }]) {
      const whole = await computeFunnel(ctx(params));
      const expected = { opportunities: whole.cohort.opportunities, ...whole.outcomes };
      for (const field of fields) {
        const one = await computeFunnelHeadline(ctx(params), [field]);
        expect(one.totals, `${field} for ${JSON.stringify(params)}`).toEqual({ [field]: expected[field as keyof typeof expected] });
      }
    }
    await expect(computeFunnelHeadline(ctx(PARAMS), ['win_rat'])).rejects.toThrow(/no total win_rat/);
  });
});

/** Every row a streamed download writes: the chunks of streamDrill, joined. */
async function streamedRows(w: FixtureWarehouse, params: ResolvedParams, target: string, keys: Record<string, string>, pageRows: number): Promise<unknown[][]> {
  const ctx = { connection: w.connection, params, config: defaultConfig() };
  const table = await streamDrill(w.connection, await funnelFamily.drillQuery!(ctx, { target, keys, limit: 1000 }), { pageRows });
  const rows: unknown[][] = [];
  for await (const chunk of table.chunks) rows.push(...chunk);
  return rows;
}

describe('funnel drill-down downloads in pages of opportunities', () => {
  it('give the same rows in the same order as the whole statement, for every target and stage', async () => {
    const w = await createFixtureWarehouse({ opportunities: OPPORTUNITIES, stage_events: EVENTS });
    try {
      // 8 candidates (A–H; I is outside the period) in pages of 2 keys: 4 statements
      for (const target of ['reached', 'advanced', 'lost', 'still_open', 'won', 'open']) {
        for (const stage of S) {
          const whole = await streamedRows(w, PARAMS, target, { stage }, 1000);
          const paged = await streamedRows(w, PARAMS, target, { stage }, 2);
          expect(paged, `${target} at ${stage}`).toEqual(whole);
        }
      }
      // the reference itself is not empty: A–H reached 潜在接触 (see the fixture table)
      expect((await streamedRows(w, PARAMS, 'reached', { stage: S[0]! }, 2)).map((r) => r[0])).toEqual(['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H']);
    } finally {
      w.close();
    }
  });

  it('place an undated opportunity by the earliest date of all pages, not of its own page', async () => {
    // K, L, M dated, N undated; all snapshot rows at the first stage
    const w = await createFixtureWarehouse({
      opportunities: [
        { opportunity_id: 'K', owner: '王磊', stage: S[0], created_at: '2024-02-01' },
        { opportunity_id: 'L', owner: '王磊', stage: S[0], created_at: '2024-03-05' },
        { opportunity_id: 'M', owner: '李娜', stage: S[0], created_at: '2024-04-01' },
        { opportunity_id: 'N', owner: '李娜', stage: S[0], created_at: null },
      ],
    });
    try {
      const ids = async (params: ResolvedParams) => (await streamedRows(w, params, 'reached', { stage: S[0]! }, 1)).map((r) => r[0]);
      // from 03-01: the earliest is K's 02-01, so N could be older than the period: left out.
      // (Its own page, N alone or M and N, has no date before 03-01.)
      expect(await ids(PARAMS)).toEqual(['L', 'M']);
      // from 02-01 (at or before the earliest): N counts
      expect(await ids({ ...PARAMS, from: '2024-02-01' })).toEqual(['K', 'L', 'M', 'N']);
      // 李娜's earliest is M's 04-01, after 03-01: N counts for her
      expect(await ids({ ...PARAMS, filters: { owner: ['李娜'] } })).toEqual(['M', 'N']);
    } finally {
      w.close();
    }
  });
});

describe('funnel SQL', () => {
  it('marks each opportunity by its furthest stage and counts per stage in one pass', () => {
    const two = [
      { position: 1, stage: '潜在接触', is_won: false },
      { position: 2, stage: '已成交', is_won: true },
    ] as StageList['stages'];
    const sql = stageCountsSql({ params: PARAMS, stages: { stage_set: 'default', stages: two }, skippedStagesCountAsReached: false }, null);
    // positions from a CASE over the stage list (no join), visited stages as a bitmask
    const pos = (col: string) => `(CASE ${col} WHEN '潜在接触' THEN 1 WHEN '已成交' THEN 2 END)`;
    expect(sql).toContain(`max(greatest(${pos('e.to_stage')}, ${pos('e.from_stage')})) AS hist_max`);
    expect(sql).toContain(`bit_or(coalesce(1::BIGINT << ${pos('e.to_stage')}, 0) | coalesce(1::BIGINT << ${pos('e.from_stage')}, 0)) AS visited`);
    expect(sql).toContain(`greatest(coalesce(ev.hist_max, 0), coalesce(${pos('o.stage')}, 0), CASE WHEN o.status = 'won' THEN 2 ELSE 0 END) AS max_pos`);
    expect(sql).toContain(`(CASE WHEN c.has_history THEN ((c.visited >> st.position) & 1) = 1 OR c.max_pos = st.position ELSE c.max_pos >= st.position END) AS reached`);
    expect(sql).toContain(`count(*) FILTER (reached AND max_pos > position)::BIGINT AS advanced`);
    expect(sql).toContain(`(created_at >= DATE '2024-03-01' AND created_at < DATE '2024-06-30' + INTERVAL 1 DAY)`);
  });
});

describe('funnel invariants (random histories)', () => {
  const oppArb = fc.record({
    stages: fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 0, maxLength: 6 }),
    status: fc.constantFrom('open', 'won', 'lost', 'invalid'),
    current: fc.integer({ min: 1, max: 5 }),
  });
  it('reached never increases down the funnel, and advanced + lost + still open + won = reached', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(oppArb, { minLength: 1, maxLength: 12 }), async (opps) => {
        const opportunities = opps.map((o, i) => ({
          opportunity_id: `O${i}`,
          status: o.status,
          stage: o.status === 'won' ? '已成交' : S[o.current - 1],
          created_at: '2024-03-05',
          closed_at: o.status === 'open' ? null : '2024-04-01',
        }));
        const events = opps.flatMap((o, i) => o.stages.map((s, k) => ({ opportunity_id: `O${i}`, occurred_at: `2024-03-${String(6 + k).padStart(2, '0')}`, to_stage: S[s - 1] })));
        const w = await createFixtureWarehouse({ opportunities, stage_events: events }, [DEFAULT_STAGE_SET]);
        try {
          const r = await computeFunnel({ connection: w.connection, params: PARAMS, config: defaultConfig() });
          for (let i = 1; i < r.stages.length; i++) expect(r.stages[i]!.reached).toBeLessThanOrEqual(r.stages[i - 1]!.reached);
          for (const s of r.stages) expect(s.advanced + s.lost + s.still_open + s.won).toBe(s.reached);
          expect(r.stages[0]!.reached).toBe(opps.length);
        } finally {
          w.close();
        }
      }),
      { numRuns: 40, seed: 20240630 },
    );
  });
});
