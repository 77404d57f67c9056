// When does a rate-limit quota run out? From the probes' `remaining` readings (domain/ratelimit.ts) since
// the quota last reset, a least-squares line of remaining over time gives the rate it is used at and the
// time it reaches zero; if the provider resets the quota before then, nothing runs out. Pure.
import { recoveryPlan, type RecoveryAction, type RecoveryCapabilities, type RecoveryStep } from './recovery';

export type QuotaKind = 'requests' | 'tokens';

export interface QuotaSample {
  at: number;
  remaining: number;
  limit?: number;
  /** When the provider says the quota resets (absolute ms), if it said. */
  resetAt?: number;
}

export interface QuotaForecast {
  /** Units used per minute (positive when the quota is being used up). */
  perMinute: number;
  /** When remaining reaches zero at that rate; null when it does not fall. */
  exhaustAt: number | null;
  resetAt: number | null;
  /** True when it runs out before it resets. */
  exhausts: boolean;
  remaining: number;
  samples: number;
}

/** The samples since the last reset (a reading higher than the one before it) inside the lookback. */
export function sinceLastReset(samples: QuotaSample[], now: number, lookbackMs: number): QuotaSample[] {
  const recent = samples.filter((s) => s.at > now - lookbackMs && s.at <= now);
  let start = 0;
  for (let i = 1; i < recent.length; i++) if (recent[i].remaining > recent[i - 1].remaining) start = i;
  return recent.slice(start);
}

export function forecastQuota(
  samples: QuotaSample[],
  now: number,
  opts: { lookbackMs: number; minSamples: number },
): QuotaForecast | null {
  const xs = sinceLastReset(samples, now, opts.lookbackMs);
  if (xs.length < Math.max(2, opts.minSamples)) return null;
  const n = xs.length;
  const mt = xs.reduce((a, s) => a + s.at, 0) / n;
  const mr = xs.reduce((a, s) => a + s.remaining, 0) / n;
  let cov = 0;
  let vt = 0;
  for (const s of xs) {
    cov += (s.at - mt) * (s.remaining - mr);
    vt += (s.at - mt) ** 2;
  }
  if (vt === 0) return null;
  const slope = cov / vt; // units per ms
  const last = xs[n - 1];
  const resetAt = last.resetAt ?? null;
  const base = { perMinute: -slope * 60_000, resetAt, remaining: last.remaining, samples: n };
  if (slope >= 0) return { ...base, exhaustAt: null, exhausts: false };
  // The fitted line, not the last reading alone: one noisy reading does not move the forecast much.
  const fittedNow = mr + slope * (last.at - mt);
  const exhaustAt = last.at + Math.max(0, fittedNow) / -slope;
  return { ...base, exhaustAt, exhausts: resetAt === null || resetAt > exhaustAt };
}

/**
 * Whether to open the proactive incident: it runs out, before it resets, within the horizon. A quota
 * already at zero is not a forecast: the probes' rate-limit detection has that one.
 */
export function forecastAlerts(f: QuotaForecast | null, now: number, horizonMs: number): boolean {
  return !!f && f.remaining > 0 && f.exhausts && f.exhaustAt !== null && f.exhaustAt - now <= horizonMs;
}

/**
 * One incident per forecast: an alerting forecast opens one when none is open for this quota; the episode
 * ends when the quota resets or the forecast no longer reaches zero within twice the horizon (hysteresis,
 * so a forecast hovering around the horizon does not open incident after incident).
 */
export function nextForecastEpisode(
  active: boolean,
  f: QuotaForecast | null,
  now: number,
  horizonMs: number,
): { active: boolean; open: boolean } {
  if (!active) {
    const open = forecastAlerts(f, now, horizonMs);
    return { active: open, open };
  }
  return { active: forecastAlerts(f, now, 2 * horizonMs), open: false };
}

export const minutesUntil = (at: number, now: number) => Math.max(0, Math.round((at - now) / 60_000));

/**
 * What to do before the quota runs out, in order, from the recovery steps lifeline already knows
 * (domain/recovery.ts): slow down, stretch the quota with a cheaper model (or a second key), then shift
 * the provider's share to the next provider of its chains. Only the steps this provider is set up for.
 */
export function quotaHints(kind: QuotaKind, caps: RecoveryCapabilities): RecoveryStep[] {
  const plans = [...recoveryPlan('rate_limit', caps), ...recoveryPlan('quota_exceeded', caps)];
  const first = (a: RecoveryAction) => plans.find((s) => s.action === a)!;
  const order: RecoveryAction[] =
    kind === 'tokens'
      ? ['use_cheaper_model', 'throttle', 'enable_caching', 'use_backup_key', 'failover']
      : ['throttle', 'use_cheaper_model', 'use_backup_key', 'enable_caching', 'failover'];
  return order.map(first).filter((s) => s.available);
}
