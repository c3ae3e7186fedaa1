/**
 * Alerts and report notices delivered to real receivers on 127.0.0.1: an HTTP server standing
 * in for the DingTalk / WeCom / Slack robots and a generic webhook (one endpoint flaky, one
 * down), and an SMTP sink (smtp-server). Retries with backoff; a failed delivery is recorded in
 * the run, never lost.
 */
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/lib/config/config.ts';
import { readHistory } from '../src/lib/jobs/job-history.ts';
import { runJob } from '../pipelines/jobs/run-job.ts';
import { runCli, tempDir } from './helpers.ts';

const dir = tempDir();
const db = path.join(dir, 'demo.duckdb');
const received: Record<string, string[]> = {};
const mails: string[] = [];
let flakyCalls = 0;
let web: http.Server;
let smtp: SMTPServer;
let webBase: string;
let smtpPort: number;

beforeAll(async () => {
  expect(runCli(['demo', '--db', db]).code).toBe(0);
  web = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const name = new URL(req.url!, 'http://x').pathname.slice(1);
      (received[name] ??= []).push(body);
      if (name === 'down') return res.writeHead(500).end('down for maintenance');
      if (name === 'flaky' && ++flakyCalls < 3) return res.writeHead(502).end('bad gateway');
      if (name === 'refusing') return res.writeHead(200, { 'content-type': 'application/json' }).end('{"errcode":310000,"errmsg":"sign not match"}');
      res.writeHead(200, { 'content-type': 'application/json' }).end(name === 'slack' ? 'ok' : '{"errcode":0,"errmsg":"ok"}');
    });
  });
  await new Promise<void>((r) => web.listen(0, '127.0.0.1', r));
  webBase = `http://127.0.0.1:${(web.address() as AddressInfo).port}`;
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, _session, done) {
      let text = '';
      stream.on('data', (c) => (text += c));
      stream.on('end', () => {
        mails.push(text);
        done();
      });
    },
  });
  await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', r));
  smtpPort = (smtp.server.address() as AddressInfo).port;
});

afterAll(async () => {
  web?.close();
  await new Promise<void>((r) => (smtp ? smtp.close(() => r()) : r()));
});

describe('delivery', () => {
  it('sends the alerts to every channel, retrying a flaky one and recording the one that stays down', { timeout: 120_000 }, async () => {
    const config = parseConfig({
      delivery: {
        attempts: 3,
        backoff_ms: 20,
        site_url: 'http://127.0.0.1:5180',
        channels: {
          ding: { type: 'dingtalk', url: `${webBase}/dingtalk?access_token=T`, secret: 'SEC' },
          wecom: { type: 'wecom', url: `${webBase}/wecom` },
          slack: { type: 'slack', url: `${webBase}/slack`, lang: 'en' },
          hook: { type: 'webhook', url: `${webBase}/hook` },
          flaky: { type: 'webhook', url: `${webBase}/flaky` },
          down: { type: 'webhook', url: `${webBase}/down` },
          refusing: { type: 'dingtalk', url: `${webBase}/refusing` },
          mail: { type: 'email', smtp: { host: '127.0.0.1', port: smtpPort }, from: 'salesight@example.com', to: ['sales-lead@example.com'] },
        },
      },
      jobs: { alerts: { type: 'alerts', min_severity: 'medium', max_listed: 5, notify: ['ding', 'wecom', 'slack', 'hook', 'flaky', 'down', 'refusing', 'mail'] } },
    });
    const run = await runJob('alerts', { dbPath: db, config, cwd: dir, trigger: 'manual', log: () => {} });

    // the figures: the alerts family's own counts, high + medium (min_severity medium)
    const alerts = JSON.parse(runCli(['metrics', 'alerts', '--db', db, '--json']).stdout);
    const expected = alerts.counts.by_severity.high + alerts.counts.by_severity.medium;
    const hook = JSON.parse(received.hook![0]!);
    expect(hook).toMatchObject({ source: 'salesight', kind: 'alerts', job: 'alerts', link: 'http://127.0.0.1:5180/alerts' });
    expect(hook.data.alerts).toHaveLength(expected);
    expect(hook.title).toContain(`共 ${expected} 条（高 ${alerts.counts.by_severity.high}，中 ${alerts.counts.by_severity.medium}，低 0）`);
    // five listed, then "and N more"
    expect(hook.lines).toHaveLength(6);
    expect(hook.lines[5]).toBe(`另有 ${expected - 5} 条`);

    expect(JSON.parse(received.dingtalk![0]!).msgtype).toBe('markdown');
    expect(JSON.parse(received.wecom![0]!).markdown.content).toContain('### 风险预警');
    expect(JSON.parse(received.slack![0]!).text).toMatch(/^\*Risk alerts as of/);
    expect(mails).toHaveLength(1);
    expect(mails[0]).toContain('To: sales-lead@example.com');

    const by = Object.fromEntries(run.deliveries.map((d) => [d.channel, d]));
    expect(by.flaky).toMatchObject({ status: 'sent', attempts: 3 });
    expect(received.flaky).toHaveLength(3);
    expect(by.down).toMatchObject({ status: 'failed', attempts: 3, error: 'HTTP 500: down for maintenance' });
    expect(received.down).toHaveLength(3);
    expect(by.refusing).toMatchObject({ status: 'failed', error: 'errcode 310000: sign not match' });
    for (const ok of ['ding', 'wecom', 'slack', 'hook', 'mail']) expect(by[ok]!.status, ok).toBe('sent');
    expect(run.status).toBe('partial');
    expect(run.error).toContain('delivery to down failed after 3 attempt(s)');
    expect(readHistory(db)[0]).toEqual(run);
  });

  it('tells the channels when reports are ready, and when an inbox file fails', { timeout: 120_000 }, async () => {
    for (const k of Object.keys(received)) delete received[k];
    const config = parseConfig({
      delivery: { backoff_ms: 0, channels: { hook: { type: 'webhook', url: `${webBase}/hook`, lang: 'en' } } },
      jobs: { reports: { type: 'reports', families: ['funnel', 'channels'], notify: ['hook'] }, ingest: { type: 'ingest', settle_seconds: 0, notify: ['hook'] } },
    });
    const reports = await runJob('reports', { dbPath: db, config, cwd: dir, trigger: 'manual', log: () => {}, now: () => new Date('2026-11-23T07:00:00Z') });
    expect(reports.outputs.map((f) => path.relative(dir, f))).toEqual([path.join('reports', '2026-11-23', 'funnel.xlsx'), path.join('reports', '2026-11-23', 'channels.xlsx')]);
    expect(JSON.parse(received.hook![0]!)).toMatchObject({ kind: 'report_ready', title: 'Reports ready: 2026-11-23 (2 workbooks)' });

    const { writeFileSync, mkdirSync } = await import('node:fs');
    mkdirSync(path.join(dir, 'inbox'), { recursive: true });
    writeFileSync(path.join(dir, 'inbox', 'mystery.csv'), 'x,y\n1,2\n');
    const ingest = await runJob('ingest', { dbPath: db, config, cwd: dir, trigger: 'manual', log: () => {} });
    expect(ingest.status).toBe('failed');
    const notice = JSON.parse(received.hook![1]!);
    expect(notice).toMatchObject({ kind: 'job_failed', title: '1 export file(s) could not be loaded' });
    expect(notice.lines[0]).toMatch(/^mystery\.csv: .*match no preset/);
  });
});
