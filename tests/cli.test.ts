/** The command line as a user meets it: help everywhere, JSON that parses, clear errors. */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { MAVEN_DIR, runCli, tempDir } from './helpers.ts';

const COMMANDS = ['ingest', 'sql', 'runs', 'rejects', 'presets', 'demo'];

describe('salesight CLI', () => {
  const db = path.join(tempDir(), 'w.duckdb');
  beforeAll(() => {
    expect(runCli(['ingest', path.join(MAVEN_DIR, 'sales_pipeline.csv'), path.join(MAVEN_DIR, 'sales_teams.csv'), '--db', db]).code).toBe(0);
  });

  it.each(COMMANDS)('%s --help explains the command and --db', (cmd) => {
    const r = runCli([cmd, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`Usage: salesight ${cmd}`));
    const top = runCli(['--help']);
    expect(top.stdout).toContain('--db <file>');
    expect(top.stdout).toContain(cmd);
  });

  it('an unknown command or option is a usage error (exit 2)', () => {
    expect(runCli(['frobnicate']).code).toBe(2);
    const r = runCli(['ingest', '--nope', 'x.csv']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown option '--nope'/);
  });

  it('sql prints a table, CSV or JSON; numbers are JSON numbers', () => {
    const q = `SELECT status, count(*) AS n, sum(amount) AS won FROM opportunities GROUP BY ALL ORDER BY n DESC`;
    const json = runCli(['sql', q, '--db', db, '--format', 'json']);
    expect(json.code).toBe(0);
    // counts from the Maven source: Won 4238 (sum 10,005,534), Lost 2473, open 1589 + 500
    expect(JSON.parse(json.stdout)).toEqual([
      { status: 'won', n: 4238, won: 10005534 },
      { status: 'lost', n: 2473, won: 0 },
      { status: 'open', n: 2089, won: null },
    ]);
    const csv = runCli(['sql', q, '--db', db, '--format', 'csv']);
    expect(csv.stdout.split('\n').slice(0, 2)).toEqual(['status,n,won', 'won,4238,10005534.00']);
    const table = runCli(['sql', q, '--db', db]);
    expect(table.stdout).toMatch(/status\s+n\s+won/);
    expect(table.stderr).toContain('(3 rows)');
  });

  it('sql refuses to change the warehouse and says what to do', () => {
    const r = runCli(['sql', 'DELETE FROM opportunities', '--db', db, '--json']);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout).errors[0]).toMatch(/read-only.*salesight ingest/);
    const [{ n }] = JSON.parse(runCli(['sql', 'SELECT count(*) AS n FROM opportunities', '--db', db, '--json']).stdout);
    expect(n).toBe(8800);
  });

  it('runs lists ingest runs; rejects says when there are none', () => {
    const runs = JSON.parse(runCli(['runs', '--db', db, '--json']).stdout);
    expect(runs).toHaveLength(1);
    // 8800 pipeline rows + 35 sales agents, all new
    expect(runs[0]).toMatchObject({ run_id: 1, status: 'loaded', files: 2, rows_read: 8835, rows_loaded: 8835, rows_inserted: 8835 });
    expect(runCli(['rejects', '--db', db]).stdout).toContain('Run 1 rejected no rows.');
  });

  it('commands on a missing warehouse say how to create one', () => {
    const r = runCli(['runs', '--db', path.join(tempDir(), 'none.duckdb')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/No warehouse at .*none\.duckdb\. Load some exports first: `salesight ingest <files>`/);
  });

  it('--json on ingest prints exactly one JSON document on stdout, progress on stderr', () => {
    const r = runCli(['ingest', path.join(MAVEN_DIR, 'products.csv'), '--db', path.join(tempDir(), 'p.duckdb'), '--json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout); // throws if anything else is on stdout
    expect(doc.totals.rows_read).toBe(7);
    expect(r.stderr).toMatch(/ingest: /);
  });

  it('presets lists every built-in layout', () => {
    const presets = JSON.parse(runCli(['presets', '--json']).stdout) as { id: string }[];
    expect(presets.map((p) => p.id)).toEqual(expect.arrayContaining([
      'seed-funnel-template', 'canonical-opportunities', 'maven-crm-pipeline', 'online-retail', 'salesforce-opportunities', 'hubspot-deals',
    ]));
  });
});
