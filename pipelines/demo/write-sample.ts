/**
 * Writes the demo dataset (generate.ts) as the export files in data/sample/, the way real CRM
 * exports arrive: mixed encodings (UTF-8, UTF-8 with BOM, GB18030 with CRLF), English and
 * Chinese headers, formatted money (¥12,345.00), slash dates, and an XLSX regional template.
 * Same bytes on every run: `npx tsx pipelines/demo/write-sample.ts` (or `npm run sample`).
 *
 * 跟进记录.csv holds exactly three deliberately bad rows, for the rejected-rows feature:
 *   line  4795: 跟进时间 "2025/13/45 10:00" is not a date
 *   line  7994: 新阶段 "待定" is not a stage
 *   line 11192: 商机编号 is empty
 * (line numbers are physical lines, header = 1; writeSample() returns them too and the script
 * prints them, so a change to the generator that moves them shows up at once.)
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import iconv from 'iconv-lite';
import ExcelJS from 'exceljs';
import { DEMO_AS_OF, formatYuan, generateDemoData, type DemoData, type DemoStageEvent } from './generate.ts';

import { SAMPLE_DIR } from './paths.ts';

export { SAMPLE_DIR };

/** Fixed workbook metadata and ZIP entry times, so the XLSX is byte-identical on every run. */
const WORKBOOK_TIME = new Date(Date.UTC(2026, 9, 31, 9, 0, 0));
const WORKBOOK_AUTHOR = '华南区销售运营';

type Cell = string | number | null | undefined;

function csvField(value: Cell): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function csvRecord(cells: Cell[]): string {
  return cells.map(csvField).join(',');
}

function csvText(header: string[], rows: Cell[][], eol = '\n'): string {
  return [csvRecord(header), ...rows.map(csvRecord)].join(eol) + eol;
}

/** '2024-03-05 14:30:00' → '2024/3/5 14:30', as Chinese Excel writes it. */
function slashDateTime(ts: string): string {
  const [date, time] = ts.split(' ') as [string, string];
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return `${y}/${m}/${d} ${time.slice(0, 5)}`;
}

function wan(yuan: number): string {
  return String(Number((yuan / 10_000).toFixed(2)));
}

function utcDate(iso: string): Date {
  const [y, m, d] = iso.slice(0, 10).split('-').map(Number) as [number, number, number];
  const [hh, mm] = iso.length > 10 ? (iso.slice(11, 16).split(':').map(Number) as [number, number]) : [0, 0];
  return new Date(Date.UTC(y, m - 1, d, hh, mm));
}

export interface BadRow {
  file: string;
  line: number;
  problem: string;
}

export interface SampleSummary {
  files: { name: string; bytes: number; rows: number }[];
  badRows: BadRow[];
}

const FOLLOWUP_HEADER = ['商机编号', '跟进时间', '原阶段', '新阶段', '跟进方式', '跟进内容摘要', '异议点', '下一步行动', '下次跟进时间', '跟进人'];

function followupCells(e: DemoStageEvent): Cell[] {
  return [
    e.opportunityId,
    slashDateTime(e.occurredAt),
    e.fromStage,
    e.toStage,
    e.method,
    e.summary,
    e.objection,
    e.nextAction,
    e.nextFollowupAt && slashDateTime(e.nextFollowupAt),
    e.owner,
  ];
}

/**
 * The follow-up log, with the three bad rows spliced in at 30%, 50% and 70% of the file. Each
 * copies a real neighbouring row and breaks one thing, so only that thing gets it rejected.
 */
function followupLog(events: DemoStageEvent[]): { text: string; rows: number; badRows: BadRow[] } {
  const file = '跟进记录.csv';
  const breakers: ((e: DemoStageEvent) => { cells: Cell[]; problem: string })[] = [
    (e) => ({ cells: [e.opportunityId, '2025/13/45 10:00', null, null, '电话', '电话回访，客户表示下周给答复', null, '电话回访确认需求', null, e.owner], problem: '跟进时间 "2025/13/45 10:00" is not a date' }),
    (e) => ({ cells: [e.opportunityId, slashDateTime(e.occurredAt), '商务谈判', '待定', '面谈', '客户内部意见不统一，阶段暂定', '决策链长', '约客户高层会面', null, e.owner], problem: '新阶段 "待定" is not a stage' }),
    (e) => ({ cells: ['', slashDateTime(e.occurredAt), null, null, '微信', '微信沟通，客户询问交付周期', null, '发送产品资料', null, e.owner], problem: '商机编号 is empty' }),
  ];
  const positions = [0.3, 0.5, 0.7].map((f) => Math.floor(events.length * f));
  const records: Cell[][] = [];
  const badAt = new Map<number, string>();
  events.forEach((e, i) => {
    const k = positions.indexOf(i);
    if (k >= 0) {
      const bad = breakers[k]!(e);
      badAt.set(records.length, bad.problem);
      records.push(bad.cells);
    }
    records.push(followupCells(e));
  });
  const badRows: BadRow[] = [];
  let line = 2; // header is line 1; a record with line breaks inside spans several lines
  records.forEach((cells, i) => {
    const problem = badAt.get(i);
    if (problem) badRows.push({ file, line, problem });
    line += 1 + csvRecord(cells).split('\n').length - 1;
  });
  return { text: csvText(FOLLOWUP_HEADER, records, '\r\n'), rows: records.length, badRows };
}

