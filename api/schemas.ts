// Request schemas of the public API (zod): the validators and the OpenAPI document come from these.
import { z } from 'zod';
import { ALERT_KINDS, ALERT_SEVERITIES } from '../domain/incident';

export const providerId = z.string().regex(/^[a-z0-9][a-z0-9_.-]*$/, 'must be a provider id');

export const alertBody = z.strictObject({
  provider: providerId,
  kind: z.enum(ALERT_KINDS),
  summary: z.string().min(1).max(1024),
  source: z.string().min(1).max(255),
  severity: z.enum(ALERT_SEVERITIES).optional(),
  dedupKey: z.string().min(1).max(255).optional(),
  details: z.record(z.string(), z.unknown()).optional(),
  observedAt: z.iso.datetime({ offset: true }).optional(),
});

export const incidentParams = z.object({ id: z.string().min(1).max(200) });
export const listQuery = z.object({
  status: z.enum(['open', 'resolved', 'all']).default('all'),
  provider: providerId.optional(),
  severity: z.enum(['SEV1', 'SEV2', 'SEV3', 'SEV4']).optional(),
  since: z.iso.datetime({ offset: true }).optional(),
  until: z.iso.datetime({ offset: true }).optional(),
});
export const declareBody = z.strictObject({
  provider: providerId,
  title: z.string().min(1).max(500),
  severity: z.enum(['SEV1', 'SEV2', 'SEV3', 'SEV4']).optional(),
  by: z.string().min(1).max(200).optional(),
});
export const actorBody = z.strictObject({ by: z.string().min(1).max(200).optional() }).default({});
export const escalateBody = z
  .strictObject({
    by: z.string().min(1).max(200).optional(),
    level: z.union([z.literal(1), z.literal(2), z.literal(3)]).optional(),
  })
  .default({});
export const resolveBody = z
  .strictObject({ by: z.string().min(1).max(200).optional(), note: z.string().max(4000).optional() })
  .default({});
/** `public: true` puts the text on the status page and in subscriber email; notes are internal otherwise. */
export const noteBody = z.strictObject({
  by: z.string().min(1).max(200).optional(),
  text: z.string().min(1).max(4000),
  public: z.boolean().default(false),
});
/** A public update: always published (the status page and subscribers read it word for word). */
export const publicUpdateBody = z.strictObject({
  by: z.string().min(1).max(200).optional(),
  text: z.string().min(1).max(4000),
});
export const chainParams = z.object({ chain: z.string().min(1).max(100) });
/** Long-poll: with If-None-Match naming the current route, hold the request up to `wait` seconds for a change. */
export const routeWaitQuery = z.object({ wait: z.coerce.number().int().min(1).max(60).optional() });
export const shiftDelay = z.number().int().min(0).max(3_600_000);
export const failoverBody = z.strictObject({
  from: providerId,
  to: providerId.optional(),
  mode: z.enum(['immediate', 'gradual', 'canary']).default('immediate'),
  /** Wait between a step and its validation probe (gradual/canary); default recovery.shiftStepMs. */
  stepDelayMs: shiftDelay.optional(),
  by: z.string().min(1).max(200).optional(),
  /** Move the traffic even when no healthy provider would be left (the chain goes into emergency mode). */
  force: z.boolean().default(false),
});
export const weightsBody = z.strictObject({
  weights: z.record(z.string(), z.number().int().min(0).max(100)),
  by: z.string().min(1).max(200).optional(),
});
export const failbackBody = z
  .strictObject({
    /** The provider coming back (default: whichever the configured weights favour). */
    from: providerId.optional(),
    stepDelayMs: shiftDelay.optional(),
    /** How long it must have been healthy first (default recovery.failbackHealthyForMs; 0 = now). */
    healthyForMs: shiftDelay.optional(),
    by: z.string().min(1).max(200).optional(),
  })
  .default({});
