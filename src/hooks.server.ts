/**
 * Every request passes here: the language, who is asking (access.server.ts), the CSRF check of
 * state-changing requests, the audit line of every download, and the security headers.
 */
import type { Handle, RequestEvent } from '@sveltejs/kit';
import { accessSettings, accessUserOf, audit, currentUsers, DEMO_USER, clientAddress, type AccessSettings } from '$lib/access/access.server.ts';
import { createSession, endSession, getSession, sameToken, SESSION_COOKIE, SESSION_IDLE_MS, type Session } from '$lib/access/sessions.server.ts';
import type { AccessUser } from '$lib/access/roles.ts';
import { scopeKey } from '$lib/access/roles.ts';
import { LANG_COOKIE, pickLang } from '$lib/site/i18n.ts';

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

/** Pages a signed-out visitor may open. */
const PUBLIC_PATHS = new Set(['/signin', '/setup']);
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Downloads whose route writes a richer audit line itself (the console's: the SQL and format). */
const SELF_AUDITED = new Set(['/sql/download']);

function sessionCookie(event: RequestEvent, session: Session): void {
  event.cookies.set(SESSION_COOKIE, session.id, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: event.url.protocol === 'https:',
    maxAge: SESSION_IDLE_MS / 1000,
  });
}

/** Same user, role and scope as the users file says now (a removed or changed user loses the session). */
function stillValid(user: AccessUser, usersFile: string): boolean {
  if (user.via === 'demo') return true;
  const record = currentUsers(usersFile).find((u) => u.username === user.username);
  if (!record) return false;
  const now = accessUserOf(record, user.via);
  return now.role === user.role && scopeKey(now.scope) === scopeKey(user.scope);
}

/** Who is asking, per the access mode; a session is made on first sight for demo and proxy users. */
function identify(event: RequestEvent, settings: AccessSettings): Session | null {
  const cookie = event.cookies.get(SESSION_COOKIE);
  let session = getSession(cookie);
  if (session && !stillValid(session.user, settings.usersFile)) {
    endSession(session.id);
    session = null;
  }
  if (settings.mode === 'demo') {
    if (!session) {
      session = createSession(DEMO_USER);
      sessionCookie(event, session);
    }
    return session;
  }
  if (settings.mode === 'proxy') {
    const address = clientAddress(event);
    const named = address && settings.trustedProxies.includes(address) ? event.request.headers.get(settings.proxyHeader) : null;
    if (!named) return null;
    if (session?.user.username === named) return session;
    const record = currentUsers(settings.usersFile).find((u) => u.username === named);
    if (!record) return null;
    session = createSession(accessUserOf(record, 'proxy'));
    sessionCookie(event, session);
    return session;
  }
  return session;
}

function wantsJson(event: RequestEvent): boolean {
  return event.url.pathname.startsWith('/api/') || !SAFE_METHODS.has(event.request.method) || (event.request.headers.get('accept') ?? '').includes('application/json');
}

async function csrfTokenOf(event: RequestEvent): Promise<string | null> {
  const header = event.request.headers.get('x-csrf-token');
  if (header) return header;
  const type = event.request.headers.get('content-type') ?? '';
  if (type.includes('application/x-www-form-urlencoded') || type.includes('multipart/form-data')) {
    const field = (await event.request.clone().formData()).get('csrf');
    return typeof field === 'string' ? field : null;
  }
  return null;
}

export const handle: Handle = async ({ event, resolve }) => {
  const asked = event.url.searchParams.get('lang');
  if (asked === 'zh' || asked === 'en') {
    event.cookies.set(LANG_COOKIE, asked, { path: '/', maxAge: 60 * 60 * 24 * 365, httpOnly: false, sameSite: 'lax', secure: false });
  }
  event.locals.lang = pickLang(asked ?? event.cookies.get(LANG_COOKIE), event.request.headers.get('accept-language'));
  event.locals.user = null;
  event.locals.csrf = null;

  const settings = accessSettings();
  const path = event.url.pathname;
  const warmUp = settings.warmUpToken !== null && SAFE_METHODS.has(event.request.method) && sameToken(event.request.headers.get('x-salesight-warm-up'), settings.warmUpToken);
  if (warmUp) {
    // the server's own warm-up of the leader's pages (serve.ts): no session, nothing audited
    event.locals.user = { ...DEMO_USER, username: 'warm-up', via: 'warm-up' };
  } else {
    const session = identify(event, settings);
    if (session) {
      event.locals.user = session.user;
      event.locals.csrf = session.csrf;
    }
  }

  if (!event.locals.user && !PUBLIC_PATHS.has(path)) {
    if (wantsJson(event)) return Response.json({ status: 'failed', errors: ['Sign in first: open /signin in a browser, then send its session cookie.'] }, { status: 401, headers: SECURITY_HEADERS });
    const firstRun = settings.mode === 'password' && currentUsers(settings.usersFile).length === 0;
    return new Response(null, { status: 303, headers: { ...SECURITY_HEADERS, location: firstRun ? '/setup' : `/signin?next=${encodeURIComponent(path + event.url.search)}` } });
  }

  // Sign-in and setup check their own form token (double-submit cookie): there is no session yet.
  if (!SAFE_METHODS.has(event.request.method) && !PUBLIC_PATHS.has(path) && !sameToken(await csrfTokenOf(event), event.locals.csrf)) {
    return Response.json({ status: 'failed', errors: ['Missing or wrong CSRF token: reload the page and try again.'] }, { status: 403, headers: SECURITY_HEADERS });
  }

  const response = await resolve(event, {
    transformPageChunk: ({ html }) => html.replace('%lang%', event.locals.lang === 'zh' ? 'zh-CN' : 'en'),
  });
  const disposition = response.headers.get('content-disposition');
  const selfAudited = SELF_AUDITED.has(path);
  if (disposition?.startsWith('attachment') && !selfAudited && event.locals.user && event.locals.user.via !== 'warm-up' && response.ok) {
    audit(event, 'download', { path, query: event.url.search, file: /filename\*?=(?:UTF-8'')?"?([^";]+)/i.exec(disposition)?.[1] ?? null });
  }
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
    // a page that sets its own CSP (SvelteKit's kit.csp, with nonces) keeps it
    if (name === 'content-security-policy' && response.headers.has(name)) continue;
    response.headers.set(name, value);
  }
  return response;
};

/** No stack traces to clients: the message only, and the error logged on the server. */
export const handleError = ({ error, event }: { error: unknown; event: RequestEvent }) => {
  console.error(`${event.request.method} ${event.url.pathname}:`, error);
  return { message: 'Something went wrong on the server; the details are in its log.' };
};
