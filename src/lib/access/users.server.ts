/**
 * Site users, in a JSON file beside the warehouse (the warehouse itself is replaced whole by every
 * ingest and is read-only to the site). Passwords are stored as scrypt hashes with a per-user salt;
 * the file is written atomically (copy + rename) with mode 0600.
 *
 * Where: `salesight serve --users FILE`, else $SALESIGHT_USERS, else `salesight-users.json` in the
 * warehouse's directory. Managed with `salesight users add|list|remove|password`, or by the site's
 * first-run setup page (which makes the first admin).
 */
import crypto from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { z } from 'zod';
import { readTextIfExists, writePrivateFile } from './private-files.ts';
import { ROLES, type Role } from './roles.ts';

const scryptAsync = promisify(crypto.scrypt) as (password: string, salt: Buffer, keylen: number, options: crypto.ScryptOptions) => Promise<Buffer>;

/** scrypt cost N = 2^15, r = 8, p = 1: 32 MB and tens of ms per sign-in here; the parameters are stored per hash, so raising N later keeps old hashes valid. */
export const SCRYPT = { N: 2 ** 15, r: 8, p: 1, keylen: 32, maxmem: 64 * 1024 * 1024 };
export const MIN_PASSWORD_LENGTH = 10;
export const USERS_FILE_NAME = 'salesight-users.json';

const USERNAME = /^[\p{L}\p{N}._@-]{2,64}$/u;

export const userRecordSchema = z
  .object({
    username: z.string().regex(USERNAME, 'a user name is 2–64 letters, digits or . _ @ -'),
    role: z.enum(ROLES),
    /** manager / analyst: the teams and regions they see (names as in reps.team / reps.region) */
    teams: z.array(z.string().min(1)).default([]),
    regions: z.array(z.string().min(1)).default([]),
    /** rep: their name as the exports spell it (opportunities.owner) */
    owner: z.string().min(1).nullable().default(null),
    /** scrypt$N$r$p$salt$hash (base64); null for users who only sign in through the trusted proxy */
    password: z.string().startsWith('scrypt$').nullable().default(null),
    created_at: z.string(),
  })
  .superRefine((u, ctx) => {
    if (u.role === 'manager' && u.teams.length + u.regions.length === 0) ctx.addIssue({ code: 'custom', message: `manager "${u.username}" needs at least one team or region` });
    if (u.role === 'rep' && !u.owner) ctx.addIssue({ code: 'custom', message: `rep "${u.username}" needs --owner: their name in the exports` });
  });
export type UserRecord = z.infer<typeof userRecordSchema>;

const usersFileSchema = z.object({ version: z.literal(1), users: z.array(userRecordSchema) });

export class UsersFileError extends Error {}

export function defaultUsersFile(dbPath: string): string {
  return path.join(path.dirname(path.resolve(dbPath)), USERS_FILE_NAME);
}

export function readUsers(file: string): UserRecord[] {
  const text = readTextIfExists(file);
  if (text === null) return [];
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new UsersFileError(`${file} is not valid JSON (${(err as Error).message}). Fix it, or move it away and add users again.`);
  }
  const parsed = usersFileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UsersFileError(`${file}: ${issue.path.join('.') || '(top)'}: ${issue.message}`);
  }
  const seen = new Set<string>();
  for (const u of parsed.data.users) {
    if (seen.has(u.username)) throw new UsersFileError(`${file}: user "${u.username}" appears twice.`);
    seen.add(u.username);
  }
  return parsed.data.users;
}

export function writeUsers(file: string, users: UserRecord[]): void {
  writePrivateFile(file, `${JSON.stringify({ version: 1, users }, null, 2)}\n`);
}

export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.randomBytes(16);
  const { N, r, p, keylen, maxmem } = SCRYPT;
  const hash = await scryptAsync(password.normalize('NFC'), salt, keylen, { N, r, p, maxmem });
  return `scrypt$${N}$${r}$${p}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

export async function verifyPassword(password: string, stored: string | null): Promise<boolean> {
  const parts = stored?.split('$');
  if (!parts || parts.length !== 6 || parts[0] !== 'scrypt') {
    // same work as a real check, so a missing user takes as long as a wrong password
    await hashPassword(password);
    return false;
  }
  const [, n, r, p, salt, hash] = parts as [string, string, string, string, string, string];
  const expected = Buffer.from(hash, 'base64');
  const actual = await scryptAsync(password.normalize('NFC'), Buffer.from(salt, 'base64'), expected.length, { N: Number(n), r: Number(r), p: Number(p), maxmem: SCRYPT.maxmem });
  return actual.length === expected.length && crypto.timingSafeEqual(actual, expected);
}

export function checkPasswordStrength(password: string, username: string): string | null {
  if (password.length < MIN_PASSWORD_LENGTH) return `A password needs at least ${MIN_PASSWORD_LENGTH} characters.`;
  if (password.toLowerCase().includes(username.toLowerCase())) return 'A password must not contain the user name.';
  return null;
}

export interface NewUser {
  username: string;
  role: Role;
  teams?: string[];
  regions?: string[];
  owner?: string | null;
  password: string | null;
}

/** Validates and adds a user (the password hashed); throws UsersFileError with what to fix. */
export async function addUser(file: string, input: NewUser): Promise<UserRecord> {
  const users = readUsers(file);
  if (users.some((u) => u.username === input.username)) throw new UsersFileError(`User "${input.username}" exists already (salesight users password ${input.username} changes the password).`);
  if (input.password !== null) {
    const weak = checkPasswordStrength(input.password, input.username);
    if (weak) throw new UsersFileError(weak);
  }
  const parsed = userRecordSchema.safeParse({
    username: input.username,
    role: input.role,
    teams: input.teams ?? [],
    regions: input.regions ?? [],
    owner: input.owner ?? null,
    password: input.password === null ? null : await hashPassword(input.password),
    created_at: new Date().toISOString(),
  });
  if (!parsed.success) throw new UsersFileError(parsed.error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; '));
  writeUsers(file, [...readUsers(file), parsed.data]);
  return parsed.data;
}

export function removeUser(file: string, username: string): boolean {
  const users = readUsers(file);
  const kept = users.filter((u) => u.username !== username);
  if (kept.length === users.length) return false;
  writeUsers(file, kept);
  return true;
}

export async function setPassword(file: string, username: string, password: string): Promise<void> {
  const users = readUsers(file);
  const user = users.find((u) => u.username === username);
  if (!user) throw new UsersFileError(`No user "${username}".`);
  const weak = checkPasswordStrength(password, username);
  if (weak) throw new UsersFileError(weak);
  user.password = await hashPassword(password);
  writeUsers(file, users);
}
