/**
 * How the site decides who is asking. `salesight serve` sets the mode (environment variables, so
 * the built site reads them):
 * - `password` (default): users from the users file sign in at /signin; before the first user
 *   exists, every page leads to /setup, which makes the first admin;
 * - `proxy`: a trusted reverse proxy (SSO) names the user in a header; only requests from the
 *   listed proxy addresses are believed, and the user must exist in the users file (for the role);
 * - `demo`: every visitor is signed in as the demo leader (the bundled demo only; `salesight
 *   demo --serve` and `npm run demo` use it).
 */
import path from 'node:path';
import { auditFileFor } from './audit.server.ts';
import { scopeOf, type AccessUser } from './roles.ts';
import { defaultUsersFile, readUsers, type UserRecord } from './users.server.ts';
import { fileVersion, resolveDbPath } from '../warehouse/location.ts';

export type AccessMode = 'password' | 'proxy' | 'demo';
export const ACCESS_MODES: AccessMode[] = ['password', 'proxy', 'demo'];

export interface AccessSettings {
  mode: AccessMode;
  usersFile: string;
  auditFile: string;
  /** proxy mode: the header naming the user, lower case */
  proxyHeader: string;
  /** proxy mode: client addresses whose header is believed */
  trustedProxies: string[];
  /** the server's own warm-up requests carry this in x-salesight-warm-up */
  warmUpToken: string | null;
}

export const DEMO_USER: AccessUser = { username: 'demo', role: 'leader', scope: { kind: 'all' }, via: 'demo' };

export function accessSettings(env: NodeJS.ProcessEnv = process.env): AccessSettings {
  const mode = (env.SALESIGHT_AUTH || 'password') as AccessMode;
  if (!ACCESS_MODES.includes(mode)) throw new Error(`SALESIGHT_AUTH is "${mode}"; use one of ${ACCESS_MODES.join(', ')}.`);
  const usersFile = path.resolve(env.SALESIGHT_USERS || defaultUsersFile(resolveDbPath(env.SALESIGHT_DB)));
  return {
    mode,
    usersFile,
    auditFile: auditFileFor(usersFile),
    proxyHeader: (env.SALESIGHT_PROXY_HEADER || 'x-forwarded-user').toLowerCase(),
    trustedProxies: (env.SALESIGHT_TRUSTED_PROXIES || '127.0.0.1,::1').split(',').map((s) => s.trim()).filter(Boolean),
    warmUpToken: env.SALESIGHT_WARMUP_TOKEN || null,
  };
}

let usersCache: { file: string; stamp: string; users: UserRecord[] } | null = null;

/** The users file, re-read when it changes (the CLI edits it while the site runs). */
export function currentUsers(file: string): UserRecord[] {
  const stamp = fileVersion(file) ?? 'none';
  if (usersCache?.file === file && usersCache.stamp === stamp) return usersCache.users;
  const users = readUsers(file);
  usersCache = { file, stamp, users };
  return users;
}

/** An IPv4 client seen through an IPv6 socket (`::ffff:10.0.0.5`) is that IPv4 address. */
export function plainAddress(address: string | null | undefined): string | null {
  return address ? address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '') : null;
}

export function accessUserOf(record: UserRecord, via: AccessUser['via']): AccessUser {
  return { username: record.username, role: record.role, scope: scopeOf(record), via };
}

