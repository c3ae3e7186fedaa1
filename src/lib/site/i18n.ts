/**
 * The site's two languages: every label, and how numbers and dates are written in each.
 * Chinese amounts use 万 (10⁴) and 亿 (10⁸) the way a sales report in China does; English uses
 * thousands separators. Pure; the language is chosen per request (cookie, then Accept-Language).
 */
import type { CellFormat } from '../metrics/family.ts';

export type Lang = 'zh' | 'en';
export const LANGS: Lang[] = ['zh', 'en'];
export const LANG_COOKIE = 'salesight_lang';

/** Cookie first (the user's choice is remembered), then the browser's preference, then Chinese. */
export function pickLang(cookie: string | undefined, acceptLanguage: string | null): Lang {
  if (cookie === 'zh' || cookie === 'en') return cookie;
  const first = acceptLanguage?.split(',')[0]?.trim().toLowerCase() ?? '';
  return first.startsWith('en') ? 'en' : 'zh';
}

const MESSAGES = {
  app_name: { zh: 'Salesight 销售洞察', en: 'Salesight' },
  nav_overview: { zh: '概览', en: 'Overview' },
  nav_funnel: { zh: '销售漏斗', en: 'Funnel' },
  nav_channels: { zh: '渠道', en: 'Channels' },
  nav_cohorts: { zh: '同期群', en: 'Cohorts' },
  nav_customers: { zh: '客户', en: 'Customers' },
  nav_team: { zh: '团队', en: 'Team' },
  nav_targets: { zh: '目标/OKR', en: 'Targets/OKR' },
  nav_alerts: { zh: '预警', en: 'Alerts' },
  nav_data: { zh: '数据', en: 'Data' },
  filter_period: { zh: '期间', en: 'Period' },
  filter_from: { zh: '开始', en: 'From' },
  filter_to: { zh: '结束', en: 'To' },
  filter_as_of: { zh: '截至', en: 'As of' },
  filter_by: { zh: '分组', en: 'Group by' },
  filter_apply: { zh: '应用', en: 'Apply' },
  filter_reset: { zh: '清除', en: 'Reset' },
  filter_any: { zh: '全部', en: 'All' },
  period_all: { zh: '全部数据', en: 'All data' },
  'period_this-week': { zh: '本周', en: 'This week' },
  'period_this-month': { zh: '本月', en: 'This month' },
  'period_this-quarter': { zh: '本季度', en: 'This quarter' },
  'period_this-year': { zh: '本年', en: 'This year' },
  'period_last-7': { zh: '近 7 天', en: 'Last 7 days' },
  'period_last-30': { zh: '近 30 天', en: 'Last 30 days' },
  'period_last-90': { zh: '近 90 天', en: 'Last 90 days' },
  period_custom: { zh: '自定义', en: 'Custom' },
  dim_team: { zh: '团队', en: 'Team' },
  dim_region: { zh: '区域', en: 'Region' },
  dim_industry: { zh: '行业', en: 'Industry' },
  dim_product: { zh: '产品', en: 'Product' },
  dim_source: { zh: '来源', en: 'Source' },
  dim_owner: { zh: '销售', en: 'Owner' },
  download_xlsx: { zh: '下载 Excel', en: 'Download Excel' },
  language: { zh: 'English', en: '中文' },
  covering: { zh: '数据范围', en: 'Covering' },
  rows_shown: { zh: '显示前 {shown} 行，共 {total} 行；完整数据请下载 Excel。', en: 'Showing the first {shown} of {total} rows; download Excel for all.' },
  no_rows: { zh: '没有符合条件的数据。', en: 'No rows match these filters.' },
  drill_title: { zh: '明细', en: 'Rows behind the figure' },
  drill_back: { zh: '返回', en: 'Back' },
  empty_title: { zh: '还没有数据', en: 'No data yet' },
  empty_body: {
    zh: '仓库里还没有可用于此页的数据。先导入 CRM 导出文件：',
    en: 'The warehouse has no data for this page yet. Load your CRM exports first:',
  },
  error_title: { zh: '无法计算此页', en: 'This page could not be computed' },
  kpi_delta_vs: { zh: '较上期', en: 'vs previous period' },
  data_runs: { zh: '导入记录', en: 'Ingest runs' },
  data_rejects: { zh: '被拒绝的行', en: 'Rejected rows' },
  data_tables: { zh: '仓库表', en: 'Warehouse tables' },
  sql_hint: { zh: '用 SQL 查询：', en: 'Query with SQL:' },
  top_alerts: { zh: '主要预警', en: 'Top alerts' },
  see_all: { zh: '查看全部', en: 'See all' },
  loading: { zh: '加载中…', en: 'Loading…' },
  nav_sql: { zh: 'SQL 控制台', en: 'SQL console' },
  sql_title: { zh: 'SQL 控制台', en: 'SQL console' },
  sql_editor_label: { zh: 'SQL 查询', en: 'SQL query' },
  sql_run: { zh: '运行', en: 'Run' },
  sql_cancel: { zh: '取消', en: 'Cancel' },
  sql_shortcut: { zh: 'Ctrl/⌘+Enter 运行', en: 'Ctrl/⌘+Enter runs' },
  sql_running: { zh: '正在运行…', en: 'Running…' },
  sql_cancelled: { zh: '已取消。', en: 'Cancelled.' },
  sql_limits: {
    zh: '每次最多返回 {rows} 行，{seconds} 秒后自动停止；下载最多 {download} 行。只允许一条 SELECT 语句。',
    en: 'At most {rows} rows per run, stopped after {seconds} s; downloads up to {download} rows. One SELECT statement at a time.',
  },
  sql_scoped: { zh: '你的查询只能看到你权限范围内的数据。', en: 'Your queries see only the rows you may see.' },
  sql_schema: { zh: '表与列', en: 'Tables and columns' },
  sql_schema_error: { zh: '无法读取表结构：', en: 'The tables could not be listed:' },
  sql_saved: { zh: '已保存的查询', en: 'Saved queries' },
  sql_saved_none: { zh: '还没有保存的查询。', en: 'No saved queries yet.' },
  sql_save: { zh: '保存查询', en: 'Save query' },
  sql_save_name: { zh: '名称', en: 'Name' },
  sql_opened: { zh: '已打开保存的查询「{name}」（{author}）', en: 'Saved query “{name}” by {author}' },
  sql_copy_link: { zh: '复制链接', en: 'Copy link' },
  sql_link_copied: { zh: '链接已复制。', en: 'Link copied.' },
  sql_link_label: { zh: '分享链接', en: 'Link to share' },
  sql_download: { zh: '下载', en: 'Download' },
  sql_result_summary: { zh: '{rows} 行，用时 {ms} 毫秒', en: '{rows} rows in {ms} ms' },
  sql_truncated: { zh: '结果已截断：只显示前 {rows} 行。下载可获得最多 {download} 行。', en: 'Truncated at {rows} rows. Downloads hold up to {download} rows.' },
  sql_no_rows: { zh: '查询没有返回任何行。', en: 'The query returned no rows.' },
  sql_chart: { zh: '快速图表', en: 'Quick chart' },
  sql_chart_x: { zh: 'X 轴', en: 'X' },
  sql_chart_y: { zh: 'Y 轴', en: 'Y' },
  sql_chart_mark: { zh: '图形', en: 'Mark' },
  sql_mark_auto: { zh: '自动', en: 'Auto' },
  sql_mark_bar: { zh: '柱状', en: 'Bars' },
  sql_mark_line: { zh: '折线', en: 'Line' },
  sql_mark_dot: { zh: '散点', en: 'Dots' },
  sql_chart_none: { zh: '没有可作图的数值列。', en: 'No numeric column to chart.' },
  sql_chart_bars_cut: { zh: '只画出前 {shown} 行（共 {total} 行）。', en: 'Showing the first {shown} of {total} rows.' },
  // sign-in, first-run setup, the signed-in user (src/lib/access)
  auth_signin_title: { zh: '登录', en: 'Sign in' },
  auth_username: { zh: '用户名', en: 'User name' },
  auth_password: { zh: '密码', en: 'Password' },
  auth_password_again: { zh: '再次输入密码', en: 'Password again' },
  auth_signin_button: { zh: '登录', en: 'Sign in' },
  auth_signout_button: { zh: '退出', en: 'Sign out' },
  auth_wrong_credentials: { zh: '用户名或密码不正确。', en: 'Wrong user name or password.' },
  auth_too_many: { zh: '登录失败次数过多，请 {minutes} 分钟后再试。', en: 'Too many failed sign-ins: try again in {minutes} minutes.' },
  auth_form_expired: { zh: '表单已过期，请刷新页面后重试。', en: 'The form expired: reload the page and try again.' },
  auth_proxy_mode: { zh: '本站通过公司的单点登录（SSO）认证：请从公司门户打开。', en: "This site signs you in through your company's single sign-on: open it from the company portal." },
  auth_setup_title: { zh: '首次使用：创建管理员', en: 'First run: create the admin' },
  auth_setup_intro: {
    zh: '还没有任何用户。请创建第一个管理员账户；之后用 `salesight users add` 添加销售负责人、经理、销售和分析师。',
    en: 'There are no users yet. Create the first admin; then add leaders, managers, reps and analysts with `salesight users add`.',
  },
  auth_setup_button: { zh: '创建管理员并登录', en: 'Create the admin and sign in' },
  auth_passwords_differ: { zh: '两次输入的密码不一致。', en: 'The two passwords differ.' },
  auth_signed_in_as: { zh: '{user}（{role}）', en: '{user} ({role})' },
} as const satisfies Record<string, Record<Lang, string>>;

