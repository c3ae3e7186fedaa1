/**
 * Stage history from snapshots. Many CRM exports hold only each opportunity's current stage.
 * Loading a newer export of the same CRM then shows which opportunities moved; each move becomes
 * a stage event, so the funnel gains real history over time even from snapshot-only exports.
 *
 * How:
 * - Before a run touches opportunities, their stage/status is remembered.
 * - After all of the run's files are in, an opportunity whose stage or status differs gets one
 *   derived event from the old stage to the new one. This is skipped when the warehouse already
 *   has an event reaching the new stage or status after the old stage was entered (an export
 *   with history, in this run or before, said it first).
 * - When: the new `stage_entered_at` if the export moved it, else `closed_at` for a newly closed
 *   deal, else the time of the run (the export says the move happened by then).
 * - method `快照对比` and a summary saying it was derived, so a derived event is never taken for a
 *   rep's follow-up. The lineage is the snapshot row (file, line, run) that showed the move.
 * - Idempotent: the event_id is an md5 of the opportunity, the move and its time.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { queryValue } from '../../src/lib/warehouse/warehouse.server.ts';

import { SNAPSHOT_METHOD } from '../../src/lib/metrics/snapshot-events.ts';

export { SNAPSHOT_METHOD };
const BEFORE = 'snapshot_opportunities_before';

export async function rememberOpportunityStates(connection: DuckDBConnection): Promise<void> {
  await connection.run(`CREATE OR REPLACE TEMP TABLE ${BEFORE} AS SELECT opportunity_id, stage, status, stage_entered_at FROM opportunities`);
}

/** Inserts the derived events; returns how many. */
export async function deriveStageEventsFromSnapshots(connection: DuckDBConnection, runId: number, runStartedAt: Date): Promise<number> {
  const runTime = `TIMESTAMP '${runStartedAt.toISOString().slice(0, 19).replace('T', ' ')}'`;
  await connection.run(`
    CREATE OR REPLACE TEMP TABLE snapshot_moves AS
    SELECT n.opportunity_id, b.stage AS from_stage,
           CASE WHEN n.stage IS DISTINCT FROM b.stage THEN n.stage END AS to_stage,
           CASE WHEN n.status IS DISTINCT FROM b.status AND n.status <> 'open' THEN n.status END AS to_status,
           coalesce(CASE WHEN n.stage_entered_at IS DISTINCT FROM b.stage_entered_at THEN n.stage_entered_at END,
                    CASE WHEN n.status <> 'open' AND n.status IS DISTINCT FROM b.status THEN n.closed_at END,
                    ${runTime}) AS occurred_at,
           n.owner, n.source_file, n.source_line, b.stage_entered_at AS old_entered
    FROM opportunities n JOIN ${BEFORE} b USING (opportunity_id)
    WHERE n.run_id = ${runId} AND (n.stage IS DISTINCT FROM b.stage OR (n.status IS DISTINCT FROM b.status AND n.status <> 'open'))
  `);
  await connection.run(`
    DELETE FROM snapshot_moves m WHERE EXISTS (
      SELECT 1 FROM stage_events e
      WHERE e.opportunity_id = m.opportunity_id
        AND ((m.to_stage IS NOT NULL AND e.to_stage = m.to_stage) OR (m.to_status IS NOT NULL AND e.to_status = m.to_status))
        AND (m.old_entered IS NULL OR e.occurred_at >= m.old_entered))
  `);
  await connection.run(`
    INSERT INTO stage_events (event_id, opportunity_id, occurred_at, from_stage, to_stage, to_status, method, summary, owner, source_file, source_line, run_id)
    SELECT md5(concat_ws('|', 'snapshot', opportunity_id, from_stage, to_stage, to_status, occurred_at)), opportunity_id, occurred_at,
           from_stage, coalesce(to_stage, from_stage), to_status, '${SNAPSHOT_METHOD}',
           '由快照对比推断：' || coalesce(from_stage, '?') || ' → ' || coalesce(to_stage, from_stage, '?') || coalesce('（' || to_status || '）', ''),
           owner, source_file, source_line, ${runId}
    FROM snapshot_moves m
    WHERE NOT EXISTS (SELECT 1 FROM stage_events e WHERE e.event_id = md5(concat_ws('|', 'snapshot', m.opportunity_id, m.from_stage, m.to_stage, m.to_status, m.occurred_at)))
  `);
  const derived = await queryValue<number>(connection, `SELECT count(*)::INTEGER FROM stage_events WHERE run_id = ${runId} AND method = '${SNAPSHOT_METHOD}'`);
  await connection.run(`DROP TABLE snapshot_moves`);
  await connection.run(`DROP TABLE ${BEFORE}`);
  return derived;
}
