/**
 * The SQL sandbox against a corpus of hostile queries: each is refused, fails with DuckDB's
 * own refusal, or is stopped, with a message that says why; ordinary queries keep working on
 * the same sandbox afterwards, and the warehouse file is unchanged.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSandbox, SandboxError, type Sandbox } from '../src/lib/sql/sandbox.server.ts';
import { hostileQueries } from './hostile-queries.ts';
import { runCli, tempDir } from './helpers.ts';

const dir = tempDir();
const db = path.join(dir, 'demo.duckdb');
const secret = path.join(dir, 'secret.csv');
let sandbox: Sandbox;
let before: string;

const sha = (f: string) => crypto.createHash('sha256').update(fs.readFileSync(f)).digest('hex');

beforeAll(async () => {
  expect(runCli(['demo', '--db', db]).code).toBe(0);
  fs.writeFileSync(secret, 'password\nhunter2\n');
  before = sha(db);
  sandbox = await openSandbox(db, { timeoutMs: 3_000, maxRows: 1_000, memoryLimit: '512MB', threads: 2 });
});

afterAll(() => sandbox?.close());

const HOSTILE = hostileQueries({ secret, dir });

describe('SQL sandbox', () => {
  it('answers ordinary queries, capped at the row limit', async () => {
    const r = await sandbox.run('SELECT status, count(*) AS n FROM opportunities GROUP BY status ORDER BY n DESC');
    // demo: 1,431 lost, 471 won, 258 open, 108 invalid (tests/demo.test.ts)
    expect(r.rows).toEqual([{ status: 'lost', n: 1431 }, { status: 'won', n: 471 }, { status: 'open', n: 258 }, { status: 'invalid', n: 108 }]);
    expect(r.truncated).toBe(false);
    const big = await sandbox.run('SELECT * FROM stage_events');
    expect(big.rows).toHaveLength(1000);
    expect(big.truncated).toBe(true);
    expect((await sandbox.run('DESCRIBE opportunities')).rows.length).toBeGreaterThan(10);
  });

  it(`holds against ${HOSTILE.length} hostile queries`, { timeout: 300_000 }, async () => {
    expect(HOSTILE.length).toBeGreaterThanOrEqual(25);
    for (const [what, sql, kind, message] of HOSTILE) {
      const error = await sandbox.run(sql).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error, what).toBeInstanceOf(SandboxError);
      const ended = (error as SandboxError).kind;
      const allowed = kind === 'blocked' ? ['refused', 'failed'] : ['stopped', 'failed'];
      expect(allowed, `${what} ended ${ended}: ${(error as Error).message}`).toContain(ended);
      expect((error as Error).message, what).toMatch(message);
      // the sandbox is still healthy after each
      expect((await sandbox.run('SELECT count(*)::INTEGER AS n FROM reps')).rows, `after ${what}`).toEqual([{ n: 32 }]);
    }
    expect(fs.existsSync(path.join(dir, 'out.csv'))).toBe(false);
    expect(fs.existsSync(path.join(dir, 'other.duckdb'))).toBe(false);
    expect(sha(db)).toBe(before);
  });
});
