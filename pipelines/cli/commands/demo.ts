import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { terminalProgress } from '../progress.ts';
import { formatCount, renderTextTable } from '../text-table.ts';
import { printJson } from '../output.ts';
import { renderIngestSummary } from './ingest.ts';
import { DEFAULT_PORT, startSite } from './serve.ts';

import { DEMO_DB, SAMPLE_DIR } from '../../demo/paths.ts';

export interface WarehouseSummary {
  tables: { table: string; rows: number }[];
  opportunities_by_status: { status: string; opportunities: number; amount: number }[];
}

export async function summariseWarehouse(dbPath: string): Promise<WarehouseSummary> {
  const { openReadOnly, queryRows } = await import('../../../src/lib/warehouse/warehouse.server.ts');
  const w = await openReadOnly(dbPath);
  try {
    const names = ['opportunities', 'stage_events', 'orders', 'customers', 'reps', 'targets', 'products', 'rejected_rows'];
    const counts = await queryRows<{ table: string; rows: number }>(
      w.connection,
      names.map((n) => `SELECT '${n}' AS "table", count(*)::BIGINT AS rows FROM ${n}`).join(' UNION ALL '),
    );
    const byStatus = await queryRows<{ status: string; opportunities: number; amount: number }>(
      w.connection,
      `SELECT status, count(*)::BIGINT AS opportunities, coalesce(sum(amount), 0)::DOUBLE AS amount
       FROM opportunities GROUP BY status ORDER BY opportunities DESC`,
    );
    return { tables: names.map((n) => counts.find((c) => c.table === n)!), opportunities_by_status: byStatus };
  } finally {
    w.close();
  }
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description(`Rebuild the demo warehouse (${path.relative(process.cwd(), DEMO_DB) || DEMO_DB}) from the bundled sample exports in data/sample/ and summarise it.`)
    .option('--json', 'print the ingest report and summary as JSON')
    .option('--serve', 'then start the report site on it (what `npm run demo` does)')
    .option('--port <n>', 'with --serve: port (0 picks a free one)', process.env.PORT ?? String(DEFAULT_PORT))
    .action(async (opts: { json?: boolean; serve?: boolean; port: string }, cmd: Command) => {
      const db = cmd.optsWithGlobals().db ? path.resolve(cmd.optsWithGlobals().db) : DEMO_DB;
      if (!fs.existsSync(SAMPLE_DIR)) throw new Error(`The sample data is missing (${SAMPLE_DIR}); restore it with \`npm run sample\`.`);
      // A fresh build every time: the demo must look the same on every machine.
      fs.rmSync(db, { force: true });
      const { runIngest } = await import('../../ingest/run-ingest.ts');
      const report = await runIngest({ dbPath: db, inputs: [SAMPLE_DIR], progress: terminalProgress() });
      const summary = await summariseWarehouse(db);
      if (opts.json) return printJson({ ingest: report, summary });
      const rel = path.relative(process.cwd(), db) || db;
      process.stdout.write(`${renderIngestSummary(report)}\n\n`);
      process.stdout.write(
        `${renderTextTable(['table', 'rows'], summary.tables.map((t) => [t.table, formatCount(t.rows)]), { alignRight: new Set([1]) })}\n\n`,
      );
      process.stdout.write(
        `${renderTextTable(
          ['status', 'opportunities', 'won amount (元)'],
          summary.opportunities_by_status.map((s) => [s.status, formatCount(s.opportunities), formatCount(s.amount)]),
          { alignRight: new Set([1, 2]) },
        )}\n\n`,
      );
      if (opts.serve) {
        const { url, server } = await startSite(db, { port: opts.port, host: '127.0.0.1', auth: 'demo' }, (l) => process.stderr.write(`${l}\n`));
        process.stdout.write(`Demo warehouse ready: ${rel}\nSalesight is up: ${url}  (Ctrl+C stops it)\n`);
        const stop = () => server.close(() => process.exit(0));
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
        return;
      }
      process.stdout.write(
        `Demo warehouse ready: ${rel}\nTry: npx salesight sql --db ${rel} "SELECT source, count(*) AS leads, count(*) FILTER (status = 'won') AS won FROM opportunities GROUP BY ALL ORDER BY won DESC"\n`,
      );
    });
}
