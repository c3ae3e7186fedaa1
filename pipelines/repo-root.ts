/**
 * The repository folder, found by walking up to Salesight's package.json, so paths like
 * data/sample work the same from the TypeScript sources and from the compiled build/cli.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg) && (JSON.parse(fs.readFileSync(pkg, 'utf8')) as { name?: string }).name === 'salesight') return dir;
    if (path.dirname(dir) === dir) throw new Error(`cannot find Salesight's package.json above ${start}`);
  }
}

export const REPO_ROOT = findRoot(path.dirname(fileURLToPath(import.meta.url)));
