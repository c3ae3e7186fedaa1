import { describe, expect, it } from 'vitest';
import { loadFamily } from '../../metrics/registry.ts';
import { PAGES } from './index.ts';

// A page that names totals the family cannot compute would lose its figures or deltas without
// an error (a previous period that fails just shows no delta), so the names are checked here.
describe('page definitions', () => {
  for (const page of Object.values(PAGES)) {
    it(`${page.id}: asks only for totals its families' headlines compute`, async () => {
      for (const [id, fields] of Object.entries(page.totalsOnly ?? {})) {
        expect(page.families, `${page.id} shows totals of ${id}`).toContain(id);
        const family = (await loadFamily(id as never))!;
        expect(family.headlineFields, `${id} has a headline`).toBeDefined();
        for (const f of fields!) expect(family.headlineFields, `${page.id}: ${id} total`).toContain(f);
      }
      for (const [id, fields] of Object.entries(page.previousPeriod ?? {})) {
        expect(page.families, `${page.id} compares ${id}`).toContain(id);
        if (fields === 'whole') continue;
        const family = (await loadFamily(id as never))!;
        for (const f of fields!) expect(family.headlineFields, `${page.id}: previous ${id} total`).toContain(f);
      }
    });
  }
});
