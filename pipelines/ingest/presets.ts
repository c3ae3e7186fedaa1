/**
 * Built-in header presets, one per export layout we know. A file's preset is recognised from its
 * headers (see detect.ts); `--preset ID` or `--mapping FILE` override. docs/ingest.md lists
 * every preset's columns; it is generated from this file.
 */
import { defineMapping, type Mapping } from './mapping.ts';

const WAN = 10_000; // 万元 → 元

/** The seed 002 "销售漏斗跟踪模板", headers exactly as printed. */
const seedFunnelTemplate = defineMapping({
  id: 'seed-funnel-template',
  label: '销售漏斗跟踪模板 (seed 002)',
  table: 'opportunities',
  date_order: 'ymd',
  stage_set: 'default',
  detect: ['线索编号', '客户名称/联系人', '所属阶段'],
  columns: {
    opportunity_id: { from: ['线索编号'], required: true },
    customer_name: { from: [{ header: '客户名称/联系人', separator: '/', part: 0 }] },
    contact_name: { from: [{ header: '客户名称/联系人', separator: '/', part: 1 }] },
    source: ['线索来源'],
    stage: { from: ['所属阶段'], required: true },
    created_at: ['首次接触时间'],
    last_activity_at: ['最近跟进时间'],
    last_activity_method: ['跟进方式'],
    last_activity_summary: ['跟进内容摘要'],
    need: ['客户需求/痛点'],
    expected_close_date: ['预计成交日期'],
    expected_amount: { from: [{ header: '预计成交金额(万元)', unit: WAN }] },
    owner: ['负责人'],
    reported_stage_days: ['当前阶段停留时长(天)'],
    reported_conversion: ['转化率/阶段通过率(可选)', '转化率/阶段通过率'],
  },
});

/** Canonical layout: the warehouse column names, or the usual Chinese CRM headers. */
const canonicalOpportunities = defineMapping({
  id: 'canonical-opportunities',
  label: 'Canonical opportunities (English column names or Chinese CRM headers)',
  table: 'opportunities',
  date_order: 'ymd',
  stage_set: 'default',
  columns: {
    opportunity_id: { from: ['opportunity_id', '商机编号', '线索编号', '商机ID'], required: true },
    opportunity_name: ['opportunity_name', '商机名称'],
    customer_name: ['customer_name', '客户名称'],
    contact_name: ['contact_name', '联系人'],
    contact_info: ['contact_info', '联系方式'],
    owner: ['owner', '负责人', '销售负责人'],
    team: ['team', '团队', '所属团队', '所属部门'],
    region: ['region', '区域', '大区', '所属区域'],
    industry: ['industry', '行业', '所属行业'],
    product: ['product', '产品', '意向产品'],
    source: ['source', '线索来源', '商机来源', '来源'],
    stage: ['stage', '阶段', '销售阶段', '所属阶段'],
    status: ['status', '状态', '商机状态'],
    created_at: ['created_at', '创建时间', '首次接触时间'],
    stage_entered_at: ['stage_entered_at', '进入阶段时间', '阶段变更时间'],
    last_activity_at: ['last_activity_at', '最近跟进时间'],
    closed_at: ['closed_at', '结单时间', '关闭时间', '成交时间'],
    expected_close_date: ['expected_close_date', '预计成交日期', '预计结单日期'],
    expected_amount: {
      from: ['expected_amount', '预计成交金额', '预计金额', '商机金额', { header: '预计成交金额(万元)', unit: WAN }],
    },
    amount: ['amount', '成交金额', '赢单金额', { header: '成交金额(万元)', unit: WAN }],
    probability: ['probability', '赢率'],
    lost_reason: ['lost_reason', '输单原因', '丢单原因', '流失原因'],
    need: ['need', '客户需求/痛点', '客户需求'],
  },
});

const canonicalStageEvents = defineMapping({
  id: 'canonical-stage-events',
  label: 'Canonical follow-ups / stage changes (跟进记录)',
  table: 'stage_events',
  date_order: 'ymd',
  stage_set: 'default',
  columns: {
    opportunity_id: { from: ['opportunity_id', '商机编号', '线索编号'], required: true },
    occurred_at: { from: ['occurred_at', '跟进时间'], required: true },
    from_stage: ['from_stage', '原阶段', '变更前阶段'],
    to_stage: ['to_stage', '新阶段', '变更后阶段'],
    method: ['method', '跟进方式'],
    summary: ['summary', '跟进内容摘要', '跟进内容'],
    objection: ['objection', '异议点', '客户异议'],
    next_action: ['next_action', '下一步行动', '下一步'],
    next_followup_at: ['next_followup_at', '下次跟进时间', '计划跟进时间'],
    owner: ['owner', '跟进人', '负责人'],
  },
});

