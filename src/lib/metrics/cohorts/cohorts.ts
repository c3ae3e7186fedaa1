/**
 * Cohorts (同期群, spec §4): customer retention and revenue retention by month of first order,
 * and lead cohorts by month created (share won by age). The cleaning rules and what each
 * dimension filters are documented in cohorts-queries.ts; the short version travels in the
 * result's `notes` so a page can show it next to the heatmap.
 */
import { ratio, type DrillRequest, type MetricContext, type MetricFamily, type ResultTable, type TableColumn } from '../family.ts';
import type { Dimension, ResolvedParams } from '../params.ts';
import { queryRows } from '../../warehouse/warehouse.server.ts';
import {
  cohortWindow,
  customerCohortCellsSql,
  customerDrillSql,
  leadCohortCellsSql,
  leadDrillSql,
  leadsWithoutCreatedAtSql,
  monthEndDay,
  monthLabel,
  parseMonthLabel,
  type CohortWindow,
} from './cohorts-queries.ts';

export interface CustomerCohortMonth {
  /** Months since the cohort month (0 = the cohort month itself). */
  age: number;
  /** 'YYYY-MM' of cohort month + age. */
  month: string;
  /** Cohort customers with ≥ 1 qualifying order line (not a cancellation, amount > 0) that month. */
  active: number;
  /** active ÷ size. */
  retention: number | null;
  /** Net revenue of the cohort that month (元): all its lines, cancellations netted. */
  revenue: number;
  /** revenue ÷ revenue in month 0; null when month-0 revenue is not positive. */
  revenue_retention: number | null;
  /** The as-of month when as-of is not its last day: the month is not over yet. */
  partial: boolean;
}

export interface CustomerCohort {
  /** Value of the `by` dimension; null without `by` (or for lines/customers without a value). */
  group: string | null;
  /** 'YYYY-MM' of the first qualifying order. */
  cohort: string;
  /** Customers whose first qualifying order is in this month (0 for a month without new customers). */
  size: number;
  revenue_month0: number;
  /** Ages 0 … as-of month − cohort month. */
  months: CustomerCohortMonth[];
}

export interface LeadCohortAge {
  age: number;
  month: string;
  /** Leads of the cohort won (closed_at, up to as-of) within `age` calendar months of creation, cumulative. */
  won: number;
  /** won ÷ size. */
  won_rate: number | null;
  partial: boolean;
}

export interface LeadCohort {
  group: string | null;
  /** 'YYYY-MM' of created_at. */
  cohort: string;
  /** Every opportunity created that month, invalid leads included. */
  size: number;
  invalid: number;
  /** Won by as-of with a close date (= the last age's `won`). */
  won: number;
  /** Status won but no closed_at: cannot be placed at an age, so counted in no `won` figure. */
  won_without_close_date: number;
  ages: LeadCohortAge[];
}

export interface CohortsResult {
  family: 'cohorts';
  params: ResolvedParams;
  /** The period widened to whole calendar months, capped at the as-of month. */
  first_cohort: string;
  last_cohort: string;
  customers: {
    /** Which date the period selects on. */
    period_applies_to: 'first_order_at';
    /** Largest age shown (as-of month − first cohort month). */
    max_age: number;
    /** Sum of cohort sizes: distinct (per group) customers whose first qualifying order is in the period. */
    customers_in_cohorts: number;
    cohorts: CustomerCohort[];
  };
  leads: {
    period_applies_to: 'created_at';
    max_age: number;
    leads_in_cohorts: number;
    /** Opportunities passing the filters with no created_at: in no cohort. */
    leads_without_created_at: number;
    cohorts: LeadCohort[];
  };
  notes: { en: string[]; zh: string[] };
}

