/** `salesight serve`: the report site on a warehouse, in this process (the site reads SALESIGHT_DB). */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Command } from 'commander';
import { resolveDbPath } from '../../../src/lib/warehouse/location.ts';
import { EXIT, fail } from '../output.ts';

export interface ServeOptions {
  port: string;
  host: string;
  config?: string;
  schedule?: boolean;
  /** false with --no-warm-up */
  warmUp?: boolean;
}

export const DEFAULT_PORT = 5180;

/** Starts the site and resolves with its URL once it listens. */
export async function startSite(dbPath: string, opts: ServeOptions, log: (line: string) => void): Promise<{ url: string; server: http.Server }> {
  const { SITE_DIR, buildSite, siteIsStale } = await import('../../site/site-build.ts');
  if (siteIsStale()) buildSite(log);
  process.env.SALESIGHT_DB = path.resolve(dbPath);
  if (opts.config) process.env.SALESIGHT_CONFIG = path.resolve(opts.config);
  if (!fs.existsSync(dbPath)) log(`No warehouse at ${dbPath} yet: pages will say how to load one.`);
  const { handler } = (await import(pathToFileURL(path.join(SITE_DIR, 'handler.js')).href)) as { handler: http.RequestListener };
  const server = http.createServer(handler);
  const port = Number.parseInt(opts.port, 10);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(Number.isFinite(port) ? port : DEFAULT_PORT, opts.host, resolve);
  });
  const address = server.address() as { port: number };
  const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  const url = `http://${host}:${address.port}/`;
  // Compute every page once now and after each refresh of the warehouse, so Monday's first
  // visitor gets cached figures instead of waiting for every metric family.
  const warm = opts.warmUp !== false;
  if (warm) void warmUp(url);
  fs.watchFile(dbPath, { interval: 2000 }, (now, before) => {
    if (warm && (now.ino !== before.ino || now.mtimeMs !== before.mtimeMs)) void warmUp(url);
  });
  server.once('close', () => fs.unwatchFile(dbPath));
  return { url, server };
}

/** Requests each page with its default filters, one after another, ignoring failures. */
async function warmUp(url: string): Promise<void> {
  const { NAV } = await import('../../../src/lib/site/nav.ts');
  for (const { path: page } of NAV) {
    try {
      await (await fetch(new URL(page, url))).arrayBuffer();
    } catch {
      return; // the server is closing
    }
  }
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('Serve the report site on a warehouse (it follows refreshes: no restart after an ingest).')
    .option('--port <n>', `port (0 picks a free one)`, process.env.PORT ?? String(DEFAULT_PORT))
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--config <file>', 'config file (default: $SALESIGHT_CONFIG or ./salesight.config.json)')
    .option('--schedule', 'also run the scheduled jobs (config key "jobs") in this process')
    .option('--no-warm-up', 'do not compute every page at start and after each refresh (first visitors then wait instead)')
    .addHelpText('after', '\nExample:\n  salesight serve --db data/warehouse.duckdb --port 8080 --schedule')
    .action(async (opts: ServeOptions, cmd: Command) => {
      const dbPath = resolveDbPath(cmd.optsWithGlobals().db);
      let started;
      try {
        started = await startSite(dbPath, opts, (l) => process.stderr.write(`${l}\n`));
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        if (e.code === 'EADDRINUSE') fail(`Port ${opts.port} is in use; pick another with --port (or --port 0 for any free one).`, EXIT.input);
        throw err;
      }
      process.stdout.write(`Salesight is up: ${started.url}  (warehouse ${dbPath}; Ctrl+C stops it)\n`);
      let stopScheduler = () => {};
      if (opts.schedule) {
        const { loadConfig } = await import('../../../src/lib/config/config.ts');
        const { startScheduler } = await import('../../jobs/scheduler.ts');
        const scheduler = startScheduler({ dbPath, config: loadConfig(opts.config).config, cwd: process.cwd(), log: (l) => process.stdout.write(`${new Date().toISOString()} ${l}\n`) });
        for (const j of scheduler.jobs) process.stdout.write(`scheduled ${j.name}: "${j.cron}" (${j.timezone}), next ${j.next?.toISOString() ?? 'never'}\n`);
        stopScheduler = () => scheduler.stop();
      }
      const stop = () => {
        stopScheduler();
        started.server.close(() => process.exit(0));
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
