import type { Command } from 'commander';
import { PRESETS } from '../../ingest/presets.ts';
import { sourceHeader } from '../../ingest/mapping.ts';
import { printJson } from '../output.ts';

export function registerPresets(program: Command): void {
  program
    .command('presets')
    .description('The export layouts `ingest` recognises, and the headers each maps.')
    .option('--json', 'print JSON')
    .action((opts: { json?: boolean }) => {
      if (opts.json) return printJson(PRESETS);
      for (const p of PRESETS) {
        process.stdout.write(`${p.id}  →  ${p.table}   ${p.label ?? ''}\n`);
        process.stdout.write(`  dates: ${p.date_order}${p.stage_set ? `, stages: ${p.stage_set}` : ''}\n`);
        for (const [col, rule] of Object.entries(p.columns)) {
          process.stdout.write(`  ${col.padEnd(22)} ← ${rule.from.map(sourceHeader).join(' | ')}${rule.required ? '  (required)' : ''}\n`);
        }
        process.stdout.write('\n');
      }
    });
}
