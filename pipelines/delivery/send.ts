/**
 * Delivering a notice to channels, each with retries and exponential backoff. Never throws: the
 * outcome of every channel (sent after n attempts, or failed with the last error) is returned
 * for the job's run record, so a failed delivery is on record, not lost.
 */
import type { DeliveryConfig } from '../../src/lib/config/delivery-config.ts';
import { emailFor, httpRequestFor, robotRefusal, type Notice } from './messages.ts';

export interface DeliveryOutcome {
  channel: string;
  type: string;
  status: 'sent' | 'failed';
  attempts: number;
  error: string | null;
}

/** Per attempt: give up on a silent endpoint after this long. */
export const DELIVERY_TIMEOUT_MS = 15_000;

async function sendOnce(delivery: DeliveryConfig, name: string, notice: Notice): Promise<void> {
  const channel = delivery.channels[name]!;
  if (channel.type === 'email') {
    const nodemailer = await import('nodemailer');
    const transport = nodemailer.createTransport({
      host: channel.smtp.host,
      port: channel.smtp.port,
      secure: channel.smtp.secure,
      ...(channel.smtp.user ? { auth: { user: channel.smtp.user, pass: channel.smtp.pass ?? '' } } : {}),
      connectionTimeout: DELIVERY_TIMEOUT_MS,
    });
    try {
      const mail = emailFor(channel, notice);
      await transport.sendMail({ from: channel.from, to: channel.to, subject: mail.subject, text: mail.text });
    } finally {
      transport.close();
    }
    return;
  }
  const request = httpRequestFor(channel, notice);
  const res = await fetch(request.url, { method: 'POST', headers: request.headers, body: request.body, signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS) });
  const body = await res.text();
  if (!res.ok) throw new Error(`HTTP ${res.status}: ${body.slice(0, 200)}`);
  const refusal = robotRefusal(body);
  if (refusal) throw new Error(refusal);
}

export async function deliver(delivery: DeliveryConfig, channels: string[], notice: Notice, sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))): Promise<DeliveryOutcome[]> {
  const outcomes: DeliveryOutcome[] = [];
  for (const name of channels) {
    const channel = delivery.channels[name];
    if (!channel) {
      outcomes.push({ channel: name, type: 'unknown', status: 'failed', attempts: 0, error: `no channel "${name}" in delivery.channels` });
      continue;
    }
    let error: string | null = null;
    let attempts = 0;
    for (; attempts < delivery.attempts; ) {
      attempts += 1;
      try {
        await sendOnce(delivery, name, notice);
        error = null;
        break;
      } catch (err) {
        error = (err as Error).message;
        if (attempts < delivery.attempts) await sleep(delivery.backoff_ms * 2 ** (attempts - 1));
      }
    }
    outcomes.push({ channel: name, type: channel.type, status: error === null ? 'sent' : 'failed', attempts, error });
  }
  return outcomes;
}
