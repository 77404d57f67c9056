// Every row of PROVIDERS.md's failure table, per provider kind, in that provider's own wire shape.
import { categoryOfCause, errorDetails, isRetryable, probeCause, type ProbeCause } from '../../domain/causes';
import { parseDuration, parseRateLimitHeaders } from '../../domain/ratelimit';

const openai = (type: string, code: string | null, message = 'x') => ({ error: { message, type, param: null, code } });
const anthropic = (type: string, message = 'x') => ({ type: 'error', error: { type, message }, request_id: 'req_1' });
const google = (code: number, status: string, message: string, details: unknown[] = []) => ({
  error: { code, message, status, details },
});
const bedrock = (type: string, message = 'x') => ({
  body: { message },
  headers: { 'x-amzn-errortype': `${type}:http://internal.amazon.com/coral/com.amazonaws.bedrock/` },
});

type Row = [string, number, unknown, Record<string, string>?];
const cases: Record<ProbeCause, Row[]> = {
  auth: [
    ['openai 401', 401, openai('invalid_request_error', 'invalid_api_key')],
    ['anthropic 401', 401, anthropic('authentication_error')],
    ['vertex 401', 401, google(401, 'UNAUTHENTICATED', 'Request had invalid authentication credentials.')],
    ['azure 401', 401, { error: { code: '401', message: 'Access denied due to invalid subscription key.' } }],
  ],
  permission: [
    [
      'openai 403 region',
      403,
      openai(
        'invalid_request_error',
        'unsupported_country_region_territory',
        'Country, region, or territory not supported',
      ),
    ],
    ['anthropic 403', 403, anthropic('permission_error')],
    ['bedrock 403', 403, bedrock('AccessDeniedException').body, bedrock('AccessDeniedException').headers],
    ['vertex 403', 403, google(403, 'PERMISSION_DENIED', 'Permission denied')],
  ],
  rate_limit: [
    ['openai 429', 429, openai('requests', 'rate_limit_exceeded', 'Rate limit reached for requests')],
    ['anthropic 429', 429, anthropic('rate_limit_error')],
    [
      'vertex 429 retry',
      429,
      google(429, 'RESOURCE_EXHAUSTED', 'Resource has been exhausted (e.g. check quota). Please try again later.'),
    ],
    ['azure 429', 429, { error: { code: '429', message: 'Rate limit is exceeded. Try again in 6 seconds.' } }],
  ],
  throttling: [
    [
      'bedrock 429',
      429,
      bedrock('ThrottlingException', 'Too many requests').body,
      bedrock('ThrottlingException').headers,
    ],
  ],
  quota: [
    [
      'openai insufficient_quota',
      429,
      openai('insufficient_quota', 'insufficient_quota', 'You exceeded your current quota'),
    ],
    ['openai spend limit', 429, openai('insufficient_quota', 'monthly_spend_limit_exceeded')],
    ['anthropic spend limit', 429, anthropic('enforced_spend_limit_reached')],
    [
      'bedrock service quota',
      400,
      bedrock('ServiceQuotaExceededException').body,
      bedrock('ServiceQuotaExceededException').headers,
    ],
    [
      'gemini daily quota',
      429,
      google(
        429,
        'RESOURCE_EXHAUSTED',
        'You exceeded your current quota, please check your plan and billing details.',
        [
          { '@type': 'type.googleapis.com/google.rpc.QuotaFailure' },
          {
            '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
            reason: 'RATE_LIMIT_EXCEEDED',
            metadata: { quota_limit: 'GenerateRequestsPerDayPerProjectPerModel' },
          },
        ],
      ),
    ],
  ],
  billing: [
    ['anthropic 402', 402, anthropic('billing_error', 'Your credit balance is too low')],
    ['openai credit balance', 429, openai('insufficient_quota', 'credit_balance_exhausted')],
  ],
  server_error: [
    ['openai 500', 500, openai('server_error', null)],
    ['openai 503', 503, openai('server_error', 'service_unavailable')],
    ['anthropic 500', 500, anthropic('api_error')],
    ['bedrock 500', 500, bedrock('InternalServerException').body, bedrock('InternalServerException').headers],
    ['bedrock 503', 503, bedrock('ServiceUnavailableException').body, bedrock('ServiceUnavailableException').headers],
    ['bedrock 424', 424, bedrock('ModelErrorException').body, bedrock('ModelErrorException').headers],
    ['vertex 500', 500, google(500, 'INTERNAL', 'Internal error')],
    ['vertex 503', 503, google(503, 'UNAVAILABLE', 'The service is currently unavailable.')],
    ['azure 503', 503, { error: { code: 'ServiceUnavailable', message: 'Service unavailable' } }],
  ],
  overloaded: [
    ['anthropic 529', 529, anthropic('overloaded_error', 'Overloaded')],
    ['bedrock model not ready', 429, bedrock('ModelNotReadyException').body, bedrock('ModelNotReadyException').headers],
    ['vertex overloaded', 503, google(503, 'UNAVAILABLE', 'The model is overloaded. Please try again later.')],
  ],
  timeout: [
    ['anthropic 504', 504, anthropic('timeout_error')],
    ['bedrock 408', 408, bedrock('ModelTimeoutException').body, bedrock('ModelTimeoutException').headers],
    ['vertex 504', 504, google(504, 'DEADLINE_EXCEEDED', 'Deadline exceeded')],
  ],
  model_missing: [
    ['openai 404', 404, openai('invalid_request_error', 'model_not_found')],
    ['anthropic 404', 404, anthropic('not_found_error', 'model: claude-x')],
    ['bedrock 404', 404, bedrock('ResourceNotFoundException').body, bedrock('ResourceNotFoundException').headers],
    ['vertex 404', 404, google(404, 'NOT_FOUND', 'Publisher Model was not found')],
    [
      'azure 404',
      404,
      { error: { code: 'DeploymentNotFound', message: 'The API deployment for this resource does not exist.' } },
    ],
  ],
  bad_request: [['openai 400', 400, openai('invalid_request_error', 'invalid_value')]],
  ok: [],
  slow: [],
  dns: [],
  tcp: [],
  tls: [],
  connection_reset: [],
  unknown: [],
};

