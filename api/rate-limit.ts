// A per-token request budget (token bucket). Written here rather than pulled in as a plugin: it is twenty
// lines, keyed by the authenticated principal (not the client IP, which is shared behind proxies and
// by every detector of a team), and needs no store because one API process owns its budget.

export interface RateLimiter {
  /** Takes one request from `key`'s budget: 0 when allowed, else the seconds to wait. */
  take(key: string, now?: number): number;
}

export function createRateLimiter(perSecond: number, burst: number): RateLimiter {
  const buckets = new Map<string, { tokens: number; at: number }>();
  return {
    take(key, now = Date.now()) {
      const b = buckets.get(key) ?? { tokens: burst, at: now };
      b.tokens = Math.min(burst, b.tokens + ((now - b.at) / 1000) * perSecond);
      b.at = now;
      buckets.set(key, b);
      if (b.tokens >= 1) {
        b.tokens -= 1;
        return 0;
      }
      return Math.max(1, Math.ceil((1 - b.tokens) / perSecond));
    },
  };
}
