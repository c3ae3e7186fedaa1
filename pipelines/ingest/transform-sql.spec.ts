/** Pins the SQL the seed template's mapping produces: the parts a reviewer must recognise. */
import { describe, expect, it } from 'vitest';
import { buildTransformSql, duplicateKeysSql } from './transform-sql.ts';
import { resolveColumns } from './detect.ts';
import { presetById } from './presets.ts';
import { DEFAULT_STAGE_SET } from '../../src/lib/config/stage-sets.ts';

const HEADERS = ['线索编号', '客户名称/联系人', '线索来源', '所属阶段', '首次接触时间', '最近跟进时间', '跟进方式', '跟进内容摘要', '客户需求/痛点', '预计成交日期', '预计成交金额(万元)', '负责人', '当前阶段停留时长(天)', '转化率/阶段通过率(可选)'];

describe('buildTransformSql (seed 002 template)', () => {
  const mapping = presetById('seed-funnel-template')!;
  const sql = buildTransformSql({ mapping, resolution: resolveColumns(mapping, HEADERS), stageSet: DEFAULT_STAGE_SET, recordsTable: 'recs', outTable: 'typed' });

  it('splits 客户名称/联系人 into customer (part 1) and contact (part 2)', () => {
    expect(sql).toContain(`nullif(trim(split_part(c1, '/', 1)), '') AS r_customer_name`);
    expect(sql).toContain(`nullif(trim(split_part(c1, '/', 2)), '') AS r_contact_name`);
  });

  it('reads 预计成交金额(万元) × 10000 into DECIMAL(18,2) 元', () => {
    expect(sql).toContain(`round(ss_number_in(r_expected_amount, 10000), 2)::DECIMAL(18,2) AS p_expected_amount`);
  });

  it('parses dates with the declared order and reports the expected form', () => {
    expect(sql).toContain(`ss_ts(r_created_at, 'ymd') AS p_created_at`);
    expect(sql).toContain(`'首次接触时间: "' || left(r_created_at, 80) || '" is not a date like 2024-03-15, 2024/3/15 or 2024年3月15日'`);
  });

  it('maps stage names, English aliases included, and derives status from the stage', () => {
    expect(sql).toMatch(/WHEN 'needs discovery' THEN '需求挖掘'/);
    expect(sql).toMatch(/WHEN '丢单' THEN 'lost'/);
    expect(sql).toContain(`(coalesce(v.status, v.__stage_status, 'open')) AS status`);
    expect(sql).toContain(`('default') AS stage_set`);
  });

  it('finds duplicate ids per file by grouping, not by window, and only lists lines when a key repeats', () => {
    const dup = duplicateKeysSql('typed', mapping.table);
    expect(dup.check).toBe('SELECT EXISTS (SELECT 1 FROM typed WHERE opportunity_id IS NOT NULL GROUP BY file_idx, opportunity_id HAVING count(*) > 1)');
    expect(dup.mark).toContain('GROUP BY file_idx, opportunity_id HAVING count(*) > 1');
    expect(dup.mark).toContain(`concat_ws('; ', t.__reasons, 'opportunity_id "' || concat_ws(' / ', t.opportunity_id::VARCHAR) || '" appears on lines '`);
    expect(sql).not.toContain('list(line)');
  });
});
