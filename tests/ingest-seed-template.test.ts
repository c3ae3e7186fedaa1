/**
 * Seed 002's "销售漏斗跟踪模板" must import as printed, from CSV (UTF-8 and GB18030) and XLSX.
 * Expected values are read off the seed by hand: LF2024001 is A公司 / *经理, 商务谈判, first
 * contact 2024-03-15, last follow-up 2024-05-20 by 面谈, expected 2024-06-30, 50 万元 =
 * 50 × 10,000 = 500,000 元, owner *销售代表, 35 days in stage.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { query, REPO_ROOT, runCli, tempDir } from './helpers.ts';

const FIXTURES = path.join(REPO_ROOT, 'tests/fixtures/seed-002');

describe.each([
  ['UTF-8 CSV', '销售漏斗跟踪模板_utf8.csv', 'utf-8'],
  ['GB18030 CSV', '销售漏斗跟踪模板_gb18030.csv', 'gb18030'],
  ['XLSX', '销售漏斗跟踪模板.xlsx', 'xlsx'],
])('seed 002 template as %s', (_label, file, encoding) => {
  it('is recognised and loads both printed rows, 50 万元 as 500000 元', async () => {
    const db = path.join(tempDir(), 'seed.duckdb');
    const r = runCli(['ingest', path.join(FIXTURES, file), '--db', db, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.files).toMatchObject([{ preset: 'seed-funnel-template', table: 'opportunities', encoding, rows_read: 2, rows_loaded: 2, rows_rejected: 0 }]);

    const rows = await query<Record<string, unknown>>(
      db,
      `SELECT opportunity_id, customer_name, contact_name, source, stage, status, strftime(created_at, '%Y-%m-%d') AS created,
              strftime(last_activity_at, '%Y-%m-%d') AS last_activity, last_activity_method, last_activity_summary, need,
              expected_close_date::VARCHAR AS expected_close, expected_amount::DOUBLE AS expected_amount, owner,
              reported_stage_days, reported_conversion, stage_set
       FROM opportunities ORDER BY opportunity_id`,
    );
    expect(rows).toEqual([
      {
        opportunity_id: 'LF2024001', customer_name: 'A公司', contact_name: '*经理', source: '展会推广', stage: '商务谈判',
        status: 'open', created: '2024-03-15', last_activity: '2024-05-20', last_activity_method: '面谈',
        last_activity_summary: '客户对价格有异议,要求增加3个月免费维护,已提交内部审批流程', need: '需降低20%采购成本,要求6个月质保',
        expected_close: '2024-06-30', expected_amount: 500000, owner: '*销售代表', reported_stage_days: 35,
        reported_conversion: '80%(方案提案→商务谈判)', stage_set: 'default',
      },
      {
        opportunity_id: 'LF2024002', customer_name: 'B公司', contact_name: '*总监', source: '官网表单', stage: '需求挖掘',
        status: 'open', created: '2024-04-10', last_activity: '2024-05-18', last_activity_method: null, last_activity_summary: null,
        need: null, expected_close: null, expected_amount: null, owner: null, reported_stage_days: null, reported_conversion: null,
        stage_set: 'default',
      },
    ]);
    // the stage list the template uses is remembered in the warehouse
    const stages = await query<{ stage: string }>(db, `SELECT stage FROM stages WHERE stage_set = 'default' ORDER BY position`);
    expect(stages.map((s) => s.stage)).toEqual(['潜在接触', '需求挖掘', '方案提案', '商务谈判', '成交待签约', '已成交']);
  });
});
