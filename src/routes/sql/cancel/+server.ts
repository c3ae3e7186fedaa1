/** POST /sql/cancel → {cancelled: boolean}: stops the user's running console query, if any. */
import { json } from '@sveltejs/kit';
import { requireConsoleUser } from '$lib/access/access.server.ts';
import { cancelConsoleQuery } from '$lib/sql/console-sandbox.server.ts';
import type { RequestHandler } from './$types';

export const POST: RequestHandler = async ({ locals }) => {
  const user = requireConsoleUser(locals);
  return json({ cancelled: await cancelConsoleQuery(user) });
};
