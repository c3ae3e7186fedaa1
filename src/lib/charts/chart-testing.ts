/** Test helpers for the chart specs: the rows a mark was given, a drillHref that records its calls. */
import type { ChartSpec } from './chart-spec.ts';

/** The data array of the spec's mark at `index` (Plot keeps it on the mark as `data`). */
export function markData<T = Record<string, unknown>>(spec: ChartSpec, index: number): T[] {
  return (spec.plot.marks?.[index] as unknown as { data: T[] }).data;
}

/** A drillHref returning `/drill/<target>?<keys>` that records every call. */
export function recordingDrill() {
  const calls: [string, Record<string, string>][] = [];
  const drillHref = (target: string, keys: Record<string, string>) => {
    calls.push([target, keys]);
    return `/drill/${target}?${new URLSearchParams(keys)}`;
  };
  return { calls, drillHref };
}

/** How many times `needle` occurs in `text`. */
export const occurrences = (text: string, needle: string): number => text.split(needle).length - 1;
