/**
 * Starts `salesight serve --db <db> --port 0` as a child process, as a user would, and
 * resolves with its URL once it says it is up: for the tests and the benchmarks.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from '../repo-root.ts';

export async function spawnServe(db: string, options: { extraArgs?: string[]; echoStderr?: boolean } = {}): Promise<{ child: ChildProcess; base: string }> {
  const bin = path.join(REPO_ROOT, 'pipelines/bin/salesight.js');
  const child = spawn(process.execPath, [bin, 'serve', '--db', db, '--port', '0', ...(options.extraArgs ?? [])], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
    if (options.echoStderr) process.stderr.write(d);
  });
  const base = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /Salesight is up: (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`serve exited (${code}): ${stderr}`)));
  });
  return { child, base };
}
