import { fail, redirect } from '@sveltejs/kit';
import { accessSettings, accessUserOf, audit, clientAddress, currentUsers } from '$lib/access/access.server.ts';
import { t } from '$lib/site/i18n.ts';
import { clearFailedSignIns, createSession, FORM_CSRF_COOKIE, randomToken, recordFailedSignIn, sameToken, SESSION_COOKIE, SESSION_IDLE_MS, signInBlockedFor } from '$lib/access/sessions.server.ts';
import { verifyPassword } from '$lib/access/users.server.ts';
import type { Actions, PageServerLoad } from './$types';

/** Only paths on this site: `//evil.example` and `https://…` fall back to the overview. */
function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : '/';
}

export const load: PageServerLoad = ({ locals, url, cookies }) => {
  const next = safeNext(url.searchParams.get('next'));
  if (locals.user) redirect(303, next);
  let token = cookies.get(FORM_CSRF_COOKIE);
  if (!token) {
    token = randomToken();
    cookies.set(FORM_CSRF_COOKIE, token, { path: '/', httpOnly: true, sameSite: 'strict', secure: url.protocol === 'https:' });
  }
  return { formToken: token, next, mode: accessSettings().mode };
};

export const actions: Actions = {
  default: async (event) => {
    const { request, cookies, locals, url } = event;
    const form = await request.formData();
    const username = String(form.get('username') ?? '').trim();
    const password = String(form.get('password') ?? '');
    const next = safeNext(String(form.get('next') ?? '/'));
    if (!sameToken(String(form.get('csrf') ?? ''), cookies.get(FORM_CSRF_COOKIE))) return fail(403, { username, error: t(locals.lang, 'auth_form_expired') });
    const keys = [`user:${username}`, `ip:${clientAddress(event) ?? 'unknown'}`];
    const wait = signInBlockedFor(keys);
    if (wait > 0) return fail(429, { username, error: t(locals.lang, 'auth_too_many', { minutes: Math.ceil(wait / 60_000) }) });
    const settings = accessSettings();
    const record = currentUsers(settings.usersFile).find((u) => u.username === username);
    // verifyPassword does the same work for a missing user, so the answer's timing does not tell who exists
    const ok = await verifyPassword(password, record?.password ?? null);
    if (!record || !ok) {
      recordFailedSignIn(keys);
      audit(event, 'sign_in_failed', {}, username || null);
      return fail(400, { username, error: t(locals.lang, 'auth_wrong_credentials') });
    }
    clearFailedSignIns(keys);
    const session = createSession(accessUserOf(record, 'password'));
    cookies.set(SESSION_COOKIE, session.id, { path: '/', httpOnly: true, sameSite: 'lax', secure: url.protocol === 'https:', maxAge: SESSION_IDLE_MS / 1000 });
    locals.user = session.user;
    audit(event, 'sign_in', {});
    redirect(303, next);
  },
};
