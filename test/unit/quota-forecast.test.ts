// Quota forecasts (domain/quota-forecast.ts): the least-squares trend since the last reset, exhaustion
// against the reset time (a reset first is no alert), the horizon, one incident per forecast, and the
// recovery hints in the order they help.
import {
  forecastAlerts,
  forecastQuota,
  nextForecastEpisode,
  quotaHints,
  sinceLastReset,
  type QuotaSample,
} from '../../domain/quota-forecast';

const MIN = 60_000;
const T0 = Date.UTC(2026, 0, 1);
const opts = { lookbackMs: 10 * MIN, minSamples: 3 };
/** A reading a minute for `n` minutes, falling by `perMin` from `start`. */
const falling = (start: number, perMin: number, n: number, resetAt?: number): QuotaSample[] =>
  Array.from({ length: n }, (_, i) => ({
    at: T0 + i * MIN,
    remaining: start - perMin * i,
    limit: 1000,
    ...(resetAt ? { resetAt } : {}),
  }));

describe('forecastQuota', () => {
  it('fits the rate and the time remaining reaches zero', () => {
    const f = forecastQuota(falling(1000, 50, 5), T0 + 4 * MIN, opts)!;
    expect(f.perMinute).toBeCloseTo(50, 6);
    // 800 left at 50/min: 16 min after the last reading.
    expect(f.exhaustAt).toBeCloseTo(T0 + 4 * MIN + 16 * MIN, -1);
    expect(f.exhausts).toBe(true);
  });

  it('is no exhaustion when the quota resets before it runs out', () => {
    const f = forecastQuota(falling(1000, 50, 5, T0 + 10 * MIN), T0 + 4 * MIN, opts)!;
    expect(f.exhausts).toBe(false);
    expect(forecastAlerts(f, T0 + 4 * MIN, 60 * MIN)).toBe(false);
  });

  it('alerts only within the horizon', () => {
    const f = forecastQuota(falling(1000, 50, 5), T0 + 4 * MIN, opts)!;
    expect(forecastAlerts(f, T0 + 4 * MIN, 15 * MIN)).toBe(false);
    expect(forecastAlerts(f, T0 + 4 * MIN, 17 * MIN)).toBe(true);
  });

  it('leaves a quota already at zero to the rate-limit detection', () => {
    const f = forecastQuota(falling(200, 50, 5), T0 + 4 * MIN, opts)!;
    expect(f).toMatchObject({ remaining: 0, exhausts: true });
    expect(forecastAlerts(f, T0 + 4 * MIN, 60 * MIN)).toBe(false);
  });

  it('does not forecast from a flat or rising quota, or from too few readings', () => {
    expect(forecastQuota(falling(1000, 0, 5), T0 + 4 * MIN, opts)).toMatchObject({ exhausts: false, exhaustAt: null });
    expect(forecastQuota(falling(1000, 50, 2), T0 + MIN, opts)).toBeNull();
  });

  it('starts the trend after the last reset and ignores readings past the lookback', () => {
    const xs = [...falling(1000, 100, 4), ...falling(1000, 10, 4).map((s) => ({ ...s, at: s.at + 4 * MIN }))];
    expect(sinceLastReset(xs, T0 + 7 * MIN, 20 * MIN)).toHaveLength(4);
    expect(forecastQuota(xs, T0 + 7 * MIN, opts)!.perMinute).toBeCloseTo(10, 6);
    expect(sinceLastReset(falling(1000, 10, 30), T0 + 29 * MIN, 10 * MIN)).toHaveLength(10);
  });
});

describe('forecast episodes', () => {
  it('opens one incident while the same forecast holds, and again only after it cleared', () => {
    const now = T0 + 4 * MIN;
    const f = forecastQuota(falling(1000, 50, 5), now, opts);
    let ep = nextForecastEpisode(false, f, now, 17 * MIN);
    expect(ep).toEqual({ active: true, open: true });
    ep = nextForecastEpisode(ep.active, f, now + MIN, 17 * MIN);
    expect(ep).toEqual({ active: true, open: false });
    // The quota reset: the forecast no longer holds, the episode ends.
    ep = nextForecastEpisode(ep.active, null, now + 2 * MIN, 17 * MIN);
    expect(ep).toEqual({ active: false, open: false });
  });
});

describe('quotaHints', () => {
  it('throttles first for requests, stretches with a cheaper model for tokens, always ends with shifting share', () => {
    const caps = { backupKey: false, backupEndpoint: false, cheaperModel: true };
    expect(quotaHints('requests', caps).map((h) => h.action)).toEqual([
      'throttle',
      'use_cheaper_model',
      'enable_caching',
      'failover',
    ]);
    expect(quotaHints('tokens', { ...caps, cheaperModel: false }).map((h) => h.action)).toEqual([
      'throttle',
      'enable_caching',
      'failover',
    ]);
  });
});
