/**
 * A scope as SQL: one TEMP VIEW per canonical table, named like the table, so every query on the
 * connection (the metrics', drill-downs', downloads') reads only the scope's rows without knowing
 * it. DuckDB resolves an unqualified name to the temp schema first; the views read the real
 * tables through the warehouse's catalog name, which metric SQL never uses.
 *
 * The rules (docs: README "Roles and scope"):
 * - reps: in a listed team or region (`teams`), or the rep themself (`rep`);
 * - opportunities: owned by a rep in scope, or (teams) carrying a listed team or region;
 * - stage_events: of opportunities in scope;
 * - orders: sold by a rep in scope, or without a seller and bought by a customer a rep in scope owns;
 * - customers: owned by a rep in scope, or buying through orders in scope;
 * - segment_history: of customers in scope;
 * - targets: for reps in scope, and (teams) for the listed teams and regions: no company totals;
 * - pipeline_snapshots (company totals) and rejected_rows (a raw line may belong to anyone): none;
 * - stages, products and the ingest log: as they are.
 */
import type { Scope } from './roles.ts';

/** Tables whose rows a scope narrows; the rest (stages, products, ingest_runs…) are reference data. */
export const SCOPED_TABLES = ['reps', 'opportunities', 'stage_events', 'orders', 'customers', 'segment_history', 'targets', 'pipeline_snapshots', 'rejected_rows'] as const;
export type ScopedTable = (typeof SCOPED_TABLES)[number];

/**
 * Views have no rowid of their own; metric SQL that uses a table's rowid (performance numbers
 * follow-up records by it) gets the table's as a column.
 */
export const ROWID_TABLES: ReadonlySet<string> = new Set(['stage_events']);

const literal = (v: string) => `'${v.replaceAll("'", "''")}'`;
const inList = (column: string, values: string[]) => (values.length ? `${column} IN (${values.map(literal).join(', ')})` : 'false');
export const quoteIdentifier = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** Row filter per table, over the real table `t`; `reps`, `opportunities`, `orders` mean the scoped views. */
function predicates(scope: Exclude<Scope, { kind: 'all' }>, base: (table: string) => string): Record<ScopedTable, string> {
  const repsInScope = 'SELECT owner FROM reps';
  const teamOrRegion = scope.kind === 'teams' ? `${inList('t.team', scope.teams)} OR ${inList('t.region', scope.regions)}` : 'false';
  return {
    reps: scope.kind === 'rep' ? `t.owner = ${literal(scope.owner)}` : teamOrRegion,
    opportunities: `t.owner IN (${repsInScope}) OR ${teamOrRegion}`,
    stage_events: 't.opportunity_id IN (SELECT opportunity_id FROM opportunities)',
    orders: `t.owner IN (${repsInScope}) OR (t.owner IS NULL AND t.customer_id IN (SELECT customer_id FROM ${base('customers')} WHERE owner IN (${repsInScope})))`,
    customers: `t.owner IN (${repsInScope}) OR t.customer_id IN (SELECT customer_id FROM orders WHERE customer_id IS NOT NULL)`,
    targets:
      `(t.dimension = 'rep' AND t.dimension_value IN (${repsInScope}))` +
      (scope.kind === 'teams' ? ` OR (t.dimension = 'team' AND ${inList('t.dimension_value', scope.teams)}) OR (t.dimension = 'region' AND ${inList('t.dimension_value', scope.regions)})` : ''),
    segment_history: 't.customer_id IN (SELECT customer_id FROM customers)',
    // company-wide totals per stage: nothing in them can be narrowed to a scope
    pipeline_snapshots: 'false',
    rejected_rows: 'false',
  };
}

/**
 * The statements that narrow a connection to `scope`, in dependency order; none for `all`.
 * `catalog` is the warehouse's database name (current_database()); `present` the tables it has.
 */
export function scopeViewStatements(scope: Scope, catalog: string, present: ReadonlySet<string> = new Set(SCOPED_TABLES)): string[] {
  if (scope.kind === 'all') return [];
  const base = (table: string) => `${quoteIdentifier(catalog)}.main.${quoteIdentifier(table)}`;
  const where = predicates(scope, base);
  return SCOPED_TABLES.filter((t) => present.has(t)).map(
    (table) => `CREATE OR REPLACE TEMP VIEW ${table} AS SELECT t.*${ROWID_TABLES.has(table) ? ', t.rowid AS rowid' : ''} FROM ${base(table)} t WHERE ${where[table]}`,
  );
}
