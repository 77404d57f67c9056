// Rate-limit headers, parsed into one shape across providers (PROVIDERS.md): OpenAI resets as a duration
// ("6s", "1m30s", "12ms"), Anthropic as an RFC 3339 instant, Azure sends retry-after-ms. Pure.

export interface RateLimitBucket {
  limit?: number;
  remaining?: number;
  /** Milliseconds until the bucket resets, relative to the response time. */
  resetMs?: number;
}

export interface RateLimitInfo {
  requests?: RateLimitBucket;
  tokens?: RateLimitBucket;
  retryAfterMs?: number;
  requestId?: string;
}

/** "6s", "1m30s", "12ms", "0.5s" → ms; undefined when it is not a duration. */
export function parseDuration(v: string): number | undefined {
  const re = /(\d+(?:\.\d+)?)(ms|h|m|s)/g;
  let total = 0;
  let matched = '';
  for (const m of v.matchAll(re)) {
    const n = Number(m[1]);
    total += m[2] === 'ms' ? n : m[2] === 's' ? n * 1000 : m[2] === 'm' ? n * 60_000 : n * 3_600_000;
    matched += m[0];
  }
  return matched && matched === v.trim() ? Math.round(total) : undefined;
}

function resetMs(v: string | undefined, nowMs: number): number | undefined {
  if (!v) return undefined;
  const d = parseDuration(v);
  if (d !== undefined) return d;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : Math.max(0, t - nowMs);
}

const num = (v: string | undefined) =>
  v !== undefined && v !== '' && !Number.isNaN(Number(v)) ? Number(v) : undefined;

function bucket(
  h: Record<string, string>,
  names: { limit: string; remaining: string; reset: string },
  nowMs: number,
): RateLimitBucket | undefined {
  const b: RateLimitBucket = {
    limit: num(h[names.limit]),
    remaining: num(h[names.remaining]),
    resetMs: resetMs(h[names.reset], nowMs),
  };
  return b.limit === undefined && b.remaining === undefined && b.resetMs === undefined ? undefined : b;
}

/** `headers` with lower-cased names; `nowMs` is the response time (for RFC 3339 resets). */
export function parseRateLimitHeaders(headers: Record<string, string>, nowMs: number): RateLimitInfo {
  const h = headers;
  const info: RateLimitInfo = {};
  const requests =
    bucket(
      h,
      {
        limit: 'x-ratelimit-limit-requests',
        remaining: 'x-ratelimit-remaining-requests',
        reset: 'x-ratelimit-reset-requests',
      },
      nowMs,
    ) ??
    bucket(
      h,
      {
        limit: 'anthropic-ratelimit-requests-limit',
        remaining: 'anthropic-ratelimit-requests-remaining',
        reset: 'anthropic-ratelimit-requests-reset',
      },
      nowMs,
    );
  const tokens =
    bucket(
      h,
      {
        limit: 'x-ratelimit-limit-tokens',
        remaining: 'x-ratelimit-remaining-tokens',
        reset: 'x-ratelimit-reset-tokens',
      },
      nowMs,
    ) ??
    bucket(
      h,
      {
        limit: 'anthropic-ratelimit-tokens-limit',
        remaining: 'anthropic-ratelimit-tokens-remaining',
        reset: 'anthropic-ratelimit-tokens-reset',
      },
      nowMs,
    );
  if (requests) info.requests = requests;
  if (tokens) info.tokens = tokens;
  const retryMs = num(h['retry-after-ms']);
  const retryS = h['retry-after'];
  if (retryMs !== undefined) info.retryAfterMs = retryMs;
  else if (retryS !== undefined)
    info.retryAfterMs = num(retryS) !== undefined ? num(retryS)! * 1000 : resetMs(retryS, nowMs);
  const id = h['x-request-id'] ?? h['request-id'] ?? h['x-amzn-requestid'];
  if (id) info.requestId = id;
  return info;
}
