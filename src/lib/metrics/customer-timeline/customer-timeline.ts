/**
 * Customer timeline (客户跟进全程, spec §6 and seed 000): every interaction with one customer in
 * time order, across reps, so a successor can take over when a rep leaves ("业务人员离职是必然的…
 * 如果新的人员能在交接工作后全面了解整个前任与客户打交道的过程").
 *
 * The family contract has no customer parameter, so:
 * - compute() returns the handover list: every customer with its last activity, open deals,
 *   current owner and whether a rep holding it has left (reps.left_at on or before as_of),
 *   customers needing a handover first, those with open deals first among them; the first
 *   MAX_HANDOVER_LIST of them, with the counts over all;
 * - drill('customers', { needs_handover? }) returns the whole list as flat rows (downloads stream
 *   it, up to MAX_DOWNLOAD_ROWS);
 * - drill('timeline', { customer }) returns one customer's full timeline (customer = its id,
 *   key or name).
 * The JSON shape below is the `salesight metrics customer-timeline --json` output: a public
 * interface. How rows are matched to customers, and what an entry is: customer-timeline-queries.ts.
 */
import { queryRows } from '../../warehouse/warehouse.server.ts';
import { drillQueryTable, MAX_DRILL_ROWS, type DrillQuery, type DrillRequest, type MetricContext, type MetricFamily, type ResultTable, type TableColumn, column as col } from '../family.ts';
import type { ResolvedParams } from '../params.ts';
import { handoverDrillSql, handoverListSql, resolveCustomerSql, timelineSql } from './customer-timeline-queries.ts';

/**
 * How many customers of the handover list the result carries (all the counts are over the whole
 * list). A million customers would make a JSON of about a gigabyte, more than Node can hold as one
 * string; the whole list is the `customers` drill-down, which downloads stream.
 */
export const MAX_HANDOVER_LIST = 10_000;

export type TimelineKind = 'opportunity_created' | 'follow_up' | 'stage_change' | 'opportunity_closed' | 'order' | 'order_cancelled';

export interface HandoverCustomer {
  /** customers.customer_id when the customer is known there, else the normalised name */
  customer_key: string;
  customer_id: string | null;
  customer_name: string;
  /** customers.owner */
  account_owner: string | null;
  /** who holds the customer now; `current_owner_basis` says where that came from */
  current_owner: string | null;
  current_owner_basis: 'open_opportunity' | 'account' | 'latest_opportunity' | 'latest_order' | null;
  /** the current owner left on or before as_of */
  owner_left: boolean;
  current_owner_left_at: string | null;
  /** departed reps among the current owner, the account owner and the owners of open deals */
  departed_reps: string[];
  needs_handover: boolean;
  /** open as of as_of */
  open_opportunities: number;
  open_amount: number;
  open_opportunity_ids: string[];
  opportunities: number;
  won_opportunities: number;
  won_amount: number;
  orders: number;
  /** net of cancellations */
  order_amount: number;
  last_order_at: string | null;
  first_activity_at: string | null;
  last_activity_at: string | null;
  last_activity_kind: TimelineKind | null;
  last_activity_rep: string | null;
  days_since_last_activity: number | null;
  /** timeline entries up to as_of, and those in the period */
  interactions: number;
  interactions_in_period: number;
  /** everyone who appears in the customer's timeline */
  reps_involved: string[];
}

export interface CustomerTimelineResult {
  family: 'customer-timeline';
  params: ResolvedParams;
  period_basis: string;
  /** customers the filters select (all of them, not only those in handover_list) */
  customers: number;
  needs_handover: number;
  needs_handover_with_open_deals: number;
  /** the first MAX_HANDOVER_LIST customers the filters select, in handover order */
  handover_list: HandoverCustomer[];
  /** true when handover_list stops short of `customers` (the `customers` drill-down has them all) */
  handover_list_truncated: boolean;
}

export interface TimelineEntry {
  seq: number;
  occurred_at: string;
  kind: TimelineKind;
  customer_key: string;
  opportunity_id: string | null;
  /** who did it: the follow-up's rep, the rep of an opportunity's first / closing record, the order's rep */
  rep: string | null;
  opportunity_owner: string | null;
  method: string | null;
  summary: string | null;
  objection: string | null;
  next_action: string | null;
  next_followup_at: string | null;
  from_stage: string | null;
  to_stage: string | null;
  status: string | null;
  product: string | null;
  expected_amount: number | null;
  amount: number | null;
  lost_reason: string | null;
  order_id: string | null;
  event_id: string | null;
  source_file: string | null;
  source_line: number | null;
}

const PERIOD_BASIS =
  'Everything up to the end of as_of. The period (from–to) only sets interactions_in_period; customers are listed ' +
  'whatever their activity in it (a neglected customer is what a handover must catch). Filters select customers ' +
  'with a matching opportunity (owner: its owner or a rep who followed it up). The timeline drill ignores period and filters.';

