/**
 * The site's access helpers for routes: the signed-in user or a 401/403, and audit lines for the
 * request's user. Settings (who is asking, per mode) are in access-settings.ts.
 */
import { error, type RequestEvent } from '@sveltejs/kit';
import { accessSettings, plainAddress } from './access-settings.ts';
import { appendAudit, type AuditAction } from './audit.server.ts';
import { canUseConsole, type AccessUser } from './roles.ts';

export * from './access-settings.ts';

/** The signed-in user, or a 401 (API) — the hook has already redirected pages. */
export function requireUser(locals: App.Locals): AccessUser {
  if (!locals.user) error(401, 'Sign in first.');
  return locals.user;
}

/** A user allowed the SQL console (admin, leader, analyst), or a 403 that says so. */
export function requireConsoleUser(locals: App.Locals): AccessUser {
  const user = requireUser(locals);
  if (!canUseConsole(user.role)) error(403, 'The SQL console is for admins, leaders and analysts; ask an admin for an analyst account.');
  return user;
}

export function clientAddress(event: Pick<RequestEvent, 'getClientAddress'>): string | null {
  try {
    return plainAddress(event.getClientAddress());
  } catch {
    return null;
  }
}

/** One audit line for this request's user. */
export function audit(event: Pick<RequestEvent, 'getClientAddress' | 'locals'>, action: AuditAction, detail: Record<string, unknown>, attemptedUser?: string | null): void {
  const settings = accessSettings();
  const user = event.locals.user;
  // a failed sign-in has no user yet: the audit line names the user name that was tried
  const name = attemptedUser !== undefined ? attemptedUser : (user?.username ?? null);
  appendAudit(settings.auditFile, { action, user: name, role: user?.role ?? null, ip: clientAddress(event), detail });
}
