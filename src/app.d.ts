// See https://svelte.dev/docs/kit/types#app.d.ts
import type { AccessUser } from './lib/access/roles.ts';
import type { Lang } from './lib/site/i18n.ts';

declare global {
  namespace App {
    interface Locals {
      lang: Lang;
      /** null only on the sign-in and setup pages: the hook turns everyone else away */
      user: AccessUser | null;
      /** the session's CSRF token, for forms and fetches that change something */
      csrf: string | null;
    }
  }
}

export {};
