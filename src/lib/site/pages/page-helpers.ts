/** Small helpers the page definitions share. */
import type { ChartSpec } from '../../charts/chart-spec.ts';
import type { Lang } from '../i18n.ts';

/** The charts that have something to draw. */
export function charts(...specs: (ChartSpec | null)[]): ChartSpec[] {
  return specs.filter((s): s is ChartSpec => s !== null);
}

/** `L('中文', 'English')` picks the page's language inline, for labels that live with their page. */
export function pick(lang: Lang) {
  return (zh: string, en: string) => (lang === 'zh' ? zh : en);
}

import type { ResultTable } from '../../metrics/family.ts';

/** A family's table by its sheet name; a renamed table fails loudly here rather than vanishing from a page. */
export function tableNamed(tables: ResultTable[], name: string): ResultTable {
  const table = tables.find((t) => t.name === name);
  if (!table) throw new Error(`no table "${name}" (have: ${tables.map((t) => t.name).join(', ')})`);
  return table;
}
