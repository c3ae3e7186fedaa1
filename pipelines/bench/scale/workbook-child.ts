/**
 * One workbook measurement in its own process, so its peak RSS is its own (run by run.ts):
 *
 *   tsx workbook-child.ts salesight <db> <out.xlsx> <rows>   the funnel drill-down "reached at the
 *        first stage" (every opportunity) through drillQuery + streamDrill + writeWorkbook, as the
 *        site's download does
 *   tsx workbook-child.ts bare <db> <out.xlsx> <rows>        floor: the same rows' columns from one plain
 *        query, streamed chunk by chunk into a bare exceljs streaming writer
 *
 * Prints one JSON line: {"ms", "rows", "peak_rss_mb"}.
 */
import fs from 'node:fs';
import ExcelJS from 'exceljs';
import { openReadOnly } from '../../../src/lib/warehouse/warehouse.server.ts';
import { resolveParams } from '../../../src/lib/metrics/params.ts';
import { loadConfig } from '../../../src/lib/config/config.ts';
import { loadFamily } from '../../../src/lib/metrics/registry.ts';
import { writeWorkbook, type StreamedTable } from '../../../src/lib/workbook/workbook.server.ts';
import { streamDrill } from '../../../src/lib/workbook/streamed-drill.server.ts';
import { peakRssMb } from './measure.ts';

const [mode, db, out, rowsArg] = process.argv.slice(2) as [string, string, string, string];
const limit = Number(rowsArg);
const warehouse = await openReadOnly(db);
const start = performance.now();
let rows = 0;
if (mode === 'salesight') {
  const ctx = { connection: warehouse.connection, params: await resolveParams(warehouse.connection, {}), config: loadConfig().config };
  const funnel = (await loadFamily('funnel'))!;
  const query = await funnel.drillQuery!(ctx, { target: 'reached', keys: { stage: '潜在接触' }, limit });
  const table = await streamDrill(ctx.connection, query);
  const counted: StreamedTable = {
    ...table,
    chunks: (async function* () {
      for await (const chunk of table.chunks) {
        rows += chunk.length;
        yield chunk;
      }
    })(),
  };
  await writeWorkbook(out, [counted], { title: 'bench drill-down', language: 'en', parameters: [['rows', String(limit)]] });
} else {
  // the drill-down's columns for every opportunity, without Salesight's code in between
  const result = await warehouse.connection.stream(
    `SELECT opportunity_id, customer_name, owner, team, region, industry, product, source, stage, status,
            created_at, closed_at, expected_amount::DOUBLE AS expected_amount, amount::DOUBLE AS amount, lost_reason
     FROM opportunities ORDER BY opportunity_id LIMIT ${limit}`,
  );
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: out, useStyles: true, useSharedStrings: false });
  const sheet = workbook.addWorksheet('rows');
  sheet.addRow(result.columnNames()).commit();
  for await (const chunk of result.yieldRowsJs()) {
    for (const row of chunk) {
      sheet.addRow(row.map((v) => (typeof v === 'bigint' ? Number(v) : v))).commit();
      rows++;
    }
  }
  sheet.commit();
  await workbook.commit();
}
const ms = performance.now() - start;
warehouse.close();
console.log(JSON.stringify({ ms, rows, peak_rss_mb: peakRssMb(process.pid), bytes: fs.statSync(out).size }));
