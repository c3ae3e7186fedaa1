import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
/** The package version, recorded with each ingest run. */
export const SALESIGHT_VERSION: string = (require('../package.json') as { version: string }).version;
