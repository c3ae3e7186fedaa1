/**
 * Signed-in sessions and the sign-in rate limit, in the server's memory: a restart signs everyone
 * out, which suits a single-process report site. A session id is 32 random bytes in an HTTP-only,
 * SameSite=Lax cookie (Secure behind https); each session has its own CSRF token, which every
 * state-changing request must send back (form field `csrf` or header `x-csrf-token`).
 */
import crypto from 'node:crypto';
import type { AccessUser } from './roles.ts';

export const SESSION_COOKIE = 'salesight_session';
/** the pre-sign-in CSRF token (double-submit cookie) of the sign-in and setup forms */
export const FORM_CSRF_COOKIE = 'salesight_csrf';
/** A session ends after this long without a request. */
export const SESSION_IDLE_MS = 12 * 60 * 60 * 1000;
/** Failed sign-ins allowed per user name within SIGN_IN_WINDOW_MS (against guessing one password). */
export const MAX_FAILED_SIGN_INS = 5;
/** … and per client address (against trying many names); higher, since an office shares one address. */
export const MAX_FAILED_SIGN_INS_PER_ADDRESS = 30;
export const SIGN_IN_WINDOW_MS = 15 * 60 * 1000;

export interface Session {
  id: string;
  user: AccessUser;
  csrf: string;
  lastSeen: number;
}

const sessions = new Map<string, Session>();

export const randomToken = () => crypto.randomBytes(32).toString('base64url');

export function createSession(user: AccessUser, now = Date.now()): Session {
  const session: Session = { id: randomToken(), user, csrf: randomToken(), lastSeen: now };
  sessions.set(session.id, session);
  return session;
}

export function getSession(id: string | undefined, now = Date.now()): Session | null {
  if (!id) return null;
  const s = sessions.get(id);
  if (!s) return null;
  if (now - s.lastSeen > SESSION_IDLE_MS) {
    sessions.delete(id);
    return null;
  }
  s.lastSeen = now;
  return s;
}

export function endSession(id: string | undefined): void {
  if (id) sessions.delete(id);
}

/** Sessions of a user: ended when the user is removed or their password changes. */
export function endSessionsOf(username: string): void {
  for (const [id, s] of sessions) if (s.user.username === username) sessions.delete(id);
}

export function sameToken(a: string | null | undefined, b: string | null | undefined): boolean {
  if (!a || !b) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}

/** Failures per key (`user:<name>` and `ip:<address>`) within the window. */
const limitOf = (key: string) => (key.startsWith('ip:') ? MAX_FAILED_SIGN_INS_PER_ADDRESS : MAX_FAILED_SIGN_INS);
const failures = new Map<string, number[]>();

function recent(key: string, now: number): number[] {
  const list = (failures.get(key) ?? []).filter((t) => now - t < SIGN_IN_WINDOW_MS);
  if (list.length) failures.set(key, list);
  else failures.delete(key);
  return list;
}

/** Milliseconds until another attempt is allowed for these keys, or 0 when it is allowed now. */
export function signInBlockedFor(keys: string[], now = Date.now()): number {
  let wait = 0;
  for (const key of keys) {
    const list = recent(key, now);
    const limit = limitOf(key);
    if (list.length >= limit) wait = Math.max(wait, list[list.length - limit]! + SIGN_IN_WINDOW_MS - now);
  }
  return wait;
}

export function recordFailedSignIn(keys: string[], now = Date.now()): void {
  for (const key of keys) failures.set(key, [...recent(key, now), now]);
}

export function clearFailedSignIns(keys: string[]): void {
  for (const key of keys) failures.delete(key);
}
