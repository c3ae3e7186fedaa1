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

/**
 * [what it tries, the query, how it must end, what the message must say]. "blocked" = refused by
 * the sandbox before running, or by DuckDB's own locks (external access disabled) while binding:
 * never run either way. "stopped" = interrupted at the time limit, or DuckDB's memory limit.
 */
const DISABLED = /file system operations are disabled/;
const ONLY_SELECT = /Only SELECT/;
const HOSTILE: [string, string, 'blocked' | 'stopped', RegExp][] = [
  ['read a local file with read_csv', `SELECT * FROM read_csv('${secret}')`, 'blocked', DISABLED],
  ['read a local file with read_text', `SELECT * FROM read_text('${secret}')`, 'blocked', DISABLED],
  ['read a local file with read_blob', `SELECT * FROM read_blob('/etc/passwd')`, 'blocked', DISABLED],
  ['read a file by its path as a table', `SELECT * FROM '${secret}'`, 'blocked', /does not exist|disabled/],
  ['glob the file system', `SELECT * FROM glob('/etc/*')`, 'blocked', DISABLED],
  ['write a file with COPY', `COPY opportunities TO '${path.join(dir, 'out.csv')}'`, 'blocked', DISABLED],
  ['export the database', `EXPORT DATABASE '${path.join(dir, 'dump')}'`, 'blocked', DISABLED],
  ['attach another database', `ATTACH '${path.join(dir, 'other.duckdb')}' AS other`, 'blocked', ONLY_SELECT],
  ['install an extension', `INSTALL httpfs`, 'blocked', ONLY_SELECT],
  ['load an extension', `LOAD httpfs`, 'blocked', ONLY_SELECT],
  ['change a setting', `SET enable_external_access = true`, 'blocked', ONLY_SELECT],
  ['reset a setting', `RESET memory_limit`, 'blocked', ONLY_SELECT],
  ['run a pragma', `PRAGMA enable_profiling`, 'blocked', ONLY_SELECT],
  ['create a table', `CREATE TABLE x AS SELECT 1`, 'blocked', ONLY_SELECT],
  ['create a temp table', `CREATE TEMP TABLE x AS SELECT * FROM opportunities`, 'blocked', ONLY_SELECT],
  ['create a macro', `CREATE MACRO m(a) AS a + 1`, 'blocked', ONLY_SELECT],
  ['drop a table', `DROP TABLE opportunities`, 'blocked', ONLY_SELECT],
  ['insert', `INSERT INTO reps (owner) VALUES ('x')`, 'blocked', ONLY_SELECT],
  ['update', `UPDATE opportunities SET amount = 0`, 'blocked', ONLY_SELECT],
  ['delete', `DELETE FROM rejected_rows`, 'blocked', ONLY_SELECT],
  ['two statements', `SELECT 1; DROP TABLE opportunities`, 'blocked', /exactly one statement/],
  ['a select hiding a second statement', `SELECT 1; SELECT * FROM read_text('${secret}')`, 'blocked', /exactly one statement/],
  ['checkpoint', `CHECKPOINT`, 'blocked', ONLY_SELECT],
  ['call a settings function', `CALL enable_logging()`, 'blocked', ONLY_SELECT],
  ['a runaway cross join', `SELECT count(*) FROM stage_events a, stage_events b, stage_events c`, 'stopped', /time limit/],
  ['huge string generation', `SELECT length(string_agg(repeat('x', 100000), '')) FROM range(1000000)`, 'stopped', /time limit|memory|Out of Memory/i],
  ['a recursive CTE that never ends', `WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT max(n) FROM r`, 'stopped', /time limit|memory|Out of Memory/i],
  ['change a setting through a function', `SELECT set_config('enable_external_access', 'true')`, 'blocked', /does not exist/],
  ['read a remote URL', `SELECT * FROM read_csv('https://example.com/x.csv')`, 'blocked', DISABLED],
];

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
