/** `salesight serve`: the report site on a warehouse, in this process (the site reads SALESIGHT_DB). */
import crypto from 'node:crypto';
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
  /** who may see what: password (default), proxy, demo */
  auth?: string;
  users?: string;
  proxyHeader?: string;
  trustedProxy?: string[];
  sqlTimeout?: string;
}

export const DEFAULT_PORT = 5180;
/** Set by the server on each request (never taken from the client): http or https. */
const SCHEME_HEADER = 'x-salesight-scheme';

/** Starts the site and resolves with its URL once it listens. */
export async function startSite(dbPath: string, opts: ServeOptions, log: (line: string) => void): Promise<{ url: string; server: http.Server }> {
  const { SITE_DIR, buildSiteIfStale } = await import('../../site/site-build.ts');
  buildSiteIfStale(log);
  process.env.SALESIGHT_DB = path.resolve(dbPath);
  if (opts.config) process.env.SALESIGHT_CONFIG = path.resolve(opts.config);
  // the built site reads its access settings from the environment (src/lib/access/access.server.ts)
  if (opts.auth) process.env.SALESIGHT_AUTH = opts.auth;
  if (opts.users) process.env.SALESIGHT_USERS = path.resolve(opts.users);
  if (opts.proxyHeader) process.env.SALESIGHT_PROXY_HEADER = opts.proxyHeader;
  if (opts.trustedProxy?.length) process.env.SALESIGHT_TRUSTED_PROXIES = opts.trustedProxy.join(',');
  if (opts.sqlTimeout) {
    const seconds = Number(opts.sqlTimeout);
    if (!(seconds > 0)) throw new Error(`--sql-timeout takes seconds, e.g. 30 (not "${opts.sqlTimeout}").`);
    process.env.SALESIGHT_SQL_TIMEOUT = String(seconds);
  }
  const warmUpToken = crypto.randomBytes(32).toString('base64url');
  process.env.SALESIGHT_WARMUP_TOKEN = warmUpToken;
  const { accessSettings, plainAddress } = await import('../../../src/lib/access/access-settings.ts');
  const access = accessSettings();
  if (access.mode === 'demo') log('Everyone who opens the site is signed in as the demo leader (--auth demo): for the bundled demo only, never for real data.');
  if (access.mode === 'password') {
    const { readUsers } = await import('../../../src/lib/access/users.server.ts');
    if (readUsers(access.usersFile).length === 0) log(`No users in ${access.usersFile} yet: open the site to create the admin, or run \`salesight users add <name> --role admin\`.`);
  }
  if (!fs.existsSync(dbPath)) log(`No warehouse at ${dbPath} yet: pages will say how to load one.`);
  // adapter-node takes the scheme from PROTOCOL_HEADER, else assumes https: then its origin check
  // refuses every form post made over plain http, and cookies get the Secure flag. The scheme is
  // the socket's own, or what a trusted proxy says it was.
  process.env.PROTOCOL_HEADER = SCHEME_HEADER;
  const { handler } = (await import(pathToFileURL(path.join(SITE_DIR, 'handler.js')).href)) as { handler: http.RequestListener };
  const server = http.createServer((req, res) => {
    const fromProxy = access.trustedProxies.includes(plainAddress(req.socket.remoteAddress) ?? '');
    const forwarded = fromProxy ? String(req.headers['x-forwarded-proto'] ?? '').split(',')[0]!.trim() : '';
    req.headers[SCHEME_HEADER] = forwarded === 'https' || forwarded === 'http' ? forwarded : 'encrypted' in req.socket ? 'https' : 'http';
    handler(req, res);
  });
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
  if (warm) void warmUp(url, warmUpToken);
  fs.watchFile(dbPath, { interval: 2000 }, (now, before) => {
    if (warm && (now.ino !== before.ino || now.mtimeMs !== before.mtimeMs)) void warmUp(url, warmUpToken);
  });
  server.once('close', () => fs.unwatchFile(dbPath));
  return { url, server };
}

/**
 * Requests each page with its default filters, one after another, ignoring failures. It warms the
 * all-data (leader) results; the token proves to the site that the request is its own.
 */
async function warmUp(url: string, token: string): Promise<void> {
  const { NAV } = await import('../../../src/lib/site/nav.ts');
  for (const { path: page } of NAV) {
    if (page === '/sql') continue;
    try {
      await (await fetch(new URL(page, url), { headers: { 'x-salesight-warm-up': token } })).arrayBuffer();
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
    .option('--auth <mode>', 'who may see what: password (users sign in), proxy (a trusted SSO proxy names the user), demo (everyone is the demo leader)', process.env.SALESIGHT_AUTH ?? 'password')
    .option('--users <file>', 'users file (default: $SALESIGHT_USERS or salesight-users.json beside the warehouse)')
    .option('--proxy-header <name>', 'with --auth proxy: the header naming the user', 'X-Forwarded-User')
    .option('--trusted-proxy <address...>', 'with --auth proxy: addresses whose header is believed (default 127.0.0.1 ::1)')
    .option('--sql-timeout <seconds>', 'time limit of a SQL console query (default 15)')
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