type ListedRow = HandoverCustomer & { total_customers?: number; total_needs_handover?: number; total_needs_handover_with_open_deals?: number };

export async function computeCustomerTimeline(ctx: MetricContext, listLimit = MAX_HANDOVER_LIST): Promise<CustomerTimelineResult> {
  const rows = await queryRows<ListedRow>(ctx.connection, handoverListSql(ctx.params, listLimit));
  const customers = rows[0]?.total_customers ?? 0;
  const needsHandover = rows[0]?.total_needs_handover ?? 0;
  const needsHandoverWithOpenDeals = rows[0]?.total_needs_handover_with_open_deals ?? 0;
  for (const row of rows) {
    delete row.total_customers;
    delete row.total_needs_handover;
    delete row.total_needs_handover_with_open_deals;
  }
  return {
    family: 'customer-timeline',
    params: ctx.params,
    period_basis: PERIOD_BASIS,
    customers,
    needs_handover: needsHandover,
    needs_handover_with_open_deals: needsHandoverWithOpenDeals,
    handover_list: rows,
    handover_list_truncated: rows.length < customers,
  };
}

const CUSTOMER_COLUMNS: TableColumn[] = [
  col('customer_id', 'Customer ID', '客户编号', 'text'),
  col('customer_name', 'Customer', '客户名称', 'text'),
  col('current_owner', 'Current owner', '当前负责人', 'text'),
  col('current_owner_basis', 'Owner from', '负责人依据', 'text'),
  col('current_owner_left_at', 'Owner left on', '负责人离职日期', 'date'),
  col('departed_reps_text', 'Departed reps', '已离职销售', 'text'),
  col('account_owner', 'Account owner', '客户负责人', 'text'),
  col('open_opportunities', 'Open deals', '在途商机', 'integer'),
  col('open_amount', 'Open amount', '在途金额', 'money'),
  col('open_opportunity_ids_text', 'Open deal IDs', '在途商机编号', 'text'),
  col('last_activity_at', 'Last activity', '最近互动', 'datetime'),
  col('last_activity_kind', 'Last activity type', '最近互动类型', 'text'),
  col('last_activity_rep', 'Last activity by', '最近互动人', 'text'),
  col('days_since_last_activity', 'Days since', '距今天数', 'integer'),
  col('interactions', 'Interactions', '互动次数', 'integer'),
  col('interactions_in_period', 'In period', '期内互动', 'integer'),
  col('opportunities', 'Opportunities', '商机数', 'integer'),
  col('won_opportunities', 'Won', '赢单', 'integer'),
  col('won_amount', 'Won amount', '赢单金额', 'money'),
  col('orders', 'Orders', '订单数', 'integer'),
  col('order_amount', 'Order amount', '订单金额', 'money'),
  col('last_order_at', 'Last order', '最近下单', 'datetime'),
  col('reps_involved_text', 'Reps involved', '经手销售', 'text'),
];

function customerRows(list: HandoverCustomer[]): Record<string, unknown>[] {
  return list.map((c) => ({
    ...c,
    departed_reps_text: c.departed_reps.join('、'),
    open_opportunity_ids_text: c.open_opportunity_ids.join(', '),
    reps_involved_text: c.reps_involved.join('、'),
  }));
}

export function customerTimelineTables(r: CustomerTimelineResult): ResultTable[] {
  // a cut list says so in its titles, and where the rest is
  const cut = r.handover_list_truncated
    ? { en: ` (the first ${r.handover_list.length.toLocaleString('en-US')} of ${r.customers.toLocaleString('en-US')}; all: drill-down "customers")`, zh: `（共 ${r.customers} 个，此处列前 ${r.handover_list.length} 个；全部见明细 customers）` }
    : { en: '', zh: '' };
  return [
    {
      name: 'Handover',
      title_en: `Customers held by departed reps (handover list)${cut.en}`,
      title_zh: `离职交接客户清单${cut.zh}`,
      columns: CUSTOMER_COLUMNS,
      rows: customerRows(r.handover_list.filter((c) => c.needs_handover)),
    },
    {
      name: 'Customers',
      title_en: `All customers: owner and last activity${cut.en}`,
      title_zh: `全部客户：负责人与最近互动${cut.zh}`,
      columns: CUSTOMER_COLUMNS,
      rows: customerRows(r.handover_list),
    },
  ];
}

