/**
 * A real DuckDB warehouse in memory with the canonical schema, filled with the few rows a test
 * spells out, so each metric's expected figures can be worked out by hand. Columns a row does
 * not give are NULL (or the column's obvious default for NOT NULL ones).
 */
import { DuckDBInstance, type DuckDBConnection } from '../../warehouse/duckdb.server.ts';
import { allColumns, createAllTablesSql, tableDef } from '../../warehouse/schema.ts';
import { stageSetById, type StageSet } from '../../config/stage-sets.ts';

export type FixtureRows = Partial<Record<'opportunities' | 'stage_events' | 'orders' | 'customers' | 'reps' | 'targets' | 'products', Record<string, unknown>[]>>;

const NOT_NULL_DEFAULTS: Record<string, Record<string, unknown>> = {
  opportunities: { stage_set: 'default', status: 'open' },
  orders: { is_cancellation: false, order_line: 1 },
  targets: { tier: 'base' },
};

function literal(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return `'${String(value).replaceAll("'", "''")}'`;
}

export interface FixtureWarehouse {
  connection: DuckDBConnection;
  close(): void;
}

export async function createFixtureWarehouse(rows: FixtureRows, stageSets: StageSet[] = [stageSetById('default')!]): Promise<FixtureWarehouse> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  for (const sql of createAllTablesSql()) await connection.run(sql);
  for (const set of stageSets) {
    for (const [i, s] of set.stages.entries()) {
      await connection.run(
        `INSERT INTO stages VALUES (${literal(set.id)}, ${i + 1}, ${literal(s.stage)}, ${literal(s.name_zh)}, ${literal(s.name_en)}, ${s.is_won ? 'true' : 'false'}, ${s.is_won ? 'NULL' : (s.stagnation_days ?? 'NULL')})`,
      );
    }
  }
  for (const [table, list] of Object.entries(rows)) {
    const columns = allColumns(tableDef(table)).map((c) => c.name);
    for (const row of list ?? []) {
      const full: Record<string, unknown> = { ...NOT_NULL_DEFAULTS[table], ...row };
      if (table === 'stage_events' && full.event_id === undefined) full.event_id = `${full.opportunity_id}-${full.occurred_at}-${full.to_stage ?? ''}`;
      const unknown = Object.keys(full).filter((k) => !columns.includes(k));
      if (unknown.length) throw new Error(`fixture: ${table} has no column(s) ${unknown.join(', ')}`);
      await connection.run(`INSERT INTO ${table} (${Object.keys(full).join(', ')}) VALUES (${Object.values(full).map(literal).join(', ')})`);
    }
  }
  return {
    connection,
    close() {
      connection.closeSync();
      instance.closeSync();
    },
  };
}
