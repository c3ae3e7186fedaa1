/** POST /sql/saved (form: csrf, name, sql): saves the query, then 303 → /sql?saved=<id>. */
import { redirect, text } from '@sveltejs/kit';
import { requireConsoleUser } from '$lib/access/access.server.ts';
import { savedQueryInput, saveQuery } from '$lib/sql-console/saved-queries.server.ts';
import type { RequestHandler } from './$types';

export const POST: RequestHandler = async ({ locals, request }) => {
  const user = requireConsoleUser(locals);
  const form = await request.formData();
  const parsed = savedQueryInput.safeParse({ name: form.get('name'), sql: form.get('sql') });
  if (!parsed.success) return text(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '), { status: 400 });
  const saved = saveQuery(parsed.data, user.username);
  redirect(303, `/sql?saved=${saved.id}`);
};
