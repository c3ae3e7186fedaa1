/**
 * What a notice looks like on each channel. Pure: a notice and a channel in, the HTTP request
 * (or the email) out; tests pin each format. The robots' formats are their documented ones:
 * DingTalk {msgtype: markdown, markdown: {title, text}} (signed with timestamp + HMAC-SHA256
 * when the robot has a secret), WeCom {msgtype: markdown, markdown: {content}}, Slack {text}.
 */
import crypto from 'node:crypto';
import type { ChannelConfig } from '../../src/lib/config/delivery-config.ts';

export interface Notice {
  /** alerts: the risk alerts of a run; report_ready: workbooks written; job_failed: a job that failed */
  kind: 'alerts' | 'report_ready' | 'job_failed';
  job: string;
  title: { zh: string; en: string };
  /** one line per item, most important first */
  lines: { zh: string[]; en: string[] };
  link?: string;
  /** the notice's figures, for the generic webhook's consumers */
  data: Record<string, unknown>;
}

export interface HttpRequestSpec {
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface EmailSpec {
  subject: string;
  text: string;
}

function markdown(notice: Notice, lang: 'zh' | 'en', bullet = '- '): string {
  const lines = notice.lines[lang].map((l) => `${bullet}${l}`);
  const link = notice.link ? [``, lang === 'zh' ? `[打开 Salesight](${notice.link})` : `[Open Salesight](${notice.link})`] : [];
  return [`### ${notice.title[lang]}`, '', ...lines, ...link].join('\n');
}

/** DingTalk robot signing: sign = base64(HMAC-SHA256(secret, "<timestamp>\n<secret>")). */
export function dingtalkSignedUrl(url: string, secret: string, timestampMs: number): string {
  const sign = crypto.createHmac('sha256', secret).update(`${timestampMs}\n${secret}`).digest('base64');
  const u = new URL(url);
  u.searchParams.set('timestamp', String(timestampMs));
  u.searchParams.set('sign', sign);
  return u.toString();
}

export function httpRequestFor(channel: Exclude<ChannelConfig, { type: 'email' }>, notice: Notice, nowMs = Date.now()): HttpRequestSpec {
  const json = { 'content-type': 'application/json; charset=utf-8' };
  const lang = channel.lang;
  switch (channel.type) {
    case 'dingtalk':
      return {
        url: channel.secret ? dingtalkSignedUrl(channel.url, channel.secret, nowMs) : channel.url,
        headers: json,
        body: JSON.stringify({ msgtype: 'markdown', markdown: { title: notice.title[lang], text: markdown(notice, lang) } }),
      };
    case 'wecom':
      return { url: channel.url, headers: json, body: JSON.stringify({ msgtype: 'markdown', markdown: { content: markdown(notice, lang) } }) };
    case 'slack': {
      const lines = notice.lines[lang].map((l) => `• ${l}`);
      const link = notice.link ? [`<${notice.link}|${lang === 'zh' ? '打开 Salesight' : 'Open Salesight'}>`] : [];
      return { url: channel.url, headers: json, body: JSON.stringify({ text: [`*${notice.title[lang]}*`, ...lines, ...link].join('\n') }) };
    }
    case 'webhook':
      return {
        url: channel.url,
        headers: { ...json, ...channel.headers },
        body: JSON.stringify({ source: 'salesight', kind: notice.kind, job: notice.job, title: notice.title[lang], lines: notice.lines[lang], link: notice.link ?? null, data: notice.data }),
      };
  }
}

export function emailFor(channel: Extract<ChannelConfig, { type: 'email' }>, notice: Notice): EmailSpec {
  const lang = channel.lang;
  const link = notice.link ? ['', notice.link] : [];
  return { subject: `[Salesight] ${notice.title[lang]}`, text: [notice.title[lang], '', ...notice.lines[lang].map((l) => `- ${l}`), ...link, ''].join('\n') };
}

/**
 * A robot answers 200 with its own error code when it refuses a message (bad token, too many
 * messages): DingTalk and WeCom {errcode, errmsg}; a non-zero code is a failed delivery.
 */
export function robotRefusal(body: string): string | null {
  try {
    const parsed = JSON.parse(body) as { errcode?: number; errmsg?: string };
    if (typeof parsed.errcode === 'number' && parsed.errcode !== 0) return `errcode ${parsed.errcode}: ${parsed.errmsg ?? ''}`.trim();
  } catch {
    // not JSON (Slack answers "ok"): nothing to read
  }
  return null;
}
