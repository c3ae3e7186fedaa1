/**
 * SQL for the customer timeline (spec §6, seed 000: "客户感情沟通过程的再现"): every interaction
 * with one customer in time order, across reps, and the handover list a manager needs when a rep
 * leaves. Pure: params in, SQL out; tests pin it.
 *
 * Which rows belong to one customer (the exports name customers differently):
 * - customers.customer_id is the customer key wherever it can be found; customers links id ↔ name.
 * - opportunities carry only customer_name: matched to the customers row with the same name after
 *   normalising (trim, lower case, full-width （） → (), no spaces). A name two customers rows
 *   share is ambiguous and is not matched; an unmatched name is its own customer, keyed by the
 *   normalised name.
 * - orders: by customer_id when the customers table has it, else by name as above, else by the
 *   order's own customer_id, else by its normalised name; orders with neither (guest checkouts)
 *   belong to no customer.
 * - follow-up records belong to their opportunity's customer.
 *
 * Timeline entries, up to the end of the as-of day: opportunity created (created_at; entry stage,
 * expected amount, owner), every follow-up record (time, rep, method, summary, objection, next
 * action, stage before → after), a snapshot export's last activity when no follow-up record has
 * that time (seed-template exports carry no log of their own), opportunity closed (closed_at;
 * status, stage, amount, lost reason) and orders (one entry per order: its lines' products and
 * total). Same-time entries: created, follow-ups, closed, orders.
 */
import { sqlString } from '../../warehouse/warehouse.server.ts';
import { dateLiteral, endOfDaySql, dimensionFilterSql, inPeriodSql, ownedOrWorkedOnSql, type ResolvedParams } from '../params.ts';

/** The name normalisation used to match customer names across exports. */
export function normalisedNameSql(expr: string): string {
  return `lower(regexp_replace(replace(replace(trim(${expr}), '（', '('), '）', ')'), '[\\s\\x{3000}]+', '', 'g'))`;
}

/**
 * cust, name_map, opp and ord (opportunities and orders with their customer_key), and dir (one
 * row per customer). `nameKeys` adds the list of each customer's normalised names (for finding a
 * customer by name); the handover list leaves it out, since lists held per customer through its
 * joins are what runs a million customers out of memory.
 */
export function customerBaseCte(nameKeys = false): string {
  return `${customerKeysCte()},
  ${directoryCte(nameKeys)}`;
}

/**
 * cust, name_map, opp and ord: the rows with their customer_key. Without `detail` (the handover
 * list) opp and ord leave out the text only a timeline entry shows: DuckDB materializes opp
 * whole, a million rows at 1M.
 */
function customerKeysCte(detail = true): string {
  const n = normalisedNameSql;
  const oppDetail = detail ? ', lost_reason, need, opportunity_name, last_activity_summary, source_file, source_line' : '';
  const ordDetail = detail ? ', product, source_file, source_line' : '';
  return `cust AS (
    SELECT customer_id, customer_name, owner AS account_owner, ${n('customer_name')} AS name_key FROM customers
  ),
  name_map AS (
    -- a name only identifies a customer when exactly one customers row has it
    SELECT name_key, min(customer_id) AS customer_id FROM cust WHERE name_key <> '' GROUP BY name_key HAVING count(*) = 1
  ),
  opp AS (
    -- only the columns used: opp and ord are read several times, so DuckDB keeps them (5M rows at
    -- scale); each name is normalised once here (a regexp: the costliest step of a rep's page)
    SELECT o.* EXCLUDE (name_key), coalesce(nm.customer_id, nullif(o.name_key, '')) AS customer_key
    FROM (
      SELECT opportunity_id, customer_name, owner, team, region, industry, product, source, stage, status,
             created_at, closed_at, expected_amount, amount, last_activity_at, last_activity_method${oppDetail},
             ${n('customer_name')} AS name_key
      FROM opportunities
    ) o LEFT JOIN name_map nm ON nm.name_key = o.name_key
  ),
  ord AS (
    SELECT r.* EXCLUDE (name_key), coalesce(c.customer_id, nm.customer_id, nullif(trim(r.customer_id), ''), nullif(r.name_key, '')) AS customer_key
    FROM (
      SELECT order_id, customer_id, ordered_at, is_cancellation, opportunity_id, owner, amount, customer_name${ordDetail},
             ${n('customer_name')} AS name_key
      FROM orders
    ) r
    LEFT JOIN cust c ON c.customer_id = r.customer_id
    LEFT JOIN name_map nm ON nm.name_key = r.name_key
  )`;
}

