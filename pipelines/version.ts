import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './repo-root.ts';

/** The package version, recorded with each ingest run. */
export const SALESIGHT_VERSION: string = (JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
