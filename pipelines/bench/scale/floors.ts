/**
 * The floor for each metric family: its headline aggregation written by hand as one DuckDB
 * query, the way an analyst would in the SQL console, with no configuration, drill-down keys,
 * previous-period deltas or validation. A family's time over its floor is the price of
 * everything Salesight adds on top. `null`: no single query computes the same thing (alerts
 * evaluate some twenty rules of different shapes).
 */
import type { FamilyId } from '../../../src/lib/metrics/registry.ts';

/** Filters as SQL on table alias `o` (opportunities), e.g. `o.team = 'T03'`; 'true' for none. */
export function floorSql(family: FamilyId, where = 'true'): string | null {
  switch (family) {
    case 'funnel':
      // stages reached per opportunity (its events plus its current stage), then per stage:
      // reached, advanced past, lost there, still open there
      return `WITH st AS (SELECT stage, position FROM stages WHERE stage_set = 'default'),
        reached AS (
          SELECT o.opportunity_id, o.status, max(st.position) AS top
          FROM opportunities o
          LEFT JOIN stage_events e ON e.opportunity_id = o.opportunity_id
          JOIN st ON st.stage = coalesce(e.to_stage, o.stage) OR st.stage = o.stage
          WHERE ${where}
          GROUP BY o.opportunity_id, o.status
        )
        SELECT st.stage, count(*) FILTER (r.top >= st.position) AS reached,
               count(*) FILTER (r.top > st.position) AS advanced,
               count(*) FILTER (r.top = st.position AND r.status = 'lost') AS lost,
               count(*) FILTER (r.top = st.position AND r.status = 'open') AS still_open
        FROM st, reached r GROUP BY st.stage, st.position ORDER BY st.position`;
    case 'channels':
      return `SELECT o.source, count(*) AS leads, count(*) FILTER (o.status = 'won') AS won,
               count(*) FILTER (o.status = 'won') / nullif(count(*) FILTER (o.status IN ('won', 'lost')), 0) AS win_rate,
               sum(o.amount) FILTER (o.status = 'won') AS won_amount,
               avg(date_diff('day', o.created_at, o.closed_at)) FILTER (o.status = 'won') AS cycle_days
        FROM opportunities o WHERE ${where} GROUP BY o.source ORDER BY o.source`;
    case 'cohorts':
      return `WITH firsts AS (SELECT customer_id, date_trunc('month', min(ordered_at)) AS cohort FROM orders WHERE customer_id IS NOT NULL GROUP BY 1),
        active AS (SELECT DISTINCT customer_id, date_trunc('month', ordered_at) AS month FROM orders WHERE customer_id IS NOT NULL)
        SELECT f.cohort, date_diff('month', f.cohort, a.month) AS months_since, count(*) AS customers
        FROM firsts f JOIN active a USING (customer_id) GROUP BY ALL ORDER BY ALL`;
    case 'customer-value':
      return `WITH c AS (
          SELECT customer_id, date_diff('day', max(ordered_at), (SELECT max(ordered_at) FROM orders)) AS recency,
                 count(DISTINCT order_id) AS frequency, sum(amount) AS monetary
          FROM orders WHERE customer_id IS NOT NULL GROUP BY customer_id
        )
        SELECT ntile(5) OVER (ORDER BY recency DESC) AS r, ntile(5) OVER (ORDER BY frequency) AS f,
               ntile(5) OVER (ORDER BY monetary) AS m, count(*) OVER () AS customers, customer_id
        FROM c`;
    case 'performance':
      return `SELECT o.owner, count(*) AS deals, count(*) FILTER (o.status = 'won') AS won,
               count(*) FILTER (o.status = 'won') / nullif(count(*) FILTER (o.status IN ('won', 'lost')), 0) AS win_rate,
               coalesce(sum(o.amount) FILTER (o.status = 'won'), 0) AS won_amount,
               (SELECT count(*) FROM stage_events e WHERE e.owner = o.owner) AS touches
        FROM opportunities o WHERE ${where} GROUP BY o.owner ORDER BY o.owner`;
    case 'targets':
      return `WITH actual AS (
          SELECT owner, date_trunc('month', ordered_at)::DATE AS month, sum(amount) AS revenue FROM orders GROUP BY ALL
        )
        SELECT t.dimension_value AS rep, t.period_start, t.target_value, coalesce(a.revenue, 0) AS actual,
               coalesce(a.revenue, 0) / t.target_value AS progress
        FROM targets t LEFT JOIN actual a ON a.owner = t.dimension_value AND a.month = t.period_start
        WHERE t.dimension = 'rep' AND t.metric = 'revenue' ORDER BY ALL`;
    case 'work-reports':
      return `SELECT e.owner, date_trunc('week', e.occurred_at)::DATE AS week, count(*) AS touches,
               count(*) FILTER (e.from_stage IS NOT NULL AND e.to_stage IS NOT NULL) AS stage_moves,
               count(DISTINCT e.opportunity_id) AS opportunities_touched
        FROM stage_events e JOIN opportunities o ON o.opportunity_id = e.opportunity_id
        WHERE ${where} GROUP BY ALL ORDER BY ALL`;
    case 'customer-timeline':
      return `SELECT o.customer_name, count(DISTINCT o.opportunity_id) AS opportunities, count(e.event_id) AS touches,
               min(e.occurred_at) AS first_touch, max(e.occurred_at) AS last_touch
        FROM opportunities o LEFT JOIN stage_events e ON e.opportunity_id = o.opportunity_id
        WHERE ${where} GROUP BY o.customer_name ORDER BY touches DESC LIMIT 100`;
    case 'alerts':
      return null;
  }
}
