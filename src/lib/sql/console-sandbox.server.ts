/**
 * The site's SQL console sandboxes: one per user and warehouse version, holding that user's scope
 * (openScopedSandbox), kept for the next query and closed when the warehouse is replaced or when
 * more than MAX_CONSOLE_SANDBOXES users have one (least recently used first).
 */
import type { AccessUser } from '../access/roles.ts';
import { scopeKey } from '../access/roles.ts';
import { sitedbPath } from '../site/site-warehouse.server.ts';
import { fileVersion } from '../warehouse/location.ts';
import { WarehouseMissingError } from '../warehouse/warehouse.server.ts';
import { openScopedSandbox, SANDBOX_LIMITS, type Sandbox } from './sandbox.server.ts';

export const MAX_CONSOLE_SANDBOXES = 8;

interface Held {
  key: string;
  sandbox: Promise<Sandbox>;
}

const held = new Map<string, Held>();

function dispose(h: Held): void {
  void h.sandbox.then((s) => s.close()).catch(() => {});
}

/** The user's sandbox on the current warehouse version (opened on first use). */
export async function consoleSandbox(user: AccessUser): Promise<Sandbox> {
  const dbPath = sitedbPath();
  const version = fileVersion(dbPath);
  if (version === null) throw new WarehouseMissingError(dbPath);
  const key = `${version}|${scopeKey(user.scope)}`;
  const current = held.get(user.username);
  if (current && current.key === key) {
    held.delete(user.username); // most recently used goes last
    held.set(user.username, current);
    return current.sandbox;
  }
  if (current) {
    held.delete(user.username);
    dispose(current);
  }
  const h: Held = { key, sandbox: openScopedSandbox(dbPath, user.scope, SANDBOX_LIMITS) };
  h.sandbox.catch(() => held.get(user.username) === h && held.delete(user.username));
  held.set(user.username, h);
  while (held.size > MAX_CONSOLE_SANDBOXES) {
    const [oldest, o] = held.entries().next().value!;
    held.delete(oldest);
    dispose(o);
  }
  return h.sandbox;
}

/** Stops the user's running console query, if any. */
export async function cancelConsoleQuery(user: AccessUser): Promise<boolean> {
  const h = held.get(user.username);
  if (!h) return false;
  return (await h.sandbox).cancel();
}
