/**
 * `salesight users add|list|remove|password` and `salesight audit`: the site's users file and its
 * audit log (src/lib/access/). The file is found like the site finds it: --users, else
 * $SALESIGHT_USERS, else salesight-users.json beside the warehouse (--db).
 */
import path from 'node:path';
import type { Command } from 'commander';
import { resolveDbPath } from '../../../src/lib/warehouse/location.ts';
import { EXIT, fail, printJson } from '../output.ts';
import { renderTextTable } from '../text-table.ts';

interface FileOpts {
  users?: string;
  json?: boolean;
}

async function usersFileOf(opts: FileOpts, cmd: Command): Promise<string> {
  if (opts.users) return path.resolve(opts.users);
  if (process.env.SALESIGHT_USERS) return path.resolve(process.env.SALESIGHT_USERS);
  const { defaultUsersFile } = await import('../../../src/lib/access/users.server.ts');
  return defaultUsersFile(resolveDbPath(cmd.optsWithGlobals().db));
}

/** The password from stdin (--password-stdin), or typed twice without echo at a terminal. */
async function readPassword(fromStdin: boolean | undefined): Promise<string> {
  if (fromStdin) {
    let text = '';
    for await (const chunk of process.stdin) text += chunk;
    return text.replace(/\r?\n$/, '');
  }
  if (!process.stdin.isTTY) fail('Give the password on stdin with --password-stdin (no terminal to type it in).', EXIT.input);
  const ask = async (prompt: string) =>
    new Promise<string>((resolve) => {
      process.stderr.write(prompt);
      const stdin = process.stdin;
      stdin.setRawMode(true);
      stdin.resume();
      let typed = '';
      const onData = (d: Buffer) => {
        for (const ch of d.toString('utf8')) {
          if (ch === '\r' || ch === '\n') {
            stdin.setRawMode(false);
            stdin.pause();
            stdin.off('data', onData);
            process.stderr.write('\n');
            resolve(typed);
            return;
          }
          if (ch === '\u0003') process.exit(130);
          if (ch === '\u007f') typed = typed.slice(0, -1);
          else typed += ch;
        }
      };
      stdin.on('data', onData);
    });
  const first = await ask('Password: ');
  const second = await ask('Password again: ');
  if (first !== second) fail('The two passwords differ; nothing was changed.', EXIT.input);
  return first;
}

const collect = (value: string, previous: string[]) => [...previous, value];

