/**
 * The bench's floors (pipelines/bench/scale/floors.ts) are hand-written queries the families are
 * measured against. Where a floor claims to compute the same figures as its family, this holds
 * it to that: two independent SQL implementations, on the bench generator's own data (3,000
 * opportunities, seeded), must agree figure for figure. A floor that computed less would make
 * the bench's ratio flatter than the truth; one that computed something else, meaningless.
 */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { floorSql } from '../pipelines/bench/scale/floors.ts';
import { writeExports } from '../pipelines/bench/scale/generate.ts';
import { createInstance } from '../src/lib/warehouse/duckdb.server.ts';
import type { ChannelsResult } from '../src/lib/metrics/channels/channels.ts';
import type { CohortsResult } from '../src/lib/metrics/cohorts/cohorts.ts';
import { monthLabel } from '../src/lib/metrics/cohorts/cohorts-queries.ts';
import type { CustomerValueResult } from '../src/lib/metrics/customer-value/customer-value.ts';
import type { FunnelResult } from '../src/lib/metrics/funnel/funnel.ts';
import type { PerformanceResult } from '../src/lib/metrics/performance/performance.ts';
import type { TargetsResult } from '../src/lib/metrics/targets/targets.ts';
import type { WorkReportsResult } from '../src/lib/metrics/work-reports/work-reports.ts';
import type { CustomerTimelineResult } from '../src/lib/metrics/customer-timeline/customer-timeline.ts';
import { query, runCli, tempDir } from './helpers.ts';

