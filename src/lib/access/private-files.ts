/**
 * The small private files the site keeps beside the warehouse (users, saved queries, the audit
 * log): read as "nothing yet" when absent, written whole through a copy and a rename so a reader
 * never sees half a file, readable by the server's user only.
 */
import fs from 'node:fs';
import path from 'node:path';

/** The file's text, or null when it does not exist yet. */
export function readTextIfExists(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/** Replaces the file with `text` atomically, mode 0600. */
export function writePrivateFile(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const next = `${file}.next-${process.pid}`;
  fs.writeFileSync(next, text, { mode: 0o600 });
  fs.renameSync(next, file);
}