export function registerUsers(program: Command): void {
  const users = program
    .command('users')
    .description('Manage who may sign in to the site, with which role and scope (the users file)')
    .addHelpText(
      'after',
      `
Roles: admin and leader see all data and the SQL console; manager sees their --team/--region;
rep sees their own opportunities, customers and orders (--owner: their name in the exports);
analyst gets the SQL console on all data, or on their --team/--region when given.

Examples:
  salesight users add admin --role admin
  salesight users add zhou.min --role manager --team 华东一组 --team 华东二组
  echo 'a long password' | salesight users add wang.lei --role rep --owner 王磊 --password-stdin
  salesight users list`,
    );

  users
    .command('add <username>')
    .description('Add a user (the password is asked for, or read with --password-stdin)')
    .requiredOption('--role <role>', 'admin, leader, manager, rep or analyst')
    .option('--team <name>', 'manager/analyst: a team they see (repeatable)', collect, [])
    .option('--region <name>', 'manager/analyst: a region they see (repeatable)', collect, [])
    .option('--owner <name>', 'rep: their name as the exports spell it (opportunities.owner)')
    .option('--password-stdin', 'read the password from stdin')
    .option('--no-password', 'no password: the user signs in only through the trusted proxy (--auth proxy)')
    .option('--users <file>', 'users file')
    .option('--json', 'print the user added as JSON')
    .action(async (username: string, opts: FileOpts & { role: string; team: string[]; region: string[]; owner?: string; passwordStdin?: boolean; password: boolean }, cmd: Command) => {
      const { addUser, UsersFileError } = await import('../../../src/lib/access/users.server.ts');
      const { ROLES } = await import('../../../src/lib/access/roles.ts');
      if (!(ROLES as readonly string[]).includes(opts.role)) fail(`--role must be one of ${ROLES.join(', ')} (not "${opts.role}").`, EXIT.input, opts.json);
      const file = await usersFileOf(opts, cmd);
      const password = opts.password === false ? null : await readPassword(opts.passwordStdin);
      try {
        const user = await addUser(file, { username, role: opts.role as (typeof ROLES)[number], teams: opts.team, regions: opts.region, owner: opts.owner ?? null, password });
        if (opts.json) printJson({ status: 'ok', file, user: { ...user, password: user.password ? '(scrypt hash)' : null } });
        else process.stdout.write(`Added ${user.username} (${user.role}) to ${file}\n`);
      } catch (err) {
        if (err instanceof UsersFileError) fail(`${err.message.replace(/[.。]?$/, ".")} Nothing was changed.`, EXIT.input, opts.json);
        throw err;
      }
    });

  users
    .command('list')
    .description('List the users, their roles and scopes')
    .option('--users <file>', 'users file')
    .option('--json', 'print JSON')
    .action(async (opts: FileOpts, cmd: Command) => {
      const { readUsers, UsersFileError } = await import('../../../src/lib/access/users.server.ts');
      const { describeScope, scopeOf } = await import('../../../src/lib/access/roles.ts');
      const file = await usersFileOf(opts, cmd);
      let list;
      try {
        list = readUsers(file);
      } catch (err) {
        if (err instanceof UsersFileError) fail(err.message, EXIT.input, opts.json);
        throw err;
      }
      if (opts.json) {
        printJson({ status: 'ok', file, users: list.map((u) => ({ username: u.username, role: u.role, teams: u.teams, regions: u.regions, owner: u.owner, password: u.password !== null, created_at: u.created_at })) });
        return;
      }
      if (list.length === 0) {
        process.stdout.write(`No users in ${file}. Add the first with: salesight users add admin --role admin\n`);
        return;
      }
      process.stdout.write(`${file}\n${renderTextTable(['user', 'role', 'sees', 'password'], list.map((u) => [u.username, u.role, describeScope(scopeOf(u), 'en'), u.password ? 'yes' : 'proxy only']))}\n`);
    });

  users
    .command('remove <username>')
    .description('Remove a user (their sessions end at their next request)')
    .option('--users <file>', 'users file')
    .action(async (username: string, opts: FileOpts, cmd: Command) => {
      const { removeUser } = await import('../../../src/lib/access/users.server.ts');
      const file = await usersFileOf(opts, cmd);
      if (!removeUser(file, username)) fail(`No user "${username}" in ${file}.`, EXIT.input);
      process.stdout.write(`Removed ${username} from ${file}\n`);
    });

  users
    .command('password <username>')
    .description("Set a user's password (asked for, or read with --password-stdin)")
    .option('--password-stdin', 'read the password from stdin')
    .option('--users <file>', 'users file')
    .action(async (username: string, opts: FileOpts & { passwordStdin?: boolean }, cmd: Command) => {
      const { setPassword, UsersFileError } = await import('../../../src/lib/access/users.server.ts');
      const file = await usersFileOf(opts, cmd);
      try {
        await setPassword(file, username, await readPassword(opts.passwordStdin));
      } catch (err) {
        if (err instanceof UsersFileError) fail(`${err.message.replace(/[.。]?$/, ".")} Nothing was changed.`, EXIT.input);
        throw err;
      }
      process.stdout.write(`Password of ${username} changed.\n`);
    });

  program
    .command('audit')
    .description('Show the audit log: sign-ins, downloads and SQL queries on the site (who, what, when)')
    .option('--tail <n>', 'only the last n entries', '50')
    .option('--users <file>', 'users file (the log is beside it)')
    .option('--json', 'print JSON')
    .action(async (opts: FileOpts & { tail: string }, cmd: Command) => {
      const { readAudit, auditFileFor } = await import('../../../src/lib/access/audit.server.ts');
      const file = auditFileFor(await usersFileOf(opts, cmd));
      const n = Number.parseInt(opts.tail, 10);
      if (!Number.isFinite(n) || n < 0) fail(`--tail must be a whole number (not "${opts.tail}").`, EXIT.input, opts.json);
      const entries = readAudit(file).slice(-n || undefined);
      if (opts.json) {
        printJson({ status: 'ok', file, entries });
        return;
      }
      if (entries.length === 0) {
        process.stdout.write(`Nothing in ${file} yet.\n`);
        return;
      }
      const what = (d: Record<string, unknown>) => String(d.sql ?? d.path ?? d.admin ?? '').replace(/\s+/g, ' ').slice(0, 80);
      process.stdout.write(`${renderTextTable(['at', 'action', 'user', 'role', 'from', 'what'], entries.map((e) => [e.at, e.action, e.user ?? '', e.role ?? '', e.ip ?? '', what(e.detail)]))}\n`);
    });
}
