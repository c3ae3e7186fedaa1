/** Matching a file's headers to a mapping, and recognising which preset a file is. */
import { normaliseHeader, sourceHeader, type Mapping } from './mapping.ts';
import { PRESETS } from './presets.ts';

export interface ResolvedColumn {
  column: string;
  /** Index of the file column the value comes from. */
  index: number;
  header: string;
  unit: number;
  separator?: string;
  part?: number;
}

export interface Resolution {
  columns: Map<string, ResolvedColumn>;
  /** Canonical columns marked required whose headers are absent, with the headers we looked for. */
  missingRequired: { column: string; headers: string[] }[];
  /** Headers used by the mapping that occur more than once in the file. */
  ambiguousHeaders: { header: string; positions: number[] }[];
}

export function resolveColumns(mapping: Mapping, headers: string[]): Resolution {
  const positions = new Map<string, number[]>();
  headers.forEach((h, i) => {
    const key = normaliseHeader(h);
    positions.set(key, [...(positions.get(key) ?? []), i]);
  });
  const columns = new Map<string, ResolvedColumn>();
  const missingRequired: Resolution['missingRequired'] = [];
  const ambiguous = new Map<string, number[]>();
  for (const [column, rule] of Object.entries(mapping.columns)) {
    let found: ResolvedColumn | undefined;
    for (const source of rule.from) {
      const at = positions.get(normaliseHeader(sourceHeader(source)));
      if (!at) continue;
      if (at.length > 1) ambiguous.set(headers[at[0]!]!, at.map((i) => i + 1));
      found = {
        column,
        index: at[0]!,
        header: headers[at[0]!]!,
        unit: typeof source === 'string' ? 1 : (source.unit ?? 1),
        ...(typeof source !== 'string' && source.separator !== undefined
          ? { separator: source.separator, part: source.part ?? 0 }
          : {}),
      };
      break;
    }
    if (found) columns.set(column, found);
    else if (rule.required) missingRequired.push({ column, headers: rule.from.map(sourceHeader) });
  }
  return {
    columns,
    missingRequired,
    ambiguousHeaders: [...ambiguous].map(([header, pos]) => ({ header, positions: pos })),
  };
}

export interface Recognition {
  /** The preset the headers fit, if one fits fully. */
  preset?: Mapping;
  /** The closest preset when none fits fully: the error names it and what it lacks. */
  nearest?: { preset: Mapping; missing: string[] };
}

/** At least this many mapped columns before we call a file "almost" a preset. */
const NEAR_MISS_MIN_MATCHES = 2;
/** This many mapped columns make a file a near miss even when its key column is missing. */
const NEAR_MISS_STRONG_MATCHES = 4;

export function recognise(headers: string[], presets: Mapping[] = PRESETS): Recognition {
  const have = new Set(headers.map(normaliseHeader));
  let best: { preset: Mapping; score: number } | undefined;
  let nearest: { preset: Mapping; missing: string[]; score: number } | undefined;
  for (const preset of presets) {
    const resolution = resolveColumns(preset, headers);
    const score = resolution.columns.size;
    const missingDetect = (preset.detect ?? []).filter((h) => !have.has(normaliseHeader(h)));
    const missing = [...missingDetect, ...resolution.missingRequired.map((m) => m.headers[0]!)];
    const uniqueMissing = [...new Set(missing)];
    if (uniqueMissing.length === 0 && score >= NEAR_MISS_MIN_MATCHES) {
      if (!best || score > best.score) best = { preset, score };
    } else if (score >= NEAR_MISS_MIN_MATCHES) {
      const signature = (preset.detect?.length ?? 0) + resolution.missingRequired.length;
      // A near miss shares most of its signature with the file, or many of its columns;
      // anything less is a coincidence of common names.
      const close = uniqueMissing.length * 2 <= signature || score >= NEAR_MISS_STRONG_MATCHES;
      if (close && (!nearest || score > nearest.score)) {
        nearest = { preset, missing: uniqueMissing, score };
      }
    }
  }
  // A file that fits another preset better, but lacks a column of it, is that preset with a
  // column missing (a seed template without 所属阶段), not a poorer full match.
  if (best && !(nearest && nearest.score > best.score)) return { preset: best.preset };
  return nearest ? { nearest: { preset: nearest.preset, missing: nearest.missing } } : {};
}
