/**
 * The audit log: who signed in (or failed to), downloaded what, and ran which SQL, when. One JSON
 * object per line, appended to `salesight-audit.jsonl` beside the users file (read it with
 * `salesight audit`). Appends are synchronous and small, so lines never interleave.
 */
import fs from 'node:fs';
import path from 'node:path';
import { readTextIfExists } from './private-files.ts';

export const AUDIT_FILE_NAME = 'salesight-audit.jsonl';

export type AuditAction = 'sign_in' | 'sign_in_failed' | 'sign_out' | 'setup' | 'download' | 'sql';

export interface AuditEntry {
  at: string;
  action: AuditAction;
  /** user name; for a failed sign-in, the name that was tried */
  user: string | null;
  role: string | null;
  /** client address as the server saw it */
  ip: string | null;
  /** what: the path downloaded, the SQL text… */
  detail: Record<string, unknown>;
}

export function auditFileFor(usersFile: string): string {
  return path.join(path.dirname(usersFile), AUDIT_FILE_NAME);
}

export function appendAudit(file: string, entry: Omit<AuditEntry, 'at'> & { at?: string }): void {
  const line = JSON.stringify({ at: entry.at ?? new Date().toISOString(), action: entry.action, user: entry.user, role: entry.role, ip: entry.ip, detail: entry.detail });
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.appendFileSync(file, `${line}\n`, { mode: 0o600 });
}

export function readAudit(file: string): AuditEntry[] {
  const text = readTextIfExists(file);
  if (text === null) return [];
  return text
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as AuditEntry);
}