async function funnelWorkbook(data: DemoData): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = WORKBOOK_AUTHOR;
  wb.lastModifiedBy = WORKBOOK_AUTHOR;
  wb.created = WORKBOOK_TIME;
  wb.modified = WORKBOOK_TIME;
  const ws = wb.addWorksheet('销售漏斗跟踪', { views: [{ state: 'frozen', ySplit: 2 }] });
  const columns: { header: string; width: number; numFmt?: string }[] = [
    { header: '线索编号', width: 12 },
    { header: '客户名称/联系人', width: 34 },
    { header: '线索来源', width: 12 },
    { header: '所属阶段', width: 11 },
    { header: '首次接触时间', width: 13, numFmt: 'yyyy-mm-dd' },
    { header: '最近跟进时间', width: 17, numFmt: 'yyyy-mm-dd hh:mm' },
    { header: '跟进方式', width: 10 },
    { header: '跟进内容摘要', width: 44 },
    { header: '客户需求/痛点', width: 36 },
    { header: '预计成交日期', width: 13, numFmt: 'yyyy-mm-dd' },
    { header: '预计成交金额(万元)', width: 18, numFmt: '#,##0.0' },
    { header: '负责人', width: 10 },
    { header: '当前阶段停留时长(天)', width: 20 },
    { header: '转化率/阶段通过率(可选)', width: 30 },
  ];
  columns.forEach((c, i) => {
    ws.getColumn(i + 1).width = c.width;
  });
  // Not merged across the header width: a merged range reads back as the title repeated in
  // every cell, and ingest would take that row for the header.
  const title = ws.getCell('A1');
  title.value = '销售漏斗跟踪模板（华南区）';
  title.font = { bold: true, size: 14 };
  ws.getRow(1).height = 24;

  const header = ws.getRow(2);
  header.values = columns.map((c) => c.header);
  header.font = { bold: true, color: { argb: 'FFFFFFFF' } };
  header.alignment = { vertical: 'middle', horizontal: 'center', wrapText: true };
  header.height = 30;
  columns.forEach((_, i) => {
    header.getCell(i + 1).fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FF2F5597' } };
  });

  data.funnelTemplate.forEach((r, k) => {
    const row = ws.getRow(k + 3);
    row.values = [
      r.leadId,
      `${r.customerName}/${r.contact}`,
      r.source,
      r.stage,
      utcDate(r.firstContactAt),
      utcDate(r.lastFollowupAt),
      r.method,
      r.summary,
      r.need,
      utcDate(r.expectedCloseDate),
      r.expectedAmountWan,
      r.owner,
      r.stageDays,
      r.conversionNote ?? null,
    ];
    columns.forEach((c, i) => {
      if (c.numFmt) row.getCell(i + 1).numFmt = c.numFmt;
    });
  });
  ws.autoFilter = { from: { row: 2, column: 1 }, to: { row: 2, column: columns.length } };
  const buffer = Buffer.from(await wb.xlsx.writeBuffer());
  return fixZipTimestamps(buffer, WORKBOOK_TIME);
}

/**
 * exceljs zips with JSZip, which stamps every entry with the current time; overwrite the DOS
 * time/date of each entry (local header and central directory) with a fixed moment.
 */
