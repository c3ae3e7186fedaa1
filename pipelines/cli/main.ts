/**
 * `salesight`: the command line. Each command lives in commands/<name>.ts; this file only
 * composes them and turns unexpected errors into one clear line (stack traces with DEBUG=1).
 * Commands import DuckDB and exceljs inside their actions, so --help and --version start fast.
 */
import { Command } from 'commander';
import { SALESIGHT_VERSION } from '../version.ts';
import { DEFAULT_DB_PATH } from '../../src/lib/warehouse/location.ts';
import { registerIngest } from './commands/ingest.ts';
import { registerSql } from './commands/sql.ts';
import { registerHistory } from './commands/history.ts';
import { registerPresets } from './commands/presets.ts';
import { registerDemo } from './commands/demo.ts';
import { registerMetrics, registerReport } from './commands/metrics.ts';
import { registerServe } from './commands/serve.ts';
import { registerJobs } from './commands/jobs.ts';
import { registerUsers } from './commands/users.ts';
import { EXIT } from './output.ts';

export function buildProgram(): Command {
  const program = new Command()
    .name('salesight')
    .description('Sales analytics from CRM exports: load CSV/XLSX into a DuckDB warehouse and query it.')
    .version(SALESIGHT_VERSION)
    .option('--db <file>', `warehouse file (default: $SALESIGHT_DB or ${DEFAULT_DB_PATH})`)
    .showHelpAfterError('(add --help for usage)')
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
    .exitOverride((err) => {
      // commander's own usage errors (unknown option, missing argument) are input errors
      process.exit(err.exitCode === 0 ? 0 : EXIT.input);
    });
  program.enablePositionalOptions(false);
  registerIngest(program);
  registerSql(program);
  registerHistory(program);
  registerPresets(program);
  registerMetrics(program);
  registerReport(program);
  registerJobs(program);
  registerServe(program);
  registerUsers(program);
  registerDemo(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  // `salesight … | head`: the reader left; stop quietly instead of crashing on EPIPE
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
  try {
    await buildProgram().parseAsync(argv);
  } catch (err) {
    process.stderr.write(`salesight: ${(err as Error).message}\n`);
    if (process.env.DEBUG) process.stderr.write(`${(err as Error).stack}\n`);
    process.exit(EXIT.unexpected);
  }
}
