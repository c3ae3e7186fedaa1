/**
 * At most one run of a job at a time, across processes: a lock file created exclusively,
 * holding the owner's pid. A lock whose process is gone (killed) is stale and taken over.
 */
import fs from 'node:fs';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The lock, or null when another live process holds it. */
export function tryLock(file: string): { release(): void } | null {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = fs.openSync(file, 'wx');
      fs.writeSync(fd, String(process.pid));
      fs.closeSync(fd);
      return { release: () => fs.rmSync(file, { force: true }) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number.parseInt(fs.readFileSync(file, 'utf8'), 10);
      if (Number.isFinite(pid) && alive(pid)) return null;
      fs.rmSync(file, { force: true }); // stale: its owner died
    }
  }
  return null;
}
