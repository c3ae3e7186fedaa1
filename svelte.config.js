import adapter from '@sveltejs/adapter-node';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
  preprocess: vitePreprocess(),
  kit: {
    // build/cli holds the compiled CLI; the site goes beside it
    adapter: adapter({ out: 'build/site' }),
    // the pages' CSS is small: inline it, so a page is one request
    inlineStyleThreshold: 50_000,
  },
};

export default config;