/**
 * dir, one row per customer (after customerKeysCte). `onlyCustomers`, a condition on customer_key,
 * leaves the others out before grouping (one rep's customers: grouping all 200,000 at 1M took 0.4 s).
 */
function directoryCte(nameKeys: boolean, onlyCustomers: string | null = null): string {
  const n = normalisedNameSql;
  const only = onlyCustomers ? ` AND ${onlyCustomers}` : '';
  return `named AS (
    SELECT customer_id AS customer_key, customer_id, customer_name, name_key, account_owner, 1 AS src FROM cust
    UNION ALL
    -- names normalised after DISTINCT: once per spelling, not once per row
    SELECT customer_key, NULL, customer_name, ${n('customer_name')}, NULL, 2
    FROM (SELECT DISTINCT customer_key, customer_name FROM opp WHERE customer_key IS NOT NULL${only})
    UNION ALL
    SELECT customer_key, customer_id, customer_name, ${n('customer_name')}, NULL, 3
    FROM (SELECT DISTINCT customer_key, customer_id, customer_name FROM ord WHERE customer_key IS NOT NULL${only})
  ),
  dir AS (
    SELECT customer_key,
           coalesce(min(customer_id) FILTER (src = 1), min(customer_id) FILTER (src = 3)) AS customer_id,
           coalesce(min(customer_name) FILTER (src = 1), min(customer_name) FILTER (src = 2), min(customer_name) FILTER (src = 3), customer_key) AS customer_name,
           min(account_owner) FILTER (src = 1) AS account_owner${nameKeys ? `,
           list(DISTINCT name_key) FILTER (name_key IS NOT NULL AND name_key <> '') AS name_keys` : ''}
    FROM named WHERE true${only} GROUP BY customer_key
  )`;
}

/**
 * entries: one row per timeline entry (not limited to as-of here). `detail` false leaves out the
 * text columns the handover list does not need (on Online Retail that is half a million order lines).
 */
