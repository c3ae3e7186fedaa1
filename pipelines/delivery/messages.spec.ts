import { describe, expect, it } from 'vitest';
import { dingtalkSignedUrl, emailFor, httpRequestFor, robotRefusal, type Notice } from './messages.ts';

const notice: Notice = {
  kind: 'alerts',
  job: 'alerts',
  title: { zh: '风险预警：共 2 条', en: 'Risk alerts: 2' },
  lines: { zh: ['[高] 刘洋：4 个在途商机逾期未跟进', '[中] 华东：复购率下降'], en: ['[high] 4 overdue', '[medium] repeat rate down'] },
  link: 'http://127.0.0.1:5180/alerts',
  data: { total: 2 },
};

describe('delivery message formats', () => {
  it('DingTalk: markdown message, signed like the robot expects', () => {
    // reference: printf '1700000000000\nSEC123' | openssl dgst -sha256 -hmac 'SEC123' -binary | base64
    const url = new URL(dingtalkSignedUrl('https://oapi.dingtalk.com/robot/send?access_token=T', 'SEC123', 1_700_000_000_000));
    expect(url.searchParams.get('sign')).toBe('lkcPI1uoxBY1gUnCnnPH1Kkru0Hqjo7rFpA3haIVhEQ=');
    expect(url.searchParams.get('timestamp')).toBe('1700000000000');
    expect(url.searchParams.get('access_token')).toBe('T');
    const req = httpRequestFor({ type: 'dingtalk', url: 'https://example.invalid/robot', lang: 'zh' }, notice);
    expect(JSON.parse(req.body)).toEqual({
      msgtype: 'markdown',
      markdown: { title: '风险预警：共 2 条', text: '### 风险预警：共 2 条\n\n- [高] 刘洋：4 个在途商机逾期未跟进\n- [中] 华东：复购率下降\n\n[打开 Salesight](http://127.0.0.1:5180/alerts)' },
    });
  });

  it('WeCom, Slack, a generic webhook and email', () => {
    const wecom = JSON.parse(httpRequestFor({ type: 'wecom', url: 'https://example.invalid/w', lang: 'en' }, notice).body);
    expect(wecom).toEqual({ msgtype: 'markdown', markdown: { content: '### Risk alerts: 2\n\n- [high] 4 overdue\n- [medium] repeat rate down\n\n[Open Salesight](http://127.0.0.1:5180/alerts)' } });
    const slack = JSON.parse(httpRequestFor({ type: 'slack', url: 'https://example.invalid/s', lang: 'en' }, notice).body);
    expect(slack).toEqual({ text: '*Risk alerts: 2*\n• [high] 4 overdue\n• [medium] repeat rate down\n<http://127.0.0.1:5180/alerts|Open Salesight>' });
    const hook = httpRequestFor({ type: 'webhook', url: 'https://example.invalid/h', headers: { authorization: 'Bearer x' }, lang: 'zh' }, notice);
    expect(hook.headers.authorization).toBe('Bearer x');
    expect(JSON.parse(hook.body)).toMatchObject({ source: 'salesight', kind: 'alerts', job: 'alerts', title: '风险预警：共 2 条', data: { total: 2 } });
    const mail = emailFor({ type: 'email', smtp: { host: 'h', port: 25, secure: false }, from: 'a@b.c', to: ['d@e.f'], lang: 'zh' }, notice);
    expect(mail.subject).toBe('[Salesight] 风险预警：共 2 条');
    expect(mail.text).toContain('- [高] 刘洋：4 个在途商机逾期未跟进');
  });

  it('reads a robot’s refusal from its 200 answer', () => {
    expect(robotRefusal('{"errcode":310000,"errmsg":"sign not match"}')).toBe('errcode 310000: sign not match');
    expect(robotRefusal('{"errcode":0,"errmsg":"ok"}')).toBeNull();
    expect(robotRefusal('ok')).toBeNull();
  });
});
