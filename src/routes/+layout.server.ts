import { canUseConsole, ROLE_TEXT } from '$lib/access/roles.ts';
import type { LayoutServerLoad } from './$types';

export const load: LayoutServerLoad = ({ locals, url }) => ({
  lang: locals.lang,
  path: url.pathname,
  search: url.search,
  user: locals.user ? { username: locals.user.username, role: ROLE_TEXT[locals.user.role][locals.lang], via: locals.user.via, console: canUseConsole(locals.user.role) } : null,
  csrf: locals.csrf,
});
