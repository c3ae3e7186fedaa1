/** Where the bundled demo lives. No heavy imports: the CLI reads this to print its --help. */
import path from 'node:path';
import { REPO_ROOT } from '../repo-root.ts';

/** The sample exports, written by write-sample.ts (`npm run sample`). */
export const SAMPLE_DIR = path.join(REPO_ROOT, 'data/sample');
/** The demo has its own warehouse so it never mixes sample rows into a real one. */
export const DEMO_DB = path.join(REPO_ROOT, 'data/demo.duckdb');
