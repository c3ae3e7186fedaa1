/**
 * The floor for each metric family: written by hand as one DuckDB query, the way an analyst
 * would in the SQL console, with no configuration, drill-down keys, previous-period deltas or
 * validation. A family's time over its floor is the price of everything Salesight adds on top.
 *
 * Two kinds, and the bench's table says which (FLOOR_COMPUTES_FAMILY_FIGURES):
 * - the family's own figures (funnel, channels, targets): tests/bench-floors.test.ts holds each
 *   to the family's numbers on generated data, so the ratio compares like with like;
 * - a headline aggregation (the rest): one query cannot compute all such a family returns, so
 *   its ratio says how much more the family does as well as how fast.
 * `null`: no single query computes the same thing (alerts evaluate some twenty rules of
 * different shapes).
 */
import type { FamilyId } from '../../../src/lib/metrics/registry.ts';

/** Families whose floor computes the family's own figures (checked by tests/bench-floors.test.ts). */
export const FLOOR_COMPUTES_FAMILY_FIGURES: ReadonlySet<FamilyId> = new Set(['funnel', 'channels', 'targets']);

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
      // the funnel's floor per lead source (stages reached, advanced, lost, still open), with
      // each source's leads, wins, win rate, won amount and mean cycle: what the channels page shows
      return `WITH st AS (SELECT stage, position FROM stages WHERE stage_set = 'default'),
        reached AS (
          SELECT o.opportunity_id, o.source, o.status, o.amount, o.created_at, o.closed_at, max(st.position) AS top
          FROM opportunities o
          LEFT JOIN stage_events e ON e.opportunity_id = o.opportunity_id
          JOIN st ON st.stage = coalesce(e.to_stage, o.stage) OR st.stage = o.stage
          WHERE ${where}
          GROUP BY o.opportunity_id, o.source, o.status, o.amount, o.created_at, o.closed_at
        ),
        by_stage AS (
          SELECT r.source, st.stage, st.position, count(*) FILTER (r.top >= st.position) AS reached,
                 count(*) FILTER (r.top > st.position) AS advanced,
                 count(*) FILTER (r.top = st.position AND r.status = 'lost') AS lost,
                 count(*) FILTER (r.top = st.position AND r.status = 'open') AS still_open
          FROM st, reached r GROUP BY r.source, st.stage, st.position
        ),
        outcomes AS (
          SELECT source, count(*) AS leads, count(*) FILTER (status = 'won') AS won,
                 count(*) FILTER (status = 'won') / nullif(count(*) FILTER (status IN ('won', 'lost')), 0) AS win_rate,
                 coalesce(sum(amount) FILTER (status = 'won'), 0) AS won_amount,
                 avg(date_diff('day', created_at, closed_at)) FILTER (status = 'won') AS cycle_days
          FROM reached GROUP BY source
        )
        SELECT s.source, s.stage, s.reached, s.advanced, s.lost, s.still_open, o.leads, o.won, o.win_rate, o.won_amount, o.cycle_days
        FROM by_stage s JOIN outcomes o ON o.source IS NOT DISTINCT FROM s.source ORDER BY s.source, s.position`;
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
      // each rep's revenue target with its actual: net order revenue (cancellations subtracted)
      // credited to the order's owner, ordered within the target's period
      return `SELECT t.dimension_value AS rep, strftime(t.period_start, '%Y-%m-%d') AS period_start, t.target_value,
               coalesce(sum(CASE WHEN o.is_cancellation THEN -abs(o.amount) ELSE o.amount END), 0) AS actual,
               coalesce(sum(CASE WHEN o.is_cancellation THEN -abs(o.amount) ELSE o.amount END), 0) / t.target_value AS progress
        FROM targets t
        LEFT JOIN orders o ON o.owner = t.dimension_value AND o.ordered_at >= t.period_start AND o.ordered_at < t.period_end + INTERVAL 1 DAY
        WHERE t.dimension = 'rep' AND t.metric = 'revenue'
        GROUP BY t.dimension_value, t.period_start, t.period_end, t.target_value ORDER BY rep, t.period_start`;
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
