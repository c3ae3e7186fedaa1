/**
 * The warehouse's canonical tables: a public API that analysts query by hand.
 * DDL (`createTablesSql`) and the reference in docs/warehouse.md are both generated from
 * this one list, so a column cannot exist in one and be missing from the other.
 * Change a name here only on purpose, with a note: scripts and saved queries depend on it.
 */

export type ColumnType =
  | 'VARCHAR'
  | 'INTEGER'
  | 'BIGINT'
  | 'DOUBLE'
  | 'BOOLEAN'
  | 'DATE'
  | 'TIMESTAMP'
  | 'MONEY'
  | 'QUANTITY';

/** Money is DECIMAL, never DOUBLE: DOUBLE sums drift in the last digits between runs. */
export const SQL_TYPE: Record<ColumnType, string> = {
  VARCHAR: 'VARCHAR',
  INTEGER: 'INTEGER',
  BIGINT: 'BIGINT',
  DOUBLE: 'DOUBLE',
  BOOLEAN: 'BOOLEAN',
  DATE: 'DATE',
  TIMESTAMP: 'TIMESTAMP',
  MONEY: 'DECIMAL(18,2)',
  QUANTITY: 'DECIMAL(18,3)',
};

export interface ColumnDef {
  name: string;
  type: ColumnType;
  /** What the value means, with its unit. */
  doc: string;
  notNull?: boolean;
}

export interface TableDef {
  name: string;
  doc: string;
  columns: ColumnDef[];
  /** Natural key: re-ingesting a row with the same key updates it instead of adding a copy. */
  key: string[];
  /** Tables loaded from export files carry lineage columns (source_file, source_line, run_id). */
  lineage: boolean;
}

const LINEAGE: ColumnDef[] = [
  { name: 'source_file', type: 'VARCHAR', doc: 'Export file the current version of this row came from (path as given to `ingest`).' },
  { name: 'source_line', type: 'INTEGER', doc: 'Line of that file (CSV) or sheet row (XLSX) the row starts on; 1 is the header.' },
  { name: 'run_id', type: 'INTEGER', doc: 'The `ingest_runs.run_id` that last inserted or changed this row.' },
];

export const ENTITY_TABLES = [
  'opportunities',
  'stage_events',
  'orders',
  'customers',
  'reps',
  'targets',
  'products',
] as const;
export type EntityTable = (typeof ENTITY_TABLES)[number];

export const OPPORTUNITY_STATUSES = ['open', 'won', 'lost', 'invalid'] as const;
export type OpportunityStatus = (typeof OPPORTUNITY_STATUSES)[number];

