/**
 * The naive baseline: the funnel's "reached" per stage computed the way a hand-rolled script
 * would, streaming the two CSV exports line by line in plain JavaScript (no DuckDB). Assumes
 * the generator's simple CSV (no quoted commas), which is what makes it a fair best case for
 * the script. Returns the counts and the time, so run.ts can check it agrees with Salesight.
 */
import fs from 'node:fs';
import readline from 'node:readline';
import { BENCH_STAGES } from './generate.ts';

async function* lines(file: string): AsyncGenerator<string[]> {
  const rl = readline.createInterface({ input: fs.createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  let header = true;
  for await (const line of rl) {
    if (header) {
      header = false;
      continue;
    }
    yield line.split(',');
  }
}

export async function naiveFunnel(opportunitiesCsv: string, stageEventsCsv: string): Promise<{ ms: number; reached: number[] }> {
  const start = performance.now();
  const position = new Map<string, number>(BENCH_STAGES.map((s, i) => [s, i + 1]));
  const top = new Map<string, number>();
  // opportunities.csv: opportunity_id is column 0, stage column 9
  for await (const f of lines(opportunitiesCsv)) top.set(f[0]!, position.get(f[9]!) ?? 0);
  // stage_events.csv: opportunity_id 0, from_stage 2, to_stage 3
  for await (const f of lines(stageEventsCsv)) {
    const p = Math.max(position.get(f[2]!) ?? 0, position.get(f[3]!) ?? 0);
    const id = f[0]!;
    if (top.has(id) && p > top.get(id)!) top.set(id, p);
  }
  const reached = BENCH_STAGES.map(() => 0);
  for (const p of top.values()) for (let i = 0; i < p; i++) reached[i]!++;
  return { ms: performance.now() - start, reached };
}
