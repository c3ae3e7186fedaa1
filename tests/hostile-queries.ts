/**
 * The hostile-query corpus (issue 6): what an analyst might try to get out of the SQL sandbox.
 * Shared by the sandbox's own test (tests/sql-sandbox.test.ts) and the console's end-to-end test
 * through the server (tests/sql-console-hostile.test.ts).
 */
import path from 'node:path';

/**
 * [what it tries, the query, how it must end, what the message must say]. "blocked" = refused by
 * the sandbox before running, or by DuckDB's own locks (external access disabled) while binding:
 * never run either way. "stopped" = interrupted at the time limit, or DuckDB's memory limit.
 */
export type HostileQuery = [string, string, 'blocked' | 'stopped', RegExp];

export const DISABLED = /file system operations are disabled/;
export const ONLY_SELECT = /Only SELECT/;
/** `secret`: a local file the queries try to read; `dir`: where they try to write. */
export function hostileQueries({ secret, dir }: { secret: string; dir: string }): HostileQuery[] {
  return [
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
    ['a runaway cross join', `SELECT count(*) FROM stage_events a, stage_events b, stage_events c, stage_events d`, 'stopped', /time limit/],
    ['huge string generation', `SELECT length(string_agg(repeat('x', 100000), '')) FROM range(1000000)`, 'stopped', /time limit|memory|Out of Memory/i],
    ['a recursive CTE that never ends', `WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT max(n) FROM r`, 'stopped', /time limit|memory|Out of Memory/i],
    ['change a setting through a function', `SELECT set_config('enable_external_access', 'true')`, 'blocked', /does not exist/],
    ['read a remote URL', `SELECT * FROM read_csv('https://example.com/x.csv')`, 'blocked', DISABLED],
  ];
}

