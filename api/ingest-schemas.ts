// Wire formats of external monitors (PROVIDERS.md "Wire formats lifeline accepts"), as zod schemas: the
// validators and the OpenAPI document come from these. Loose objects: senders add fields we ignore.
import { z } from 'zod';
import { ALERT_SEVERITIES } from '../domain/incident';

const labels = z.record(z.string(), z.string());

/** Prometheus Alertmanager webhook, version 4. */
export const alertmanagerBody = z.object({
  version: z.literal('4'),
  groupKey: z.string().max(4096),
  truncatedAlerts: z.number().int().min(0).optional(),
  status: z.enum(['firing', 'resolved']),
  receiver: z.string().max(1024),
  groupLabels: labels.default({}),
  commonLabels: labels.default({}),
  commonAnnotations: labels.default({}),
  externalURL: z.string().max(2048).default(''),
  alerts: z
    .array(
      z.object({
        status: z.enum(['firing', 'resolved']),
        labels,
        annotations: labels.default({}),
        startsAt: z.iso.datetime({ offset: true }),
        // Firing alerts carry the zero time 0001-01-01T00:00:00Z.
        endsAt: z.iso.datetime({ offset: true }).optional(),
        generatorURL: z.string().max(2048).optional(),
        fingerprint: z.string().max(255).optional(),
      }),
    )
    .min(1)
    .max(2000),
});
export type AlertmanagerBody = z.infer<typeof alertmanagerBody>;

/** PagerDuty Events API v2. */
export const pagerDutyEvent = z
  .object({
    routing_key: z.string().min(1).max(255).optional(),
    event_action: z.enum(['trigger', 'acknowledge', 'resolve']),
    dedup_key: z.string().min(1).max(255).optional(),
    payload: z
      .object({
        summary: z.string().min(1).max(1024),
        source: z.string().min(1).max(255),
        severity: z.enum(ALERT_SEVERITIES),
        timestamp: z.iso.datetime({ offset: true }).optional(),
        component: z.string().max(255).optional(),
        group: z.string().max(255).optional(),
        class: z.string().max(255).optional(),
        custom_details: z.unknown().optional(),
      })
      .optional(),
    client: z.string().max(255).optional(),
    client_url: z.string().max(2048).optional(),
    links: z.array(z.object({ href: z.string(), text: z.string().optional() })).optional(),
    images: z.array(z.object({ src: z.string(), href: z.string().optional(), alt: z.string().optional() })).optional(),
  })
  .superRefine((e, ctx) => {
    if (e.event_action === 'trigger' && !e.payload)
      ctx.addIssue({ code: 'custom', path: ['payload'], message: 'payload is required for trigger events' });
    if (e.event_action !== 'trigger' && !e.dedup_key)
      ctx.addIssue({
        code: 'custom',
        path: ['dedup_key'],
        message: `dedup_key is required for ${e.event_action} events`,
      });
  });
export type PagerDutyEvent = z.infer<typeof pagerDutyEvent>;

export const pagerDutyAccepted = z.object({ status: z.literal('success'), message: z.string(), dedup_key: z.string() });
export const incidentsAccepted = z.object({
  incidents: z.array(
    z.object({
      provider: z.string(),
      incidentId: z.string().nullable(),
      deduplicated: z.boolean(),
      alerts: z.number(),
    }),
  ),
});
