import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { canUseConsole, scopeOf } from './roles.ts';
import { scopeViewStatements } from './scope-sql.ts';
import { MAX_FAILED_SIGN_INS, MAX_FAILED_SIGN_INS_PER_ADDRESS, recordFailedSignIn, SIGN_IN_WINDOW_MS, signInBlockedFor } from './sessions.server.ts';
import { addUser, hashPassword, readUsers, removeUser, UsersFileError, verifyPassword } from './users.server.ts';

describe('scope SQL', () => {
  it('adds no view for all data', () => {
    expect(scopeViewStatements({ kind: 'all' }, 'demo')).toEqual([]);
  });

  it('pins the views of a rep: through the real catalog, quoted values, one view per narrowed table', () => {
    const sql = scopeViewStatements({ kind: 'rep', owner: "O'Brien" }, 'my "db"');
    expect(sql[0]).toBe(`CREATE OR REPLACE TEMP VIEW reps AS SELECT t.* FROM "my ""db""".main."reps" t WHERE t.owner = 'O''Brien'`);
    expect(sql[1]).toBe(`CREATE OR REPLACE TEMP VIEW opportunities AS SELECT t.* FROM "my ""db""".main."opportunities" t WHERE t.owner IN (SELECT owner FROM reps) OR false`);
    expect(sql[2]).toContain('stage_events AS SELECT t.*, t.rowid AS rowid FROM');
    expect(sql.map((s) => /TEMP VIEW (\w+)/.exec(s)![1])).toEqual(['reps', 'opportunities', 'stage_events', 'orders', 'customers', 'segment_history', 'targets', 'pipeline_snapshots', 'rejected_rows']);
    expect(sql.find((s) => s.includes('VIEW targets'))).toContain(`WHERE (t.dimension = 'rep' AND t.dimension_value IN (SELECT owner FROM reps))`);
    expect(sql.find((s) => s.includes('VIEW targets'))).not.toContain("'team'");
  });

  it('pins the team and region condition of a manager; an empty list matches nothing', () => {
    const sql = scopeViewStatements({ kind: 'teams', teams: ['华东一组'], regions: [] }, 'w');
    expect(sql[0]).toBe(`CREATE OR REPLACE TEMP VIEW reps AS SELECT t.* FROM "w".main."reps" t WHERE t.team IN ('华东一组') OR false`);
    expect(sql.find((s) => s.includes('VIEW targets'))).toContain(`OR (t.dimension = 'team' AND t.dimension_value IN ('华东一组')) OR (t.dimension = 'region' AND false)`);
  });

  it('skips tables the warehouse lacks', () => {
    expect(scopeViewStatements({ kind: 'rep', owner: 'x' }, 'w', new Set(['reps', 'orders'])).length).toBe(2);
  });
});

describe('roles', () => {
  it('maps each role to its scope', () => {
    expect(scopeOf({ role: 'leader' })).toEqual({ kind: 'all' });
    expect(scopeOf({ role: 'manager', teams: ['b', 'a'], regions: ['华东'] })).toEqual({ kind: 'teams', teams: ['a', 'b'], regions: ['华东'] });
    expect(scopeOf({ role: 'rep', owner: '王磊' })).toEqual({ kind: 'rep', owner: '王磊' });
    expect(scopeOf({ role: 'analyst' })).toEqual({ kind: 'all' });
    expect(scopeOf({ role: 'analyst', regions: ['华南'] })).toEqual({ kind: 'teams', teams: [], regions: ['华南'] });
    expect(() => scopeOf({ role: 'rep' })).toThrow(/owner/);
  });

  it('gives the console to admins, leaders and analysts only', () => {
    expect((['admin', 'leader', 'manager', 'rep', 'analyst'] as const).filter(canUseConsole)).toEqual(['admin', 'leader', 'analyst']);
  });
});

describe('users file', () => {
  const file = () => path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'salesight-users-')), 'users.json');

  it('hashes with scrypt and a salt of its own per hash, and verifies only the right password', async () => {
    const a = await hashPassword('correct horse battery');
    const b = await hashPassword('correct horse battery');
    expect(a).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('correct horse battery', a)).toBe(true);
    expect(await verifyPassword('correct horse batterY', a)).toBe(false);
    expect(await verifyPassword('anything', null)).toBe(false);
  });

  it('adds, validates and removes users; the file is private and holds no plain password', async () => {
    const f = file();
    await addUser(f, { username: 'zhou', role: 'manager', teams: ['华东一组'], password: 'manager-pass-1' });
    await expect(addUser(f, { username: 'zhou', role: 'admin', password: 'another-pass-1' })).rejects.toThrow(/exists already/);
    await expect(addUser(f, { username: 'm2', role: 'manager', password: 'manager-pass-1' })).rejects.toThrow(/at least one team or region/);
    await expect(addUser(f, { username: 'r2', role: 'rep', password: 'rep-password-1' })).rejects.toThrow(UsersFileError);
    await expect(addUser(f, { username: 'r3', role: 'rep', owner: '王磊', password: 'short' })).rejects.toThrow(/at least 10/);
    expect(readUsers(f).map((u) => u.username)).toEqual(['zhou']);
    expect(fs.readFileSync(f, 'utf8')).not.toContain('manager-pass-1');
    expect(fs.statSync(f).mode & 0o777).toBe(0o600);
    expect(removeUser(f, 'zhou')).toBe(true);
    expect(removeUser(f, 'zhou')).toBe(false);
  });

  it('says what is wrong with a hand-edited file', () => {
    const f = file();
    fs.writeFileSync(f, JSON.stringify({ version: 1, users: [{ username: 'xy', role: 'boss', created_at: 'now' }] }));
    expect(() => readUsers(f)).toThrow(/users\.0\.role/);
    fs.writeFileSync(f, '{ not json');
    expect(() => readUsers(f)).toThrow(/not valid JSON/);
  });
});

describe('sign-in rate limit', () => {
  it(`blocks after ${MAX_FAILED_SIGN_INS} failures within the window, and lets the oldest expire`, () => {
    const keys = ['user:rate-test', 'ip:10.0.0.9'];
    const t0 = 1_000_000;
    for (let i = 0; i < MAX_FAILED_SIGN_INS - 1; i++) recordFailedSignIn(keys, t0 + i * 1000);
    expect(signInBlockedFor(keys, t0 + 10_000)).toBe(0);
    recordFailedSignIn(keys, t0 + 20_000);
    // blocked until the first failure (t0) leaves the window: t0 + window − now
    expect(signInBlockedFor(keys, t0 + 30_000)).toBe(SIGN_IN_WINDOW_MS - 30_000);
    // the address alone is not blocked yet: an office shares one (30 failures allowed)
    expect(signInBlockedFor(['ip:10.0.0.9'], t0 + 30_000)).toBe(0);
    expect(signInBlockedFor(keys, t0 + SIGN_IN_WINDOW_MS + 1)).toBe(0);
  });

  it(`blocks an address after ${MAX_FAILED_SIGN_INS_PER_ADDRESS} failures across user names`, () => {
    const t0 = 5_000_000;
    for (let i = 0; i < MAX_FAILED_SIGN_INS_PER_ADDRESS; i++) recordFailedSignIn([`user:guess-${i}`, 'ip:10.0.0.10'], t0 + i);
    expect(signInBlockedFor(['user:someone-else', 'ip:10.0.0.10'], t0 + 100)).toBe(SIGN_IN_WINDOW_MS - 100);
  });
});