const NOTES = {
  en: [
    'Customer cohort = calendar month of the first order line with a customer id, not a cancellation and amount > 0; guest orders are left out.',
    'Retention month k = cohort customers with at least one such line in cohort month + k, ÷ cohort size.',
    'Revenue retention = net revenue (cancellations subtracted in the month booked) in month k ÷ net revenue in month 0.',
    'Lead cohort = month created; won by age k = won with a close date within k calendar months of creation, up to the as-of date; invalid leads count in the cohort size.',
    'Periods are widened to whole calendar months; the as-of month may be partial.',
    "Filters: region and industry are the customer's; product and owner the order line's; team the team of the line's rep; source that of the opportunity the line came from. Lead cohorts use the opportunity's own fields.",
  ],
  zh: [
    '客户同期群按首单月份划分：首单指带客户编号、非退单且金额大于 0 的订单行；游客订单不计。',
    '第 k 月留存率 = 同期群中在第 k 月有至少一笔此类订单的客户数 ÷ 同期群客户数。',
    '收入留存率 = 第 k 月净收入（退单在退单月份扣减）÷ 第 0 月净收入。',
    '线索同期群按创建月份划分；第 k 月累计赢单率 = 创建后 k 个自然月内成交（截至统计日）的线索数 ÷ 同期群线索数，无效线索计入分母。',
    '期间按整自然月扩展；统计日所在月份可能不完整。',
    '筛选：区域、行业取客户档案；产品、负责人取订单行；团队取订单负责人所在团队；线索来源取订单关联商机的来源。线索同期群按商机自身字段筛选。',
  ],
};

interface CustomerCellRow {
  grp: string | null;
  cohort_index: number;
  age: number;
  size: number;
  active: number;
  revenue: number;
}

interface LeadCellRow {
  grp: string | null;
  cohort_index: number;
  won_age: number | null;
  leads: number;
  invalid: number;
  won_without_close_date: number;
}

/** Cents, so sums of DOUBLE-cast DECIMALs print as the money they are. */
function money(value: number): number {
  return Math.round(value * 100) / 100;
}

function isPartial(monthIndex: number, window: CohortWindow, asOf: string): boolean {
  return monthIndex === window.as_of_index && asOf < monthEndDay(monthIndex);
}

/**
 * Groups in first-seen order from SQL (sorted, NULL last); without `by`, the single null group.
 * No rows at all (no orders or no opportunities pass the filters) gives no cohorts rather than
 * a column of empty months: a warehouse without opportunities has no lead cohorts to show.
 */
function groupsOf(rows: { grp: string | null }[], by: Dimension | null): (string | null)[] {
  if (!by) return rows.length ? [null] : [];
  return [...new Set(rows.map((r) => r.grp))];
}

function cohortMonths(window: CohortWindow): number[] {
  const months: number[] = [];
  for (let c = window.first_index; c <= window.last_index; c++) months.push(c);
  return months;
}

/** Cell rows by (group, cohort); the key separates a NULL group from any real value. */
function groupCells<T extends { grp: string | null; cohort_index: number }>(rows: T[]): Map<string, T[]> {
  const byKey = new Map<string, T[]>();
  for (const r of rows) {
    const key = `${r.grp ?? '\u0000'}|${r.cohort_index}`;
    const list = byKey.get(key) ?? [];
    list.push(r);
    byKey.set(key, list);
  }
  return byKey;
}

export function buildCustomerCohorts(rows: CustomerCellRow[], window: CohortWindow, params: ResolvedParams): CustomerCohort[] {
  const byKey = groupCells(rows);
  const cohorts: CustomerCohort[] = [];
  for (const group of groupsOf(rows, params.by)) {
    for (const c of cohortMonths(window)) {
      const cells = byKey.get(`${group ?? '\u0000'}|${c}`) ?? [];
      const size = cells[0]?.size ?? 0;
      const revenue0 = money(cells.find((x) => x.age === 0)?.revenue ?? 0);
      const months: CustomerCohortMonth[] = [];
      for (let age = 0; c + age <= window.as_of_index; age++) {
        const cell = cells.find((x) => x.age === age);
        const revenue = money(cell?.revenue ?? 0);
        months.push({
          age,
          month: monthLabel(c + age),
          active: cell?.active ?? 0,
          retention: ratio(cell?.active ?? 0, size),
          revenue,
          // A base of zero or less (cancellations exceeding the first month's orders) gives no meaningful ratio.
          revenue_retention: size > 0 && revenue0 > 0 ? revenue / revenue0 : null,
          partial: isPartial(c + age, window, params.as_of),
        });
      }
      cohorts.push({ group, cohort: monthLabel(c), size, revenue_month0: revenue0, months });
    }
  }
  return cohorts;
}

