// PagerDuty Events v2 through pdjs: trigger on a page, acknowledge and resolve with the same dedup_key
// (one PagerDuty alert per incident and routing key). pdjs resolves for every HTTP status, so the status
// is checked here; its own 429 retries are kept short so they do not stack with Temporal's.
import type { Agent } from 'node:https';
import { event } from '@pagerduty/pdjs';

type Action = 'trigger' | 'acknowledge' | 'resolve';
import { z } from 'zod';
import { renderTemplate } from '../render/messages';
import { defineChannel, envName, timeoutMs, type Channel, type ChannelResult } from './channel';
import { failureForStatus, permanent } from './failure';
import { templateModel } from './model';

const configSchema = z
  .strictObject({
    /** The service's Events v2 integration key; people may add their own (`pagerdutyRoutingKeyEnv`). */
    routingKeyEnv: envName.optional(),
    /** Host (and port) of the Events API; only tests change it. */
    server: z.string().min(1).default('events.pagerduty.com'),
    timeoutMs: timeoutMs.default(10_000),
  })
  .optional();
type PagerDutyConfig = NonNullable<z.output<typeof configSchema>>;

export const PD_SUMMARY_MAX = 1024;
const PD_SEVERITY = { SEV1: 'critical', SEV2: 'error', SEV3: 'warning', SEV4: 'info' } as const;

export const pagerdutyDedupKey = (incidentId: string) => `lifeline-${incidentId}`;

/** Cuts at a code point (never inside a surrogate pair) and marks the cut. */
export function truncateSummary(text: string, max = PD_SUMMARY_MAX): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const chars = Array.from(flat);
  if (chars.length <= max && flat.length <= max) return flat;
  let out = '';
  for (const c of chars) {
    if (out.length + c.length > max - 1) break;
    out += c;
  }
  return `${out}…`;
}

export function pagerdutyChannel(
  cfg: PagerDutyConfig,
  opts: { env: NodeJS.ProcessEnv; templatesDir?: string; agent?: Agent },
): Channel {
  return {
    name: 'pagerduty',
    async send(n, recipients): Promise<ChannelResult> {
      const action: Action | null =
        n.kind === 'page'
          ? 'trigger'
          : n.kind === 'acknowledged'
            ? 'acknowledge'
            : n.kind === 'resolved'
              ? 'resolve'
              : null;
      if (!action) return { status: 'skipped', detail: `${n.kind} is not sent to PagerDuty` };
      const envNames = [
        ...new Set(
          [cfg.routingKeyEnv, ...recipients.map((r) => r.pagerdutyRoutingKeyEnv)].filter((e): e is string => !!e),
        ),
      ];
      const keys = [...new Set(envNames.map((e) => opts.env[e]).filter((k): k is string => !!k))];
      if (!keys.length)
        throw permanent(
          'pagerduty',
          `no routing key: set ${envNames.join(' or ') || 'notifications.pagerduty.routingKeyEnv'}`,
        );
      const model = templateModel(n, recipients, 'pagerduty');
      const dedupKey = pagerdutyDedupKey(n.incidentId);
      const payload = {
        summary: truncateSummary(renderTemplate('pagerduty-summary.txt', model, opts.templatesDir)),
        source: 'lifeline',
        severity: PD_SEVERITY[n.severity],
        component: model.provider,
        group: 'ai-providers',
        class: model.impactLevel,
        custom_details: {
          incident: n.incidentId,
          level: model.level,
          phase: model.phase,
          alerts: model.alertCount,
          services: model.affectedServices,
        },
      };
      for (const routingKey of keys) {
        // Acknowledge and resolve need only the key and dedup_key.
        const data = {
          routing_key: routingKey,
          event_action: action,
          dedup_key: dedupKey,
          ...(action === 'trigger' ? { payload } : {}),
        };
        const res = await event({
          server: cfg.server,
          data: data as Parameters<typeof event>[0]['data'],
          requestTimeout: cfg.timeoutMs,
          retryTimeout: 1000,
          ...(opts.agent ? { agent: opts.agent } : {}),
        } as Parameters<typeof event>[0]);
        if (res.status !== 202) throw failureForStatus('pagerduty', res.status, JSON.stringify(res.data ?? ''));
      }
      return { status: 'delivered', ref: dedupKey };
    },
  };
}

export const pagerduty = defineChannel({
  name: 'pagerduty',
  configKey: 'pagerduty',
  configSchema,
  targets: (cfg) => (cfg ? ['pagerduty'] : []),
  secretEnvs: (cfg) => (cfg?.routingKeyEnv ? [['notifications.pagerduty.routingKeyEnv', cfg.routingKeyEnv]] : []),
  // PagerDuty only pages, acknowledges and resolves.
  carries: ['page', 'acknowledged', 'resolved'],
  create: (cfg, ctx) => (cfg ? [pagerdutyChannel(cfg, ctx)] : []),
});
