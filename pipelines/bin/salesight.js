#!/usr/bin/env node
// DuckDB builds DATE/TIMESTAMP values in the process's zone; exports carry naive local times,
// so the whole pipeline works in UTC wall-clock time (set before DuckDB loads).
process.env.TZ = 'UTC';
const { register } = await import('tsx/esm/api');
register();
const { main } = await import('../cli/main.ts');
await main(process.argv);