export function buildLeadCohorts(rows: LeadCellRow[], window: CohortWindow, params: ResolvedParams): LeadCohort[] {
  const byKey = groupCells(rows);
  const cohorts: LeadCohort[] = [];
  for (const group of groupsOf(rows, params.by)) {
    for (const c of cohortMonths(window)) {
      const cells = byKey.get(`${group ?? '\u0000'}|${c}`) ?? [];
      const size = cells.reduce((a, r) => a + r.leads, 0);
      const ages: LeadCohortAge[] = [];
      let won = 0;
      for (let age = 0; c + age <= window.as_of_index; age++) {
        won += cells.filter((r) => r.won_age === age).reduce((a, r) => a + r.leads, 0);
        ages.push({ age, month: monthLabel(c + age), won, won_rate: ratio(won, size), partial: isPartial(c + age, window, params.as_of) });
      }
      cohorts.push({
        group,
        cohort: monthLabel(c),
        size,
        invalid: cells.reduce((a, r) => a + r.invalid, 0),
        won,
        won_without_close_date: cells.reduce((a, r) => a + r.won_without_close_date, 0),
        ages,
      });
    }
  }
  return cohorts;
}

export async function compute(ctx: MetricContext): Promise<CohortsResult> {
  const { connection, params } = ctx;
  const window = cohortWindow(params);
  const customerRows = await queryRows<CustomerCellRow>(connection, customerCohortCellsSql(params));
  const leadRows = await queryRows<LeadCellRow>(connection, leadCohortCellsSql(params));
  const [undated] = await queryRows<{ n: number }>(connection, leadsWithoutCreatedAtSql(params));
  const customerCohorts = buildCustomerCohorts(customerRows, window, params);
  const leadCohorts = buildLeadCohorts(leadRows, window, params);
  const maxAge = Math.max(0, window.as_of_index - window.first_index);
  return {
    family: 'cohorts',
    params,
    first_cohort: monthLabel(window.first_index),
    last_cohort: monthLabel(window.last_index),
    customers: {
      period_applies_to: 'first_order_at',
      max_age: maxAge,
      customers_in_cohorts: customerCohorts.reduce((a, c) => a + c.size, 0),
      cohorts: customerCohorts,
    },
    leads: {
      period_applies_to: 'created_at',
      max_age: maxAge,
      leads_in_cohorts: leadCohorts.reduce((a, c) => a + c.size, 0),
      leads_without_created_at: undated?.n ?? 0,
      cohorts: leadCohorts,
    },
    notes: NOTES,
  };
}

// ---- tables: one wide row per cohort (cohort, size, month 0 … N), for a heatmap or a sheet ----

function ageColumns(maxAge: number, format: TableColumn['format']): TableColumn[] {
  return Array.from({ length: maxAge + 1 }, (_, k) => ({ key: `m${k}`, header_en: `Month ${k}`, header_zh: `第${k}月`, format }));
}

function leadingColumns(by: Dimension | null): TableColumn[] {
  const group: TableColumn[] = by ? [{ key: 'group', header_en: by, header_zh: DIMENSION_ZH[by], format: 'text' }] : [];
  return [...group, { key: 'cohort', header_en: 'Cohort', header_zh: '同期群', format: 'text' }];
}

const DIMENSION_ZH: Record<Dimension, string> = { team: '团队', region: '区域', industry: '行业', product: '产品', source: '线索来源', owner: '负责人' };

function wideRow<T extends { age: number }>(
  head: Record<string, unknown>,
  cells: T[],
  value: (cell: T) => number | null,
  maxAge: number,
): Record<string, unknown> {
  const row: Record<string, unknown> = { ...head };
  // Ages past the as-of month stay null (blank cell), which gives the heatmap its triangle.
  for (let k = 0; k <= maxAge; k++) {
    const cell = cells.find((c) => c.age === k);
    row[`m${k}`] = cell ? value(cell) : null;
  }
  return row;
}