export function entriesCte(detail: boolean, onlyCustomers: string | null = null): string {
  const d = (expr: string, type = 'VARCHAR') => (detail ? expr : `NULL::${type}`);
  // `onlyCustomers` (a condition on customer_key) narrows every part before it is joined or sorted
  const only = onlyCustomers ? ` AND ${onlyCustomers}` : '';
  // Narrowed, the selected customers' records are found once, by one scan and join, and read
  // three times below: as "opportunity_id IN (…)" in each part DuckDB scanned all 4.2M records
  // at 1M twice and probed each (one rep's handover list at 1M: 1.22–1.53 s → 1.09–1.27 s,
  // alternated runs). Unnarrowed, each part reads stage_events itself (a stored copy of every
  // record would cost more).
  // the text columns read below: close_ev's summary, and an entry's detail when it is shown
  const textColumns = detail ? ['summary', 'objection', 'next_action', 'source_file', 'source_line'] : ['summary'];
  const records = onlyCustomers ? 'their_records' : 'stage_events';
  const theirRecords = onlyCustomers
    ? `their_records AS (
    SELECT e.event_id, e.opportunity_id, e.occurred_at, e.from_stage, e.to_stage, e.to_status, e.method, e.next_followup_at, e.owner, ${textColumns.map((c) => `e.${c}`).join(', ')}
    FROM stage_events e JOIN (SELECT opportunity_id FROM opp WHERE ${onlyCustomers}) t ON t.opportunity_id = e.opportunity_id
  ),
  `
    : '';
  return `${theirRecords}first_ev AS (
    -- only the columns used: a window sorts every column it carries (4M records at scale).
    -- Not min_by(…, (occurred_at, event_id)): 4× faster at 1M, but an aggregate over a struct
    -- cannot spill, and 5M ran out of memory.
    SELECT opportunity_id, owner, to_stage FROM ${records}
    QUALIFY row_number() OVER (PARTITION BY opportunity_id ORDER BY occurred_at, event_id) = 1
  ),
  close_ev AS (
    SELECT opportunity_id, to_status, owner, summary, from_stage, event_id FROM ${records} WHERE to_status IS NOT NULL
    QUALIFY row_number() OVER (PARTITION BY opportunity_id, to_status ORDER BY occurred_at DESC, event_id DESC) = 1
  ),
  entries AS (
    SELECT o.customer_key, o.created_at AS occurred_at, 'opportunity_created' AS kind, 1 AS kind_rank, o.opportunity_id,
           coalesce(fe.owner, o.owner) AS rep, o.owner AS opportunity_owner, NULL::VARCHAR AS method,
           ${d('coalesce(o.need, o.opportunity_name)')} AS summary, NULL::VARCHAR AS objection, NULL::VARCHAR AS next_action,
           NULL::TIMESTAMP AS next_followup_at, NULL::VARCHAR AS from_stage, ${d('fe.to_stage')} AS to_stage, 'open' AS status,
           ${d('o.product')} AS product, o.expected_amount::DOUBLE AS expected_amount, NULL::DOUBLE AS amount,
           NULL::VARCHAR AS lost_reason, NULL::VARCHAR AS order_id, NULL::VARCHAR AS event_id,
           ${d('o.source_file')} AS source_file, ${d('o.source_line', 'INTEGER')} AS source_line
    FROM opp o LEFT JOIN first_ev fe ON fe.opportunity_id = o.opportunity_id
    WHERE o.customer_key IS NOT NULL AND o.created_at IS NOT NULL${only}
    UNION ALL
    SELECT o.customer_key, e.occurred_at,
           CASE WHEN e.to_status IS NOT NULL OR (e.to_stage IS NOT NULL AND e.to_stage IS DISTINCT FROM e.from_stage) THEN 'stage_change' ELSE 'follow_up' END,
           2, e.opportunity_id, coalesce(e.owner, o.owner), o.owner, e.method, ${d('e.summary')}, ${d('e.objection')}, ${d('e.next_action')},
           e.next_followup_at, e.from_stage, e.to_stage, e.to_status, NULL, NULL, NULL, NULL, NULL, e.event_id,
           ${d('e.source_file')}, ${d('e.source_line', 'INTEGER')}
    -- with a filter, their_records (above): with the condition on the joined opportunity
    -- only, DuckDB joined all 4.2M records at 1M (one rep's customers: 3 s)
    FROM ${records} e JOIN opp o ON o.opportunity_id = e.opportunity_id
    WHERE o.customer_key IS NOT NULL${only}
    UNION ALL
    -- a snapshot export's last activity, when no follow-up record of the opportunity has that time
    SELECT o.customer_key, o.last_activity_at, 'follow_up', 2, o.opportunity_id, o.owner, o.owner, o.last_activity_method,
           ${d('o.last_activity_summary')}, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
           ${d('o.source_file')}, ${d('o.source_line', 'INTEGER')}
    FROM opp o
    WHERE o.customer_key IS NOT NULL AND o.last_activity_at IS NOT NULL${only}
      AND NOT EXISTS (SELECT 1 FROM stage_events e WHERE e.opportunity_id = o.opportunity_id AND e.occurred_at = o.last_activity_at)
    UNION ALL
    SELECT o.customer_key, o.closed_at, 'opportunity_closed', 3, o.opportunity_id, coalesce(ce.owner, o.owner), o.owner, NULL,
           ${d('ce.summary')}, NULL, NULL, NULL, coalesce(ce.from_stage, o.stage), NULL, o.status, ${d('o.product')},
           o.expected_amount::DOUBLE, CASE WHEN o.status = 'won' THEN o.amount::DOUBLE END, ${d('o.lost_reason')}, NULL, ce.event_id,
           ${d('o.source_file')}, ${d('o.source_line', 'INTEGER')}
    FROM opp o LEFT JOIN close_ev ce ON ce.opportunity_id = o.opportunity_id AND ce.to_status = o.status
    WHERE o.customer_key IS NOT NULL AND o.closed_at IS NOT NULL AND o.status <> 'open'${only}
    UNION ALL
    SELECT customer_key, min(ordered_at), CASE WHEN bool_and(is_cancellation) THEN 'order_cancelled' ELSE 'order' END, 4,
           min(opportunity_id), min(owner), NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
           ${d(`string_agg(DISTINCT product, '、' ORDER BY product)`)}, NULL, sum(amount)::DOUBLE, NULL, order_id, NULL,
           ${d('min(source_file)')}, ${d('min(source_line)', 'INTEGER')}
    FROM ord WHERE customer_key IS NOT NULL${only}
    GROUP BY customer_key, order_id
  )`;
}

