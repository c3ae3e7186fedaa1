/**
 * A lock file created exclusively, holding its owner's pid: the warehouse writer's lock and the
 * job locks. A lock whose process is gone (killed) is stale and taken over.
 */
import fs from 'node:fs';

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The lock, or the pid holding it. `ownIsStale`: a lock held by this very process counts as
 * left over (the writer's case: it never nests) rather than taken (a job running twice at once).
 */
export function tryLock(file: string, opts: { ownIsStale?: boolean } = {}): { release(): void } | { heldBy: number } {
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = fs.openSync(file, 'wx');
      fs.writeSync(fd, String(process.pid));
      fs.closeSync(fd);
      return { release: () => fs.rmSync(file, { force: true }) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = Number.parseInt(fs.readFileSync(file, 'utf8'), 10);
      const held = Number.isFinite(holder) && processAlive(holder) && !(opts.ownIsStale && holder === process.pid);
      if (held || attempt > 0) return { heldBy: holder };
      fs.rmSync(file, { force: true }); // stale: its owner died
    }
  }
}
