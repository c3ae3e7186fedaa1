/** Shared pieces of the chart specs: language pick, sizes of bar charts, label texts, drill links. */
import { DEFAULT_CHART_WIDTH, type ChartOptions, type Lang } from './chart-spec.ts';

export const BAR_FILL = '#4e79a7';
/** Vertical space per bar of a horizontal bar chart. */
export const BAR_STEP = 24;
export const MARGIN_TOP = 20;
/** Room for the x axis and its label. */
export const MARGIN_BOTTOM = 40;

export const pick = (lang: Lang, zh: string, en: string): string => (lang === 'zh' ? zh : en);

export const chartWidth = (opts: ChartOptions): number => opts.width ?? DEFAULT_CHART_WIDTH;

/** Height giving each of `bars` rows BAR_STEP px plus the margins. */
export const barsHeight = (bars: number): number => bars * BAR_STEP + MARGIN_TOP + MARGIN_BOTTOM;

const CJK = /[\u3000-\u9fff\uff00-\uffef]/;

/** Rough rendered width of a label at Plot's 10px font: ~12 px per CJK character, ~6.5 px per other one. */
export function textWidth(text: string): number {
  let w = 0;
  for (const ch of text) w += CJK.test(ch) ? 12 : 6.5;
  return Math.ceil(w);
}

/** A margin wide enough for the widest label (plus padding), within [min, max]. */
export function labelMargin(labels: string[], min = 40, max = 200): number {
  const widest = Math.max(0, ...labels.map(textWidth));
  return Math.min(max, Math.max(min, widest + 12));
}

/** 0.45 → "45.0%"; null → "—". */
export const percent = (x: number | null, digits = 1): string => (x === null ? '—' : `${(x * 100).toFixed(digits)}%`);

export const count = (n: number): string => n.toLocaleString('en-US');

/** The datum's drill-down link, or null (no drillHref, or it declines). */
export const drill = (opts: ChartOptions, target: string, keys: Record<string, string>): string | null =>
  opts.drillHref?.(target, keys) ?? null;

/** Layout of a horizontal bar chart: one BAR_STEP row per label, left margin fitting the labels. */
export function barFrame(labels: string[], opts: ChartOptions, marginRight = 20) {
  return {
    width: chartWidth(opts),
    height: barsHeight(labels.length),
    marginTop: MARGIN_TOP,
    marginBottom: MARGIN_BOTTOM,
    marginLeft: labelMargin(labels),
    marginRight,
  };
}
