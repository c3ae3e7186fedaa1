/** Turns the `ingest` arguments (files, directories, globs) into an ordered list of files. */
import fs from 'node:fs';
import path from 'node:path';
import { globSync } from 'tinyglobby';

export const INGESTABLE_EXTENSIONS = ['.csv', '.tsv', '.txt', '.xlsx'];

export interface InputFile {
  /** As shown to the user and stored in the warehouse: relative to the working directory when inside it. */
  display: string;
  absPath: string;
  /** Found by walking a directory or expanding a glob, rather than named explicitly. */
  discovered: boolean;
}

export class InputNotFoundError extends Error {}

function isIngestable(name: string): boolean {
  if (name.startsWith('.') || name.startsWith('~$')) return false; // hidden, Excel lock files
  return INGESTABLE_EXTENSIONS.includes(path.extname(name).toLowerCase());
}

function walk(dir: string): string[] {
  const out: string[] = [];
  const entries = fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name));
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!entry.name.startsWith('.')) out.push(...walk(full));
    } else if (entry.isFile() && isIngestable(entry.name)) {
      out.push(full);
    }
  }
  return out;
}

export function displayPath(absPath: string, cwd = process.cwd()): string {
  const rel = path.relative(cwd, absPath);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : absPath;
}

export function discoverInputs(args: string[], cwd = process.cwd()): InputFile[] {
  const seen = new Set<string>();
  const out: InputFile[] = [];
  const add = (absPath: string, discovered: boolean) => {
    if (seen.has(absPath)) return;
    seen.add(absPath);
    out.push({ absPath, display: displayPath(absPath, cwd), discovered });
  };
  for (const arg of args) {
    const abs = path.resolve(cwd, arg);
    if (fs.existsSync(abs)) {
      if (fs.statSync(abs).isDirectory()) {
        for (const f of walk(abs)) add(f, true);
      } else {
        add(abs, false);
      }
      continue;
    }
    if (/[*?[{]/.test(arg)) {
      const matches = globSync(arg, { cwd, absolute: true, onlyFiles: true }).filter((f) =>
        isIngestable(path.basename(f)),
      );
      if (matches.length === 0) throw new InputNotFoundError(`No ingestable files match ${arg} (looked for ${INGESTABLE_EXTENSIONS.join(', ')}).`);
      for (const f of matches.sort()) add(f, true);
      continue;
    }
    throw new InputNotFoundError(`${arg}: no such file or directory.`);
  }
  return out;
}
