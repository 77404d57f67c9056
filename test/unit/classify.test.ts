import { alertKindFor, classifyObservation, errorTypeFromBody } from '../../domain/classify';

const fail = (status: number, body?: unknown) => ({ ok: false, status, latencyMs: 10, ...errorTypeFromBody(body) });

describe('classifyObservation reads the body, not just the status', () => {
  test.each([
    [
      'openai 429 rate limit',
      fail(429, { error: { type: 'rate_limit_error', code: 'rate_limit_exceeded', message: 'slow down' } }),
      'rate_limit',
    ],
    [
      'openai 429 exhausted quota',
      fail(429, { error: { type: 'insufficient_quota', code: 'insufficient_quota', message: 'quota' } }),
      'quota_exceeded',
    ],
    [
      'anthropic 429 spend limit',
      fail(429, { type: 'error', error: { type: 'enforced_spend_limit_reached', message: 'limit' } }),
      'quota_exceeded',
    ],
    [
      'anthropic 402 billing',
      fail(402, { type: 'error', error: { type: 'billing_error', message: 'pay' } }),
      'quota_exceeded',
    ],
    [
      'anthropic 529 overloaded',
      fail(529, { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }),
      'overloaded',
    ],
    [
      'vertex 429 exhausted quota',
      fail(429, { error: { code: 429, status: 'RESOURCE_EXHAUSTED', message: 'You exceeded your current quota' } }),
      'quota_exceeded',
    ],
    [
      'vertex 429 try later',
      fail(429, { error: { code: 429, status: 'RESOURCE_EXHAUSTED', message: 'Resource exhausted, try again later' } }),
      'rate_limit',
    ],
    ['401', fail(401, { error: { type: 'invalid_request_error', code: 'invalid_api_key' } }), 'authentication'],
    ['403', fail(403), 'authentication'],
    ['404 model', fail(404, { error: { code: 'model_not_found' } }), 'model_unavailable'],
    ['503', fail(503, { error: { type: 'server_error', code: 'service_unavailable' } }), 'provider_outage'],
    ['504', fail(504), 'latency'],
    ['refused', { ok: false, errorCode: 'ECONNREFUSED', latencyMs: 1 }, 'network'],
    ['dns', { ok: false, errorCode: 'ENOTFOUND', latencyMs: 1 }, 'network'],
    ['expired cert', { ok: false, errorCode: 'CERT_HAS_EXPIRED', latencyMs: 1 }, 'network'],
    ['hang', { ok: false, errorCode: 'UND_ERR_HEADERS_TIMEOUT', latencyMs: 5000 }, 'latency'],
  ])('%s', (_name, obs, expected) => {
    expect(classifyObservation(obs)).toBe(expected);
  });

  test('a healthy but slow answer is a latency problem; a fast one is none', () => {
    expect(classifyObservation({ ok: true, status: 200, latencyMs: 3500 })).toBe('latency');
    expect(classifyObservation({ ok: true, status: 200, latencyMs: 35 })).toBeNull();
  });

  test('alert kinds for probe failures', () => {
    expect(alertKindFor('quota_exceeded')).toBe('quota');
    expect(alertKindFor('provider_outage')).toBe('outage');
    expect(alertKindFor(null)).toBe('outage');
  });
});