const canonicalOrders = defineMapping({
  id: 'canonical-orders',
  label: 'Canonical orders (交易/回款)',
  table: 'orders',
  date_order: 'ymd',
  columns: {
    order_id: { from: ['order_id', '订单编号', '订单号'], required: true },
    order_line: ['order_line', '行号'],
    customer_id: ['customer_id', '客户编号', '客户ID'],
    customer_name: ['customer_name', '客户名称'],
    ordered_at: { from: ['ordered_at', '下单时间', '订单日期', '成交日期'], required: true },
    product: ['product', '产品', '产品名称'],
    product_code: ['product_code', '产品编码'],
    quantity: ['quantity', '数量'],
    unit_price: ['unit_price', '单价'],
    amount: ['amount', '金额', '订单金额', '回款金额', { header: '金额(万元)', unit: WAN }],
    profit: ['profit', '毛利'],
    is_cancellation: ['is_cancellation', '是否退单'],
    country: ['country', '国家'],
    owner: ['owner', '负责人', '销售'],
    opportunity_id: ['opportunity_id', '商机编号'],
  },
});

const canonicalCustomers = defineMapping({
  id: 'canonical-customers',
  label: 'Canonical customers (客户)',
  table: 'customers',
  date_order: 'ymd',
  columns: {
    customer_id: { from: ['customer_id', '客户编号', '客户ID'], required: true },
    customer_name: ['customer_name', '客户名称'],
    industry: ['industry', '行业', '所属行业'],
    region: ['region', '区域', '所属区域'],
    country: ['country', '国家'],
    first_seen_at: ['first_seen_at', '首次接触时间', '创建时间'],
    owner: ['owner', '负责人'],
    credit_status: ['credit_status', '资信', '资信状况'],
    tags: ['tags', '标签'],
    parent_name: ['parent_name', '上级公司'],
    employees: ['employees', '员工数'],
  },
});

const canonicalReps = defineMapping({
  id: 'canonical-reps',
  label: 'Canonical reps (销售人员)',
  table: 'reps',
  date_order: 'ymd',
  columns: {
    owner: { from: ['owner', '姓名', '销售人员', '负责人'], required: true },
    team: ['team', '团队', '所属团队'],
    region: ['region', '区域', '所属区域'],
    manager: ['manager', '主管', '经理'],
    hired_at: ['hired_at', '入职日期'],
    left_at: ['left_at', '离职日期'],
  },
});

const canonicalTargets = defineMapping({
  id: 'canonical-targets',
  label: 'Canonical targets (目标)',
  table: 'targets',
  date_order: 'ymd',
  columns: {
    period_start: { from: ['period_start', '开始日期'], required: true },
    period_end: { from: ['period_end', '结束日期'], required: true },
    dimension: { from: ['dimension', '维度'], required: true },
    dimension_value: { from: ['dimension_value', '维度值'], required: true },
    metric: { from: ['metric', '指标'], required: true },
    tier: ['tier', '档位'],
    target_value: { from: ['target_value', '目标值', { header: '目标值(万元)', unit: WAN }], required: true },
  },
});

/** Maven CRM: values that differ from products.csv / the obvious spelling, fixed on the way in. */
const MAVEN_PRODUCT_FIXES = { GTXPro: 'GTX Pro' };
const MAVEN_SECTOR_FIXES = { technolgy: 'technology' };

const mavenPipeline = defineMapping({
  id: 'maven-crm-pipeline',
  label: 'Maven CRM sales_pipeline.csv',
  table: 'opportunities',
  // The ISO original and the spreadsheet re-save (M/D/YYYY) both load: ISO is always read.
  date_order: 'mdy',
  stage_set: 'maven_crm',
  detect: ['opportunity_id', 'sales_agent', 'deal_stage', 'engage_date', 'close_value'],
  columns: {
    opportunity_id: { from: ['opportunity_id'], required: true },
    owner: ['sales_agent'],
    product: { from: ['product'], values: MAVEN_PRODUCT_FIXES },
    customer_name: ['account'],
    stage: { from: ['deal_stage'], required: true },
    created_at: ['engage_date'],
    closed_at: ['close_date'],
    amount: ['close_value'],
  },
  // A snapshot export. Maven's dictionary: engage_date is when the deal entered Engaging, and
  // every Lost deal has one (the 500 without are exactly the Prospecting deals), so a lost deal
  // was lost at Engaging. The current stage was entered at engage_date, or close_date if won.
  derived: {
    stage: `CASE WHEN v.status = 'lost' AND v.created_at IS NOT NULL THEN 'Engaging' ELSE v.stage END`,
    stage_entered_at: `CASE WHEN v.status = 'won' THEN v.closed_at WHEN v.stage = 'Engaging' OR (v.status = 'lost' AND v.created_at IS NOT NULL) THEN v.created_at END`,
  },
});

const mavenAccounts = defineMapping({
  id: 'maven-crm-accounts',
  label: 'Maven CRM accounts.csv',
  table: 'customers',
  date_order: 'ymd',
  detect: ['account', 'sector', 'year_established', 'office_location'],
  columns: {
    customer_id: { from: ['account'], required: true },
    customer_name: ['account'],
    industry: { from: ['sector'], values: MAVEN_SECTOR_FIXES },
    country: ['office_location'],
    employees: ['employees'],
    parent_name: ['subsidiary_of'],
  },
});