const dir = tempDir();
const db = path.join(dir, 'warehouse.duckdb');
// as the bench runs them: the default period and as-of (the data's whole range)
const metrics = <T>(family: string, extra: string[] = []): T => {
  const r = runCli(['metrics', family, '--db', db, '--json', ...extra]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as T;
};

beforeAll(async () => {
  const instance = await createInstance(':memory:');
  const connection = await instance.connect();
  const files = await writeExports(connection, path.join(dir, 'exports'), 3000);
  connection.closeSync();
  instance.closeSync();
  const ingest = runCli(['ingest', ...Object.values(files), '--db', db]);
  expect(ingest.code, ingest.stderr).toBe(0);
}, 120_000);

describe('bench floors compute their families’ figures', () => {
  it('funnel: reached, advanced, lost and still open per stage', async () => {
    const floor = await query<{ stage: string; reached: number; advanced: number; lost: number; still_open: number }>(db, floorSql('funnel')!);
    const funnel = metrics<FunnelResult>('funnel');
    expect(funnel.cohort.opportunities).toBe(3000); // every opportunity: the default period is all the data
    expect(floor).toEqual(funnel.stages.map((s) => ({ stage: s.stage, reached: s.reached, advanced: s.advanced, lost: s.lost, still_open: s.still_open })));
  });

  it('channels: per source, leads, wins, win rate, won amount, cycle and each stage reached and its conversion', async () => {
    type FloorRow = { source: string; stage: string; reached: number; advanced: number; lost: number; leads: number; won: number; win_rate: number | null; won_amount: number; cycle_days: number | null };
    const floor = await query<FloorRow>(db, floorSql('channels')!);
    const channels = metrics<ChannelsResult>('channels').channels;
    expect(channels.length).toBeGreaterThan(3);
    const sources = [...new Set(floor.map((r) => r.source))];
    expect(sources.sort()).toEqual(channels.map((c) => c.source).sort());
    for (const c of channels) {
      const rows = floor.filter((r) => r.source === c.source);
      expect(rows[0]).toMatchObject({ leads: c.leads, won: c.won, won_amount: c.won_amount });
      expect(rows[0]!.win_rate).toBeCloseTo(c.win_rate!, 12);
      expect(rows[0]!.cycle_days).toBeCloseTo(c.cycle_days_mean!, 12);
      // conversion at a stage: of those who left it, the share who moved on (spec: funnel)
      expect(rows.map((r) => ({ stage: r.stage, reached: r.reached, conversion: r.advanced + r.lost ? r.advanced / (r.advanced + r.lost) : null }))).toEqual(
        c.stages.map((s) => ({ stage: s.stage, reached: s.reached, conversion: s.conversion === null ? null : expect.closeTo(s.conversion, 12) })),
      );
    }
  });

  it('cohorts: every customer cohort cell (size, active, revenue) and every lead cohort (size, invalid, won by age)', async () => {
    type FloorRow = { kind: 'customers' | 'leads'; cohort: number; age: number | null; size: number | null; active: number | null; revenue: number | null; leads: number | null; invalid: number | null; won_without_close_date: number | null };
    const family = metrics<CohortsResult>('cohorts');
    // narrowed to one rep as a page's floor is: the rep with the most order lines
    const [busiest] = await query<{ owner: string }>(db, 'SELECT owner FROM orders GROUP BY owner ORDER BY count(*) DESC, owner LIMIT 1');
    for (const owner of [undefined, busiest!.owner]) {
      const r = owner ? metrics<CohortsResult>('cohorts', ['--filter', `owner=${owner}`]) : family;
      const floor = await query<FloorRow>(db, floorSql('cohorts', { asOf: family.params.as_of, owner })!);
      // customers: every cell the floor has (a month with a line) is the family's, and the family's
      // other months are empty (no active customer, no revenue)
      const cells = floor.filter((f) => f.kind === 'customers');
      const months = r.customers.cohorts.flatMap((c) => c.months.map((m) => ({ cohort: c.cohort, size: c.size, ...m })));
      const byKey = new Map(months.map((m) => [`${m.cohort}|${m.age}`, m]));
      for (const f of cells) {
        const m = byKey.get(`${monthLabel(f.cohort)}|${f.age}`)!;
        expect({ size: m.size, active: m.active }).toEqual({ size: f.size, active: f.active });
        expect(m.revenue).toBeCloseTo(f.revenue!, 6);
      }
      const keys = new Set(cells.map((f) => `${monthLabel(f.cohort)}|${f.age}`));
      expect(months.filter((m) => !keys.has(`${m.cohort}|${m.age}`)).every((m) => m.active === 0 && m.revenue === 0)).toBe(true);
      expect(cells.length).toBeGreaterThan(owner ? 2 : 100); // 3,000 opportunities: 187 cells with a line
      // leads: per cohort, the family's size, invalid, undated wins and cumulative wins by age
      const leads = floor.filter((f) => f.kind === 'leads');
      expect(r.leads.cohorts.filter((c) => c.size > 0).length).toBe(new Set(leads.map((f) => f.cohort)).size);
      for (const c of r.leads.cohorts.filter((c) => c.size > 0)) {
        const rows = leads.filter((f) => monthLabel(f.cohort) === c.cohort);
        const sum = (k: 'leads' | 'invalid' | 'won_without_close_date') => rows.reduce((a, f) => a + f[k]!, 0);
        expect({ size: c.size, invalid: c.invalid, won_without_close_date: c.won_without_close_date }).toEqual({ size: sum('leads'), invalid: sum('invalid'), won_without_close_date: sum('won_without_close_date') });
        for (const a of c.ages) expect(a.won).toBe(rows.filter((f) => f.age !== null && f.age <= a.age).reduce((x, f) => x + f.leads!, 0));
      }
    }
  });

  it('targets: each rep revenue target with its actual and progress', async () => {
    const floor = await query<{ rep: string; period_start: string; target_value: number; actual: number; progress: number }>(db, floorSql('targets')!);
    const family = metrics<TargetsResult>('targets').targets.filter((t) => t.dimension === 'rep' && t.metric === 'revenue');
    expect(floor.length).toBe(400 * 36); // the generator: every rep, every month of 2023–2025
    expect(floor.filter((r) => r.actual !== 0).length).toBeGreaterThan(100);
    const byKey = new Map(family.map((t) => [`${t.dimension_value}|${t.period_start}`, t]));
    expect(byKey.size).toBe(floor.length);
    for (const r of floor) {
      const t = byKey.get(`${r.rep}|${r.period_start}`)!;
      expect({ target: t.target, actual: t.actual }).toEqual({ target: r.target_value, actual: r.actual });
      expect(t.progress).toBeCloseTo(r.progress, 12);
    }
  });

  it('customer-value: every scored customer with R, F, M, percentile, quintile scores and ABC class', async () => {
    const family = metrics<CustomerValueResult>('customer-value');
    const floor = await query<Record<string, unknown>>(db, floorSql('customer-value', { asOf: family.as_of })!);
    expect(family.abc_basis).toBe('revenue'); // the generated orders carry no profit
    expect(family.customers.length).toBe(family.population.scored_customers);
    expect(floor.length).toBe(family.customers.length);
    expect(new Set(floor.map((c) => c.abc_class))).toEqual(new Set(['A', 'B', 'C']));
    const fields = ['customer_id', 'recency_days', 'orders_in_window', 'monetary', 'r_score', 'f_score', 'm_score', 'abc_class'] as const;
    const pick = (c: Record<string, unknown>) => Object.fromEntries(fields.map((f) => [f, c[f]]));
    const sorted = [...family.customers].sort((a, b) => (a.customer_id < b.customer_id ? -1 : 1));
    expect(floor.map(pick)).toEqual(sorted.map((c) => pick(c as unknown as Record<string, unknown>)));
    floor.forEach((c, i) => expect(c.monetary_percentile).toBeCloseTo(sorted[i]!.monetary_percentile, 12));
  });

  it('performance: per rep, revenue, orders, deals closed and won, win rate, follow-ups and follow-up timeliness', async () => {
    const family = metrics<PerformanceResult>('performance');
    const floor = await query<Record<string, number | string | null>>(db, floorSql('performance', { asOf: family.params.as_of })!);
    expect(floor.length).toBe(400); // every rep of the generator
    expect(family.leaderboard.length).toBe(floor.length);
    const byRep = new Map(family.leaderboard.map((r) => [r.key, r]));
    const exact = ['revenue', 'orders', 'closed_deals', 'won_deals', 'followups'] as const;
    for (const f of floor) {
      const r = byRep.get(f.rep as string)!;
      expect(Object.fromEntries(exact.map((k) => [k, f[k]]))).toEqual(Object.fromEntries(exact.map((k) => [k, r[k]])));
      for (const k of ['win_rate', 'followup_timeliness'] as const) {
        if (r[k] === null) expect(f[k]).toBeNull();
        else expect(f[k]).toBeCloseTo(r[k]!, 12);
      }
    }
    expect(floor.filter((f) => f.followup_timeliness !== null).length).toBeGreaterThan(300);
    // narrowed to one rep (a page's floor), the same row
    for (const rep of ['R0001', 'R0150']) {
      expect(await query(db, floorSql('performance', { asOf: family.params.as_of, owner: rep })!)).toEqual(floor.filter((f) => f.rep === rep));
    }
  });

  it('work-reports: every rep, week and month with each count, touches by method and losses by reason', async () => {
    type Entry = { key: string; value: number };
    type FloorRow = Record<string, number | string> & { granularity: string; rep: string; period_start: string; touches_by_method: Entry[]; lost_reasons: Entry[] };
    const counts = ['touches', 'opportunities_touched', 'new_leads', 'stage_advances', 'stage_setbacks', 'wins', 'losses', 'invalid_leads', 'planned_next', 'overdue_followups'] as const;
    // The generator's records are all by the deal's owner, so which record a fact is credited to
    // (first, closing, the plan's) cannot show here; work-reports.spec.ts tests those rules.
    // One rep over all the data (as a page's floor), then every rep over the last 13 weeks or so:
    // every rep over all of it is 81,600 rows, more JSON than the test reads from a command
    const one = metrics<WorkReportsResult>('work-reports', ['--filter', 'owner=R0007']);
    const from = new Date(Date.parse(one.params.as_of) - 90 * 86_400_000).toISOString().slice(0, 10);
    for (const [owner, family] of [
      ['R0007', one],
      [undefined, metrics<WorkReportsResult>('work-reports', ['--from', from])],
    ] as const) {
      const floor = await query<FloorRow>(db, floorSql('work-reports', { asOf: family.params.as_of, from: family.params.from, owner })!);
      const rows = [...family.weekly.map((r) => ({ granularity: 'week', ...r })), ...family.monthly.map((r) => ({ granularity: 'month', ...r }))];
      expect(floor.length).toBe(rows.length);
      const byKey = new Map(rows.map((r) => [`${r.granularity}|${r.rep}|${r.period_start}`, r]));
      for (const f of floor) {
        const r = byKey.get(`${f.granularity}|${f.rep}|${f.period_start}`)!;
        expect(r, `${f.granularity} ${f.rep} ${f.period_start}`).toBeDefined();
        expect(Object.fromEntries(counts.map((k) => [k, f[k]]))).toEqual(Object.fromEntries(counts.map((k) => [k, r[k]])));
        expect(r.won_amount).toBeCloseTo(f.won_amount as number, 6);
        const asMap = (list: Entry[]) => Object.fromEntries(list.map((e) => [e.key, e.value]));
        expect(asMap(f.touches_by_method)).toEqual(Object.fromEntries(r.touches_by_method.map((m) => [m.method, m.touches])));
        expect(asMap(f.lost_reasons)).toEqual(Object.fromEntries(r.lost_reasons.map((m) => [m.reason, m.losses])));
      }
      // every rep's rows give every figure something to count, but setbacks and invalid leads:
      // the generator only moves deals forwards and marks none invalid (work-reports.spec.ts
      // counts both)
      if (!owner) for (const k of counts.filter((c) => c !== 'stage_setbacks' && c !== 'invalid_leads')) expect(floor.some((f) => (f[k] as number) > 0), k).toBe(true);
    }
  });

  it('customer-timeline: the handover list, every customer shown with its figures, and the totals', async () => {
    const fields = [
      'customer_key', 'customer_id', 'customer_name', 'account_owner', 'current_owner', 'current_owner_basis', 'owner_left', 'needs_handover',
      'open_opportunities', 'open_opportunity_ids', 'departed_reps', 'opportunities', 'won_opportunities', 'orders', 'last_order_at',
      'first_activity_at', 'last_activity_at', 'last_activity_kind', 'last_activity_rep', 'days_since_last_activity', 'interactions',
      'interactions_in_period', 'reps_involved',
    ] as const;
    const amounts = ['open_amount', 'won_amount', 'order_amount'] as const;
    const family = metrics<CustomerTimelineResult>('customer-timeline');
    for (const owner of [undefined, 'R0007']) {
      const r = owner ? metrics<CustomerTimelineResult>('customer-timeline', ['--filter', `owner=${owner}`]) : family;
      const floor = await query<Record<string, unknown>>(db, floorSql('customer-timeline', { asOf: family.params.as_of, from: family.params.from, owner })!);
      expect(r.handover_list_truncated).toBe(false);
      expect(floor.length).toBe(r.handover_list.length);
      expect(floor[0]).toMatchObject({ total_customers: r.customers, total_needs_handover: r.needs_handover, total_needs_handover_with_open_deals: r.needs_handover_with_open_deals });
      // the same customers in the same (handover) order, each with the same figures
      const pick = (c: Record<string, unknown>) => Object.fromEntries(fields.map((f) => [f, c[f]]));
      expect(floor.map(pick)).toEqual(r.handover_list.map((c) => pick(c as unknown as Record<string, unknown>)));
      floor.forEach((f, i) => {
        for (const a of amounts) expect(r.handover_list[i]![a]).toBeCloseTo(f[a] as number, 6);
      });
      if (!owner) {
        // the generated data gives the list departed reps, open deals, orders and several kinds of
        // last activity (not a snapshot's last activity: its opportunities export has none;
        // customer-timeline.spec.ts tests that entry)
        expect(r.needs_handover).toBeGreaterThan(0);
        expect(new Set(floor.map((f) => f.current_owner_basis)).size).toBeGreaterThan(1);
        expect(new Set(floor.map((f) => f.last_activity_kind)).size).toBeGreaterThan(2);
        expect(floor.some((f) => (f.orders as number) > 0)).toBe(true);
      }
    }
  });
});
