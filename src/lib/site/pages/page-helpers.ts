/** Small helpers the page definitions share. */
import type { Lang } from '../i18n.ts';

/** `L('中文', 'English')` picks the page's language inline, for labels that live with their page. */
export function pick(lang: Lang) {
  return (zh: string, en: string) => (lang === 'zh' ? zh : en);
}
