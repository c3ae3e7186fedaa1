/**
 * Security headers on every response: the pages need no inline script (their one script is
 * static/salesight.js) and no other origin; charts are inline SVG with inline <style>, hence
 * 'unsafe-inline' for styles only.
 */
export const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; '),
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'same-origin',
};

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
  const response = await resolve(event, {
    transformPageChunk: ({ html }) => html.replace('%lang%', event.locals.lang === 'zh' ? 'zh-CN' : 'en'),
  });
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) response.headers.set(name, value);
  return response;
};
