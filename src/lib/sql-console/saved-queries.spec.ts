import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findSavedQuery, readSavedQueries, savedQueryInput, saveQuery } from './saved-queries.server.ts';

describe('saved console queries', () => {
  it('saves, lists in order and finds by id; the file is whole JSON with no temp file left', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'salesight-saved-'));
    const file = path.join(dir, 'salesight-saved-queries.json');
    expect(readSavedQueries(file)).toEqual([]);
    const first = saveQuery({ name: '按来源', sql: 'SELECT source, count(*) FROM opportunities GROUP BY 1' }, 'li', file);
    const second = saveQuery({ name: 'second', sql: 'SELECT 2' }, 'wang', file);
    expect(first.id).toMatch(/^[a-z0-9]{10}$/);
    expect(first.id).not.toBe(second.id);
    expect(readSavedQueries(file).map((q) => [q.name, q.author])).toEqual([
      ['按来源', 'li'],
      ['second', 'wang'],
    ]);
    expect(findSavedQuery(second.id, file)?.sql).toBe('SELECT 2');
    expect(findSavedQuery('nope', file)).toBeUndefined();
    expect(fs.readdirSync(dir)).toEqual(['salesight-saved-queries.json']);
    expect(JSON.parse(fs.readFileSync(file, 'utf8')).version).toBe(1);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('validates the form: a name and a query, within their limits', () => {
    expect(savedQueryInput.safeParse({ name: '  ', sql: 'SELECT 1' }).success).toBe(false);
    expect(savedQueryInput.safeParse({ name: 'x', sql: '' }).success).toBe(false);
    expect(savedQueryInput.safeParse({ name: 'x'.repeat(201), sql: 'SELECT 1' }).success).toBe(false);
    expect(savedQueryInput.safeParse({ name: 'x', sql: 'S'.repeat(100_001) }).success).toBe(false);
    expect(savedQueryInput.parse({ name: ' x ', sql: ' SELECT 1 ' })).toEqual({ name: 'x', sql: 'SELECT 1' });
  });
});