/**
 * Customers the filters select: those with an opportunity passing the team/region/industry/
 * product/source filters whose owner — or a rep who followed it up — passes the owner filter
 * (so a departed rep's customers are found after their deals were reassigned). No filters: all.
 */
function selectedCte(params: ResolvedParams): string | null {
  const { owner, ...rest } = params.filters;
  const hasRest = Object.values(rest).some((v) => v?.length);
  if (!owner?.length && !hasRest) return null;
  // one IN list of ids rather than "owner IN … OR EXISTS (a record by them)": the EXISTS ran as a
  // join of every opportunity (one rep at 1M: 0.3 s of 1.8 s)
  const ownerCondition = owner?.length ? ownedOrWorkedOnSql(`(${owner.map(sqlString).join(', ')})`, 'o.opportunity_id') : 'true';
  return `selected AS (
    SELECT DISTINCT o.customer_key FROM opp o
    WHERE o.customer_key IS NOT NULL AND ${dimensionFilterSql(rest, (d) => `o.${d}`)} AND ${ownerCondition}
  )`;
}

/** Orders timeline entries by (occurred_at, kind_rank), then a hash of the entry's ids, in one HUGEINT. */
const LAST_ENTRY_KEY = `((epoch_us(occurred_at) * 8 + kind_rank)::HUGEINT << 64) + hash(opportunity_id, coalesce(event_id, order_id))::HUGEINT`;

/**
 * `listed`, one row per customer: last activity, open deals, current owner and whether that owner
 * (or a rep holding the account or an open deal) has left by as-of. Read in HANDOVER_ORDER.
 * Current owner: the owner of the newest open opportunity (who is working the customer now),
 * else the account owner (customers.owner), else the owner of the newest opportunity, else of
 * the newest order.
 *
 * `listed` has no list columns (reps involved, open deal ids, departed reps): a list per customer
 * is an aggregate state DuckDB cannot spill, and over every customer at 5M it ran the statement
 * out of memory at the cap. withListsSql adds them to the page of customers shown.
 */
