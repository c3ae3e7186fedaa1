import { describe, expect, it } from 'vitest';
import { moneyTickFormat } from './format-axis.ts';

describe('moneyTickFormat', () => {
  it('shows 万 and 亿 in Chinese', () => {
    const f = moneyTickFormat('zh');
    // 125,000 ÷ 10,000 = 12.5万; 100,000 ÷ 10,000 = 10万; 250,000,000 ÷ 1e8 = 2.5亿
    expect([125_000, 100_000, 250_000_000].map(f)).toEqual(['12.5万', '10万', '2.5亿']);
    // below 1万 the plain number; 0 stays 0; −30,000 ÷ 10,000 = −3万
    expect([9_999, 0, -30_000].map(f)).toEqual(['9999', '0', '-3万']);
  });

  it('shows k, M and B in English', () => {
    const f = moneyTickFormat('en');
    // 125,000 ÷ 1e3 = 125k; 1,250,000 ÷ 1e6 = 1.25M; 3e9 ÷ 1e9 = 3B; 999 stays
    expect([125_000, 1_250_000, 3e9, 999].map(f)).toEqual(['125k', '1.25M', '3B', '999']);
  });
});
