/** The Parameters sheet of every workbook, the same from `salesight report` and the site's downloads. */
import type { ResolvedParams } from '../metrics/params.ts';

/** `what` names the workbook first: ['family', 'funnel'] from the CLI, ['page', 'team'] from the site. */
export function parameterRows(what: [string, string], p: ResolvedParams, source: { dbPath: string; configFile: string | null; version?: string }): [string, string][] {
  return [
    what,
    ['from', p.from],
    ['to', p.to],
    ['as_of', p.as_of],
    ['filters', Object.entries(p.filters).map(([k, v]) => `${k}=${v!.join(',')}`).join('; ') || '(none)'],
    ['by', p.by ?? '(none)'],
    ['warehouse', source.dbPath],
    ['config', source.configFile ?? '(defaults)'],
    ['generated_at', new Date().toISOString()],
    ...(source.version ? [['salesight', source.version] as [string, string]] : []),
  ];
}
