/**
 * Per request: the language (a ?lang= link switches and remembers it in a cookie; otherwise the
 * cookie, then the browser's preference) and the <html lang> attribute.
 */
import type { Handle } from '@sveltejs/kit';
import { LANG_COOKIE, pickLang } from '$lib/site/i18n.ts';

export const handle: Handle = async ({ event, resolve }) => {
  const asked = event.url.searchParams.get('lang');
  if (asked === 'zh' || asked === 'en') {
    event.cookies.set(LANG_COOKIE, asked, { path: '/', maxAge: 60 * 60 * 24 * 365, httpOnly: false, sameSite: 'lax', secure: false });
  }
  event.locals.lang = pickLang(asked ?? event.cookies.get(LANG_COOKIE), event.request.headers.get('accept-language'));
  return resolve(event, {
    transformPageChunk: ({ html }) => html.replace('%lang%', event.locals.lang === 'zh' ? 'zh-CN' : 'en'),
  });
};
