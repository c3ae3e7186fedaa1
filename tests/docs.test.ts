/** The reference docs are generated from the code and must be current; examples in them must work. */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { presetsReference, PRESETS_DOC, WAREHOUSE_DOC, warehouseReference } from '../pipelines/docs/reference.ts';
import { mappingSchema } from '../pipelines/ingest/mapping.ts';
import { TABLES } from '../src/lib/warehouse/schema.ts';
import { REPO_ROOT } from './helpers.ts';

describe('docs', () => {
  it('docs/warehouse.md and docs/presets.md match the code (run `npm run docs` after changing either)', () => {
    expect(fs.readFileSync(WAREHOUSE_DOC, 'utf8')).toBe(warehouseReference());
    expect(fs.readFileSync(PRESETS_DOC, 'utf8')).toBe(presetsReference());
  });

  it('the mapping example in docs/ingest.md is a valid mapping', () => {
    const text = fs.readFileSync(path.join(REPO_ROOT, 'docs/ingest.md'), 'utf8');
    const json = /```json\n([\s\S]*?)```/.exec(text)![1]!;
    const parsed = mappingSchema.safeParse(JSON.parse(json));
    expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
  });

  it('the README names every warehouse table', () => {
    const readme = fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
    for (const t of TABLES) expect(readme).toContain(`\`${t.name}\``);
  });
});

describe('docs/config.md', () => {
  it('lists exactly the defaults the config schema gives', async () => {
    const { defaultConfig } = await import('../src/lib/config/config.ts');
    const text = fs.readFileSync(path.join(REPO_ROOT, 'docs/config.md'), 'utf8');
    const block = /## Every default[\s\S]*?```json\n([\s\S]*?)```/.exec(text)![1]!;
    expect(JSON.parse(block)).toEqual(defaultConfig());
  });
});
