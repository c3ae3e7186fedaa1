/**
 * The Data page: what is in the warehouse and where it came from — row counts per table, the
 * ingest runs, the files of the latest run, and the rejected rows with file, line and reason.
 * The same tables the CLI prints with `salesight runs` and `salesight rejects`.
 */
import { column as col, type ResultTable } from '../metrics/family.ts';
import { readHistory } from '../jobs/job-history.ts';
import { TABLES } from '../warehouse/schema.ts';
import { queryRows, WarehouseMissingError } from '../warehouse/warehouse.server.ts';
import type { Lang } from './i18n.ts';
import { toTableView, type TableView } from './report-page.server.ts';
import type { Scope } from '../access/roles.ts';
import { withWarehouse } from './site-warehouse.server.ts';

export const MAX_RUNS_SHOWN = 20;
export const MAX_REJECTS_SHOWN = 200;

export type DataView = { status: 'ok'; dbPath: string; tables: TableView[] } | { status: 'empty'; message: string };

export async function dataTables(scope: Scope, maxRejects: number): Promise<{ tables: ResultTable[]; dbPath: string }> {
  return withWarehouse(scope, async ({ connection, dbPath }) => {
    const entityTables = TABLES.map((t) => t.name);
    const counts = await queryRows(connection, entityTables.map((n) => `SELECT '${n}' AS "table", count(*)::BIGINT AS rows FROM ${n}`).join(' UNION ALL '));
    const runs = await queryRows(
      connection,
      `SELECT run_id, strftime(started_at, '%Y-%m-%d %H:%M:%S') AS started_at, status, files, rows_read::BIGINT AS rows_read,
              rows_loaded::BIGINT AS rows_loaded, rows_rejected::BIGINT AS rows_rejected, rows_inserted::BIGINT AS rows_inserted,
              rows_updated::BIGINT AS rows_updated, rows_unchanged::BIGINT AS rows_unchanged
       FROM ingest_runs ORDER BY run_id DESC LIMIT ${MAX_RUNS_SHOWN}`,
    );
    const files = await queryRows(
      connection,
      `SELECT run_id, file, sheet, preset, target_table, encoding, status, rows_read::BIGINT AS rows_read, rows_loaded::BIGINT AS rows_loaded,
              rows_rejected::BIGINT AS rows_rejected, message
       FROM ingest_files WHERE run_id = (SELECT max(run_id) FROM ingest_runs) ORDER BY file, sheet`,
    );
    const rejects = await queryRows(
      connection,
      `SELECT run_id, file, sheet, line::BIGINT AS line, reason, raw_record FROM rejected_rows ORDER BY run_id DESC, file, line LIMIT ${maxRejects}`,
    );
    const jobRuns = readHistory(dbPath, MAX_RUNS_SHOWN).map((r) => ({
      ...r,
      started_at: r.started_at.replace('T', ' ').slice(0, 19),
      problem: r.error ?? (r.failed_files.map((f) => `${f.file}: ${f.reason}`).join('; ') || null),
    }));
    const tables: ResultTable[] = [
      {
        name: 'Job runs',
        title_en: 'Pipeline job runs (latest first; salesight jobs)',
        title_zh: '流水线任务运行记录（最新在前）',
        columns: [
          col('started_at', 'Started (UTC)', '开始时间（UTC）', 'datetime'),
          col('job', 'Job', '任务', 'text'),
          col('trigger', 'Trigger', '触发', 'text'),
          col('status', 'Status', '状态', 'text'),
          col('files_processed', 'Files loaded', '导入文件', 'integer'),
          col('files_failed', 'Files failed', '失败文件', 'integer'),
          col('rows_loaded', 'Rows loaded', '导入行', 'integer'),
          col('rows_rejected', 'Rows rejected', '拒绝行', 'integer'),
          col('problem', 'What went wrong', '失败原因', 'text'),
        ],
        rows: jobRuns,
      },
      { name: 'Tables', title_en: 'Warehouse tables', title_zh: '仓库表', columns: [col('table', 'Table', '表', 'text'), col('rows', 'Rows', '行数', 'integer')], rows: counts },
      {
        name: 'Ingest runs',
        title_en: 'Ingest runs (latest first)',
        title_zh: '导入记录（最新在前）',
        columns: [
          col('run_id', 'Run', '批次', 'integer'),
          col('started_at', 'Started', '开始时间', 'datetime'),
          col('status', 'Status', '状态', 'text'),
          col('files', 'Files', '文件数', 'integer'),
          col('rows_read', 'Rows read', '读取行', 'integer'),
          col('rows_loaded', 'Loaded', '导入行', 'integer'),
          col('rows_rejected', 'Rejected', '拒绝行', 'integer'),
          col('rows_inserted', 'Inserted', '新增', 'integer'),
          col('rows_updated', 'Updated', '更新', 'integer'),
          col('rows_unchanged', 'Unchanged', '未变', 'integer'),
        ],
        rows: runs,
      },
      {
        name: 'Files',
        title_en: 'Files of the latest run',
        title_zh: '最近一次导入的文件',
        columns: [
          col('file', 'File', '文件', 'text'),
          col('sheet', 'Sheet', '工作表', 'text'),
          col('preset', 'Layout', '格式', 'text'),
          col('target_table', 'Table', '目标表', 'text'),
          col('encoding', 'Encoding', '编码', 'text'),
          col('status', 'Status', '状态', 'text'),
          col('rows_read', 'Rows read', '读取行', 'integer'),
          col('rows_loaded', 'Loaded', '导入行', 'integer'),
          col('rows_rejected', 'Rejected', '拒绝行', 'integer'),
          col('message', 'Message', '说明', 'text'),
        ],
        rows: files,
      },
      {
        name: 'Rejected rows',
        title_en: 'Rejected rows (kept with file, line and reason)',
        title_zh: '被拒绝的行（保留文件、行号与原因）',
        columns: [
          col('run_id', 'Run', '批次', 'integer'),
          col('file', 'File', '文件', 'text'),
          col('sheet', 'Sheet', '工作表', 'text'),
          col('line', 'Line', '行号', 'integer'),
          col('reason', 'Reason', '原因', 'text'),
          col('raw_record', 'Record as read', '原始记录', 'text'),
        ],
        rows: rejects,
      },
    ];
    return { tables, dbPath };
  });
}

export async function loadDataPage(scope: Scope, lang: Lang): Promise<DataView> {
  try {
    const { tables, dbPath } = await dataTables(scope, MAX_REJECTS_SHOWN);
    const download = `/data/warehouse-data.xlsx?lang=${lang}`;
    return { status: 'ok', dbPath, tables: tables.map((t) => toTableView(t, lang, '', download, undefined, t.name === 'Rejected rows' ? MAX_REJECTS_SHOWN : 50)) };
  } catch (err) {
    if (err instanceof WarehouseMissingError) return { status: 'empty', message: err.message };
    throw err;
  }
}
