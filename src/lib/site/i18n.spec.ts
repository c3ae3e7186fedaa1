import { describe, expect, it } from 'vitest';
import { formatKpi, formatMoney, formatValue, pickLang, t } from './i18n.ts';

describe('i18n', () => {
  it('Chinese amounts use 万 and 亿; English uses separators', () => {
    // 123,456,789 元 = 1.23456789 亿 → 1.23亿; 456,700 = 45.67 万; below 1 万 stays in 元
    expect(formatMoney('zh', 123_456_789)).toBe('¥1.23亿');
    expect(formatMoney('zh', 456_700)).toBe('¥45.67万');
    expect(formatMoney('zh', 8_900)).toBe('¥8,900.00');
    expect(formatMoney('zh', -25_000)).toBe('-¥2.50万');
    expect(formatMoney('en', 123_456_789)).toBe('¥123,456,789.00');
  });

  it('KPI tiles shorten English amounts from a million up', () => {
    // 286,293,791 / 1e6 = 286.293791 → 286.29M; 115,767.81 stays whole; 2.5e9 → 2.50B
    expect(formatKpi('en', 286_293_791, 'money')).toBe('¥286.29M');
    expect(formatKpi('en', 115_767.81, 'money')).toBe('¥115,767.81');
    expect(formatKpi('en', -2.5e9, 'money')).toBe('-¥2.50B');
    expect(formatKpi('zh', 286_293_791, 'money')).toBe('¥2.86亿');
  });

  it('formats cells by their format', () => {
    // 0.4567 → 45.67% → one decimal 45.7%
    expect(formatValue('en', 0.4567, 'percent')).toBe('45.7%');
    expect(formatValue('zh', 12.34, 'days')).toBe('12.3 天');
    expect(formatValue('en', 12345, 'integer')).toBe('12,345');
    expect(formatValue('zh', null, 'money')).toBe('—');
    expect(formatValue('zh', true, 'text')).toBe('是');
    expect(formatValue('en', '2026-10-31 14:05:09', 'datetime')).toBe('2026-10-31 14:05');
  });

  it('picks the remembered language first, then the browser’s', () => {
    expect(pickLang('en', 'zh-CN,zh;q=0.9')).toBe('en');
    expect(pickLang(undefined, 'en-GB,en;q=0.9')).toBe('en');
    expect(pickLang(undefined, 'zh-CN')).toBe('zh');
    expect(pickLang('fr', null)).toBe('zh');
    expect(t('en', 'rows_shown', { shown: 50, total: 1268 })).toBe('Showing the first 50 of 1268 rows; download Excel for all.');
  });
});
