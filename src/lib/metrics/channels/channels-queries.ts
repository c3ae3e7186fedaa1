/** SQL for channel quality: the per-source funnel is the funnel's; this adds the monthly trend. */
import { sqlString } from '../../warehouse/warehouse.server.ts';
import { inPeriodSql, opportunityFilterSql, type ResolvedParams } from '../params.ts';

export interface MonthlyWinRateRow {
  source: string | null;
  /** 'YYYY-MM' of closed_at */
  month: string;
  closed: number;
  won: number;
  win_rate: number | null;
}

/** Won ÷ (won + lost) per source and month closed, for deals closed in the period. */
export function monthlyWinRateSql(params: ResolvedParams, stageSet: string): string {
  return `SELECT source, strftime(closed_at, '%Y-%m') AS month,
         count(*)::BIGINT AS closed, count(*) FILTER (status = 'won')::BIGINT AS won,
         count(*) FILTER (status = 'won') / count(*) AS win_rate
  FROM opportunities o
  WHERE o.stage_set = ${sqlString(stageSet)} AND o.status IN ('won', 'lost')
    AND ${inPeriodSql('o.closed_at', params)} AND ${opportunityFilterSql(params.filters)}
  GROUP BY ALL ORDER BY source NULLS FIRST, month`;
}
