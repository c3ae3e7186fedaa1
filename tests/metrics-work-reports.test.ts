/**
 * Work reports on the demo warehouse (`salesight demo`, built from data/sample), against a
 * reference computed independently with Python's csv module from the raw follow-up export:
 *
 *   import csv, collections, datetime
 *   rep, monday = '王磊', datetime.date(2026, 4, 6)
 *   known = {'', '潜在接触', '需求挖掘', '方案提案', '商务谈判', '成交待签约', '已成交', '丢单', '无效线索'}
 *   by_method = collections.Counter()
 *   for r in csv.DictReader(open('data/sample/跟进记录.csv', encoding='gb18030', newline='')):
 *       try:
 *           t = datetime.datetime.strptime(r['跟进时间'], '%Y/%m/%d %H:%M')
 *       except ValueError:
 *           continue  # the ingest rejects unreadable dates
 *       if not r['商机编号'] or r['新阶段'] not in known:
 *           continue  # … empty opportunity ids and unknown stages
 *       if r['跟进人'] == rep and monday <= t.date() <= monday + datetime.timedelta(days=6):
 *           by_method[r['跟进方式'].strip() or '未注明'] += 1
 *   print(sum(by_method.values()), sorted(by_method.items(), key=lambda kv: (-kv[1], kv[0])))
 *
 *   → 16 [('面谈', 6), ('邮件', 4), ('电话', 3), ('视频会议', 2), ('微信', 1)]
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../src/lib/config/config.ts';
import type { MetricContext } from '../src/lib/metrics/family.ts';
import { resolveParams } from '../src/lib/metrics/params.ts';
import { workReportsFamily, type WorkReportsResult } from '../src/lib/metrics/work-reports/work-reports.ts';
import { openReadOnly, type ReadOnlyWarehouse } from '../src/lib/warehouse/warehouse.server.ts';
import { runCli, tempDir } from './helpers.ts';

describe('work reports on the demo data', () => {
  const db = path.join(tempDir(), 'demo.duckdb');
  let warehouse: ReadOnlyWarehouse;
  let ctx: MetricContext;
  let result: WorkReportsResult;

  beforeAll(async () => {
    const r = runCli(['demo', '--db', db]);
    expect(r.code, r.stderr).toBe(0);
    warehouse = await openReadOnly(db);
    ctx = { connection: warehouse.connection, params: await resolveParams(warehouse.connection, {}), config: defaultConfig() };
    result = await workReportsFamily.compute(ctx);
  });
  afterAll(() => warehouse?.close());

  it("王磊's week of 2026-04-06: touches by method match the raw export", () => {
    const week = result.weekly.find((r) => r.rep === '王磊' && r.period_start === '2026-04-06')!;
    expect(week.period_end).toBe('2026-04-12');
    expect(week.touches).toBe(16);
    expect(week.touches_by_method).toEqual([
      { method: '面谈', touches: 6 }, { method: '邮件', touches: 4 }, { method: '电话', touches: 3 }, { method: '视频会议', touches: 2 }, { method: '微信', touches: 1 },
    ]);
    expect(week.summary_zh.startsWith('本周跟进 16 次（面谈 6、邮件 4、电话 3、视频会议 2、微信 1），')).toBe(true);
  });

  it('every follow-up record is counted once in the weeks and once in the months', async () => {
    // 15,978 records loaded (15,981 in the export, 3 rejected on purpose), all within the default period
    const total = (rows: WorkReportsResult['weekly']) => rows.reduce((a, r) => a + r.touches, 0);
    expect(total(result.weekly)).toBe(15_978);
    expect(total(result.monthly)).toBe(15_978);
    const d = await workReportsFamily.drill!(ctx, { target: 'touches', keys: { rep: '王磊', period_start: '2026-04-06' }, limit: 100 });
    expect(d.rows).toHaveLength(16);
  });

});
