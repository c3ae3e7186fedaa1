/**
 * POST /sql/run, JSON {sql} → 200 {status:'ok', columns, rows, truncated, elapsed_ms, max_rows}
 * or {status:'refused'|'stopped'|'failed', message}: 422 refused/stopped, 400 failed or a bad body
 * (HTTP_STATUS in console.server.ts says why).
 */
import { json } from '@sveltejs/kit';
import { requireConsoleUser } from '$lib/access/access.server.ts';
import { auditQuery, HTTP_STATUS, runBody, runConsoleQuery, type RunResponse } from '$lib/sql-console/console.server.ts';
import { SANDBOX_LIMITS } from '$lib/sql/sandbox.server.ts';
import type { RequestHandler } from './$types';

export const POST: RequestHandler = async (event) => {
  const user = requireConsoleUser(event.locals);
  let body: unknown;
  try {
    body = await event.request.json();
  } catch {
    return json({ status: 'failed', message: 'Send JSON: {"sql": "SELECT …"}.' } satisfies RunResponse, { status: 400 });
  }
  const parsed = runBody.safeParse(body);
  if (!parsed.success) return json({ status: 'failed', message: parsed.error.issues.map((i) => i.message).join('; ') } satisfies RunResponse, { status: 400 });
  const sql = parsed.data.sql;
  const outcome = await runConsoleQuery(user, sql);
  auditQuery(event, sql, outcome);
  if (outcome.status === 'ok') {
    const { elapsed_ms, columns, rows, truncated } = outcome;
    return json({ status: 'ok', columns, rows, truncated, elapsed_ms, max_rows: SANDBOX_LIMITS.maxRows } satisfies RunResponse);
  }
  return json({ status: outcome.status, message: outcome.message } satisfies RunResponse, { status: HTTP_STATUS[outcome.status] });
};
