/**
 * The `refresh` job: records, for the data's as-of date, the open pipeline per stage (funnel
 * family: weighted pipeline and stagnation) and every scored customer's tier, segment and ABC
 * class (customer-value family), into pipeline_snapshots and segment_history. Written like an
 * ingest (a copy, one transaction, an atomic swap), so readers never see half a snapshot;
 * refreshing the same date again replaces that date's rows.
 */
import type { SalesightConfig } from '../../src/lib/config/config.ts';
import type { FunnelResult } from '../../src/lib/metrics/funnel/funnel.ts';
import type { CustomerValueResult } from '../../src/lib/metrics/customer-value/customer-value.ts';
import { NoStagesError } from '../../src/lib/metrics/stages.ts';
import { sqlString } from '../../src/lib/warehouse/warehouse.server.ts';
import { withWarehouseWrite } from '../warehouse/write-transaction.ts';

export interface RefreshResult {
  snapshot_date: string;
  stages: number;
  customers: number;
}

const num = (v: number | null | undefined) => (v === null || v === undefined || !Number.isFinite(v) ? 'NULL' : String(v));
const text = (v: string | null | undefined) => (v === null || v === undefined ? 'NULL' : sqlString(v));

export async function refreshSnapshots(dbPath: string, config: SalesightConfig): Promise<RefreshResult> {
  const { resolveParams } = await import('../../src/lib/metrics/params.ts');
  const { computeFunnel } = await import('../../src/lib/metrics/funnel/funnel.ts');
  const { computeCustomerValue } = await import('../../src/lib/metrics/customer-value/customer-value.ts');
  return withWarehouseWrite(dbPath, async (connection) => {
    const params = await resolveParams(connection, {});
    const ctx = { connection, params, config };
    const date = `DATE ${sqlString(params.as_of)}`;
    let funnel: FunnelResult | null = null;
    try {
      funnel = await computeFunnel(ctx);
    } catch (err) {
      if (!(err instanceof NoStagesError)) throw err; // orders-only data: no pipeline to snapshot
    }
    let value: CustomerValueResult | null = null;
    const hasOrders = Number((await (await connection.runAndReadAll('SELECT count(*) FROM orders')).getRows())[0]![0]) > 0;
    if (hasOrders) value = await computeCustomerValue(ctx);

    await connection.run(`DELETE FROM pipeline_snapshots WHERE snapshot_date = ${date}`);
    await connection.run(`DELETE FROM segment_history WHERE snapshot_date = ${date}`);
    const now = `TIMESTAMP ${sqlString(new Date().toISOString().slice(0, 19).replace('T', ' '))}`;
    if (funnel && funnel.weighted_pipeline.by_stage.length > 0) {
      const stagnating = new Map(funnel.stagnation.by_stage.map((s) => [s.stage, s.count]));
      const rows = funnel.weighted_pipeline.by_stage.map(
        (s) => `(${date}, ${text(funnel!.stage_set)}, ${text(s.stage)}, ${s.open}, ${num(s.expected_amount)}, ${num(s.weighted_amount)}, ${stagnating.get(s.stage) ?? 0}, ${now})`,
      );
      await connection.run(`INSERT INTO pipeline_snapshots (snapshot_date, stage_set, stage, open_opportunities, expected_amount, weighted_amount, stagnating, refreshed_at) VALUES ${rows.join(', ')}`);
    }
    if (value && value.customers.length > 0) {
      const rows = value.customers.map(
        (c) => `(${date}, ${text(c.customer_id)}, ${text(c.tier)}, ${text(c.segment)}, ${text(c.abc_class)}, ${num(c.monetary)}, ${num(c.recency_days)}, ${now})`,
      );
      await connection.run(`INSERT INTO segment_history (snapshot_date, customer_id, tier, segment, abc_class, monetary, recency_days, refreshed_at) VALUES ${rows.join(', ')}`);
    }
    return { snapshot_date: params.as_of, stages: funnel?.weighted_pipeline.by_stage.length ?? 0, customers: value?.customers.length ?? 0 };
  });
}