export type MessageKey = keyof typeof MESSAGES;

export function t(lang: Lang, key: MessageKey, vars: Record<string, string | number> = {}): string {
  return MESSAGES[key][lang].replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k] ?? `{${k}}`));
}

const grouped = (lang: Lang, digits: number) =>
  new Intl.NumberFormat(lang === 'zh' ? 'zh-CN' : 'en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const FORMATTERS = {
  zh: { int: grouped('zh', 0), two: grouped('zh', 2), one: grouped('zh', 1) },
  en: { int: grouped('en', 0), two: grouped('en', 2), one: grouped('en', 1) },
};

/** An amount in 元: zh "¥1.23亿" / "¥45.67万" / "¥8,900.00"; en "¥123,456,789.00". */
export function formatMoney(lang: Lang, value: number): string {
  const f = FORMATTERS[lang];
  const sign = value < 0 ? '-' : '';
  const abs = Math.abs(value);
  if (lang === 'zh') {
    if (abs >= 1e8) return `${sign}¥${f.two.format(abs / 1e8)}亿`;
    if (abs >= 1e4) return `${sign}¥${f.two.format(abs / 1e4)}万`;
  }
  return `${sign}¥${f.two.format(abs)}`;
}

/** One table cell or KPI value, written for the language. null/undefined → "—". */
export function formatValue(lang: Lang, value: unknown, format: CellFormat): string {
  if (value === null || value === undefined || value === '') return '—';
  if (typeof value === 'boolean') return lang === 'zh' ? (value ? '是' : '否') : value ? 'yes' : 'no';
  if (typeof value === 'number') {
    const f = FORMATTERS[lang];
    switch (format) {
      case 'money':
        return formatMoney(lang, value);
      case 'percent':
        return `${f.one.format(value * 100)}%`;
      case 'days':
        return lang === 'zh' ? `${f.one.format(value)} 天` : `${f.one.format(value)} d`;
      case 'integer':
        return f.int.format(value);
      case 'number':
        return Number.isInteger(value) ? f.int.format(value) : f.two.format(value);
      default:
        return String(value);
    }
  }
  if (typeof value === 'object') return JSON.stringify(value);
  const text = String(value);
  if (format === 'datetime') return text.slice(0, 16);
  return text;
}

/** A KPI tile has room for about ten characters: English amounts shorten to K / M / B (zh already uses 万 / 亿). */
export function formatKpi(lang: Lang, value: unknown, format: CellFormat): string {
  if (lang === 'en' && format === 'money' && typeof value === 'number' && Math.abs(value) >= 1e6) {
    const abs = Math.abs(value);
    const [div, unit] = abs >= 1e9 ? [1e9, 'B'] : [1e6, 'M'];
    return `${value < 0 ? '-' : ''}¥${FORMATTERS.en.two.format(abs / div)}${unit}`;
  }
  return formatValue(lang, value, format);
}