function handoverCtes(params: ResolvedParams): string {
  const end = endOfDaySql(params.as_of);
  const asOf = dateLiteral(params.as_of);
  const selected = selectedCte(params);
  // with filters, every per-customer aggregate reads only the selected customers' rows (one rep's
  // customers are a small part: aggregating everyone and keeping a few was slower than no filter)
  const selectedKeys = 'customer_key IN (SELECT customer_key FROM selected)';
  const onlySelected = selected ? ` AND ${selectedKeys}` : '';
  const ts = (expr: string) => `strftime(${expr}, '%Y-%m-%d %H:%M:%S')`;
  return `WITH ${customerKeysCte(false)},
  ${selected ? `${selected},` : ''}
  ${directoryCte(false, selected ? selectedKeys : null)},
  ${entriesCte(false, selected ? selectedKeys : null)},
  departed AS (SELECT owner, left_at FROM reps WHERE left_at <= ${asOf}),
  activity AS (
    SELECT customer_key, count(*)::INTEGER AS interactions,
           count(*) FILTER (${inPeriodSql('occurred_at', params)})::INTEGER AS interactions_in_period,
           min(occurred_at) AS first_at, max(occurred_at) AS last_at,
           -- the latest entry by time, then kind (the timeline's order); ties on both (rare) go to
           -- the larger hash of the entry's ids: stable from run to run. One fixed-size key, since
           -- arg_max over a struct or text key cannot spill (out of memory on 1M customers).
           arg_max(kind, ${LAST_ENTRY_KEY}) AS last_kind, arg_max(rep, ${LAST_ENTRY_KEY}) AS last_rep
    FROM entries WHERE occurred_at < ${end}${onlySelected} GROUP BY customer_key
  ),
  deals AS (
    SELECT o.customer_key, count(*)::INTEGER AS opportunities,
           count(*) FILTER (o.is_open)::INTEGER AS open_opportunities,
           coalesce(sum(o.expected_amount) FILTER (o.is_open), 0)::DOUBLE AS open_amount,
           count(*) FILTER (o.status = 'won' AND o.closed_at < ${end})::INTEGER AS won_opportunities,
           coalesce(sum(o.amount) FILTER (o.status = 'won' AND o.closed_at < ${end}), 0)::DOUBLE AS won_amount,
           arg_max(o.owner, (o.created_at, o.opportunity_id)) FILTER (o.is_open) AS open_owner,
           arg_max(o.owner, (o.created_at, o.opportunity_id)) AS latest_owner,
           coalesce(bool_or(o.is_open AND d.owner IS NOT NULL), false) AS departed_open_owner
    FROM (${dealsAsOfSql(params, selected ? selectedKeys : 'true', false)}) o LEFT JOIN departed d ON d.owner = o.owner
    GROUP BY o.customer_key
  ),
  bought AS (
    SELECT customer_key, count(DISTINCT order_id)::INTEGER AS orders, coalesce(sum(amount), 0)::DOUBLE AS order_amount,
           max(ordered_at) AS last_order_at, arg_max(owner, (ordered_at, order_id)) FILTER (owner IS NOT NULL) AS order_owner
    FROM ord WHERE customer_key IS NOT NULL AND ordered_at < ${end}${onlySelected} GROUP BY customer_key
  ),
  owned AS (
    SELECT dir.*, a.interactions, a.interactions_in_period, a.first_at, a.last_at, a.last_kind, a.last_rep,
           dl.opportunities, dl.open_opportunities, dl.open_amount, dl.won_opportunities, dl.won_amount,
           dl.departed_open_owner, b.orders, b.order_amount, b.last_order_at,
           coalesce(dl.open_owner, dir.account_owner, dl.latest_owner, b.order_owner) AS current_owner,
           CASE WHEN dl.open_owner IS NOT NULL THEN 'open_opportunity' WHEN dir.account_owner IS NOT NULL THEN 'account'
                WHEN dl.latest_owner IS NOT NULL THEN 'latest_opportunity' WHEN b.order_owner IS NOT NULL THEN 'latest_order' END AS current_owner_basis
    FROM dir
    LEFT JOIN activity a ON a.customer_key = dir.customer_key
    LEFT JOIN deals dl ON dl.customer_key = dir.customer_key
    LEFT JOIN bought b ON b.customer_key = dir.customer_key
    ${selected ? 'WHERE dir.customer_key IN (SELECT customer_key FROM selected)' : ''}
  ),
  listed AS (
    SELECT w.customer_key, w.customer_id, w.customer_name, w.account_owner, w.current_owner, w.current_owner_basis,
         cd.owner IS NOT NULL AS owner_left, strftime(cd.left_at, '%Y-%m-%d') AS current_owner_left_at,
         ad.owner IS NOT NULL AS account_owner_left,
         (cd.owner IS NOT NULL OR ad.owner IS NOT NULL OR coalesce(w.departed_open_owner, false)) AS needs_handover,
         coalesce(w.open_opportunities, 0) AS open_opportunities, coalesce(w.open_amount, 0) AS open_amount,
         coalesce(w.opportunities, 0) AS opportunities, coalesce(w.won_opportunities, 0) AS won_opportunities, coalesce(w.won_amount, 0) AS won_amount,
         coalesce(w.orders, 0) AS orders, coalesce(w.order_amount, 0) AS order_amount, ${ts('w.last_order_at')} AS last_order_at,
         ${ts('w.first_at')} AS first_activity_at, ${ts('w.last_at')} AS last_activity_at, w.last_kind AS last_activity_kind,
         w.last_rep AS last_activity_rep, (${asOf} - w.last_at::DATE)::INTEGER AS days_since_last_activity,
         coalesce(w.interactions, 0) AS interactions, coalesce(w.interactions_in_period, 0) AS interactions_in_period,
         w.last_at AS sort_last_at
    FROM owned w
    LEFT JOIN departed cd ON cd.owner = w.current_owner
    LEFT JOIN departed ad ON ad.owner = w.account_owner
  )`;
}

