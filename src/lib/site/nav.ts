/** The site's pages in menu order, with their paths and label keys. */
import type { MessageKey } from './i18n.ts';

export const NAV: { path: string; label: MessageKey }[] = [
  { path: '/', label: 'nav_overview' },
  { path: '/funnel', label: 'nav_funnel' },
  { path: '/channels', label: 'nav_channels' },
  { path: '/cohorts', label: 'nav_cohorts' },
  { path: '/customers', label: 'nav_customers' },
  { path: '/team', label: 'nav_team' },
  { path: '/targets', label: 'nav_targets' },
  { path: '/alerts', label: 'nav_alerts' },
  { path: '/data', label: 'nav_data' },
  { path: '/sql', label: 'nav_sql' },
];

/** The same query string without the one-off ?lang= switch. */
export function keepFilters(search: string): string {
  const s = new URLSearchParams(search);
  s.delete('lang');
  const q = s.toString();
  return q ? `?${q}` : '';
}

export function withLang(path: string, search: string, lang: string): string {
  const s = new URLSearchParams(search);
  s.set('lang', lang);
  return `${path}?${s}`;
}
