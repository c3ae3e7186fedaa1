/**
 * How an export's headers map onto a canonical table. Built-in presets (presets.ts) and user
 * mapping files (`--mapping my-crm.json`) share this one schema, so anything a preset can say a
 * user can say too (except `derived`, which is SQL and therefore built-in only).
 */
import fs from 'node:fs';
import { z } from 'zod';
import { ENTITY_TABLES, tableDef } from '../../src/lib/warehouse/schema.ts';
import { BUILT_IN_STAGE_SETS, type StageSet } from '../../src/lib/config/stage-sets.ts';

export const DATE_ORDERS = ['ymd', 'mdy', 'dmy'] as const;
export type DateOrder = (typeof DATE_ORDERS)[number];

const sourceSchema = z.union([
  z.string().min(1),
  z.object({
    header: z.string().min(1),
    /** Multiplier to 元, e.g. 10000 for a 万元 column; 0.01 for a percent column. */
    unit: z.number().positive().optional(),
    /** Take one part of a combined column such as 客户名称/联系人. */
    separator: z.string().min(1).optional(),
    part: z.number().int().min(0).optional(),
  }),
]);
export type ColumnSource = z.infer<typeof sourceSchema>;

const ruleSchema = z.preprocess(
  (v) => (typeof v === 'string' || (v && typeof v === 'object' && 'header' in v) ? { from: [v] } : Array.isArray(v) ? { from: v } : v),
  z.object({
    /** Header names to look for, first found wins (matched ignoring case, spaces, _ and full-width brackets). */
    from: z.array(sourceSchema).min(1),
    required: z.boolean().optional(),
    /** Replace whole values (case-insensitive), e.g. fix a misspelt industry. */
    values: z.record(z.string(), z.string()).optional(),
  }),
);
export type ColumnRule = z.infer<typeof ruleSchema>;

const stageSchema = z.object({
  stage: z.string().min(1),
  name_zh: z.string().min(1),
  name_en: z.string().min(1),
  aliases: z.array(z.string()).optional(),
  is_won: z.boolean().optional(),
  stagnation_days: z.number().int().positive().optional(),
});

const mappingObject = z.object({
  id: z.string().min(1),
  label: z.string().optional(),
  table: z.enum(ENTITY_TABLES),
  /** How dates are written, declared, never guessed per row. ISO (2024-03-15) and Excel serials are always read. */
  date_order: z.enum(DATE_ORDERS).default('ymd'),
  /** A built-in stage list id, or give `stages` (+ `terminal`) for your own. */
  stage_set: z.string().optional(),
  stages: z.array(stageSchema).min(2).optional(),
  terminal: z
    .object({ lost: z.array(z.string()).optional(), invalid: z.array(z.string()).optional() })
    .optional(),
  /** Orders whose id starts with this are cancellations (Online Retail: "C"). */
  cancellation_prefix: z.string().min(1).optional(),
  /** Headers that must all be present for this mapping to be recognised automatically. */
  detect: z.array(z.string()).optional(),
  columns: z.record(z.string(), ruleSchema),
});

/**
 * Checks that need the whole mapping (column names depend on the table). Written against the
 * raw input, so a file with several mistakes gets all of them reported at once.
 */
function crossFieldProblems(m: { table?: unknown; columns?: unknown; stage_set?: unknown; stages?: unknown }): { path: string[]; message: string }[] {
  const problems: { path: string[]; message: string }[] = [];
  if (typeof m.table === 'string' && (ENTITY_TABLES as readonly string[]).includes(m.table) && m.columns && typeof m.columns === 'object') {
    const known = new Set(tableDef(m.table).columns.map((c) => c.name));
    for (const col of Object.keys(m.columns)) {
      if (!known.has(col)) {
        problems.push({ path: ['columns', col], message: `"${col}" is not a column of ${m.table}; known columns: ${[...known].join(', ')}` });
      }
    }
  }
  if (typeof m.stage_set === 'string' && !m.stages && !BUILT_IN_STAGE_SETS.some((s) => s.id === m.stage_set)) {
    problems.push({
      path: ['stage_set'],
      message: `unknown stage_set "${m.stage_set}"; built-in: ${BUILT_IN_STAGE_SETS.map((s) => s.id).join(', ')}, or list your own under "stages"`,
    });
  }
  return problems;
}

export const mappingSchema = mappingObject.superRefine((m, ctx) => {
  for (const p of crossFieldProblems(m)) ctx.addIssue({ code: 'custom', path: p.path, message: p.message });
});

export type MappingInput = z.input<typeof mappingSchema>;

export interface Mapping extends z.infer<typeof mappingSchema> {
  /** SQL over the parsed canonical columns (`v.<column>`), built-in presets only. */
  derived?: Partial<Record<string, string>>;
  /** Also upsert `customers` from the loaded orders (id, name, country, first order). */
  derive_customers?: boolean;
}

export function defineMapping(
  input: MappingInput & { derived?: Mapping['derived']; derive_customers?: boolean },
): Mapping {
  const parsed = mappingSchema.parse(input);
  return { ...parsed, derived: input.derived, derive_customers: input.derive_customers };
}

export class MappingFileError extends Error {}

export function loadMappingFile(file: string): Mapping {
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new MappingFileError(`Cannot read mapping file ${file}: ${(err as Error).message}`);
  }
  const result = mappingSchema.safeParse(json);
  if (!result.success) {
    const issues = result.error.issues.map((i) => ({ path: i.path.map(String), message: i.message }));
    // zod skips the cross-field checks when a field is invalid: add them ourselves
    const seen = new Set(issues.map((i) => `${i.path.join('.')}|${i.message}`));
    for (const p of crossFieldProblems((json ?? {}) as Record<string, unknown>)) {
      if (!seen.has(`${p.path.join('.')}|${p.message}`)) issues.push(p);
    }
    const problems = issues.map((i) => `  - ${i.path.join('.') || '(top level)'}: ${i.message}`).join('\n');
    throw new MappingFileError(`Mapping file ${file} is not valid:\n${problems}\nSee docs/ingest.md for the format.`);
  }
  return result.data;
}

/** The stage list a mapping uses, for tables that have stages. */
export function mappingStageSet(m: Mapping): StageSet {
  if (m.stages) {
    return { id: m.stage_set ?? m.id, stages: m.stages, terminal: m.terminal ?? {} };
  }
  const id = m.stage_set ?? 'default';
  const found = BUILT_IN_STAGE_SETS.find((s) => s.id === id);
  if (!found) throw new Error(`unknown stage set ${id}`);
  return found;
}

export function sourceHeader(source: ColumnSource): string {
  return typeof source === 'string' ? source : source.header;
}

/** Header comparison ignores case, whitespace, underscores and full-width brackets. */
export function normaliseHeader(header: string): string {
  return header
    .replace(/^\uFEFF/, '')
    .normalize('NFKC') // full-width （） → ()
    .toLowerCase()
    .replace(/[\s_]+/g, '');
}
