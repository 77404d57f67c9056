// Generic webhook: the notification as JSON, signed with HMAC-SHA256 over the exact body bytes
// (`x-lifeline-signature: sha256=<hex>`); `x-lifeline-delivery` carries the dedup key so receivers can
// drop a retried delivery they already processed.
import { createHmac } from 'node:crypto';
import { request } from 'undici';
import { z } from 'zod';
import { defineChannel, envName, timeoutMs, type Channel, type ChannelResult } from './channel';
import { failureForStatus, requireSecret } from './failure';

const configSchema = z
  .array(
    z.strictObject({
      name: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'must be lower-case letters, digits, "_" or "-"'),
      url: z.url(),
      /** HMAC-SHA256 key for the `x-lifeline-signature` header. */
      secretEnv: envName,
      timeoutMs: timeoutMs.default(10_000),
    }),
  )
  .default([]);
type WebhookConfig = z.output<typeof configSchema>[number];

export function signBody(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export function webhookChannel(cfg: WebhookConfig, opts: { env: NodeJS.ProcessEnv }): Channel {
  const name = `webhook:${cfg.name}`;
  return {
    name,
    async send(n, recipients, dedupKey): Promise<ChannelResult> {
      const secret = requireSecret(name, cfg.secretEnv, opts.env);
      const body = JSON.stringify({
        type: `incident.${n.kind}`,
        deliveryId: dedupKey,
        incident: n.facts ?? { incidentId: n.incidentId, title: n.title, severity: n.severity },
        notification: {
          kind: n.kind,
          seq: n.seq,
          level: n.level ?? null,
          severity: n.severity,
          title: n.title,
          message: n.message,
          roles: n.roles,
        },
        recipients: recipients.map((r) => ({ role: r.role, name: r.name })),
      });
      const res = await request(cfg.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-lifeline-signature': signBody(secret, body),
          'x-lifeline-delivery': dedupKey,
          'user-agent': 'lifeline',
        },
        body,
        headersTimeout: cfg.timeoutMs,
        bodyTimeout: cfg.timeoutMs,
        signal: AbortSignal.timeout(cfg.timeoutMs),
      });
      const text = await res.body.text();
      if (res.statusCode < 200 || res.statusCode >= 300) throw failureForStatus(name, res.statusCode, text);
      return { status: 'delivered', ref: dedupKey };
    },
  };
}

export const webhook = defineChannel({
  name: 'webhook',
  configKey: 'webhooks',
  configSchema,
  targets: (list) => list.map((w) => `webhook:${w.name}`),
  secretEnvs: (list) => list.map((w, i): [string, string] => [`notifications.webhooks.${i}.secretEnv`, w.secretEnv]),
  carries: ['page', 'status_update', 'acknowledged', 'resolved'],
  create: (list, ctx) => list.map((w) => webhookChannel(w, ctx)),
});
