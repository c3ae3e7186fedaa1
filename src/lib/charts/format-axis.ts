/** Axis tick formats: money in 万/亿 for Chinese readers and k/M/B for English, percents as whole %. */
import type { Lang } from './chart-spec.ts';

/** d3-format spec for 0–1 fractions on an axis or legend: 0.45 → "45%". */
export const PERCENT_TICKS = '.0%';

const UNITS: Record<Lang, [number, string][]> = {
  zh: [[1e8, '亿'], [1e4, '万']],
  en: [[1e9, 'B'], [1e6, 'M'], [1e3, 'k']],
};

/** At most two decimals, trailing zeros dropped: 12.5, 10, 1.25. */
const trim = (x: number) => String(Number(x.toFixed(2)));

/** Money tick format (元): zh 125000 → "12.5万", 2.5e8 → "2.5亿"; en 125000 → "125k", 2.5e6 → "2.5M". */
export function moneyTickFormat(lang: Lang): (value: number) => string {
  return (value) => {
    const unit = UNITS[lang].find(([size]) => Math.abs(value) >= size);
    return unit ? `${trim(value / unit[0])}${unit[1]}` : trim(value);
  };
}