/**
 * A customer's opportunities created by the end of as-of, with is_open (open then: still open, or
 * closed after as-of); `onlyOpen` keeps the open ones. `condition` narrows them (on customer_key).
 */
function dealsAsOfSql(params: ResolvedParams, condition: string, onlyOpen: boolean): string {
  const end = endOfDaySql(params.as_of);
  const isOpen = `(status = 'open' OR closed_at >= ${end})`;
  return `SELECT *, ${isOpen} AS is_open FROM opp
      WHERE customer_key IS NOT NULL AND (created_at IS NULL OR created_at < ${end}) AND ${condition}${onlyOpen ? ` AND ${isOpen}` : ''}`;
}

/**
 * The customers of `page` (a CTE over `listed`, already cut to what is shown) with their lists:
 * departed reps (the current owner if they left, the account owner if they left, owners of open
 * deals who left), open deal ids (oldest first) and the reps involved in the timeline. Columns in
 * the handover list's order.
 */
function withListsSql(params: ResolvedParams, page: string): string {
  const inPage = 'customer_key IN (SELECT customer_key FROM page)';
  return `page AS (${page}),
  page_reps AS (
    -- sorted after collecting: an ordered aggregate sorts within every group (slow)
    SELECT customer_key, list_sort(list(DISTINCT rep) FILTER (rep IS NOT NULL)) AS reps
    FROM entries WHERE occurred_at < ${endOfDaySql(params.as_of)} AND ${inPage} GROUP BY customer_key
  ),
  page_deals AS (
    SELECT o.customer_key, list(o.opportunity_id ORDER BY o.created_at, o.opportunity_id) AS open_opportunity_ids,
           list(DISTINCT o.owner) FILTER (d.owner IS NOT NULL) AS departed_open_owners
    FROM (${dealsAsOfSql(params, inPage, true)}) o LEFT JOIN departed d ON d.owner = o.owner
    GROUP BY o.customer_key
  ),
  page_lists AS (
    SELECT p.customer_key, p.customer_id, p.customer_name, p.account_owner, p.current_owner, p.current_owner_basis,
           p.owner_left, p.current_owner_left_at,
           list_sort(list_distinct(list_concat(
             CASE WHEN p.owner_left THEN [p.current_owner] ELSE [] END,
             CASE WHEN p.account_owner_left THEN [p.account_owner] ELSE [] END,
             coalesce(pd.departed_open_owners, [])))) AS departed_reps,
           p.needs_handover, p.open_opportunities, p.open_amount, coalesce(pd.open_opportunity_ids, []) AS open_opportunity_ids,
           p.opportunities, p.won_opportunities, p.won_amount, p.orders, p.order_amount, p.last_order_at,
           p.first_activity_at, p.last_activity_at, p.last_activity_kind, p.last_activity_rep, p.days_since_last_activity,
           p.interactions, p.interactions_in_period, coalesce(pr.reps, []) AS reps_involved, p.sort_last_at
    FROM page p
    LEFT JOIN page_reps pr ON pr.customer_key = p.customer_key
    LEFT JOIN page_deals pd ON pd.customer_key = p.customer_key
  )`;
}