function fixZipTimestamps(zip: Buffer, when: Date): Buffer {
  const out = Buffer.from(zip);
  const dosTime = (when.getUTCHours() << 11) | (when.getUTCMinutes() << 5) | Math.floor(when.getUTCSeconds() / 2);
  const dosDate = ((when.getUTCFullYear() - 1980) << 9) | ((when.getUTCMonth() + 1) << 5) | when.getUTCDate();
  let eocd = -1;
  for (let i = out.length - 22; i >= Math.max(0, out.length - 22 - 0xffff); i--) {
    if (out.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error('XLSX writer produced no ZIP end-of-central-directory record');
  const entries = out.readUInt16LE(eocd + 10);
  let p = out.readUInt32LE(eocd + 16);
  for (let n = 0; n < entries; n++) {
    if (out.readUInt32LE(p) !== 0x02014b50) throw new Error(`bad ZIP central directory entry at ${p}`);
    out.writeUInt16LE(dosTime, p + 12);
    out.writeUInt16LE(dosDate, p + 14);
    const local = out.readUInt32LE(p + 42);
    if (out.readUInt32LE(local) !== 0x04034b50) throw new Error(`bad ZIP local header at ${local}`);
    out.writeUInt16LE(dosTime, local + 10);
    out.writeUInt16LE(dosDate, local + 12);
    p += 46 + out.readUInt16LE(p + 28) + out.readUInt16LE(p + 30) + out.readUInt16LE(p + 32);
  }
  return out;
}

/** Replaces the export files in `dir` (other files, e.g. a README, are left alone). */
export async function writeSample(dir: string): Promise<SampleSummary> {
  const data = generateDemoData();
  fs.mkdirSync(dir, { recursive: true });
  for (const name of fs.readdirSync(dir)) {
    if (/\.(csv|tsv|txt|xlsx)$/i.test(name)) fs.rmSync(path.join(dir, name));
  }

  const files: SampleSummary['files'] = [];
  const write = (name: string, bytes: Buffer | string, rows: number) => {
    const buf = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes;
    fs.writeFileSync(path.join(dir, name), buf);
    files.push({ name, bytes: buf.length, rows });
  };

  write(
    'reps.csv',
    csvText(['owner', 'team', 'region', 'manager', 'hired_at', 'left_at'], data.reps.map((r) => [r.owner, r.team, r.region, r.manager, r.hiredAt, r.leftAt])),
    data.reps.length,
  );

  write(
    'customers.csv',
    '\uFEFF' +
      csvText(
        ['客户编号', '客户名称', '所属行业', '区域', '首次接触时间', '负责人', '资信状况'],
        data.customers.map((c) => [c.customerId, c.customerName, c.industry, c.region, c.firstContactAt, c.owner, c.creditStatus]),
      ),
    data.customers.length,
  );

  write(
    'opportunities.csv',
    csvText(
      ['opportunity_id', 'opportunity_name', 'customer_name', 'contact_name', 'contact_info', 'owner', 'team', 'region', 'industry', 'product', 'source', 'stage', 'status', 'created_at', 'stage_entered_at', 'closed_at', 'expected_close_date', 'expected_amount', 'amount', 'lost_reason', 'need'],
      data.opportunities.map((o) => [
        o.opportunityId, o.opportunityName, o.customerName, o.contactName, o.contactInfo, o.owner, o.team, o.region, o.industry, o.product, o.source,
        o.stage, o.status, o.createdAt, o.stageEnteredAt, o.closedAt, o.expectedCloseDate, o.expectedAmount, o.amount, o.lostReason, o.need,
      ]),
    ),
    data.opportunities.length,
  );

  const log = followupLog(data.stageEvents);
  write('跟进记录.csv', iconv.encode(log.text, 'gb18030'), log.rows);

  write('华南_销售漏斗跟踪模板.xlsx', await funnelWorkbook(data), data.funnelTemplate.length);

  write(
    'orders.csv',
    csvText(
      ['订单编号', '客户编号', '客户名称', '下单时间', '产品', '数量', '单价', '金额', '负责人', '商机编号'],
      data.orders.map((o) => [o.orderId, o.customerId, o.customerName, o.orderedAt.slice(0, 16), o.product, o.quantity, formatYuan(o.unitPrice, 2), formatYuan(o.amount, 2), o.owner, o.opportunityId]),
    ),
    data.orders.length,
  );

  const revenue = data.targets.filter((t) => t.metric === 'revenue');
  write(
    'targets.csv',
    csvText(['开始日期', '结束日期', '维度', '维度值', '指标', '目标值(万元)'], revenue.map((t) => [t.periodStart, t.periodEnd, t.dimension, t.dimensionValue, t.metric, wan(t.value)])),
    revenue.length,
  );
  // Counts, not money: a separate file so the 万元 unit of targets.csv never applies to them.
  const counts = data.targets.filter((t) => t.metric === 'new_customers');
  write(
    'targets_new_customers.csv',
    csvText(['开始日期', '结束日期', '维度', '维度值', '指标', '目标值'], counts.map((t) => [t.periodStart, t.periodEnd, t.dimension, t.dimensionValue, t.metric, t.value])),
    counts.length,
  );

  return { files, badRows: log.badRows };
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const summary = await writeSample(SAMPLE_DIR);
  for (const f of summary.files) {
    process.stdout.write(`${path.relative(process.cwd(), path.join(SAMPLE_DIR, f.name))}  ${f.rows} rows  ${f.bytes} bytes\n`);
  }
  for (const b of summary.badRows) process.stdout.write(`deliberately bad: ${b.file}:${b.line}  ${b.problem}\n`);
  process.stdout.write(`as of ${DEMO_AS_OF}\n`);
}