describe('probeCause reads each provider’s error dialect', () => {
  const rows = Object.entries(cases).flatMap(([cause, list]) =>
    list.map(([name, status, body, headers]) => [name, status, body, headers ?? {}, cause] as const),
  );
  test.each(rows)('%s → %s', (_name, status, body, headers, cause) => {
    expect(probeCause({ ok: false, status, latencyMs: 50, ...errorDetails(body, headers) })).toBe(cause);
  });
});

describe('client-side failures', () => {
  test.each([
    ['ENOTFOUND', 'dns'],
    ['EAI_AGAIN', 'dns'],
    ['ECONNREFUSED', 'tcp'],
    ['ECONNRESET', 'connection_reset'],
    ['ETIMEDOUT', 'timeout'],
    ['UND_ERR_CONNECT_TIMEOUT', 'timeout'],
    ['UND_ERR_HEADERS_TIMEOUT', 'timeout'],
    ['CERT_HAS_EXPIRED', 'tls'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'tls'],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'tls'],
  ])('%s → %s', (errorCode, cause) => expect(probeCause({ ok: false, errorCode, latencyMs: 1 })).toBe(cause));

  test('success and slow success', () => {
    expect(probeCause({ ok: true, status: 200, latencyMs: 20 })).toBe('ok');
    expect(probeCause({ ok: true, status: 200, latencyMs: 3500 })).toBe('slow');
  });

  test('causes map to the coarse categories and retryability', () => {
    expect(categoryOfCause('billing')).toBe('quota_exceeded');
    expect(categoryOfCause('throttling')).toBe('rate_limit');
    expect(categoryOfCause('tls')).toBe('network');
    expect(categoryOfCause('ok')).toBeNull();
    expect(isRetryable('rate_limit')).toBe(true);
    expect(isRetryable('quota')).toBe(false);
    expect(isRetryable('auth')).toBe(false);
  });
});

describe('rate-limit headers', () => {
  const now = Date.parse('2026-11-02T10:15:00Z');
  test('OpenAI durations', () => {
    expect(parseDuration('6s')).toBe(6000);
    expect(parseDuration('1m30s')).toBe(90_000);
    expect(parseDuration('12ms')).toBe(12);
    expect(parseDuration('2026-11-02T10:15:06Z')).toBeUndefined();
    expect(
      parseRateLimitHeaders(
        {
          'x-ratelimit-limit-requests': '5000',
          'x-ratelimit-remaining-requests': '0',
          'x-ratelimit-reset-requests': '6s',
          'x-ratelimit-remaining-tokens': '799000',
          'retry-after': '6',
          'x-request-id': 'req_9',
        },
        now,
      ),
    ).toEqual({
      requests: { limit: 5000, remaining: 0, resetMs: 6000 },
      tokens: { limit: undefined, remaining: 799000, resetMs: undefined },
      retryAfterMs: 6000,
      requestId: 'req_9',
    });
  });
  test('Anthropic RFC 3339 resets and Azure retry-after-ms', () => {
    const a = parseRateLimitHeaders(
      {
        'anthropic-ratelimit-requests-limit': '50',
        'anthropic-ratelimit-requests-remaining': '0',
        'anthropic-ratelimit-requests-reset': '2026-11-02T10:15:06Z',
      },
      now,
    );
    expect(a.requests).toEqual({ limit: 50, remaining: 0, resetMs: 6000 });
    expect(parseRateLimitHeaders({ 'retry-after-ms': '1500', 'retry-after': '2' }, now).retryAfterMs).toBe(1500);
    expect(parseRateLimitHeaders({}, now)).toEqual({});
  });
});
