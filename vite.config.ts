import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';

export default defineConfig({
  plugins: [sveltekit()],
  // DuckDB is a native module: load it from node_modules at run time, never bundle it.
  ssr: { external: ['@duckdb/node-api'] },
});
