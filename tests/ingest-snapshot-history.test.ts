/**
 * Snapshot-only exports gain stage history: loading a newer export of the same CRM adds one
 * stage event per opportunity whose stage or status moved, and none when an export with history
 * already said so, or when nothing changed.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { query, runCli, tempDir, writeFiles } from './helpers.ts';

const HEADER = '商机编号,客户名称,负责人,阶段,状态,创建时间,进入阶段时间,结单时间,预计成交金额,成交金额';

describe('stage history from snapshot diffs', () => {
  it('derives the moves between two snapshots, once', () => {
    const files = writeFiles({
      // Monday's export: three deals
      'week1/商机.csv': [HEADER, 'OPP-1,甲公司,王磊,潜在接触,open,2026-09-01,2026-09-01,,100000,', 'OPP-2,乙公司,李娜,需求挖掘,open,2026-09-02,2026-09-10,,200000,', 'OPP-3,丙公司,王磊,方案提案,open,2026-09-03,2026-09-20,,300000,'].join('\n'),
      // a week later: OPP-1 moved one stage (entered 10-05), OPP-2 was won (closed 10-06), OPP-3 stayed
      'week2/商机.csv': [HEADER, 'OPP-1,甲公司,王磊,需求挖掘,open,2026-09-01,2026-10-05,,100000,', 'OPP-2,乙公司,李娜,已成交,won,2026-09-02,2026-10-06,2026-10-06,200000,180000', 'OPP-3,丙公司,王磊,方案提案,open,2026-09-03,2026-09-20,,300000,'].join('\n'),
    });
    const db = path.join(tempDir(), 'w.duckdb');
    expect(runCli(['ingest', path.join(files.dir, 'week1'), '--db', db]).code).toBe(0);
    const second = runCli(['ingest', path.join(files.dir, 'week2'), '--db', db, '--json']);
    expect(second.code, second.stderr).toBe(0);
    // two moves: OPP-1 潜在接触 → 需求挖掘, OPP-2 需求挖掘 → 已成交 (won)
    expect(JSON.parse(second.stdout).tables.stage_events).toEqual({ inserted: 2, updated: 0, unchanged: 0 });
    return query<Record<string, unknown>>(db, `SELECT opportunity_id, from_stage, to_stage, to_status, strftime(occurred_at, '%Y-%m-%d') AS day, method, owner, source_file FROM stage_events ORDER BY opportunity_id`).then(async (events) => {
      expect(events).toEqual([
        { opportunity_id: 'OPP-1', from_stage: '潜在接触', to_stage: '需求挖掘', to_status: null, day: '2026-10-05', method: '快照对比', owner: '王磊', source_file: expect.stringContaining('week2') },
        { opportunity_id: 'OPP-2', from_stage: '需求挖掘', to_stage: '已成交', to_status: 'won', day: '2026-10-06', method: '快照对比', owner: '李娜', source_file: expect.stringContaining('week2') },
      ]);
      // the same export again: nothing moved, nothing added
      const again = JSON.parse(runCli(['ingest', path.join(files.dir, 'week2'), '--db', db, '--json']).stdout);
      expect(again.tables.stage_events).toBeUndefined();
      expect(await query(db, 'SELECT count(*)::INTEGER AS n FROM stage_events')).toEqual([{ n: 2 }]);
      // derived moves are history for the funnel but nobody's follow-up
      const perf = JSON.parse(runCli(['metrics', 'performance', '--db', db, '--json']).stdout);
      expect(perf.totals.followups).toBe(0);
      const funnel = JSON.parse(runCli(['metrics', 'funnel', '--db', db, '--json']).stdout);
      // 需求挖掘 reached by OPP-1 and OPP-2 (and OPP-3 beyond it): 3 deals
      expect(funnel.stages.find((s: { stage: string }) => s.stage === '需求挖掘').reached).toBe(3);
    });
  });

  it('derives nothing when a follow-up export in the same run records the move', async () => {
    const files = writeFiles({
      'a/商机.csv': [HEADER, 'OPP-9,丁公司,赵强,潜在接触,open,2026-09-01,2026-09-01,,50000,'].join('\n'),
      'b/商机.csv': [HEADER, 'OPP-9,丁公司,赵强,需求挖掘,open,2026-09-01,2026-09-15,,50000,'].join('\n'),
      'b/跟进记录.csv': ['商机编号,跟进时间,跟进人,跟进方式,跟进内容摘要,原阶段,新阶段', 'OPP-9,2026-09-15 10:00,赵强,电话,确认需求,潜在接触,需求挖掘'].join('\n'),
    });
    const db = path.join(tempDir(), 'w.duckdb');
    expect(runCli(['ingest', path.join(files.dir, 'a'), '--db', db]).code).toBe(0);
    const r = runCli(['ingest', path.join(files.dir, 'b'), '--db', db]);
    expect(r.code, r.stderr).toBe(0);
    expect(await query(db, `SELECT method, count(*)::INTEGER AS n FROM stage_events GROUP BY 1`)).toEqual([{ method: '电话', n: 1 }]);
  });
});
