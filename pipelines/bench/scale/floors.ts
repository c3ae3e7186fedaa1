/**
 * The floor for each metric family: written by hand as one DuckDB query, the way an analyst
 * would in the SQL console, with no configuration, drill-down keys, previous-period deltas or
 * validation. A family's time over its floor is the price of everything Salesight adds on top.
 *
 * Each computes its family's own figures (FLOOR_COMPUTES_FAMILY_FIGURES, which the bench's table
 * shows): tests/bench-floors.test.ts holds each to the family's numbers on generated data, so the
 * ratio compares like with like.
 * `null`: no single query computes the same thing (alerts evaluate some twenty rules of
 * different shapes).
 */
import type { FamilyId } from '../../../src/lib/metrics/registry.ts';
import { dateLiteral, ownedOrWorkedOnSql } from '../../../src/lib/metrics/params.ts';
import { SNAPSHOT_METHOD } from '../../../src/lib/metrics/snapshot-events.ts';
import { normalisedNameSql } from '../../../src/lib/metrics/customer-timeline/customer-timeline-queries.ts';
import { UNASSIGNED, UNSPECIFIED } from '../../../src/lib/metrics/work-reports/work-reports-queries.ts';
import { sqlString as quote } from '../../../src/lib/warehouse/warehouse.server.ts';

/** Families whose floor computes the family's own figures (checked by tests/bench-floors.test.ts). */
export const FLOOR_COMPUTES_FAMILY_FIGURES: ReadonlySet<FamilyId> = new Set([
  'funnel',
  'channels',
  'cohorts',
  'customer-value',
  'performance',
  'targets',
  'work-reports',
  'customer-timeline',
]);

export interface FloorOptions {
  /** one rep's figures (a page asked for one rep), where the family's own filter would apply it */
  owner?: string;
  /** the as-of date (YYYY-MM-DD) for floors that need one; the bench passes the data's default */
  asOf?: string;
  /** the first day (YYYY-MM-DD) of the default period, the data's first, for floors that need it */
  from?: string;
}

/** The as-of day as a DATE literal, for the floors that count up to it. */
function asOfDay(family: FamilyId, options: FloorOptions): string {
  if (!options.asOf) throw new Error(`${family} floor: needs the as-of date`);
  return dateLiteral(options.asOf);
}

/** The end of the as-of day (the next midnight): what "up to D" counts before. */
function asOfEnd(family: FamilyId, options: FloorOptions): string {
  return `(${asOfDay(family, options)} + INTERVAL 1 DAY)`;
}

/** The default period's first day (the data's first) as a DATE literal. */
function firstDay(family: FamilyId, options: FloorOptions): string {
  if (!options.from) throw new Error(`${family} floor: needs the first day of the data`);
  return dateLiteral(options.from);
}

