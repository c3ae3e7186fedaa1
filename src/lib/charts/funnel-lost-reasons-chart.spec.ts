import { describe, expect, it } from 'vitest';
import type { FunnelResult } from '../metrics/funnel/funnel.ts';
import { funnelLostReasonsChart } from './funnel-lost-reasons-chart.ts';
import { markData, occurrences } from './chart-testing.ts';
import { renderChartSvg } from './render.server.ts';

const row = (lost_at_stage: string, reason: string, opportunities: number, invalid = 0) => ({ lost_at_stage, reason, opportunities, invalid });

describe('funnelLostReasonsChart', () => {
  const result = {
    lost_reasons: [
      row('contact', '联系不上', 31),
      row('proposal', '选择竞品', 25),
      row('contact', '选择竞品', 12),
      // 12 with no reason, 9 of them invalid leads: 12 − 9 = 3 real losses
      row('contact', '(none recorded)', 12, 9),
      row('proposal', '预算取消', 5),
      // only invalid: 4 − 4 = 0, not drawn
      row('contact', '无效线索', 4, 4),
    ],
  } as unknown as FunnelResult;

  it('sums reasons across stages, drops invalid leads and sorts descending', () => {
    const spec = funnelLostReasonsChart(result, { lang: 'zh' })!;
    // 选择竞品 25 + 12 = 37 > 联系不上 31 > 预算取消 5 > none recorded 3
    expect(markData(spec, 0).map((r) => [r.reason, r.opportunities])).toEqual([
      ['选择竞品', 37],
      ['联系不上', 31],
      ['预算取消', 5],
      ['（未记录原因）', 3],
    ]);
  });

  it('keeps the top 10 only', () => {
    // reasons r1 … r12 with 1 … 12 losses: the top 10 are r12 down to r3
    const many = { lost_reasons: Array.from({ length: 12 }, (_, i) => row('contact', `r${i + 1}`, i + 1)) } as unknown as FunnelResult;
    const reasons = markData(funnelLostReasonsChart(many, { lang: 'en' })!, 0).map((r) => r.reason);
    expect(reasons).toEqual(['r12', 'r11', 'r10', 'r9', 'r8', 'r7', 'r6', 'r5', 'r4', 'r3']);
  });

  it('returns null when nothing was lost', () => {
    expect(funnelLostReasonsChart({ lost_reasons: [row('contact', 'x', 2, 2)] } as unknown as FunnelResult, { lang: 'en' })).toBeNull();
  });

  it('renders one bar per reason with its count', () => {
    const svg = renderChartSvg(funnelLostReasonsChart(result, { lang: 'en' })!);
    expect(occurrences(svg, '<rect')).toBe(4);
    expect(svg).toContain('(none recorded)');
    // 37 is a label, not an axis tick (ticks step by 5)
    expect(svg).toContain('>37<');
  });
});
