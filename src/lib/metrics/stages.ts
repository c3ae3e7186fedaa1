/**
 * The stage list a funnel uses: order and names from the warehouse's `stages` table (written by
 * ingest from the preset or mapping), thresholds and probabilities overridable in the config.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { SalesightConfig } from '../config/config.ts';
import { queryRows, sqlString } from '../warehouse/warehouse.server.ts';

export interface FunnelStage {
  position: number;
  stage: string;
  name_zh: string;
  name_en: string;
  is_won: boolean;
  /** null for the won stage */
  stagnation_days: number | null;
  /** configured P(win | in this stage), or null to derive it from history */
  probability: number | null;
}

export interface StageList {
  stage_set: string;
  stages: FunnelStage[];
}

export class NoStagesError extends Error {}

/** The stage set with the most opportunities, unless one is asked for. */
export async function loadStageList(connection: DuckDBConnection, config: SalesightConfig, stageSet?: string): Promise<StageList> {
  let id = stageSet;
  if (!id) {
    const [top] = await queryRows<{ stage_set: string }>(
      connection,
      `SELECT stage_set FROM opportunities GROUP BY stage_set ORDER BY count(*) DESC, stage_set LIMIT 1`,
    );
    id = top?.stage_set ?? 'default';
  }
  const rows = await queryRows<Omit<FunnelStage, 'probability'>>(
    connection,
    `SELECT position, stage, name_zh, name_en, is_won, stagnation_days FROM stages WHERE stage_set = ${sqlString(id)} ORDER BY position`,
  );
  if (rows.length === 0) {
    const [opps] = await queryRows<{ n: number }>(connection, `SELECT count(*) AS n FROM opportunities`);
    // No opportunities at all is an empty state, not an error: the funnel is simply empty.
    if (!opps?.n && !stageSet) return { stage_set: id, stages: [] };
    throw new NoStagesError(`The warehouse has no stage list "${id}". Ingest opportunities first (the preset records its stages).`);
  }
  const overrides = config.stages[id] ?? {};
  return {
    stage_set: id,
    stages: rows.map((r) => {
      const o = overrides[r.stage] ?? {};
      return {
        ...r,
        name_zh: o.name_zh ?? r.name_zh,
        name_en: o.name_en ?? r.name_en,
        stagnation_days: r.is_won ? null : (o.stagnation_days ?? r.stagnation_days ?? config.funnel.default_stagnation_days),
        probability: o.probability ?? null,
      };
    }),
  };
}
