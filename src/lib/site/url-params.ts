/**
 * The report filters as they live in the URL, so any view can be shared and bookmarked:
 *   ?period=this-quarter            a preset, resolved against the as-of date (default: latest data)
 *   ?period=custom&from=…&to=…      explicit dates
 *   ?as_of=2026-10-31               "today" for dwell, recency and pace
 *   ?team=华东一组&team=华北组&region=…  filters, repeatable per dimension
 *   ?by=owner                       group-by
 * Pure: no DuckDB. The server turns the result into MetricParams (params.ts validates them).
 */
import { z } from 'zod';
import { DIMENSIONS, type Dimension } from '../metrics/dimensions.ts';

/** What one request may ask for: beyond these a URL is refused (400) rather than run. */
export const URL_LIMITS = { maxValuesPerFilter: 100, maxValueLength: 200, maxDrillKeys: 10 } as const;

/** A query parameter the site refuses, with what to change. */
export class UrlParamError extends Error {}

const paramValue = z.string().max(URL_LIMITS.maxValueLength, `is longer than ${URL_LIMITS.maxValueLength} characters`);
const filterValuesSchema = z.array(paramValue).max(URL_LIMITS.maxValuesPerFilter, `has more than ${URL_LIMITS.maxValuesPerFilter} values`);
const drillKeysSchema = z.record(z.string(), paramValue).superRefine((keys, ctx) => {
  const names = Object.keys(keys);
  if (names.length > URL_LIMITS.maxDrillKeys) ctx.addIssue({ code: 'custom', message: `has more than ${URL_LIMITS.maxDrillKeys} drill-down keys` });
  for (const name of names) if (!/^[a-z_]{1,40}$/.test(name)) ctx.addIssue({ code: 'custom', path: [name], message: 'is not a drill-down key name' });
});

/** Parses `values` with `schema`, or throws UrlParamError naming the parameter. */
export function checkParam<T>(name: string, schema: z.ZodType<T>, values: unknown): T {
  const r = schema.safeParse(values);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const where = issue.path.length ? `${name}.${issue.path.join('.')}` : name;
  throw new UrlParamError(`The URL parameter ${where} ${issue.message}: shorten the link's filters and try again.`);
}

/** The `k.<name>=value` keys of a drill-down URL, checked against URL_LIMITS. */
export function parseDrillKeys(search: URLSearchParams): Record<string, string> {
  const keys: Record<string, string> = {};
  for (const [k, v] of search) if (k.startsWith('k.') && v !== '') keys[k.slice(2)] = v;
  return checkParam('k', drillKeysSchema, keys);
}

export const PERIOD_PRESETS = ['all', 'this-week', 'this-month', 'this-quarter', 'this-year', 'last-7', 'last-30', 'last-90', 'custom'] as const;
export type PeriodPreset = (typeof PERIOD_PRESETS)[number];

export interface FiscalCalendar {
  /** 1–12: the month the fiscal year (and its quarters) starts in. */
  year_start_month: number;
  week_start: 'monday' | 'sunday';
}

export interface UrlFilters {
  period: PeriodPreset;
  /** only for period=custom */
  from?: string;
  to?: string;
  as_of?: string;
  filters: Partial<Record<Dimension, string[]>>;
  by?: Dimension;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

export function parseUrlFilters(search: URLSearchParams): UrlFilters {
  const date = (k: string) => {
    const v = search.get(k)?.trim();
    return v && ISO_DATE.test(v) ? v : undefined;
  };
  const requested = search.get('period') ?? '';
  const from = date('from');
  const to = date('to');
  // explicit dates without a preset mean custom
  const period: PeriodPreset = (PERIOD_PRESETS as readonly string[]).includes(requested)
    ? (requested as PeriodPreset)
    : from || to
      ? 'custom'
      : 'all';
  const filters: UrlFilters['filters'] = {};
  for (const d of DIMENSIONS) {
    const values = checkParam(d, filterValuesSchema, [...new Set(search.getAll(d).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean))]);
    if (values.length) filters[d] = values;
  }
  const by = search.get('by');
  return {
    period,
    ...(period === 'custom' ? { from, to } : {}),
    as_of: date('as_of'),
    filters,
    by: (DIMENSIONS as readonly string[]).includes(by ?? '') ? (by as Dimension) : undefined,
  };
}

/** The query string for these filters (stable order, empty parts left out). */
export function urlFiltersToSearch(f: UrlFilters): URLSearchParams {
  const s = new URLSearchParams();
  if (f.period !== 'all') s.set('period', f.period);
  if (f.period === 'custom') {
    if (f.from) s.set('from', f.from);
    if (f.to) s.set('to', f.to);
  }
  if (f.as_of) s.set('as_of', f.as_of);
  for (const d of DIMENSIONS) for (const v of f.filters[d] ?? []) s.append(d, v);
  if (f.by) s.set('by', f.by);
  return s;
}

const toIso = (d: Date) => d.toISOString().slice(0, 10);
const utc = (y: number, m: number, day: number) => new Date(Date.UTC(y, m, day));

/**
 * The [from, to] a preset covers, ending at as-of: "this quarter" is the fiscal quarter that
 * contains as-of, from its first day to as-of. `all` and `custom` return null (the caller keeps
 * the explicit or default dates).
 */
export function presetRange(preset: PeriodPreset, asOf: string, fiscal: FiscalCalendar): { from: string; to: string } | null {
  const d = new Date(`${asOf}T00:00:00Z`);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  const daysBack = (n: number) => ({ from: toIso(new Date(d.getTime() - (n - 1) * 86_400_000)), to: asOf });
  switch (preset) {
    case 'this-week': {
      const offset = fiscal.week_start === 'monday' ? (d.getUTCDay() + 6) % 7 : d.getUTCDay();
      return { from: toIso(new Date(d.getTime() - offset * 86_400_000)), to: asOf };
    }
    case 'this-month':
      return { from: toIso(utc(y, m, 1)), to: asOf };
    case 'this-quarter': {
      // months since the fiscal year began, rounded down to a quarter
      const sinceStart = (m - (fiscal.year_start_month - 1) + 12) % 12;
      return { from: toIso(utc(y, m - (sinceStart % 3), 1)), to: asOf };
    }
    case 'this-year': {
      const sinceStart = (m - (fiscal.year_start_month - 1) + 12) % 12;
      return { from: toIso(utc(y, m - sinceStart, 1)), to: asOf };
    }
    case 'last-7':
      return daysBack(7);
    case 'last-30':
      return daysBack(30);
    case 'last-90':
      return daysBack(90);
    default:
      return null;
  }
}