export function cohortTables(result: CohortsResult): ResultTable[] {
  const by = result.params.by;
  const cMax = result.customers.max_age;
  const lMax = result.leads.max_age;
  const head = (x: { group: string | null; cohort: string }) => (by ? { group: x.group, cohort: x.cohort } : { cohort: x.cohort });
  const size: TableColumn = { key: 'size', header_en: 'Customers', header_zh: '客户数', format: 'integer' };
  const leadSize: TableColumn = { key: 'size', header_en: 'Leads', header_zh: '线索数', format: 'integer' };
  const customers = result.customers.cohorts;
  const leads = result.leads.cohorts;
  return [
    {
      name: 'Retention',
      title_en: 'Customer retention by first-order month',
      title_zh: '客户留存率（按首单月份）',
      columns: [...leadingColumns(by), size, ...ageColumns(cMax, 'percent')],
      rows: customers.map((c) => wideRow({ ...head(c), size: c.size }, c.months, (m) => m.retention, cMax)),
    },
    {
      name: 'Active customers',
      title_en: 'Active customers by first-order month',
      title_zh: '活跃客户数（按首单月份）',
      columns: [...leadingColumns(by), size, ...ageColumns(cMax, 'integer')],
      rows: customers.map((c) => wideRow({ ...head(c), size: c.size }, c.months, (m) => m.active, cMax)),
    },
    {
      name: 'Revenue retention',
      title_en: 'Revenue retention by first-order month (net of cancellations)',
      title_zh: '收入留存率（按首单月份，扣除退单）',
      columns: [
        ...leadingColumns(by),
        size,
        { key: 'revenue_month0', header_en: 'Revenue month 0', header_zh: '第0月收入', format: 'money' },
        ...ageColumns(cMax, 'percent'),
      ],
      rows: customers.map((c) => wideRow({ ...head(c), size: c.size, revenue_month0: c.revenue_month0 }, c.months, (m) => m.revenue_retention, cMax)),
    },
    {
      name: 'Cohort revenue',
      title_en: 'Net revenue by first-order month',
      title_zh: '同期群净收入（按首单月份）',
      columns: [...leadingColumns(by), size, ...ageColumns(cMax, 'money')],
      rows: customers.map((c) => wideRow({ ...head(c), size: c.size }, c.months, (m) => m.revenue, cMax)),
    },
    {
      name: 'Lead cohorts',
      title_en: 'Share of leads won by age (months since created)',
      title_zh: '线索同期群累计赢单率（按创建月份）',
      columns: [
        ...leadingColumns(by),
        leadSize,
        { key: 'invalid', header_en: 'Invalid', header_zh: '无效线索', format: 'integer' },
        { key: 'won', header_en: 'Won', header_zh: '已成交', format: 'integer' },
        ...ageColumns(lMax, 'percent'),
      ],
      rows: leads.map((l) => wideRow({ ...head(l), size: l.size, invalid: l.invalid, won: l.won }, l.ages, (a) => a.won_rate, lMax)),
    },
    {
      name: 'Lead wins',
      title_en: 'Leads won by age, cumulative',
      title_zh: '线索累计赢单数（按创建月份）',
      columns: [...leadingColumns(by), leadSize, ...ageColumns(lMax, 'integer')],
      rows: leads.map((l) => wideRow({ ...head(l), size: l.size }, l.ages, (a) => a.won, lMax)),
    },
  ];
}

// ---- drill ----

export const COHORT_DRILL_TARGETS: Record<string, string[]> = {
  /** Customers of cohort `cohort` with a qualifying order in month cohort + `age`. */
  active_customers: ['cohort', 'age', 'group'],
  /**
   * Customers of the cohort without one that month (the ones to win back). A cell's net revenue
   * is active plus lapsed customers' revenue: a lapsed customer can still have a cancellation.
   */
  lapsed_customers: ['cohort', 'age', 'group'],
  /** Leads of cohort `cohort` won within `age` months (cumulative, as the figure). */
  won_leads: ['cohort', 'age', 'group'],
  /** Every lead of the cohort (the size). */
  cohort_leads: ['cohort', 'group'],
};

function parseAge(value: string | undefined): number {
  if (value === undefined || !/^\d{1,4}$/.test(value)) throw new Error(`drill key "age" must be a whole number of months ≥ 0, got ${JSON.stringify(value)}`);
  return Number(value);
}

/** `group` key: absent = every group; '' = the group of lines/customers without a value (filter values are never empty). */
function parseGroup(keys: Record<string, string>): string | null | undefined {
  if (!('group' in keys)) return undefined;
  return keys.group === '' ? null : keys.group;
}

const CUSTOMER_DRILL_COLUMNS: TableColumn[] = [
  { key: 'customer_id', header_en: 'Customer id', header_zh: '客户编号', format: 'text' },
  { key: 'customer_name', header_en: 'Customer', header_zh: '客户名称', format: 'text' },
  { key: 'country', header_en: 'Country', header_zh: '国家', format: 'text' },
  { key: 'region', header_en: 'Region', header_zh: '区域', format: 'text' },
  { key: 'first_order', header_en: 'First order', header_zh: '首单日期', format: 'date' },
  { key: 'last_order', header_en: 'Last order', header_zh: '最近下单日期', format: 'date' },
  { key: 'orders', header_en: 'Orders that month', header_zh: '当月订单数', format: 'integer' },
  { key: 'revenue', header_en: 'Net revenue that month', header_zh: '当月净收入', format: 'money' },
];

