import adapter from '@sveltejs/adapter-node';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
  preprocess: vitePreprocess(),
  kit: {
    // build/cli holds the compiled CLI; the site goes beside it
    adapter: adapter({ out: 'build/site' }),
  },
};

export default config;
