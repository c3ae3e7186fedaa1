/**
 * POST /sql/download (form: csrf, sql, format = csv | xlsx | parquet): runs the query again in
 * the user's sandbox, up to MAX_CONSOLE_DOWNLOAD_ROWS rows, and answers the file as an
 * attachment; a query that does not run answers its message as text (400/422).
 */
import { text } from '@sveltejs/kit';
import { z } from 'zod';
import { audit, requireConsoleUser } from '$lib/access/access.server.ts';
import { auditQuery, HTTP_STATUS, MAX_CONSOLE_DOWNLOAD_ROWS, runConsoleQuery, sqlText } from '$lib/sql-console/console.server.ts';
import { csvDownload, DOWNLOAD_FORMATS, downloadFileName, parquetDownload, xlsxDownload } from '$lib/sql-console/downloads.server.ts';
import type { RequestHandler } from './$types';

const downloadForm = z.object({ sql: sqlText, format: z.enum(DOWNLOAD_FORMATS) });

export const POST: RequestHandler = async (event) => {
  const user = requireConsoleUser(event.locals);
  const form = await event.request.formData();
  const parsed = downloadForm.safeParse({ sql: form.get('sql'), format: form.get('format') });
  if (!parsed.success) return text(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '), { status: 400 });
  const { sql, format } = parsed.data;
  const outcome = await runConsoleQuery(user, sql, MAX_CONSOLE_DOWNLOAD_ROWS);
  auditQuery(event, sql, outcome);
  if (outcome.status !== 'ok') return text(outcome.message, { status: HTTP_STATUS[outcome.status] });
  audit(event, 'download', { what: 'sql', format, sql, rows: outcome.rows.length });
  const fileName = downloadFileName(format);
  if (format === 'csv') return csvDownload(outcome, fileName);
  if (format === 'xlsx') return xlsxDownload(outcome, sql, user.username, event.locals.lang, fileName);
  return parquetDownload(outcome, fileName);
};
