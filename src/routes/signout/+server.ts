import { redirect } from '@sveltejs/kit';
import { audit } from '$lib/access/access.server.ts';
import { endSession, SESSION_COOKIE } from '$lib/access/sessions.server.ts';
import type { RequestHandler } from './$types';

/** POST only (with the session's CSRF token, checked by the hook): a link cannot sign anyone out. */
export const POST: RequestHandler = async (event) => {
  audit(event, 'sign_out', {});
  endSession(event.cookies.get(SESSION_COOKIE));
  event.cookies.delete(SESSION_COOKIE, { path: '/' });
  redirect(303, '/signin');
};
