// See https://svelte.dev/docs/kit/types#app.d.ts
import type { Lang } from './lib/site/i18n.ts';

declare global {
  namespace App {
    interface Locals {
      lang: Lang;
    }
  }
}

export {};