const LEAD_DRILL_COLUMNS: TableColumn[] = [
  { key: 'opportunity_id', header_en: 'Opportunity', header_zh: '线索编号', format: 'text' },
  { key: 'opportunity_name', header_en: 'Name', header_zh: '商机名称', format: 'text' },
  { key: 'customer_name', header_en: 'Customer', header_zh: '客户名称', format: 'text' },
  { key: 'owner', header_en: 'Owner', header_zh: '负责人', format: 'text' },
  { key: 'team', header_en: 'Team', header_zh: '团队', format: 'text' },
  { key: 'source', header_en: 'Source', header_zh: '线索来源', format: 'text' },
  { key: 'product', header_en: 'Product', header_zh: '产品', format: 'text' },
  { key: 'status', header_en: 'Status', header_zh: '状态', format: 'text' },
  { key: 'created_at', header_en: 'Created', header_zh: '创建日期', format: 'date' },
  { key: 'closed_at', header_en: 'Closed', header_zh: '结单日期', format: 'date' },
  { key: 'won_age_months', header_en: 'Won at age (months)', header_zh: '成交月龄', format: 'integer' },
  { key: 'amount', header_en: 'Won amount', header_zh: '成交金额', format: 'money' },
];

export async function drill(ctx: MetricContext, request: DrillRequest): Promise<ResultTable> {
  const { params } = ctx;
  if (!(request.target in COHORT_DRILL_TARGETS)) {
    throw new Error(`cohorts has no drill target "${request.target}" (known: ${Object.keys(COHORT_DRILL_TARGETS).join(', ')})`);
  }
  const cohortKey = request.keys.cohort;
  if (cohortKey === undefined) throw new Error('drill key "cohort" (a month like 2024-03) is required');
  const cohortIndex = parseMonthLabel(cohortKey);
  const group = parseGroup(request.keys);
  const groupColumn: TableColumn[] = params.by ? [{ key: 'group', header_en: params.by, header_zh: DIMENSION_ZH[params.by], format: 'text' }] : [];
  const strip = (rows: Record<string, unknown>[]) => (params.by ? rows : rows.map(({ group: _g, ...rest }) => rest));

  if (request.target === 'active_customers' || request.target === 'lapsed_customers') {
    const age = parseAge(request.keys.age);
    const active = request.target === 'active_customers';
    const rows = await queryRows(ctx.connection, customerDrillSql(params, { cohort_index: cohortIndex, age, active, group, limit: request.limit }));
    const month = monthLabel(cohortIndex + age);
    return {
      name: active ? 'Active customers' : 'Lapsed customers',
      title_en: `Cohort ${cohortKey}: customers ${active ? 'with' : 'without'} an order in ${month} (month ${age})`,
      title_zh: `同期群 ${cohortKey}：${month}（第${age}月）${active ? '有' : '无'}订单的客户`,
      columns: [...groupColumn, ...CUSTOMER_DRILL_COLUMNS],
      rows: strip(rows),
    };
  }
  const wonByAge = request.target === 'won_leads' ? parseAge(request.keys.age) : undefined;
  const rows = await queryRows(ctx.connection, leadDrillSql(params, { cohort_index: cohortIndex, won_by_age: wonByAge, group, limit: request.limit }));
  return {
    name: wonByAge === undefined ? 'Cohort leads' : 'Won leads',
    title_en: wonByAge === undefined ? `Leads created in ${cohortKey}` : `Leads created in ${cohortKey} won within ${wonByAge} months`,
    title_zh: wonByAge === undefined ? `${cohortKey} 创建的线索` : `${cohortKey} 创建、${wonByAge} 个月内成交的线索`,
    columns: [...groupColumn, ...LEAD_DRILL_COLUMNS],
    rows: strip(rows),
  };
}

export const cohortsFamily: MetricFamily<CohortsResult> = {
  id: 'cohorts',
  title_en: 'Cohorts',
  title_zh: '同期群',
  compute,
  tables: cohortTables,
  drillTargets: COHORT_DRILL_TARGETS,
  drill,
};
