// Rate-limit headers of the simulated providers.
//
// Real providers send these on successful responses too, and a good detector watches `remaining`
// fall before the first 429 arrives, so the simulator always sends them: with headroom when
// healthy, with the request budget exhausted on a rate-limit fault. The two providers spell them
// differently (OpenAI resets as a duration like `6s`, Anthropic as an RFC 3339 instant), and parsers
// must handle both, so both are reproduced faithfully.

/** Seconds a rate-limited client is told to wait (retry-after); also the request-budget reset. */
export const RATE_LIMIT_RETRY_AFTER_S = 6;

export type RateLimitState = 'headroom' | 'exhausted';

const OPENAI_LIMITS = { requests: 5000, tokens: 800_000 };
const ANTHROPIC_LIMITS = { requests: 50, tokens: 80_000, inputTokens: 40_000, outputTokens: 16_000 };

export function openaiRateLimitHeaders(state: RateLimitState): Record<string, string> {
  const exhausted = state === 'exhausted';
  return {
    'x-ratelimit-limit-requests': String(OPENAI_LIMITS.requests),
    'x-ratelimit-remaining-requests': exhausted ? '0' : String(OPENAI_LIMITS.requests - 1),
    'x-ratelimit-reset-requests': exhausted ? `${RATE_LIMIT_RETRY_AFTER_S}s` : '12ms',
    'x-ratelimit-limit-tokens': String(OPENAI_LIMITS.tokens),
    // The request budget is what ran out; tokens keep some headroom so a parser can tell which limit hit.
    'x-ratelimit-remaining-tokens': String(OPENAI_LIMITS.tokens - (exhausted ? 1200 : 20)),
    'x-ratelimit-reset-tokens': exhausted ? '90ms' : '1ms',
  };
}

/** RFC 3339 with second precision, as Anthropic sends it (e.g. 2026-11-02T10:15:06Z). */
function rfc3339(at: Date): string {
  return at.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function anthropicRateLimitHeaders(state: RateLimitState, now: Date): Record<string, string> {
  const exhausted = state === 'exhausted';
  // Anthropic refills continuously; "reset" is when the bucket would be full again.
  const requestsReset = rfc3339(new Date(now.getTime() + (exhausted ? RATE_LIMIT_RETRY_AFTER_S : 1) * 1000));
  const tokensReset = rfc3339(new Date(now.getTime() + 1000));
  const headers: Record<string, string> = {
    'anthropic-ratelimit-requests-limit': String(ANTHROPIC_LIMITS.requests),
    'anthropic-ratelimit-requests-remaining': exhausted ? '0' : String(ANTHROPIC_LIMITS.requests - 1),
    'anthropic-ratelimit-requests-reset': requestsReset,
  };
  const tokenBuckets: Array<[string, number]> = [
    ['tokens', ANTHROPIC_LIMITS.tokens],
    ['input-tokens', ANTHROPIC_LIMITS.inputTokens],
    ['output-tokens', ANTHROPIC_LIMITS.outputTokens],
  ];
  for (const [name, limit] of tokenBuckets) {
    headers[`anthropic-ratelimit-${name}-limit`] = String(limit);
    headers[`anthropic-ratelimit-${name}-remaining`] = String(limit - (exhausted ? 1200 : 20));
    headers[`anthropic-ratelimit-${name}-reset`] = tokensReset;
  }
  return headers;
}
