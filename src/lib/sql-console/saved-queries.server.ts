/**
 * Saved console queries: a JSON file beside the users file, written whole and renamed into place
 * (as writeUsers does), so a crash never leaves half a file. A saved query is only its text: who
 * opens it runs it in their own scope.
 */
import crypto from 'node:crypto';
import path from 'node:path';
import { z } from 'zod';
import { accessSettings } from '../access/access.server.ts';
import { readTextIfExists, writePrivateFile } from '../access/private-files.ts';
import { sqlText } from './console.server.ts';

export const SAVED_QUERIES_FILE = 'salesight-saved-queries.json';
/** Beyond this many, the oldest saved query goes when a new one is saved. */
export const MAX_SAVED_QUERIES = 1_000;
export const MAX_QUERY_NAME_CHARS = 200;

export const savedQueryInput = z.object({
  name: z.string().trim().min(1, 'Give the query a name.').max(MAX_QUERY_NAME_CHARS, `A name may be at most ${MAX_QUERY_NAME_CHARS} characters.`),
  sql: sqlText,
});

const savedQuery = z.object({
  id: z.string().regex(/^[a-z0-9]{10}$/),
  name: z.string(),
  sql: z.string(),
  author: z.string(),
  created_at: z.string(),
});
export type SavedQuery = z.infer<typeof savedQuery>;

const savedFile = z.object({ version: z.literal(1), queries: z.array(savedQuery) });

export function savedQueriesFile(): string {
  return path.join(path.dirname(accessSettings().usersFile), SAVED_QUERIES_FILE);
}

export function readSavedQueries(file = savedQueriesFile()): SavedQuery[] {
  const text = readTextIfExists(file);
  return text === null ? [] : savedFile.parse(JSON.parse(text)).queries;
}

function writeSavedQueries(file: string, queries: SavedQuery[]): void {
  writePrivateFile(file, `${JSON.stringify({ version: 1, queries }, null, 2)}\n`);
}

/** Saves a query (read, append, write in one synchronous step: no other request interleaves). */
export function saveQuery(input: { name: string; sql: string }, author: string, file = savedQueriesFile()): SavedQuery {
  const query: SavedQuery = {
    id: newId(),
    name: input.name,
    sql: input.sql,
    author,
    created_at: new Date().toISOString(),
  };
  writeSavedQueries(file, [...readSavedQueries(file), query].slice(-MAX_SAVED_QUERIES));
  return query;
}

export function findSavedQuery(id: string, file = savedQueriesFile()): SavedQuery | undefined {
  return readSavedQueries(file).find((q) => q.id === id);
}

const ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** 10 random base-36 characters: short enough for a URL, too many to collide. */
function newId(): string {
  const bytes = crypto.randomBytes(10);
  return [...bytes].map((b) => ID_ALPHABET[b % ID_ALPHABET.length]).join('');
}