export const TABLES: TableDef[] = [
  {
    name: 'opportunities',
    doc: 'One row per sales pursuit (线索/商机), as of the newest export ingested. Re-ingesting a newer export updates the row in place; its stage history stays in `stage_events`.',
    key: ['opportunity_id'],
    lineage: true,
    columns: [
      { name: 'opportunity_id', type: 'VARCHAR', notNull: true, doc: 'CRM id of the opportunity (线索编号 / 商机编号).' },
      { name: 'opportunity_name', type: 'VARCHAR', doc: 'Deal name where the CRM has one (Salesforce, HubSpot).' },
      { name: 'customer_name', type: 'VARCHAR', doc: 'Customer / account (客户名称).' },
      { name: 'contact_name', type: 'VARCHAR', doc: 'Contact person (联系人).' },
      { name: 'contact_info', type: 'VARCHAR', doc: 'Phone / e-mail of the contact (联系方式).' },
      { name: 'owner', type: 'VARCHAR', doc: 'Responsible rep (负责人); joins `reps.owner`.' },
      { name: 'team', type: 'VARCHAR', doc: 'Sales team; filled from `reps` when the export has no team column.' },
      { name: 'region', type: 'VARCHAR', doc: 'Sales region (华东/华南/…); filled from `reps` when absent.' },
      { name: 'industry', type: 'VARCHAR', doc: 'Customer industry (所属行业); filled from `customers` when absent.' },
      { name: 'product', type: 'VARCHAR', doc: 'Product or product line pursued.' },
      { name: 'source', type: 'VARCHAR', doc: 'Lead source / channel (线索来源).' },
      { name: 'stage_set', type: 'VARCHAR', notNull: true, doc: 'Which stage list `stage` belongs to (see `stages`): `default` (the six seed stages), `maven_crm`, `salesforce`, `hubspot`, or a user mapping’s own.' },
      { name: 'stage', type: 'VARCHAR', doc: 'Current (or last reached) stage, normalised to the stage set’s canonical name, e.g. 需求挖掘. NULL when only a terminal status is known.' },
      { name: 'status', type: 'VARCHAR', notNull: true, doc: '`open`, `won`, `lost` or `invalid` (无效线索). Without a status column it comes from the stage: the won stage (已成交, Won, Closed Won) → won; 丢单/已流失, Lost, Closed Lost → lost; 无效线索 → invalid; any other stage → open.' },
      { name: 'created_at', type: 'TIMESTAMP', doc: 'Created / first contact (首次接触时间).' },
      { name: 'stage_entered_at', type: 'TIMESTAMP', doc: 'When the current stage was entered; NULL when the export does not say.' },
      { name: 'last_activity_at', type: 'TIMESTAMP', doc: 'Latest follow-up (最近跟进时间).' },
      { name: 'last_activity_method', type: 'VARCHAR', doc: 'How the latest follow-up was made (跟进方式), when the export is a snapshot that carries it.' },
      { name: 'last_activity_summary', type: 'VARCHAR', doc: 'What the latest follow-up said (跟进内容摘要), for snapshot exports.' },
      { name: 'closed_at', type: 'TIMESTAMP', doc: 'When it was won, lost or marked invalid.' },
      { name: 'expected_close_date', type: 'DATE', doc: 'Expected close date (预计成交日期).' },
      { name: 'expected_amount', type: 'MONEY', doc: 'Expected deal value in 元 (预计成交金额; 万元 columns are ×10,000).' },
      { name: 'amount', type: 'MONEY', doc: 'Won value in 元; NULL or 0 unless won.' },
      { name: 'probability', type: 'DOUBLE', doc: 'The CRM’s own win probability as a fraction 0–1, when exported.' },
      { name: 'lost_reason', type: 'VARCHAR', doc: 'Why it was lost, as recorded.' },
      { name: 'need', type: 'VARCHAR', doc: 'Initial need / pain point (客户需求/痛点).' },
      { name: 'reported_conversion', type: 'VARCHAR', doc: 'Conversion note as written in the export (转化率/阶段通过率), kept verbatim; Salesight computes conversion itself.' },
      { name: 'reported_stage_days', type: 'INTEGER', doc: 'Days in current stage as written in the export (当前阶段停留时长(天)); Salesight computes its own dwell from `stage_entered_at`.' },
    ],
  },
  {
    name: 'stage_events',
    doc: 'Follow-ups and stage changes (跟进记录), append-only. A row with `to_stage` set is a stage change; one without is a touch that left the stage as it was.',
    key: ['event_id'],
    lineage: true,
    columns: [
      { name: 'event_id', type: 'VARCHAR', notNull: true, doc: 'md5 of (opportunity_id, occurred_at, from_stage, to_stage, method, summary): the same event ingested twice is stored once.' },
      { name: 'opportunity_id', type: 'VARCHAR', notNull: true, doc: 'The opportunity it belongs to.' },
      { name: 'occurred_at', type: 'TIMESTAMP', notNull: true, doc: 'When it happened (跟进时间).' },
      { name: 'from_stage', type: 'VARCHAR', doc: 'Stage before (canonical name), NULL for a plain touch.' },
      { name: 'to_stage', type: 'VARCHAR', doc: 'Stage after, or `won`/`lost`/`invalid` terminal markers are in `to_status`.' },
      { name: 'to_status', type: 'VARCHAR', doc: 'Status after the event when it closed the opportunity (`won`/`lost`/`invalid`), else NULL.' },
      { name: 'method', type: 'VARCHAR', doc: 'How (跟进方式): 电话, 面谈, 邮件, 微信, …' },
      { name: 'summary', type: 'VARCHAR', doc: 'What was said (跟进内容摘要).' },
      { name: 'objection', type: 'VARCHAR', doc: 'Customer objection raised (异议点), if any.' },
      { name: 'next_action', type: 'VARCHAR', doc: 'Planned next step (下一步行动).' },
      { name: 'next_followup_at', type: 'TIMESTAMP', doc: 'Planned next follow-up (下次跟进时间); drives the timeliness floor and overdue alerts.' },
      { name: 'owner', type: 'VARCHAR', doc: 'Rep who did it.' },
    ],
  },
  {
    name: 'orders',
    doc: 'Money actually received, one row per order line. Cancellations are kept (negative quantity and amount) and marked.',
    key: ['order_id', 'order_line'],
    lineage: true,
    columns: [
      { name: 'order_id', type: 'VARCHAR', notNull: true, doc: 'Order / invoice number.' },
      { name: 'order_line', type: 'INTEGER', notNull: true, doc: 'Line within the order: the line number column when exported, else the position of the line within its order in the file (1, 2, …).' },
      { name: 'customer_id', type: 'VARCHAR', doc: 'Customer; joins `customers.customer_id`. NULL for guest checkouts.' },
      { name: 'customer_name', type: 'VARCHAR', doc: 'Customer name when the export has it.' },
      { name: 'ordered_at', type: 'TIMESTAMP', notNull: true, doc: 'Order date and time.' },
      { name: 'product', type: 'VARCHAR', doc: 'Product name / description.' },
      { name: 'product_code', type: 'VARCHAR', doc: 'SKU / stock code.' },
      { name: 'quantity', type: 'QUANTITY', doc: 'Units; negative on cancellations.' },
      { name: 'unit_price', type: 'MONEY', doc: 'Price per unit in 元 (or the export’s currency).' },
      { name: 'amount', type: 'MONEY', doc: 'Line value in 元 = quantity × unit price when not exported; negative on cancellations.' },
      { name: 'profit', type: 'MONEY', doc: 'Gross profit in 元 when exported (ABC uses it when present).' },
      { name: 'is_cancellation', type: 'BOOLEAN', notNull: true, doc: 'True for a cancellation / refund line (Online Retail: invoice number starting with C).' },
      { name: 'country', type: 'VARCHAR', doc: 'Ship-to / billing country of the order (Online Retail: Country).' },
      { name: 'owner', type: 'VARCHAR', doc: 'Rep credited with the order.' },
      { name: 'opportunity_id', type: 'VARCHAR', doc: 'Opportunity the order came from, when known.' },
    ],
  },
  {
    name: 'customers',
    doc: 'Accounts (客户). Loaded from customer exports and also derived from orders (id, country, first order). New non-empty values overwrite old ones; `first_seen_at` only moves earlier.',
    key: ['customer_id'],
    lineage: true,
    columns: [
      { name: 'customer_id', type: 'VARCHAR', notNull: true, doc: 'Customer id; where the export has none (Maven accounts) the customer name.' },
      { name: 'customer_name', type: 'VARCHAR', doc: 'Name (客户名称).' },
      { name: 'industry', type: 'VARCHAR', doc: 'Industry (所属行业).' },
      { name: 'region', type: 'VARCHAR', doc: 'Sales region.' },
      { name: 'country', type: 'VARCHAR', doc: 'Country.' },
      { name: 'first_seen_at', type: 'TIMESTAMP', doc: 'First time seen: first order, or creation date in the CRM.' },
      { name: 'owner', type: 'VARCHAR', doc: 'Account owner (rep).' },
      { name: 'credit_status', type: 'VARCHAR', doc: 'Credit standing (资信) when exported.' },
      { name: 'tags', type: 'VARCHAR', doc: 'Free tags, as exported.' },
      { name: 'parent_name', type: 'VARCHAR', doc: 'Parent company (subsidiary_of).' },
      { name: 'employees', type: 'INTEGER', doc: 'Head count when exported.' },
    ],
  },
  {
    name: 'reps',
    doc: 'Sellers (销售人员), their team, region and manager.',
    key: ['owner'],
    lineage: true,
    columns: [
      { name: 'owner', type: 'VARCHAR', notNull: true, doc: 'Rep name as it appears in `opportunities.owner`.' },
      { name: 'team', type: 'VARCHAR', doc: 'Team.' },
      { name: 'region', type: 'VARCHAR', doc: 'Region / regional office.' },
      { name: 'manager', type: 'VARCHAR', doc: 'Manager’s name.' },
      { name: 'hired_at', type: 'DATE', doc: 'Hire date.' },
      { name: 'left_at', type: 'DATE', doc: 'Leaving date; NULL while employed (rep retention).' },
    ],
  },
  {
    name: 'targets',
    doc: 'Goals per period and dimension (目标).',
    key: ['period_start', 'period_end', 'dimension', 'dimension_value', 'metric', 'tier'],
    lineage: true,
    columns: [
      { name: 'period_start', type: 'DATE', notNull: true, doc: 'First day of the period.' },
      { name: 'period_end', type: 'DATE', notNull: true, doc: 'Last day of the period (inclusive).' },
      { name: 'dimension', type: 'VARCHAR', notNull: true, doc: '`company`, `region`, `team`, `rep`, `product`, `customer_type`, …' },
      { name: 'dimension_value', type: 'VARCHAR', notNull: true, doc: 'Which one, e.g. 华东; `all` for the company.' },
      { name: 'metric', type: 'VARCHAR', notNull: true, doc: '`revenue` (元), `new_customers`, `won_deals`, …' },
      { name: 'tier', type: 'VARCHAR', notNull: true, doc: '`base` unless a tiered bonus scheme gives `challenge` / `excellence` targets.' },
      { name: 'target_value', type: 'MONEY', notNull: true, doc: 'The goal, in the metric’s unit (元 for revenue).' },
    ],
  },
  {
    name: 'products',
    doc: 'Product catalogue, when exported (Maven products.csv).',
    key: ['product'],
    lineage: true,
    columns: [
      { name: 'product', type: 'VARCHAR', notNull: true, doc: 'Product name.' },
      { name: 'series', type: 'VARCHAR', doc: 'Product line / series.' },
      { name: 'list_price', type: 'MONEY', doc: 'List price.' },
    ],
  },
  {
    name: 'stages',
    doc: 'The stage lists the warehouse knows, written by ingest from the preset or mapping that loaded the opportunities. The metrics read stage order from here.',
    key: ['stage_set', 'stage'],
    lineage: false,
    columns: [
      { name: 'stage_set', type: 'VARCHAR', notNull: true, doc: 'Stage list id (matches `opportunities.stage_set`).' },
      { name: 'position', type: 'INTEGER', notNull: true, doc: 'Order in the funnel, 1 = first.' },
      { name: 'stage', type: 'VARCHAR', notNull: true, doc: 'Canonical stage name, as stored in `opportunities.stage`.' },
      { name: 'name_zh', type: 'VARCHAR', notNull: true, doc: 'Chinese label.' },
      { name: 'name_en', type: 'VARCHAR', notNull: true, doc: 'English label.' },
      { name: 'is_won', type: 'BOOLEAN', notNull: true, doc: 'True for the won stage (已成交 / Closed Won).' },
      { name: 'stagnation_days', type: 'INTEGER', doc: 'Stagnation alert threshold in days (NULL for the won stage).' },
    ],
  },
  {
    name: 'pipeline_snapshots',
    doc: 'Open pipeline per stage as it stood on each refresh (the `refresh` job), for trend charts: one set of rows per snapshot date (the data\'s as-of date), replaced when that date is refreshed again.',
    key: ['snapshot_date', 'stage_set', 'stage'],
    lineage: false,
    columns: [
      { name: 'snapshot_date', type: 'DATE', notNull: true, doc: 'The as-of date of the data the snapshot was taken on.' },
      { name: 'stage_set', type: 'VARCHAR', notNull: true, doc: 'Stage list id.' },
      { name: 'stage', type: 'VARCHAR', notNull: true, doc: 'Stage.' },
      { name: 'open_opportunities', type: 'INTEGER', notNull: true, doc: 'Open opportunities in the stage.' },
      { name: 'expected_amount', type: 'MONEY', doc: 'Their expected amount.' },
      { name: 'weighted_amount', type: 'MONEY', doc: 'Expected amount × the stage probability (funnel family, weighted pipeline).' },
      { name: 'stagnating', type: 'INTEGER', notNull: true, doc: 'Of them, past the stage\'s stagnation threshold.' },
      { name: 'refreshed_at', type: 'TIMESTAMP', notNull: true, doc: 'When the snapshot was taken (UTC).' },
    ],
  },
  {
    name: 'segment_history',
    doc: 'Each scored customer\'s RFM tier, segment and ABC class on each refresh (the `refresh` job), so moves such as "turned dormant" can be seen over time.',
    key: ['snapshot_date', 'customer_id'],
    lineage: false,
    columns: [
      { name: 'snapshot_date', type: 'DATE', notNull: true, doc: 'The as-of date of the data.' },
      { name: 'customer_id', type: 'VARCHAR', notNull: true, doc: 'Customer.' },
      { name: 'tier', type: 'VARCHAR', doc: 'Seed 003 tier id (high_value, potential, …).' },
      { name: 'segment', type: 'VARCHAR', doc: 'RFM segment id (champions, at_risk, …).' },
      { name: 'abc_class', type: 'VARCHAR', doc: 'A, B or C.' },
      { name: 'monetary', type: 'MONEY', doc: 'Revenue in the RFM window.' },
      { name: 'recency_days', type: 'INTEGER', doc: 'Days since the last order.' },
      { name: 'refreshed_at', type: 'TIMESTAMP', notNull: true, doc: 'When the snapshot was taken (UTC).' },
    ],
  },
  {
    name: 'ingest_runs',
    doc: 'One row per successful ingest run. A run that fails changes nothing in the warehouse, so it leaves no row here; its report is printed (or returned by `--json`).',
    key: ['run_id'],
    lineage: false,
    columns: [
      { name: 'run_id', type: 'INTEGER', notNull: true, doc: 'Sequential run number.' },
      { name: 'started_at', type: 'TIMESTAMP', notNull: true, doc: 'Start (UTC).' },
      { name: 'finished_at', type: 'TIMESTAMP', notNull: true, doc: 'End (UTC).' },
      { name: 'status', type: 'VARCHAR', notNull: true, doc: '`loaded` (no rejected rows) or `loaded_with_rejects`.' },
      { name: 'files', type: 'INTEGER', notNull: true, doc: 'Files given (loaded + skipped), see `ingest_files`.' },
      { name: 'rows_read', type: 'BIGINT', notNull: true, doc: 'Data rows read from all files (header excluded).' },
      { name: 'rows_loaded', type: 'BIGINT', notNull: true, doc: 'Rows that passed validation; rows_read = rows_loaded + rows_rejected.' },
      { name: 'rows_rejected', type: 'BIGINT', notNull: true, doc: 'Rows written to `rejected_rows`.' },
      { name: 'rows_inserted', type: 'BIGINT', notNull: true, doc: 'Loaded rows whose key was new to the warehouse.' },
      { name: 'rows_updated', type: 'BIGINT', notNull: true, doc: 'Loaded rows that changed an existing row.' },
      { name: 'rows_unchanged', type: 'BIGINT', notNull: true, doc: 'Loaded rows identical to what was there (a re-run of the same files is all unchanged).' },
      { name: 'options', type: 'VARCHAR', doc: 'JSON of the options the run was given (preset, mapping, strict).' },
      { name: 'salesight_version', type: 'VARCHAR', doc: 'Version that ran it.' },
    ],
  },
  {
    name: 'ingest_files',
    doc: 'One row per file per run: what each file was recognised as and what happened to its rows.',
    key: ['run_id', 'file', 'sheet'],
    lineage: false,
    columns: [
      { name: 'run_id', type: 'INTEGER', notNull: true, doc: 'The run.' },
      { name: 'file', type: 'VARCHAR', notNull: true, doc: 'Path as given.' },
      { name: 'sheet', type: 'VARCHAR', notNull: true, doc: 'XLSX sheet name, empty string for CSV.' },
      { name: 'preset', type: 'VARCHAR', doc: 'Preset or mapping used; NULL when skipped.' },
      { name: 'target_table', type: 'VARCHAR', doc: 'Canonical table loaded.' },
      { name: 'encoding', type: 'VARCHAR', doc: '`utf-8`, `utf-8-bom`, `gb18030`, `utf-16le`, … or `xlsx`.' },
      { name: 'status', type: 'VARCHAR', notNull: true, doc: '`loaded` or `skipped` (with the reason in `message`).' },
      { name: 'rows_read', type: 'BIGINT', notNull: true, doc: 'Data rows read.' },
      { name: 'rows_loaded', type: 'BIGINT', notNull: true, doc: 'Rows loaded.' },
      { name: 'rows_rejected', type: 'BIGINT', notNull: true, doc: 'Rows rejected.' },
      { name: 'message', type: 'VARCHAR', doc: 'Why a file was skipped, or notes.' },
    ],
  },
  {
    name: 'rejected_rows',
    doc: 'Every row an ingest refused, with where it was and why, so nothing is lost silently.',
    key: ['run_id', 'file', 'sheet', 'line'],
    lineage: false,
    columns: [
      { name: 'run_id', type: 'INTEGER', notNull: true, doc: 'The run.' },
      { name: 'file', type: 'VARCHAR', notNull: true, doc: 'Path as given.' },
      { name: 'sheet', type: 'VARCHAR', notNull: true, doc: 'XLSX sheet, empty string for CSV.' },
      { name: 'line', type: 'INTEGER', notNull: true, doc: 'Line (CSV, 1 = header) or sheet row (XLSX) where the record starts.' },
      { name: 'raw_record', type: 'VARCHAR', notNull: true, doc: 'The record as read (CSV text; cut at 64 KiB with a marker).' },
      { name: 'reason', type: 'VARCHAR', notNull: true, doc: 'Why, in words an analyst can act on; several reasons are joined with "; ".' },
    ],
  },
];

export function tableDef(name: string): TableDef {
  const def = TABLES.find((t) => t.name === name);
  if (!def) throw new Error(`unknown warehouse table ${name}`);
  return def;
}

/** Columns of a table including lineage, in storage order. */
export function allColumns(def: TableDef): ColumnDef[] {
  return def.lineage ? [...def.columns, ...LINEAGE] : def.columns;
}

export function createTableSql(def: TableDef): string {
  const cols = allColumns(def).map(
    (c) => `  ${c.name} ${SQL_TYPE[c.type]}${c.notNull ? ' NOT NULL' : ''}`,
  );
  // No PRIMARY KEY: DuckDB's ART constraints make delete-then-insert of the same key in one
  // transaction fail; ingest enforces key uniqueness itself (see pipelines/ingest/merge.ts).
  return `CREATE TABLE IF NOT EXISTS ${def.name} (\n${cols.join(',\n')}\n)`;
}

/** Bumped when the table layout changes; stored in `salesight_meta`. */
export const SCHEMA_VERSION = 1;

export function createAllTablesSql(): string[] {
  return [
    `CREATE TABLE IF NOT EXISTS salesight_meta (key VARCHAR NOT NULL, value VARCHAR)`,
    ...TABLES.map(createTableSql),
  ];
}