export function floorSql(family: FamilyId, options: FloorOptions = {}): string | null {
  const where = options.owner ? `o.owner = ${quote(options.owner)}` : 'true';
  // one rep's figures: a row's rep is the rep, and only deals they own or have a record on can be theirs
  const rep = (col: string) => (options.owner ? ` AND ${col} = ${quote(options.owner)}` : '');
  const theirs = (col: string) => (options.owner ? ` AND ${ownedOrWorkedOnSql(`(${quote(options.owner)})`, col)}` : '');
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
    case 'cohorts': {
      // customer cohorts: each customer's month of first qualifying line (not a cancellation,
      // amount > 0), then per cohort and age its size, active customers and net revenue; lead
      // cohorts: per creation month and age when won, leads, invalid ones and wins without a close
      // date. Up to D over all the data (the bench's default period); the family widens a period
      // to whole months, which all the data already is.
      const end = asOfEnd(family, options);
      const month = (col: string) => `(year(${col}) * 12 + month(${col}) - 1)`;
      return `WITH lines AS (
          SELECT o.customer_id, o.amount, ${month('o.ordered_at')} AS m, NOT o.is_cancellation AND o.amount > 0 AS q
          FROM orders o WHERE o.customer_id IS NOT NULL AND o.ordered_at < ${end} AND ${where}
        ),
        members AS (SELECT customer_id, min(m) AS cohort FROM lines WHERE q GROUP BY customer_id),
        cells AS (
          SELECT mb.cohort, l.m - mb.cohort AS age, count(DISTINCT l.customer_id) FILTER (l.q) AS active, sum(l.amount) AS revenue
          FROM lines l JOIN members mb USING (customer_id) WHERE l.m >= mb.cohort GROUP BY ALL
        ),
        sizes AS (SELECT cohort, count(*) AS size FROM members GROUP BY cohort),
        leads AS (
          SELECT ${month('o.created_at')} AS cohort, o.status, o.closed_at,
                 CASE WHEN o.status = 'won' AND o.closed_at < ${end} THEN greatest(0, ${month('o.closed_at')} - ${month('o.created_at')}) END AS won_age
          FROM opportunities o WHERE o.created_at < ${end} AND ${where}
        )
        SELECT 'customers' AS kind, c.cohort, c.age, s.size, c.active, c.revenue::DOUBLE AS revenue,
               NULL::BIGINT AS leads, NULL::BIGINT AS invalid, NULL::BIGINT AS won_without_close_date
        FROM cells c JOIN sizes s USING (cohort)
        UNION ALL
        SELECT 'leads', cohort, won_age, NULL, NULL, NULL, count(*), count(*) FILTER (status = 'invalid'),
               count(*) FILTER (status = 'won' AND closed_at IS NULL)
        FROM leads GROUP BY cohort, won_age
        ORDER BY kind, cohort, age NULLS LAST`;
    }
    case 'customer-value': {
      // every scored customer's R, F, M, monetary percentile, quintile scores and ABC class on
      // revenue, as of D over the 12 months up to D (the family's defaults; the bench's data
      // has no profit, so ABC is on revenue as the family decides). Cancellations are not orders
      // but net into M.
      const d = asOfDay(family, options);
      const windowStart = `(${d} - INTERVAL 12 MONTH + INTERVAL 1 DAY)`;
      return `WITH c AS (
          SELECT o.customer_id, max(o.ordered_at) FILTER (NOT o.is_cancellation) AS last_order_at,
                 count(DISTINCT o.order_id) FILTER (NOT o.is_cancellation AND o.ordered_at >= ${windowStart}) AS f,
                 coalesce(sum(o.amount) FILTER (o.ordered_at >= ${windowStart}), 0) AS m
          FROM orders o ${options.owner ? `JOIN customers cu ON cu.customer_id = o.customer_id AND cu.owner = ${quote(options.owner)}` : ''}
          WHERE o.customer_id IS NOT NULL AND o.ordered_at < ${d} + INTERVAL 1 DAY
          GROUP BY o.customer_id HAVING max(o.ordered_at) FILTER (NOT o.is_cancellation) IS NOT NULL
        ),
        s AS (
          SELECT customer_id, date_diff('day', last_order_at::DATE, ${d}) AS r, f, m, count(*) OVER () AS n,
                 rank() OVER (ORDER BY last_order_at::DATE) - 1 AS worse_r,
                 rank() OVER (ORDER BY f) - 1 AS worse_f, rank() OVER (ORDER BY m) - 1 AS worse_m,
                 coalesce(sum(greatest(m, 0)) OVER (ORDER BY m DESC, customer_id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS ahead,
                 sum(greatest(m, 0)) OVER () AS total
          FROM c
        )
        SELECT customer_id, r AS recency_days, f AS orders_in_window, m AS monetary, worse_m / n AS monetary_percentile,
               1 + (5 * worse_r) // n AS r_score, 1 + (5 * worse_f) // n AS f_score, 1 + (5 * worse_m) // n AS m_score,
               CASE WHEN m <= 0 THEN 'C' WHEN ahead < 0.8 * total THEN 'A' WHEN ahead < 0.95 * total THEN 'B' ELSE 'C' END AS abc_class
        FROM s ORDER BY customer_id`;
    }
    case 'performance': {
      // the leaderboard's core per rep, over all data up to D: net order revenue and orders (by
      // the order's owner), deals closed and won (by the deal's owner), follow-up records (by the
      // record's rep, else the deal's owner) and follow-up timeliness: each plan (a record with a
      // next follow-up date, due by D) against the deal's next record at a later time (not a
      // snapshot-derived move), credited to who followed up, else the deal's owner, else the planner
      const end = asOfEnd(family, options);
      const snapshotMethod = quote(SNAPSHOT_METHOD);
      return `WITH sales AS (
          SELECT owner AS rep, sum(CASE WHEN is_cancellation THEN -abs(amount) ELSE amount END) AS revenue,
                 count(DISTINCT order_id) FILTER (NOT is_cancellation) AS orders
          FROM orders WHERE ordered_at < ${end}${rep('owner')} GROUP BY owner
        ),
        deals AS (
          SELECT o.owner AS rep, count(*) AS closed_deals, count(*) FILTER (o.status = 'won') AS won_deals
          FROM opportunities o WHERE o.status IN ('won', 'lost', 'invalid') AND o.closed_at < ${end}${rep('o.owner')} GROUP BY o.owner
        ),
        touches AS (${
          options.owner
            ? `
          SELECT ${quote(options.owner)} AS rep, count(*) AS followups FROM stage_events e
          WHERE e.occurred_at < ${end} AND (e.owner = ${quote(options.owner)}
            OR (e.owner IS NULL AND e.opportunity_id IN (SELECT opportunity_id FROM opportunities WHERE owner = ${quote(options.owner)})))`
            : `
          SELECT coalesce(e.owner, o.owner) AS rep, count(*) AS followups
          FROM stage_events e JOIN opportunities o ON o.opportunity_id = e.opportunity_id
          WHERE e.occurred_at < ${end} GROUP BY ALL`
        }
        ),
        nxt AS (
          SELECT e.rowid AS rid, min(e.occurred_at) OVER w AS done_at, arg_min(e.rowid, e.event_id) OVER w AS done_rid
          FROM stage_events e WHERE e.occurred_at < ${end} AND e.method IS DISTINCT FROM ${snapshotMethod}${theirs('e.opportunity_id')}
          WINDOW w AS (PARTITION BY e.opportunity_id ORDER BY e.occurred_at GROUPS BETWEEN 1 FOLLOWING AND 1 FOLLOWING)
        ),
        judged AS (
          SELECT coalesce(d.owner, o.owner, p.owner) AS rep,
                 count(*) FILTER (n.done_at::DATE <= p.next_followup_at::DATE) AS timely,
                 count(*) FILTER (n.done_at::DATE > p.next_followup_at::DATE) AS late,
                 count(*) FILTER (n.done_at IS NULL AND p.next_followup_at::DATE < ${end} - INTERVAL 1 DAY
                                  AND NOT (o.status IN ('won', 'lost', 'invalid') AND o.closed_at::DATE <= p.next_followup_at::DATE)) AS missed
          FROM stage_events p JOIN nxt n ON n.rid = p.rowid
          LEFT JOIN stage_events d ON d.rowid = n.done_rid
          LEFT JOIN opportunities o ON o.opportunity_id = p.opportunity_id
          WHERE p.next_followup_at::DATE < ${end} AND p.occurred_at < ${end} AND p.method IS DISTINCT FROM ${snapshotMethod}${theirs('p.opportunity_id')}
          GROUP BY ALL
        )
        SELECT r.owner AS rep, coalesce(s.revenue, 0) AS revenue, coalesce(s.orders, 0) AS orders,
               coalesce(dl.closed_deals, 0) AS closed_deals, coalesce(dl.won_deals, 0) AS won_deals,
               dl.won_deals / nullif(dl.closed_deals, 0) AS win_rate, coalesce(t.followups, 0) AS followups,
               j.timely / nullif(j.timely + j.late + j.missed, 0) AS followup_timeliness
        FROM reps r
        LEFT JOIN sales s ON s.rep = r.owner LEFT JOIN deals dl ON dl.rep = r.owner
        LEFT JOIN touches t ON t.rep = r.owner LEFT JOIN judged j ON j.rep = r.owner
        WHERE true${rep('r.owner')} ORDER BY r.owner`;
    }
    case 'targets':
      // each rep's revenue target with its actual: net order revenue (cancellations subtracted)
      // credited to the order's owner, ordered within the target's period
      return `SELECT t.dimension_value AS rep, strftime(t.period_start, '%Y-%m-%d') AS period_start, t.target_value,
               coalesce(sum(CASE WHEN o.is_cancellation THEN -abs(o.amount) ELSE o.amount END), 0) AS actual,
               coalesce(sum(CASE WHEN o.is_cancellation THEN -abs(o.amount) ELSE o.amount END), 0) / t.target_value AS progress
        FROM targets t
        LEFT JOIN orders o ON o.owner = t.dimension_value AND o.ordered_at >= t.period_start AND o.ordered_at < t.period_end + INTERVAL 1 DAY
        WHERE t.dimension = 'rep' AND t.metric = 'revenue'${options.owner ? ` AND t.dimension_value = ${quote(options.owner)}` : ''}
        GROUP BY t.dimension_value, t.period_start, t.period_end, t.target_value ORDER BY rep, t.period_start`;
    case 'work-reports': {
      // per rep and Monday week, and per rep and calendar month, from the first day of the data
      // to D: follow-up records (snapshot-derived moves are not touches) by method, opportunities
      // touched, stage advances and setbacks (default stage order), new leads (credited to the
      // rep of the opportunity's first record), wins with amount, losses by reason and invalid
      // leads (to the rep of the latest record that closed it that way), and, at each period's
      // end (D if sooner), the plans then in force: a record's next follow-up date counts from
      // the record until the opportunity's next record or its close; due in the next period is
      // planned, already passed is overdue. A record's rep: its owner, else the opportunity's.
      // Reps employed in a period get a row with nothing done. One rep: that rep's rows.
      const d = asOfDay(family, options);
      const first = firstDay(family, options);
      const end = asOfEnd(family, options);
      const unassigned = quote(UNASSIGNED);
      const unspecified = (col: string) => `coalesce(nullif(trim(${col}), ''), ${quote(UNSPECIFIED)})`;
      const grain = (g: 'week' | 'month', col: string) => `date_trunc('${g}', ${col})::DATE`;
      return `WITH periods AS (
          SELECT g, s::DATE AS period_start, (s + step)::DATE - 1 AS period_end,
                 least((s + step)::DATE - 1, ${d}) + INTERVAL 1 DAY AS ref_end, (s + step)::DATE AS next_start
          FROM (SELECT 'week' AS g, INTERVAL 7 DAY AS step, ${grain('week', first)} AS first, ${grain('week', d)} AS last
                UNION ALL SELECT 'month', INTERVAL 1 MONTH, ${grain('month', first)}, ${grain('month', d)}),
               LATERAL generate_series(first::TIMESTAMP, last::TIMESTAMP, step) AS t(s)
        ),
        rec AS (
          SELECT e.opportunity_id, e.event_id, e.occurred_at, ${unspecified('e.method')} AS method, e.from_stage, e.to_stage, e.to_status,
                 e.next_followup_at, coalesce(e.owner, o.owner, ${unassigned}) AS rep, o.stage_set, o.status, o.closed_at,
                 row_number() OVER w AS n, lead(e.occurred_at) OVER w AS next_at
          FROM stage_events e LEFT JOIN opportunities o ON o.opportunity_id = e.opportunity_id
          WHERE e.occurred_at < ${end}${theirs('e.opportunity_id')}
          WINDOW w AS (PARTITION BY e.opportunity_id ORDER BY e.occurred_at, e.event_id)
        ),
        closer AS (
          SELECT opportunity_id, to_status, arg_max(rep, (occurred_at, event_id)) AS rep FROM rec WHERE to_status IS NOT NULL GROUP BY ALL
        ),
        dated AS (
          SELECT 'touches' AS kind, rep, occurred_at AS happened_at, method AS label, opportunity_id, NULL::DECIMAL(18,2) AS amount
          FROM rec WHERE method <> ${quote(SNAPSHOT_METHOD)}
          UNION ALL
          SELECT CASE WHEN t.position > f.position THEN 'stage_advances' ELSE 'stage_setbacks' END, r.rep, r.occurred_at, NULL, NULL, NULL
          FROM rec r JOIN stages f ON f.stage_set = r.stage_set AND f.stage = r.from_stage JOIN stages t ON t.stage_set = r.stage_set AND t.stage = r.to_stage
          WHERE r.stage_set = 'default' AND t.position <> f.position
          UNION ALL
          SELECT 'new_leads', coalesce(r.rep, o.owner, ${unassigned}), o.created_at, NULL, NULL, NULL
          FROM opportunities o LEFT JOIN rec r ON r.opportunity_id = o.opportunity_id AND r.n = 1
          WHERE o.created_at < ${end}
          UNION ALL
          SELECT CASE o.status WHEN 'won' THEN 'wins' WHEN 'lost' THEN 'losses' ELSE 'invalid_leads' END, coalesce(c.rep, o.owner, ${unassigned}),
                 o.closed_at, CASE WHEN o.status = 'lost' THEN ${unspecified('o.lost_reason')} END, NULL, CASE WHEN o.status = 'won' THEN o.amount END
          FROM opportunities o LEFT JOIN closer c ON c.opportunity_id = o.opportunity_id AND c.to_status = o.status
          WHERE o.status IN ('won', 'lost', 'invalid') AND o.closed_at < ${end}
        ),
        counts AS (
          SELECT CASE WHEN grouping(wk) = 0 THEN 'week' ELSE 'month' END AS g, rep, coalesce(wk, mo) AS period_start, kind, label,
                 count(*) AS n, sum(amount) AS amount
          FROM (SELECT *, ${grain('week', 'happened_at')} AS wk, ${grain('month', 'happened_at')} AS mo FROM dated WHERE true${rep('rep')})
          GROUP BY GROUPING SETS ((rep, wk, kind, label), (rep, mo, kind, label))
        ),
        touched AS (
          SELECT CASE WHEN grouping(wk) = 0 THEN 'week' ELSE 'month' END AS g, rep, coalesce(wk, mo) AS period_start,
                 count(DISTINCT opportunity_id) AS opportunities_touched
          FROM (SELECT rep, opportunity_id, ${grain('week', 'occurred_at')} AS wk, ${grain('month', 'occurred_at')} AS mo
                FROM rec WHERE method <> ${quote(SNAPSHOT_METHOD)}${rep('rep')})
          GROUP BY GROUPING SETS ((rep, wk), (rep, mo))
        ),
        plans AS (
          -- in force from the record until the next record, or the close of a deal no longer open
          SELECT rep, occurred_at, next_followup_at,
                 least(coalesce(next_at, TIMESTAMP '9999-12-31'), CASE WHEN status = 'open' THEN TIMESTAMP '9999-12-31' ELSE coalesce(closed_at, TIMESTAMP '0001-01-01') END) AS until
          FROM rec WHERE next_followup_at IS NOT NULL${rep('rep')}
        ),
        grains AS (SELECT * FROM (VALUES ('week'), ('month')) AS t(g)),
        planned AS (
          -- in force at the period's end, due in the next period
          SELECT p.g, pl.rep, p.period_start, count(*) AS planned_next
          FROM (SELECT *, 'week' AS g, ${grain('week', 'next_followup_at')} AS due_period FROM plans
                UNION ALL SELECT *, 'month', ${grain('month', 'next_followup_at')} FROM plans) pl
          JOIN periods p ON p.g = pl.g AND p.next_start = pl.due_period
          WHERE pl.occurred_at < p.ref_end AND pl.until >= p.ref_end
          GROUP BY ALL
        ),
        steps AS (
          -- overdue from when the plan's date has passed (and the record exists) until it is no
          -- longer in force: +1 and -1, summed per period and added up over the periods
          SELECT rep, greatest(occurred_at, next_followup_at) AS step_at, 1 AS step FROM plans WHERE greatest(occurred_at, next_followup_at) <= until
          UNION ALL
          SELECT rep, until, -1 FROM plans WHERE greatest(occurred_at, next_followup_at) <= until
        ),
        step_sums AS (
          SELECT gr.g, s.rep, date_trunc(gr.g, s.step_at)::DATE AS period_start, sum(s.step) AS step
          FROM steps s CROSS JOIN grains gr WHERE s.step_at < ${end} GROUP BY ALL
        ),
        overdue AS (
          SELECT p.g, r.rep, p.period_start, sum(s.step) AS overdue_followups
          FROM periods p JOIN (SELECT DISTINCT rep FROM step_sums) r ON true
          JOIN step_sums s ON s.g = p.g AND s.rep = r.rep AND s.period_start <= p.period_start
          GROUP BY ALL HAVING sum(s.step) > 0
        ),
        roster AS (
          SELECT p.g, r.owner AS rep, p.period_start FROM reps r JOIN periods p
            ON (r.hired_at IS NULL OR r.hired_at <= p.period_end) AND (r.left_at IS NULL OR r.left_at >= p.period_start)
          WHERE true${rep('r.owner')}
        ),
        figures AS (
          SELECT g, rep, period_start,
                 sum(n) FILTER (kind = 'touches') AS touches, map_from_entries(list((label, n::INTEGER)) FILTER (kind = 'touches')) AS touches_by_method,
                 sum(n) FILTER (kind = 'new_leads') AS new_leads, sum(n) FILTER (kind = 'stage_advances') AS stage_advances,
                 sum(n) FILTER (kind = 'stage_setbacks') AS stage_setbacks, sum(n) FILTER (kind = 'wins') AS wins,
                 sum(amount) FILTER (kind = 'wins') AS won_amount, sum(n) FILTER (kind = 'losses') AS losses,
                 map_from_entries(list((label, n::INTEGER)) FILTER (kind = 'losses')) AS lost_reasons, sum(n) FILTER (kind = 'invalid_leads') AS invalid_leads
          FROM counts GROUP BY ALL
        ),
        keyed AS (
          SELECT g, rep, period_start FROM figures UNION SELECT g, rep, period_start FROM touched
          UNION SELECT g, rep, period_start FROM planned UNION SELECT g, rep, period_start FROM overdue
          UNION SELECT g, rep, period_start FROM roster
        )
        SELECT k.g AS granularity, k.rep, strftime(k.period_start, '%Y-%m-%d') AS period_start,
               coalesce(f.touches, 0) AS touches, coalesce(f.touches_by_method, MAP {}) AS touches_by_method,
               coalesce(t.opportunities_touched, 0) AS opportunities_touched, coalesce(f.new_leads, 0) AS new_leads,
               coalesce(f.stage_advances, 0) AS stage_advances, coalesce(f.stage_setbacks, 0) AS stage_setbacks,
               coalesce(f.wins, 0) AS wins, coalesce(f.won_amount, 0)::DOUBLE AS won_amount, coalesce(f.losses, 0) AS losses,
               coalesce(f.lost_reasons, MAP {}) AS lost_reasons, coalesce(f.invalid_leads, 0) AS invalid_leads,
               coalesce(pl.planned_next, 0) AS planned_next, coalesce(od.overdue_followups, 0) AS overdue_followups
        FROM keyed k JOIN periods p ON p.g = k.g AND p.period_start = k.period_start
        LEFT JOIN figures f ON f.g = k.g AND f.rep = k.rep AND f.period_start = k.period_start
        LEFT JOIN touched t ON t.g = k.g AND t.rep = k.rep AND t.period_start = k.period_start
        LEFT JOIN planned pl ON pl.g = k.g AND pl.rep = k.rep AND pl.period_start = k.period_start
        LEFT JOIN overdue od ON od.g = k.g AND od.rep = k.rep AND od.period_start = k.period_start
        ORDER BY k.g DESC, k.period_start, k.rep`;
    }
    case 'customer-timeline': {
      // the handover list: customers (customers rows; deals and orders matched to them by id, or
      // by a name only one customers row has once trimmed, lower-cased, （）→() and without
      // spaces; else keyed by that name, orders by their own customer id first), each with its
      // timeline up to D (deal created, every record, a snapshot's last activity no record has
      // the time of, deal closed, each order), deals, orders, current owner (newest open deal's,
      // else the account's, else the newest deal's, else the latest order's) and whether a
      // departed rep holds it; then the first 10,000 in handover order, with the totals.
      // One rep: the customers of deals they own or have a record on.
      const d = asOfDay(family, options);
      const first = firstDay(family, options);
      const end = asOfEnd(family, options);
      const name = normalisedNameSql;
      const ts = (col: string) => `strftime(${col}, '%Y-%m-%d %H:%M:%S')`;
      const chosen = (col = 'ck') => (options.owner ? ` AND ${col} IN (SELECT ck FROM chosen)` : '');
      return `WITH acct AS (SELECT customer_id, customer_name, owner, ${name('customer_name')} AS nk FROM customers),
        one_name AS (SELECT nk, min(customer_id) AS customer_id FROM acct WHERE nk <> '' GROUP BY nk HAVING count(*) = 1),
        deal AS (
          SELECT o.opportunity_id, o.customer_name, o.owner, o.status, o.created_at, o.closed_at, o.expected_amount, o.amount,
                 o.last_activity_at, o.last_activity_method, coalesce(u.customer_id, nullif(o.nk, '')) AS ck
          FROM (SELECT *, ${name('customer_name')} AS nk FROM opportunities) o LEFT JOIN one_name u ON u.nk = o.nk
        ),
        line AS (
          SELECT r.order_id, r.customer_id, r.customer_name, r.ordered_at, r.owner, r.amount, r.is_cancellation, r.opportunity_id,
                 coalesce(a.customer_id, u.customer_id, nullif(trim(r.customer_id), ''), nullif(r.nk, '')) AS ck
          FROM (SELECT *, ${name('customer_name')} AS nk FROM orders) r
          LEFT JOIN acct a ON a.customer_id = r.customer_id LEFT JOIN one_name u ON u.nk = r.nk
        ),${
          options.owner
            ? `
        chosen AS (
          SELECT DISTINCT ck FROM deal WHERE ck IS NOT NULL AND ${ownedOrWorkedOnSql(`(${quote(options.owner)})`, 'opportunity_id')}
        ),`
            : ''
        }
        who AS (
          SELECT ck, coalesce(min(customer_id) FILTER (src = 1), min(customer_id) FILTER (src = 3)) AS customer_id,
                 coalesce(min(customer_name) FILTER (src = 1), min(customer_name) FILTER (src = 2), min(customer_name) FILTER (src = 3), ck) AS customer_name,
                 min(owner) FILTER (src = 1) AS account_owner
          FROM (SELECT customer_id AS ck, customer_id, customer_name, owner, 1 AS src FROM acct
                UNION ALL SELECT ck, NULL, customer_name, NULL, 2 FROM deal
                UNION ALL SELECT ck, customer_id, customer_name, NULL, 3 FROM line)
          WHERE ck IS NOT NULL${chosen()} GROUP BY ck
        ),
        rec AS (SELECT e.*, dl.ck, dl.owner AS deal_owner FROM stage_events e JOIN deal dl USING (opportunity_id) WHERE dl.ck IS NOT NULL${chosen('dl.ck')}),
        -- first and closing records by window: an aggregate over a struct key cannot spill, and
        -- one per opportunity ran out of memory at 5M
        firsts AS (SELECT opportunity_id, owner FROM rec QUALIFY row_number() OVER (PARTITION BY opportunity_id ORDER BY occurred_at, event_id) = 1),
        closers AS (
          SELECT opportunity_id, to_status, owner, event_id FROM rec WHERE to_status IS NOT NULL
          QUALIFY row_number() OVER (PARTITION BY opportunity_id, to_status ORDER BY occurred_at DESC, event_id DESC) = 1
        ),
        timeline AS (
          SELECT dl.ck, dl.created_at AS happened_at, 1 AS rank, 'opportunity_created' AS kind, coalesce(f.owner, dl.owner) AS rep, dl.opportunity_id AS id1, NULL AS id2
          FROM deal dl LEFT JOIN firsts f USING (opportunity_id) WHERE dl.ck IS NOT NULL AND dl.created_at IS NOT NULL${chosen()}
          UNION ALL
          SELECT ck, occurred_at, 2, CASE WHEN to_status IS NOT NULL OR to_stage <> coalesce(from_stage, '') THEN 'stage_change' ELSE 'follow_up' END,
                 coalesce(owner, deal_owner), opportunity_id, event_id FROM rec
          UNION ALL
          SELECT dl.ck, dl.last_activity_at, 2, 'follow_up', dl.owner, dl.opportunity_id, NULL FROM deal dl
          WHERE dl.ck IS NOT NULL AND dl.last_activity_at IS NOT NULL${chosen()}
            AND NOT EXISTS (SELECT 1 FROM stage_events e WHERE e.opportunity_id = dl.opportunity_id AND e.occurred_at = dl.last_activity_at)
          UNION ALL
          SELECT dl.ck, dl.closed_at, 3, 'opportunity_closed', coalesce(c.owner, dl.owner), dl.opportunity_id, c.event_id
          FROM deal dl LEFT JOIN closers c ON c.opportunity_id = dl.opportunity_id AND c.to_status = dl.status
          WHERE dl.ck IS NOT NULL AND dl.closed_at IS NOT NULL AND dl.status <> 'open'${chosen()}
          UNION ALL
          SELECT ck, min(ordered_at), 4, CASE WHEN bool_and(is_cancellation) THEN 'order_cancelled' ELSE 'order' END, min(owner), min(opportunity_id), order_id
          FROM line WHERE ck IS NOT NULL${chosen()} GROUP BY ck, order_id
        ),
        activity AS (
          -- the period: from the data's first day to D
          SELECT ck, count(*) AS interactions, count(*) FILTER (happened_at >= ${first}) AS interactions_in_period,
                 min(happened_at) AS first_at, max(happened_at) AS last_at,
                 -- the latest by time, then kind; a tie on both to the larger hash of the entry's ids
                 arg_max(kind, ((epoch_us(happened_at) * 8 + rank)::HUGEINT << 64) + hash(id1, id2)::HUGEINT) AS last_kind,
                 arg_max(rep, ((epoch_us(happened_at) * 8 + rank)::HUGEINT << 64) + hash(id1, id2)::HUGEINT) AS last_rep
          FROM timeline WHERE happened_at < ${end} GROUP BY ck
        ),
        gone AS (SELECT owner FROM reps WHERE left_at <= ${d}),
        deals AS (
          SELECT ck, count(*) AS opportunities, count(*) FILTER (open) AS open_opportunities,
                 coalesce(sum(expected_amount) FILTER (open), 0)::DOUBLE AS open_amount,
                 count(*) FILTER (status = 'won' AND closed_at < ${end}) AS won_opportunities,
                 coalesce(sum(amount) FILTER (status = 'won' AND closed_at < ${end}), 0)::DOUBLE AS won_amount,
                 arg_max(owner, (created_at, opportunity_id)) FILTER (open) AS open_owner, arg_max(owner, (created_at, opportunity_id)) AS latest_owner,
                 coalesce(bool_or(open AND gone), false) AS gone_open_owner
          FROM (SELECT dl.*, dl.status = 'open' OR dl.closed_at >= ${end} AS open, g.owner IS NOT NULL AS gone
                FROM deal dl LEFT JOIN gone g ON g.owner = dl.owner
                WHERE dl.ck IS NOT NULL AND (dl.created_at IS NULL OR dl.created_at < ${end})${chosen('dl.ck')})
          GROUP BY ck
        ),
        bought AS (
          SELECT ck, count(DISTINCT order_id) AS orders, coalesce(sum(amount), 0)::DOUBLE AS order_amount, max(ordered_at) AS last_order_at,
                 arg_max(owner, (ordered_at, order_id)) FILTER (owner IS NOT NULL) AS order_owner
          FROM line WHERE ck IS NOT NULL AND ordered_at < ${end}${chosen()} GROUP BY ck
        ),
        held AS (
          SELECT w.ck, w.customer_id, w.customer_name, w.account_owner, a.* EXCLUDE (ck), dl.* EXCLUDE (ck), b.* EXCLUDE (ck),
                 coalesce(dl.open_owner, w.account_owner, dl.latest_owner, b.order_owner) AS current_owner,
                 CASE WHEN dl.open_owner IS NOT NULL THEN 'open_opportunity' WHEN w.account_owner IS NOT NULL THEN 'account'
                      WHEN dl.latest_owner IS NOT NULL THEN 'latest_opportunity' WHEN b.order_owner IS NOT NULL THEN 'latest_order' END AS current_owner_basis
          FROM who w LEFT JOIN activity a ON a.ck = w.ck LEFT JOIN deals dl ON dl.ck = w.ck LEFT JOIN bought b ON b.ck = w.ck
        ),
        judged AS (
          SELECT h.*, cg.owner IS NOT NULL AS owner_left, ag.owner IS NOT NULL AS account_left,
                 cg.owner IS NOT NULL OR ag.owner IS NOT NULL OR coalesce(h.gone_open_owner, false) AS needs_handover
          FROM held h LEFT JOIN gone cg ON cg.owner = h.current_owner LEFT JOIN gone ag ON ag.owner = h.account_owner
        ),
        totals AS (
          SELECT count(*) AS total_customers, count(*) FILTER (needs_handover) AS total_needs_handover,
                 count(*) FILTER (needs_handover AND open_opportunities > 0) AS total_needs_handover_with_open_deals
          FROM judged
        ),
        -- lists only for the customers shown: a list per customer cannot spill either
        page AS (
          SELECT * FROM judged
          ORDER BY needs_handover DESC, coalesce(open_opportunities, 0) > 0 DESC, coalesce(open_amount, 0) DESC, last_at DESC NULLS LAST, ck
          LIMIT 10000
        ),
        page_reps AS (
          SELECT ck, list_sort(list(DISTINCT rep) FILTER (rep IS NOT NULL)) AS reps FROM timeline
          WHERE happened_at < ${end} AND ck IN (SELECT ck FROM page) GROUP BY ck
        ),
        page_deals AS (
          SELECT dl.ck, list(dl.opportunity_id ORDER BY dl.created_at, dl.opportunity_id) AS open_ids,
                 list(DISTINCT dl.owner) FILTER (g.owner IS NOT NULL) AS gone_open_owners
          FROM deal dl LEFT JOIN gone g ON g.owner = dl.owner
          WHERE dl.ck IN (SELECT ck FROM page) AND (dl.created_at IS NULL OR dl.created_at < ${end}) AND (dl.status = 'open' OR dl.closed_at >= ${end})
          GROUP BY dl.ck
        )
        SELECT j.ck AS customer_key, j.customer_id, j.customer_name, j.account_owner, j.current_owner, j.current_owner_basis,
               j.owner_left, j.needs_handover, coalesce(j.open_opportunities, 0) AS open_opportunities,
               coalesce(j.open_amount, 0) AS open_amount, coalesce(pd.open_ids, []) AS open_opportunity_ids,
               list_sort(list_distinct(list_concat(CASE WHEN j.owner_left THEN [j.current_owner] ELSE [] END,
                 CASE WHEN j.account_left THEN [j.account_owner] ELSE [] END, coalesce(pd.gone_open_owners, [])))) AS departed_reps,
               coalesce(j.opportunities, 0) AS opportunities, coalesce(j.won_opportunities, 0) AS won_opportunities, coalesce(j.won_amount, 0) AS won_amount,
               coalesce(j.orders, 0) AS orders, coalesce(j.order_amount, 0) AS order_amount, ${ts('j.last_order_at')} AS last_order_at,
               ${ts('j.first_at')} AS first_activity_at, ${ts('j.last_at')} AS last_activity_at, j.last_kind AS last_activity_kind,
               j.last_rep AS last_activity_rep, (${d} - j.last_at::DATE) AS days_since_last_activity,
               coalesce(j.interactions, 0) AS interactions, coalesce(j.interactions_in_period, 0) AS interactions_in_period,
               coalesce(pr.reps, []) AS reps_involved, t.*
        FROM page j LEFT JOIN page_reps pr ON pr.ck = j.ck LEFT JOIN page_deals pd ON pd.ck = j.ck CROSS JOIN totals t
        ORDER BY j.needs_handover DESC, coalesce(j.open_opportunities, 0) > 0 DESC, coalesce(j.open_amount, 0) DESC, j.last_at DESC NULLS LAST, j.ck`;
    }
    case 'alerts':
      return null;
  }
}
