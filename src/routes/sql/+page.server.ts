import { error } from '@sveltejs/kit';
import { z } from 'zod';
import { requireConsoleUser } from '$lib/access/access.server.ts';
import { consoleSchema, MAX_CONSOLE_DOWNLOAD_ROWS, MAX_SQL_CHARS } from '$lib/sql-console/console.server.ts';
import { findSavedQuery, readSavedQueries } from '$lib/sql-console/saved-queries.server.ts';
import { SANDBOX_LIMITS } from '$lib/sql/sandbox.server.ts';
import type { PageServerLoad } from './$types';

const DEFAULT_SQL = 'SELECT source, count(*) AS opportunities, count(*) FILTER (status = \'won\') AS won\nFROM opportunities\nGROUP BY ALL\nORDER BY won DESC';

const pageParams = z.object({
  q: z.string().max(MAX_SQL_CHARS).optional(),
  saved: z.string().regex(/^[a-z0-9]{1,40}$/).optional(),
});

export const load: PageServerLoad = async ({ locals, url }) => {
  const user = requireConsoleUser(locals);
  const parsed = pageParams.safeParse({ q: url.searchParams.get('q') ?? undefined, saved: url.searchParams.get('saved') ?? undefined });
  if (!parsed.success) error(400, parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  const saved = readSavedQueries();
  let opened: (typeof saved)[number] | null = null;
  if (parsed.data.saved) {
    opened = findSavedQuery(parsed.data.saved) ?? null;
    if (!opened) error(404, 'No saved query with this id (it may have been replaced by newer ones).');
  }
  return {
    csrf: locals.csrf ?? '',
    user: { username: user.username, role: user.role, scoped: user.scope.kind !== 'all' },
    sql: opened?.sql ?? parsed.data.q ?? DEFAULT_SQL,
    opened: opened ? { id: opened.id, name: opened.name, author: opened.author } : null,
    schema: await consoleSchema(user),
    saved: saved
      .map((q) => ({ id: q.id, name: q.name, author: q.author, created_at: q.created_at }))
      .reverse(),
    limits: { maxRows: SANDBOX_LIMITS.maxRows, timeoutMs: SANDBOX_LIMITS.timeoutMs, downloadRows: MAX_CONSOLE_DOWNLOAD_ROWS, maxSqlChars: MAX_SQL_CHARS },
  };
};
