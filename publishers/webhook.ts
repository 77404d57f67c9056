// Signed generic webhook: POST { type: "route.changed", route } with
//   X-Lifeline-Timestamp: <unix seconds>
//   X-Lifeline-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>" with the shared secret>
//   Idempotency-Key: <chain>:<version>   (receivers drop repeats of a version; route.version orders them)
// The timestamp is signed so a receiver can refuse replays older than a few minutes.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { request } from 'undici';
import { z } from 'zod';
import { envName, readSecret } from '../config/env-name';
import type { RouteState } from '../workflows/messages';
import { definePublisher, requestSignal, type RoutePublisher } from './publisher';

export function signWebhook(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** For receivers (and tests): constant-time check of a signature header. */
export function verifyWebhook(secret: string, timestamp: string, body: string, signature: string): boolean {
  const expected = Buffer.from(signWebhook(secret, timestamp, body));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

export function createWebhookPublisher(
  cfg: { url: string; secretEnv: string },
  env?: NodeJS.ProcessEnv,
): RoutePublisher {
  return {
    name: 'webhook',
    async publish(route: RouteState, signal?: AbortSignal) {
      const secret = readSecret(cfg.secretEnv, env);
      if (!secret) throw new Error(`publishers.webhook.secretEnv: ${cfg.secretEnv} is not set`);
      const body = JSON.stringify({ type: 'route.changed', route });
      const timestamp = String(Math.floor(Date.now() / 1000));
      const res = await request(cfg.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-lifeline-timestamp': timestamp,
          'x-lifeline-signature': signWebhook(secret, timestamp, body),
          'idempotency-key': `${route.id}:${route.version}`,
        },
        body,
        signal: requestSignal(signal),
      });
      await res.body.dump();
      if (res.statusCode >= 300) throw new Error(`webhook answered HTTP ${res.statusCode}`);
    },
  };
}

export const webhook = definePublisher({
  name: 'webhook',
  configSchema: z
    .strictObject({
      url: z.url(),
      /** HMAC-SHA256 secret, by environment variable name; the body is signed in X-Lifeline-Signature. */
      secretEnv: envName,
    })
    .optional(),
  secretEnvs: (cfg) => (cfg ? [['publishers.webhook.secretEnv', cfg.secretEnv]] : []),
  create: (cfg, env) => (cfg ? createWebhookPublisher(cfg, env) : null),
});
