/** The sign-in, setup and account texts, in both languages (kept beside the access code). */
import type { Lang } from '../site/i18n.ts';

const TEXT = {
  signin_title: { zh: '登录', en: 'Sign in' },
  username: { zh: '用户名', en: 'User name' },
  password: { zh: '密码', en: 'Password' },
  password_again: { zh: '再次输入密码', en: 'Password again' },
  signin_button: { zh: '登录', en: 'Sign in' },
  signout_button: { zh: '退出', en: 'Sign out' },
  wrong_credentials: { zh: '用户名或密码不正确。', en: 'Wrong user name or password.' },
  too_many: { zh: '登录失败次数过多，请 {minutes} 分钟后再试。', en: 'Too many failed sign-ins: try again in {minutes} minutes.' },
  form_expired: { zh: '表单已过期，请刷新页面后重试。', en: 'The form expired: reload the page and try again.' },
  proxy_mode: { zh: '本站通过公司的单点登录（SSO）认证：请从公司门户打开。', en: "This site signs you in through your company's single sign-on: open it from the company portal." },
  setup_title: { zh: '首次使用：创建管理员', en: 'First run: create the admin' },
  setup_intro: {
    zh: '还没有任何用户。请创建第一个管理员账户；之后用 `salesight users add` 添加销售负责人、经理、销售和分析师。',
    en: 'There are no users yet. Create the first admin; then add leaders, managers, reps and analysts with `salesight users add`.',
  },
  setup_button: { zh: '创建管理员并登录', en: 'Create the admin and sign in' },
  passwords_differ: { zh: '两次输入的密码不一致。', en: 'The two passwords differ.' },
  signed_in_as: { zh: '{user}（{role}）', en: '{user} ({role})' },
} as const;

export type AccessTextKey = keyof typeof TEXT;

export function accessText(lang: Lang, key: AccessTextKey, vars: Record<string, string | number> = {}): string {
  return TEXT[key][lang].replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k] ?? ''));
}
