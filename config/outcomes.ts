// The `outcomes:` section: how application outcomes (POST /v1/outcomes) judge a provider. The passive
// window trips a provider's breaker when at least `errorShare` of at least `minRequests` attempts within
// `windowMs` failed, without waiting for probes; `providers` overrides any of the three per provider.
// `flushMs` is how often each API process sends a provider's monitor what it gathered (one signal per
// provider per flush, whatever the traffic, so monitor histories stay bounded).
import { z } from 'zod';
import { DEFAULT_PASSIVE_WINDOW, type PassiveWindowSettings } from '../domain/outcome-window';

const windowFields = {
  minRequests: z.number().int().min(1),
  errorShare: z.number().gt(0).max(1),
  // At most 10 min: the monitor keeps one window entry per second.
  windowMs: z.number().int().min(1000).max(600_000),
};

export const outcomesSchema = z
  .strictObject({
    minRequests: windowFields.minRequests.default(DEFAULT_PASSIVE_WINDOW.minRequests),
    errorShare: windowFields.errorShare.default(DEFAULT_PASSIVE_WINDOW.errorShare),
    windowMs: windowFields.windowMs.default(DEFAULT_PASSIVE_WINDOW.windowMs),
    flushMs: z.number().int().min(100).max(60_000).default(1000),
    /** Per provider id: any of minRequests, errorShare, windowMs. */
    providers: z.record(z.string(), z.strictObject(windowFields).partial()).default({}),
  })
  .prefault({});

export type OutcomesConfig = z.infer<typeof outcomesSchema>;

/** The passive-window thresholds for one provider: its override over the global ones. */
export function passiveWindowFor(cfg: OutcomesConfig, provider: string): PassiveWindowSettings {
  const o = cfg.providers[provider] ?? {};
  return {
    minRequests: o.minRequests ?? cfg.minRequests,
    errorShare: o.errorShare ?? cfg.errorShare,
    windowMs: o.windowMs ?? cfg.windowMs,
  };
}

/** Overrides naming a provider the config does not have (untyped input: runs when shape checks failed too). */
export function outcomeOverrideIssues(
  raw: unknown,
  providerIds: Set<string>,
): { path: (string | number)[]; message: string }[] {
  const section = raw && typeof raw === 'object' ? (raw as { providers?: unknown }).providers : undefined;
  if (!section || typeof section !== 'object') return [];
  return Object.keys(section)
    .filter((id) => !providerIds.has(id))
    .map((id) => ({ path: ['outcomes', 'providers', id], message: `unknown provider "${id}"` }));
}
