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
    // The SQL console hydrates (src/routes/sql/+page.ts): SvelteKit's inline bootstrap script gets
    // a nonce from this policy. Same directives as SECURITY_HEADERS in src/hooks.server.ts, which
    // keeps a CSP header a page already has; 'unsafe-inline' in style-src keeps styles nonce-free.
    csp: {
      mode: 'auto',
      directives: {
        'default-src': ['self'],
        'script-src': ['self'],
        'style-src': ['self', 'unsafe-inline'],
        'img-src': ['self', 'data:'],
        'object-src': ['none'],
        'base-uri': ['self'],
        'form-action': ['self'],
        'frame-ancestors': ['none'],
      },
    },
  },
};

export default config;
