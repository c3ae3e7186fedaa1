/**
 * Where alerts and report-ready notices go (config key `delivery`): named channels — a generic
 * JSON webhook, DingTalk and WeCom group robots, Slack, or email over SMTP — and the retry
 * policy. Jobs name the channels they notify (`notify`).
 */
import { z } from 'zod';

const lang = z.enum(['zh', 'en']).default('zh');
const url = z.string().url();

export const channelSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('webhook'), url, headers: z.record(z.string(), z.string()).default({}), lang }).strict(),
  /** DingTalk group robot; with `secret`, requests are signed (the robot's 加签 setting) */
  z.object({ type: z.literal('dingtalk'), url, secret: z.string().optional(), lang }).strict(),
  /** WeCom (企业微信) group robot */
  z.object({ type: z.literal('wecom'), url, lang }).strict(),
  /** Slack incoming webhook */
  z.object({ type: z.literal('slack'), url, lang }).strict(),
  z
    .object({
      type: z.literal('email'),
      smtp: z.object({ host: z.string().min(1), port: z.number().int().positive().default(587), secure: z.boolean().default(false), user: z.string().optional(), pass: z.string().optional() }).strict(),
      from: z.string().min(3),
      to: z.array(z.string().min(3)).min(1),
      lang,
    })
    .strict(),
]);
export type ChannelConfig = z.infer<typeof channelSchema>;

export const deliveryConfigSchema = z
  .object({
    channels: z.record(z.string().regex(/^[a-z][a-z0-9_-]*$/), channelSchema).default({}),
    /** tries per message: the first plus retries after backoff_ms, 2×, 4×, … */
    attempts: z.number().int().min(1).max(10).default(4),
    backoff_ms: z.number().int().min(0).default(2000),
    /** the site's address, for links in messages (e.g. http://salesight.intra:5180) */
    site_url: z.string().url().optional(),
  })
  .strict()
  .prefault({});
export type DeliveryConfig = z.infer<typeof deliveryConfigSchema>;
