// `slos:` and `quotaForecast:` — reliability targets with error budgets (domain/slo.ts) and the quota
// exhaustion forecast (domain/quota-forecast.ts). Windows and horizons take "30d", "6h", "15m", "90s" or
// milliseconds. Every problem is reported at the key that is wrong.
import { z } from 'zod';
import { parseWindow } from '../domain/slo';

const span = z.union([z.number().int().positive(), z.string()]).transform((v, ctx) => {
  const ms = typeof v === 'number' ? v : parseWindow(v);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: 'must be a duration such as "30d", "6h", "15m", "90s" or milliseconds' });
    return z.NEVER;
  }
  return ms;
});

export const SLI_KINDS = ['availability', 'latency', 'primary_share'] as const;

const sloSchema = z
  .strictObject({
    /** Names the objective in the API, metrics, CLI and incidents. */
    id: z.string().regex(/^[a-z0-9][a-z0-9_.-]*$/, 'must start with a lower-case letter or digit'),
    provider: z.string().min(1).optional(),
    service: z.string().min(1).optional(),
    /** availability: probes answered; latency: probes under thresholdMs; primary_share: traffic on each chain's first provider. */
    sli: z.enum(SLI_KINDS),
    /** Percent of good events over the window, e.g. 99.9. */
    target: z.number().gt(0).lt(100),
    window: span.default(30 * 86_400_000),
    /** latency only: the p95 bound — with target 95, "95 % of probes answer within thresholdMs". */
    thresholdMs: z.number().int().positive().optional(),
  })
  .superRefine((s, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    if (!s.provider === !s.service) issue('provider', 'set exactly one of provider and service');
    if (s.sli === 'latency' && s.thresholdMs === undefined) issue('thresholdMs', 'required for sli latency');
    if (s.sli !== 'latency' && s.thresholdMs !== undefined) issue('thresholdMs', 'only for sli latency');
    if (s.sli === 'primary_share' && s.provider)
      issue('sli', 'primary_share is measured per service (its chains), not per provider');
    if (s.window < 6 * 3_600_000) issue('window', 'must be at least 6h (the slow burn window)');
    if (s.window > 90 * 86_400_000) issue('window', 'must be at most 90d');
  });

export const slosSchema = z.array(sloSchema).default([]);

export const quotaForecastSchema = z
  .strictObject({
    enabled: z.boolean().default(true),
    /** Open the proactive incident when a quota is forecast to run out within this. */
    horizon: span.default(15 * 60_000),
    /** The trend is fitted over the samples of this last stretch (since the quota last reset). */
    lookback: span.default(10 * 60_000),
    /** Fewest samples a forecast is made from. */
    minSamples: z.number().int().min(2).default(3),
  })
  .prefault({});

export type SloConfig = z.infer<typeof sloSchema>;
export type QuotaForecastConfig = z.infer<typeof quotaForecastSchema>;

/**
 * Cross-references, over untyped input like config/cross-references.ts (so they show with shape errors):
 * ids are unique, named providers and services exist.
 */
export function sloReferenceIssues(
  rawSlos: unknown,
  providers: Set<string>,
  services: Set<string>,
): { path: (string | number)[]; message: string }[] {
  const issues: { path: (string | number)[]; message: string }[] = [];
  const seen = new Set<string>();
  (Array.isArray(rawSlos) ? rawSlos : []).forEach((s: unknown, i) => {
    const o = s && typeof s === 'object' ? (s as Record<string, unknown>) : {};
    if (typeof o.id === 'string' && seen.has(o.id))
      issues.push({ path: ['slos', i, 'id'], message: `duplicate slo id "${o.id}"` });
    if (typeof o.id === 'string') seen.add(o.id);
    if (typeof o.provider === 'string' && !providers.has(o.provider))
      issues.push({ path: ['slos', i, 'provider'], message: `unknown provider "${o.provider}"` });
    if (typeof o.service === 'string' && !services.has(o.service))
      issues.push({ path: ['slos', i, 'service'], message: `unknown service "${o.service}"` });
  });
  return issues;
}
