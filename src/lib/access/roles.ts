/**
 * Who may see what. A user has one role; the role and the user's teams/regions/owner name give
 * a scope, and the scope is applied where the site reads the warehouse (scope-sql.ts, applied by
 * site-warehouse.server.ts to every connection a page, drill-down, download, API call or console
 * query uses), so no page can forget it.
 */
export const ROLES = ['admin', 'leader', 'manager', 'rep', 'analyst'] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_TEXT: Record<Role, { en: string; zh: string; scope_en: string; scope_zh: string }> = {
  admin: { en: 'Admin', zh: '管理员', scope_en: 'all data, the SQL console', scope_zh: '全部数据，SQL 控制台' },
  leader: { en: 'Leader', zh: '销售负责人', scope_en: 'all data, the SQL console', scope_zh: '全部数据，SQL 控制台' },
  manager: { en: 'Manager', zh: '销售经理', scope_en: 'their teams and regions', scope_zh: '所辖团队与区域' },
  rep: { en: 'Sales rep', zh: '销售', scope_en: 'their own opportunities, customers and orders', scope_zh: '本人的商机、客户与订单' },
  analyst: { en: 'Analyst', zh: '分析师', scope_en: 'the SQL console on all data, or on their teams and regions when given', scope_zh: 'SQL 控制台；指定团队/区域时仅限其数据' },
};

/**
 * What a user may see:
 * - `all`: every row;
 * - `teams`: reps whose team or region is listed, and their opportunities, customers, orders, targets;
 * - `rep`: one rep's own opportunities, customers, orders and targets.
 */
export type Scope =
  | { kind: 'all' }
  | { kind: 'teams'; teams: string[]; regions: string[] }
  | { kind: 'rep'; owner: string };

/** The part of a user record the scope comes from. */
export interface ScopeSource {
  role: Role;
  teams?: string[];
  regions?: string[];
  /** the rep's name as the exports spell it (opportunities.owner) */
  owner?: string | null;
}

export function scopeOf(user: ScopeSource): Scope {
  switch (user.role) {
    case 'admin':
    case 'leader':
      return { kind: 'all' };
    case 'manager':
      return { kind: 'teams', teams: [...(user.teams ?? [])].sort(), regions: [...(user.regions ?? [])].sort() };
    case 'rep':
      if (!user.owner) throw new Error('A rep needs the name they carry in the exports (owner).');
      return { kind: 'rep', owner: user.owner };
    case 'analyst':
      return (user.teams?.length ?? 0) + (user.regions?.length ?? 0) > 0
        ? { kind: 'teams', teams: [...(user.teams ?? [])].sort(), regions: [...(user.regions ?? [])].sort() }
        : { kind: 'all' };
  }
}

/** A stable text for the scope: part of every cache key, so two scopes never share a result. */
export function scopeKey(scope: Scope): string {
  return JSON.stringify(scope);
}

/** The SQL console: for roles that analyse data, not for managers and reps. */
export function canUseConsole(role: Role): boolean {
  return role === 'admin' || role === 'leader' || role === 'analyst';
}

/** A signed-in user as the site sees one. */
export interface AccessUser {
  username: string;
  role: Role;
  scope: Scope;
  /** how they signed in: a password, the trusted proxy's header, or the demo's automatic sign-in */
  via: 'password' | 'proxy' | 'demo' | 'warm-up';
}

export function describeScope(scope: Scope, lang: 'en' | 'zh'): string {
  if (scope.kind === 'all') return lang === 'zh' ? '全部数据' : 'all data';
  if (scope.kind === 'rep') return lang === 'zh' ? `本人（${scope.owner}）` : `own data (${scope.owner})`;
  const parts = [...scope.teams, ...scope.regions];
  return lang === 'zh' ? `团队/区域：${parts.join('、')}` : `teams/regions: ${parts.join(', ')}`;
}