const mavenTeams = defineMapping({
  id: 'maven-crm-teams',
  label: 'Maven CRM sales_teams.csv',
  table: 'reps',
  date_order: 'ymd',
  detect: ['sales_agent', 'manager', 'regional_office'],
  columns: {
    owner: { from: ['sales_agent'], required: true },
    // Maven's teams are the manager's team; the regional office is the region.
    team: ['manager'],
    manager: ['manager'],
    region: ['regional_office'],
  },
});

const mavenProducts = defineMapping({
  id: 'maven-crm-products',
  label: 'Maven CRM products.csv',
  table: 'products',
  date_order: 'ymd',
  detect: ['product', 'series', 'sales_price'],
  columns: {
    product: { from: ['product'], required: true },
    series: ['series'],
    list_price: ['sales_price'],
  },
});

/** UCI Online Retail invoice lines → orders, and customers derived from them. */
const onlineRetail = defineMapping({
  id: 'online-retail',
  label: 'UCI Online Retail invoice lines',
  table: 'orders',
  date_order: 'mdy', // the original workbook writes 12/1/2010 8:26; the per-day CSVs are ISO
  cancellation_prefix: 'C',
  detect: ['InvoiceNo', 'StockCode', 'InvoiceDate', 'UnitPrice', 'CustomerID'],
  derive_customers: true,
  columns: {
    order_id: { from: ['InvoiceNo'], required: true },
    product_code: ['StockCode'],
    product: ['Description'],
    quantity: ['Quantity'],
    ordered_at: { from: ['InvoiceDate'], required: true },
    unit_price: ['UnitPrice'],
    customer_id: ['CustomerID'],
    country: ['Country'],
  },
});

const salesforceOpportunities = defineMapping({
  id: 'salesforce-opportunities',
  label: 'Salesforce opportunity report export',
  table: 'opportunities',
  date_order: 'mdy', // Salesforce writes dates in the user's locale; US is M/D/YYYY
  stage_set: 'salesforce',
  detect: ['Opportunity Name', 'Stage', 'Close Date'],
  columns: {
    // Reports include the 18-character id only when it was added as a column; else the name is the key.
    opportunity_id: { from: ['Opportunity ID', 'Opportunity Name'], required: true },
    opportunity_name: ['Opportunity Name'],
    customer_name: ['Account Name'],
    owner: ['Opportunity Owner', 'Owner Full Name'],
    stage: { from: ['Stage'], required: true },
    amount: ['Amount'],
    expected_close_date: ['Close Date'],
    created_at: ['Created Date'],
    source: ['Lead Source'],
    probability: { from: [{ header: 'Probability (%)', unit: 0.01 }] },
    stage_entered_at: ['Last Stage Change Date'],
    region: ['Billing State/Province', 'Region'],
    industry: ['Industry'],
    product: ['Product Name', 'Type'],
    lost_reason: ['Loss Reason', 'Closed Lost Reason'],
  },
  derived: {
    // In Salesforce "Close Date" is the expected date while open and the actual date once closed.
    closed_at: `CASE WHEN v.status IN ('won', 'lost') THEN v.expected_close_date::TIMESTAMP END`,
    amount: `CASE WHEN v.status = 'won' THEN v.amount END`,
    expected_amount: `v.amount`,
  },
});

const hubspotDeals = defineMapping({
  id: 'hubspot-deals',
  label: 'HubSpot deals export',
  table: 'opportunities',
  date_order: 'ymd',
  stage_set: 'hubspot',
  detect: ['Record ID', 'Deal Name', 'Deal Stage'],
  columns: {
    opportunity_id: { from: ['Record ID', 'Deal ID'], required: true },
    opportunity_name: ['Deal Name'],
    stage: { from: ['Deal Stage'], required: true },
    amount: ['Amount'],
    expected_close_date: ['Close Date'],
    created_at: ['Create Date'],
    owner: ['Deal owner', 'Deal Owner'],
    customer_name: ['Associated Company', 'Associated Company (Primary)', 'Company name'],
    source: ['Original Source Type', 'Original Traffic Source', 'Original Source'],
    last_activity_at: ['Last Activity Date'],
    lost_reason: ['Closed Lost Reason'],
    probability: ['Deal probability'],
    product: ['Deal Type'],
  },
  derived: {
    closed_at: `CASE WHEN v.status IN ('won', 'lost') THEN v.expected_close_date::TIMESTAMP END`,
    amount: `CASE WHEN v.status = 'won' THEN v.amount END`,
    expected_amount: `v.amount`,
  },
});

/** Order matters only to break exact ties in recognition: more specific layouts first. */
export const PRESETS: Mapping[] = [
  seedFunnelTemplate,
  mavenPipeline,
  mavenAccounts,
  mavenTeams,
  mavenProducts,
  onlineRetail,
  salesforceOpportunities,
  hubspotDeals,
  canonicalOpportunities,
  canonicalStageEvents,
  canonicalOrders,
  canonicalCustomers,
  canonicalReps,
  canonicalTargets,
];

export function presetById(id: string): Mapping | undefined {
  return PRESETS.find((p) => p.id === id);
}