const TIMELINE_COLUMNS: TableColumn[] = [
  col('seq', '#', '序号', 'integer'),
  col('occurred_at', 'When', '时间', 'datetime'),
  col('kind', 'What', '类型', 'text'),
  col('opportunity_id', 'Opportunity', '商机编号', 'text'),
  col('rep', 'Rep', '经手人', 'text'),
  col('opportunity_owner', 'Deal owner', '商机负责人', 'text'),
  col('method', 'Method', '跟进方式', 'text'),
  col('summary', 'Summary', '内容摘要', 'text'),
  col('objection', 'Objection', '异议点', 'text'),
  col('next_action', 'Next action', '下一步行动', 'text'),
  col('next_followup_at', 'Next follow-up', '下次跟进时间', 'datetime'),
  col('from_stage', 'From stage', '原阶段', 'text'),
  col('to_stage', 'To stage', '新阶段', 'text'),
  col('status', 'Status', '状态', 'text'),
  col('product', 'Product', '产品', 'text'),
  col('expected_amount', 'Expected amount', '预计金额', 'money'),
  col('amount', 'Amount', '金额', 'money'),
  col('lost_reason', 'Lost reason', '丢单原因', 'text'),
  col('order_id', 'Order', '订单编号', 'text'),
  col('customer_key', 'Customer key', '客户键', 'text'),
  col('event_id', 'Event', '记录编号', 'text'),
  col('source_file', 'Source file', '来源文件', 'text'),
  col('source_line', 'Source line', '来源行', 'integer'),
];

const DRILL_TARGETS = { customers: ['needs_handover'], timeline: ['customer'] };

const CUSTOMER_DRILL_COLUMNS = new Map<string, TableColumn>([
  ...CUSTOMER_COLUMNS.map((c): [string, TableColumn] => [c.key, c]),
  ['customer_key', col('customer_key', 'Customer key', '客户键', 'text')],
  ['needs_handover', col('needs_handover', 'Needs handover', '需交接', 'text')],
]);

/** The whole handover list (or the part that does or does not need a handover) as one statement. */
async function customersDrillQuery(ctx: MetricContext, request: DrillRequest): Promise<DrillQuery> {
  if (request.target !== 'customers') throw new Error(`customer-timeline streams only the drill target "customers"; "${request.target}" is answered by drill`);
  const flag = request.keys.needs_handover?.trim().toLowerCase();
  if (flag !== undefined && flag !== '' && flag !== 'true' && flag !== 'false') {
    throw new Error(`needs_handover must be true or false, not "${request.keys.needs_handover}"`);
  }
  const needsHandover = flag === 'true' ? true : flag === 'false' ? false : null;
  const part = needsHandover === true ? ['needing a handover', '需交接'] : needsHandover === false ? ['not needing a handover', '无需交接'] : ['all', '全部'];
  return {
    name: 'Customers',
    title_en: `Customers (${part[0]}): owner and last activity`,
    title_zh: `客户（${part[1]}）：负责人与最近互动`,
    sql: handoverDrillSql(ctx.params, needsHandover, request.limit),
    columnOf: (name) => CUSTOMER_DRILL_COLUMNS.get(name) ?? col(name, name, name, 'text'),
  };
}

export async function customerTimeline(ctx: MetricContext, customer: string, limit: number): Promise<{ customers: { customer_key: string; customer_id: string | null; customer_name: string }[]; entries: TimelineEntry[] }> {
  const customers = await queryRows<{ customer_key: string; customer_id: string | null; customer_name: string }>(ctx.connection, resolveCustomerSql(customer));
  if (customers.length === 0) throw new Error(`no customer matches "${customer}" (give its customer_id, key or name)`);
  const entries = await queryRows<TimelineEntry>(ctx.connection, timelineSql(ctx.params, customers.map((c) => c.customer_key), limit));
  return { customers, entries };
}

export async function drillCustomerTimeline(ctx: MetricContext, request: DrillRequest): Promise<ResultTable> {
  if (request.target === 'customers') {
    const query = await customersDrillQuery(ctx, { ...request, limit: Math.max(0, Math.min(request.limit, MAX_DRILL_ROWS)) });
    return drillQueryTable(ctx.connection, query, 'customer_key');
  }
  if (request.target !== 'timeline') throw new Error(`customer-timeline has no drill target "${request.target}"; try customers, timeline`);
  const customer = request.keys.customer?.trim();
  if (!customer) throw new Error('drill timeline needs the key customer=<customer_id or name>');
  const { customers, entries } = await customerTimeline(ctx, customer, Math.max(0, Math.min(request.limit, MAX_DRILL_ROWS)));
  const names = customers.map((c) => c.customer_name).join(', ');
  return {
    name: 'Timeline',
    title_en: `Customer timeline: ${names}`,
    title_zh: `客户跟进全程：${names}`,
    columns: TIMELINE_COLUMNS,
    rows: entries as unknown as Record<string, unknown>[],
  };
}

export const customerTimelineFamily: MetricFamily<CustomerTimelineResult> = {
  id: 'customer-timeline',
  title_en: 'Customer timeline and handover list',
  title_zh: '客户跟进全程与离职交接',
  compute: computeCustomerTimeline,
  tables: customerTimelineTables,
  drillTargets: DRILL_TARGETS,
  drill: drillCustomerTimeline,
  drillQuery: customersDrillQuery,
  drillQueryTargets: ['customers'],
};
