import { error, fail, redirect } from '@sveltejs/kit';
import { accessSettings, accessUserOf, audit, currentUsers } from '$lib/access/access.server.ts';
import { t } from '$lib/site/i18n.ts';
import { createSession, FORM_CSRF_COOKIE, randomToken, sameToken, SESSION_COOKIE, SESSION_IDLE_MS } from '$lib/access/sessions.server.ts';
import { addUser, MIN_PASSWORD_LENGTH, UsersFileError } from '$lib/access/users.server.ts';
import type { Actions, PageServerLoad } from './$types';

/** The first-run step: only while the users file has no user, and only in password mode. */
function setupOpen(): boolean {
  const settings = accessSettings();
  return settings.mode === 'password' && currentUsers(settings.usersFile).length === 0;
}

export const load: PageServerLoad = ({ cookies, url }) => {
  if (!setupOpen()) redirect(303, '/signin');
  let token = cookies.get(FORM_CSRF_COOKIE);
  if (!token) {
    token = randomToken();
    cookies.set(FORM_CSRF_COOKIE, token, { path: '/', httpOnly: true, sameSite: 'strict', secure: url.protocol === 'https:' });
  }
  return { formToken: token, minLength: MIN_PASSWORD_LENGTH };
};

export const actions: Actions = {
  default: async (event) => {
    const { request, cookies, locals, url } = event;
    if (!setupOpen()) error(403, 'Setup is done: an admin exists already. Sign in, or add users with `salesight users add`.');
    const form = await request.formData();
    const username = String(form.get('username') ?? '').trim();
    const password = String(form.get('password') ?? '');
    if (!sameToken(String(form.get('csrf') ?? ''), cookies.get(FORM_CSRF_COOKIE))) return fail(403, { username, error: t(locals.lang, 'auth_form_expired') });
    if (password !== String(form.get('password2') ?? '')) return fail(400, { username, error: t(locals.lang, 'auth_passwords_differ') });
    let record;
    try {
      record = await addUser(accessSettings().usersFile, { username, role: 'admin', password });
    } catch (err) {
      if (err instanceof UsersFileError) return fail(400, { username, error: err.message });
      throw err;
    }
    const session = createSession(accessUserOf(record, 'password'));
    cookies.set(SESSION_COOKIE, session.id, { path: '/', httpOnly: true, sameSite: 'lax', secure: url.protocol === 'https:', maxAge: SESSION_IDLE_MS / 1000 });
    locals.user = session.user;
    audit(event, 'setup', { admin: username });
    redirect(303, '/');
  },
};