/** Handover order: customers needing one first, those with open deals first among them, then by open amount and recency. */
const HANDOVER_ORDER = 'needs_handover DESC, open_opportunities > 0 DESC, open_amount DESC, sort_last_at DESC NULLS LAST, customer_key';

/**
 * The first `limit` customers of the handover list, each row carrying the list's totals
 * (total_customers, total_needs_handover, total_needs_handover_with_open_deals).
 */
export function handoverListSql(params: ResolvedParams, limit: number): string {
  // totals by an aggregate joined on, not count(*) OVER (): a window over the whole list runs on one
  // thread and was 4× slower than the rest of the query (1M opportunities: 31 s against 8)
  return `${handoverCtes(params)},
  totals AS (
    SELECT count(*) AS total_customers, count(*) FILTER (needs_handover) AS total_needs_handover,
           count(*) FILTER (needs_handover AND open_opportunities > 0) AS total_needs_handover_with_open_deals
    FROM listed
  ),
  ${withListsSql(params, `SELECT * FROM listed ORDER BY ${HANDOVER_ORDER} LIMIT ${Math.max(0, Math.floor(limit))}`)}
  SELECT l.* EXCLUDE (sort_last_at), t.*
  FROM page_lists l CROSS JOIN totals t
  ORDER BY ${HANDOVER_ORDER}`;
}

/**
 * The handover list as flat rows for a drill-down or a streamed download (lists as text):
 * all customers, or only those needing (or not needing) a handover.
 */
export function handoverDrillSql(params: ResolvedParams, needsHandover: boolean | null, limit: number): string {
  const which = needsHandover === null ? '' : `WHERE ${needsHandover ? '' : 'NOT '}needs_handover`;
  return `${handoverCtes(params)},
  ${withListsSql(params, `SELECT * FROM listed ${which} ORDER BY ${HANDOVER_ORDER} LIMIT ${Math.max(0, Math.floor(limit))}`)}
  SELECT customer_key, customer_id, customer_name, current_owner, current_owner_basis, current_owner_left_at,
         array_to_string(departed_reps, '、') AS departed_reps_text, needs_handover, account_owner,
         open_opportunities, open_amount, array_to_string(open_opportunity_ids, ', ') AS open_opportunity_ids_text,
         last_activity_at, last_activity_kind, last_activity_rep, days_since_last_activity, interactions, interactions_in_period,
         opportunities, won_opportunities, won_amount, orders, order_amount, last_order_at,
         array_to_string(reps_involved, '、') AS reps_involved_text
  FROM page_lists
  ORDER BY ${HANDOVER_ORDER}`;
}

/** The customer keys a drill value names: a key, a customer_id or a (normalised) name. */
export function resolveCustomerSql(value: string): string {
  const v = sqlString(value);
  return `WITH ${customerBaseCte(true)}
  SELECT customer_key, customer_id, customer_name FROM dir
  WHERE customer_key = ${v} OR customer_id = ${v} OR list_contains(name_keys, ${normalisedNameSql(v)})
  ORDER BY customer_key`;
}

/** Every entry of the given customers up to as-of, in time order, numbered. */
export function timelineSql(params: ResolvedParams, customerKeys: string[], limit: number): string {
  const ts = (expr: string) => `strftime(${expr}, '%Y-%m-%d %H:%M:%S')`;
  const keys = `customer_key IN (${customerKeys.map(sqlString).join(', ')})`;
  return `WITH ${customerBaseCte()},
  ${entriesCte(true, keys)}
  SELECT row_number() OVER (ORDER BY occurred_at, kind_rank, opportunity_id, coalesce(event_id, order_id))::INTEGER AS seq,
         ${ts('occurred_at')} AS occurred_at, kind, customer_key, opportunity_id, rep, opportunity_owner, method, summary, objection, next_action,
         ${ts('next_followup_at')} AS next_followup_at, from_stage, to_stage, status, product, expected_amount, amount,
         lost_reason, order_id, event_id, source_file, source_line
  FROM entries
  WHERE ${keys} AND occurred_at < ${endOfDaySql(params.as_of)}
  ORDER BY seq
  LIMIT ${limit}`;
}
