/**
 * The bundled demo: data/sample/ is exactly what the seeded generator writes (so the demo is
 * the same on every machine), and `salesight demo` loads each file with the rows the generator
 * put in it, refusing only the three rows written bad on purpose.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeSample, SAMPLE_DIR } from '../pipelines/demo/write-sample.ts';
import { runCli, tempDir } from './helpers.ts';

describe('demo dataset', () => {
  it('data/sample/ is byte-identical to a fresh generation (run `npm run sample` after changing the generator)', async () => {
    const dir = tempDir();
    await writeSample(dir);
    const names = fs.readdirSync(dir).sort();
    expect(fs.readdirSync(SAMPLE_DIR).sort()).toEqual(names);
    for (const name of names) {
      expect(fs.readFileSync(path.join(SAMPLE_DIR, name)).equals(fs.readFileSync(path.join(dir, name))), name).toBe(true);
    }
  });

  it('`salesight demo` loads every file as intended and rejects only the deliberate rows', async () => {
    const written = await writeSample(tempDir());
    const db = path.join(tempDir(), 'demo.duckdb');
    const r = runCli(['demo', '--db', db, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const { ingest } = JSON.parse(r.stdout);
    const presetOf: Record<string, string> = {
      'reps.csv': 'canonical-reps',
      'customers.csv': 'canonical-customers',
      'opportunities.csv': 'canonical-opportunities',
      '跟进记录.csv': 'canonical-stage-events',
      '华南_销售漏斗跟踪模板.xlsx': 'seed-funnel-template',
      'orders.csv': 'canonical-orders',
      'targets.csv': 'canonical-targets',
      'targets_new_customers.csv': 'canonical-targets',
    };
    expect(ingest.files).toHaveLength(written.files.length);
    for (const f of ingest.files) {
      const name = path.basename(f.file);
      expect(f.preset, name).toBe(presetOf[name]);
      // rows the generator wrote into the file, counted by the generator, not by the ingest
      expect(f.rows_read, name).toBe(written.files.find((w) => w.name === name)!.rows);
      expect(f.rows_read).toBe(f.rows_loaded + f.rows_rejected);
    }
    expect(ingest.rejected_rows.map((x: { file: string; line: number }) => [path.basename(x.file), x.line])).toEqual(
      written.badRows.map((b) => ['跟进记录.csv', b.line]),
    );
  });
});
