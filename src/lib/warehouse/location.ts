/** Where the warehouse file is. Kept free of DuckDB so the CLI can answer --help instantly. */
import fs from 'node:fs';
import path from 'node:path';

export const DEFAULT_DB_PATH = 'data/warehouse.duckdb';

/** `--db` beats SALESIGHT_DB beats the default. */
export function resolveDbPath(explicit?: string): string {
  return path.resolve(explicit ?? process.env.SALESIGHT_DB ?? DEFAULT_DB_PATH);
}

/**
 * Identity of a file's current version (inode + size + mtime), or null when it does not exist:
 * a file replaced by rename, or rewritten, gets a new one. The site keys its warehouse instance,
 * console sandboxes and users-file cache on it.
 */
export function fileVersion(file: string): string | null {
  const s = fs.statSync(file, { throwIfNoEntry: false });
  return s ? `${s.ino}:${s.size}:${s.mtimeMs}` : null;
}
