// The simulator is the ground truth the demo, probes and classifiers are tested against, so these
// tests pin its wire behaviour: body shapes, statuses, headers, fault control, latency and hangs.
import { Agent, request } from 'undici';
import { faultResponse, startSimulator, type SimFault, type Simulator } from '../../sim';

const OPENAI_KEY = 'sk-test-0123456789abcdef';
const ANTHROPIC_KEY = 'sk-ant-test-0123456789';
const ANTHROPIC_HEADERS = { 'anthropic-version': '2023-06-01', 'content-type': 'application/json' };
const JSON_HEADERS = { 'content-type': 'application/json' };

let sim: Simulator;
const IDS = ['openai', 'anthropic', 'openai-keyed', 'anthropic-keyed'];

beforeAll(async () => {
  sim = await startSimulator({
    providers: [
      { id: 'openai', kind: 'openai' },
      { id: 'anthropic', kind: 'anthropic', models: ['claude-sonnet-4-5', 'claude-haiku-4-5'] },
      { id: 'openai-keyed', kind: 'openai', apiKey: OPENAI_KEY },
      { id: 'anthropic-keyed', kind: 'anthropic', apiKey: ANTHROPIC_KEY },
    ],
  });
});
afterEach(() => IDS.forEach((id) => sim.setFault(id, { mode: 'healthy' })));
afterAll(() => sim.close());

type Res = { status: number; headers: Record<string, string>; body: any; ms: number };

async function call(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: unknown } = {},
): Promise<Res> {
  const started = performance.now();
  const body = init.body === undefined || typeof init.body === 'string' ? init.body : JSON.stringify(init.body);
  const res = await request(url, { method: (init.method ?? 'GET') as 'GET', headers: init.headers, body });
  const text = await res.body.text();
  return {
    status: res.statusCode,
    headers: res.headers as Record<string, string>,
    body: text ? JSON.parse(text) : undefined,
    ms: performance.now() - started,
  };
}

/** One tiny inference call, the way a 1-token probe would make it. */
function infer(id: string, headers: Record<string, string> = {}): Promise<Res> {
  if (id.startsWith('openai')) {
    const body = { model: 'gpt-4o-mini', max_tokens: 1, messages: [{ role: 'user', content: 'ping' }] };
    return call(`${sim.baseUrlFor(id)}/v1/chat/completions`, {
      method: 'POST',
      headers: { ...JSON_HEADERS, ...headers },
      body,
    });
  }
  const body = { model: 'claude-haiku-4-5', max_tokens: 1, messages: [{ role: 'user', content: 'ping' }] };
  return call(`${sim.baseUrlFor(id)}/v1/messages`, {
    method: 'POST',
    headers: { ...ANTHROPIC_HEADERS, ...headers },
    body,
  });
}

/** Waits for a condition driven by the event loop (no fixed sleep); fails after 5 s. */
async function until(cond: () => boolean): Promise<void> {
  const deadline = performance.now() + 5000;
  while (!cond() && performance.now() < deadline) await new Promise((resolve) => setImmediate(resolve));
  expect(cond()).toBe(true);
}

describe('healthy providers', () => {
  test('openai GET /v1/models has the real list shape and rate-limit headroom', async () => {
    const res = await call(`${sim.baseUrlFor('openai')}/v1/models`);
    expect(res.status).toBe(200);
    expect(res.body.object).toBe('list');
    expect(res.body.data.map((m: any) => m.id)).toEqual(['gpt-4o-mini', 'gpt-4o']);
    expect(res.body.data[0]).toEqual({
      id: 'gpt-4o-mini',
      object: 'model',
      created: expect.any(Number),
      owned_by: expect.any(String),
    });
    expect(res.headers['x-request-id']).toMatch(/^req_/);
    expect(Number(res.headers['x-ratelimit-remaining-requests'])).toBeGreaterThan(0);
    expect(Number(res.headers['x-ratelimit-remaining-tokens'])).toBeGreaterThan(0);
  });

  test('anthropic GET /v1/models has the real list shape', async () => {
    const res = await call(`${sim.baseUrlFor('anthropic')}/v1/models`, { headers: ANTHROPIC_HEADERS });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ has_more: false, first_id: 'claude-sonnet-4-5', last_id: 'claude-haiku-4-5' });
    expect(res.body.data[0]).toEqual({
      type: 'model',
      id: 'claude-sonnet-4-5',
      display_name: 'Claude Sonnet 4.5',
      created_at: expect.stringMatching(/Z$/),
    });
    expect(res.headers['request-id']).toMatch(/^req_/);
    expect(Number(res.headers['anthropic-ratelimit-requests-remaining'])).toBeGreaterThan(0);
  });

  test('openai POST /v1/chat/completions returns a chat.completion', async () => {
    const res = await infer('openai');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      object: 'chat.completion',
      model: 'gpt-4o-mini',
      id: expect.stringMatching(/^chatcmpl-/),
    });
    expect(res.body.choices[0]).toMatchObject({
      index: 0,
      finish_reason: 'stop',
      message: { role: 'assistant', content: expect.any(String) },
    });
    const { prompt_tokens, completion_tokens, total_tokens } = res.body.usage;
    expect(total_tokens).toBe(prompt_tokens + completion_tokens);
  });

  test('anthropic POST /v1/messages returns a message', async () => {
    const res = await infer('anthropic');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      type: 'message',
      role: 'assistant',
      model: 'claude-haiku-4-5',
      stop_reason: 'end_turn',
      id: expect.stringMatching(/^msg_/),
    });
    expect(res.body.content).toEqual([{ type: 'text', text: expect.any(String) }]);
    expect(res.body.usage).toMatchObject({ input_tokens: expect.any(Number), output_tokens: 1 });
  });

  test("unknown model is a 404 in each provider's words", async () => {
    const oa = await call(`${sim.baseUrlFor('openai')}/v1/chat/completions`, {
      method: 'POST',
      headers: JSON_HEADERS,
      body: { model: 'gpt-9', messages: [] },
    });
    expect(oa.status).toBe(404);
    expect(oa.body.error).toMatchObject({ type: 'invalid_request_error', code: 'model_not_found' });
    const an = await call(`${sim.baseUrlFor('anthropic')}/v1/messages`, {
      method: 'POST',
      headers: ANTHROPIC_HEADERS,
      body: { model: 'claude-9', max_tokens: 1, messages: [] },
    });
    expect(an.status).toBe(404);
    expect(an.body).toMatchObject({
      type: 'error',
      error: { type: 'not_found_error' },
      request_id: an.headers['request-id'],
    });
  });

  test('each kind serves only its real inference endpoint; malformed bodies get provider-shaped 400s', async () => {
    expect(
      (await call(`${sim.baseUrlFor('openai')}/v1/messages`, { method: 'POST', headers: JSON_HEADERS, body: {} }))
        .status,
    ).toBe(404);
    expect(
      (
        await call(`${sim.baseUrlFor('anthropic')}/v1/chat/completions`, {
          method: 'POST',
          headers: JSON_HEADERS,
          body: {},
        })
      ).status,
    ).toBe(404);
    const noMax = await call(`${sim.baseUrlFor('anthropic')}/v1/messages`, {
      method: 'POST',
      headers: ANTHROPIC_HEADERS,
      body: { model: 'claude-haiku-4-5', messages: [] },
    });
    expect(noMax.status).toBe(400);
    expect(noMax.body.error).toEqual({ type: 'invalid_request_error', message: 'max_tokens: Field required' });
    const badJson = await call(`${sim.baseUrlFor('openai')}/v1/chat/completions`, {
      method: 'POST',
      headers: JSON_HEADERS,
      body: '{"model":',
    });
    expect(badJson.status).toBe(400);
    expect(badJson.body.error).toMatchObject({ type: 'invalid_request_error', param: null });
  });
});

describe('faults', () => {
  // [provider, mode, status, error type, openai code]
  const table: Array<[string, SimFault['mode'], number, string, string | null | undefined]> = [
    ['openai', 'outage', 503, 'server_error', 'service_unavailable'],
    ['openai', 'overloaded', 503, 'server_error', null],
    ['openai', 'rate_limit', 429, 'rate_limit_error', 'rate_limit_exceeded'],
    ['openai', 'quota', 429, 'insufficient_quota', 'insufficient_quota'],
    ['openai', 'billing', 402, 'billing_error', 'credit_balance_exhausted'],
    ['openai', 'auth', 401, 'invalid_request_error', 'invalid_api_key'],
    ['anthropic', 'outage', 500, 'api_error', undefined],
    ['anthropic', 'overloaded', 529, 'overloaded_error', undefined],
    ['anthropic', 'rate_limit', 429, 'rate_limit_error', undefined],
    ['anthropic', 'quota', 429, 'enforced_spend_limit_reached', undefined],
    ['anthropic', 'billing', 402, 'billing_error', undefined],
    ['anthropic', 'auth', 401, 'authentication_error', undefined],
  ];

  // Also pins what tells look-alikes apart: overload vs outage by message (OpenAI: both 503), quota vs
  // rate limit by body only (both 429; only the rate limit invites a retry).
  test.each(table)('%s %s → %i %s', async (id, mode, status, type, code) => {
    sim.setFault(id, { mode });
    for (const res of [await infer(id), await call(`${sim.baseUrlFor(id)}/v1/models`)]) {
      expect(res.status).toBe(status);
      expect(res.headers['retry-after'] !== undefined).toBe(mode === 'rate_limit');
      if (mode === 'overloaded') expect(JSON.stringify(res.body)).toMatch(/overloaded/i);
      if (id === 'openai') {
        expect(res.body).toEqual({ error: { message: expect.any(String), type, param: null, code } });
        expect(res.headers['x-request-id']).toMatch(/^req_/);
      } else {
        expect(res.body).toEqual({
          type: 'error',
          error: { type, message: expect.any(String) },
          request_id: res.headers['request-id'],
        });
      }
    }
  });

  test('openai rate_limit carries retry-after and exhausted x-ratelimit headers', async () => {
    sim.setFault('openai', { mode: 'rate_limit' });
    const { headers } = await infer('openai');
    expect(headers['retry-after']).toBe('6');
    expect(headers['retry-after-ms']).toBe('6000');
    expect(headers['x-ratelimit-remaining-requests']).toBe('0');
    expect(Number(headers['x-ratelimit-limit-requests'])).toBeGreaterThan(0);
    expect(headers['x-ratelimit-reset-requests']).toBe('6s');
    expect(Number(headers['x-ratelimit-limit-tokens'])).toBeGreaterThan(0);
    expect(headers['x-ratelimit-remaining-tokens']).toMatch(/^\d+$/);
    expect(headers['x-ratelimit-reset-tokens']).toMatch(/^\d+(ms|s)$/);
  });

  test('anthropic rate_limit carries retry-after and RFC 3339 resets', async () => {
    sim.setFault('anthropic', { mode: 'rate_limit' });
    const { headers } = await infer('anthropic');
    expect(headers['retry-after']).toBe('6');
    expect(headers['anthropic-ratelimit-requests-remaining']).toBe('0');
    expect(Number(headers['anthropic-ratelimit-requests-limit'])).toBeGreaterThan(0);
    for (const bucket of ['requests', 'tokens', 'input-tokens', 'output-tokens']) {
      expect(headers[`anthropic-ratelimit-${bucket}-reset`]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(headers[`anthropic-ratelimit-${bucket}-limit`]).toMatch(/^\d+$/);
    }
  });

  test('the reset instant is computed from the clock passed in (pure function)', () => {
    const res = faultResponse(
      'anthropic',
      { mode: 'rate_limit' },
      { requestId: 'req_fixed', now: new Date('2026-11-02T10:15:00.400Z') },
    );
    expect(res?.headers['anthropic-ratelimit-requests-reset']).toBe('2026-11-02T10:15:06Z');
    expect(res?.headers['request-id']).toBe('req_fixed');
    expect(faultResponse('openai', { mode: 'hang' }, { requestId: 'req_x', now: new Date() })).toBeUndefined();
  });

  test('latencyMs delays healthy and error responses by at least that long', async () => {
    sim.setFault('openai', { mode: 'healthy', latencyMs: 150 });
    const ok = await infer('openai');
    expect(ok.status).toBe(200);
    expect(ok.ms).toBeGreaterThanOrEqual(150);
    sim.setFault('anthropic', { mode: 'overloaded', latencyMs: 120 });
    const overloaded = await infer('anthropic');
    expect(overloaded.status).toBe(529);
    expect(overloaded.ms).toBeGreaterThanOrEqual(120);
  });

  test('hang never answers: the client hits its headers timeout', async () => {
    sim.setFault('anthropic', { mode: 'hang' });
    const before = sim.stats('anthropic');
    const agent = new Agent({ headersTimeout: 200 });
    try {
      await expect(request(`${sim.baseUrlFor('anthropic')}/v1/models`, { dispatcher: agent })).rejects.toMatchObject({
        code: 'UND_ERR_HEADERS_TIMEOUT',
      });
    } finally {
      await agent.close();
    }
    const after = sim.stats('anthropic');
    expect(after.requests).toBe(before.requests + 1); // it did arrive...
    expect(after.byStatus).toEqual(before.byStatus); // ...and got no answer
  });
});

describe('api keys', () => {
  test('a configured openai key is required as a Bearer token', async () => {
    const none = await infer('openai-keyed');
    expect(none.status).toBe(401);
    expect(none.body.error).toMatchObject({ type: 'invalid_request_error', code: 'invalid_api_key' });
    const wrong = await infer('openai-keyed', { authorization: 'Bearer sk-wrong-0000000000' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.message).not.toContain('sk-wrong-0000000000'); // keys are masked, like the real API
    expect((await infer('openai-keyed', { authorization: `Bearer ${OPENAI_KEY}` })).status).toBe(200);
  });

  test('a configured anthropic key is required in x-api-key', async () => {
    const wrong = await infer('anthropic-keyed', { 'x-api-key': 'nope' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error).toEqual({ type: 'authentication_error', message: 'invalid x-api-key' });
    expect((await infer('anthropic-keyed', { authorization: `Bearer ${ANTHROPIC_KEY}` })).status).toBe(401);
    expect((await infer('anthropic-keyed', { 'x-api-key': ANTHROPIC_KEY })).status).toBe(200);
  });

  test('without a configured key any key is accepted', async () => {
    expect((await infer('openai', { authorization: 'Bearer anything' })).status).toBe(200);
    expect((await infer('anthropic', { 'x-api-key': 'anything' })).status).toBe(200);
  });

  test('outages hit before authentication, account faults after it', async () => {
    sim.setFault('openai-keyed', { mode: 'outage' });
    expect((await infer('openai-keyed')).status).toBe(503);
    sim.setFault('openai-keyed', { mode: 'rate_limit' });
    expect((await infer('openai-keyed')).status).toBe(401);
    expect((await infer('openai-keyed', { authorization: `Bearer ${OPENAI_KEY}` })).status).toBe(429);
  });
});

describe('control plane', () => {
  const faultUrl = (id: string) => `${sim.url}/_sim/${id}/fault`;

  test('PUT /_sim/:provider/fault switches the fault; GET shows fault and stats', async () => {
    const put = await call(faultUrl('anthropic'), {
      method: 'PUT',
      headers: JSON_HEADERS,
      body: { mode: 'overloaded', latencyMs: 5 },
    });
    expect(put.status).toBe(200);
    expect(sim.getFault('anthropic')).toEqual({ mode: 'overloaded', latencyMs: 5 });
    const before = sim.stats('anthropic');
    expect((await infer('anthropic')).status).toBe(529);
    const one = await call(`${sim.url}/_sim/anthropic`);
    expect(one.body).toMatchObject({
      id: 'anthropic',
      kind: 'anthropic',
      fault: { mode: 'overloaded', latencyMs: 5 },
      baseUrl: sim.baseUrlFor('anthropic'),
    });
    expect(one.body.stats.requests).toBe(before.requests + 1);
    expect(one.body.stats.byStatus['529']).toBe((before.byStatus['529'] ?? 0) + 1);
    const all = await call(`${sim.url}/_sim`);
    expect(all.body.providers.map((p: any) => p.id)).toEqual(IDS);
  });

  test('a bad fault body is a 400 naming the field and changes nothing', async () => {
    const badMode = await call(faultUrl('openai'), {
      method: 'PUT',
      headers: JSON_HEADERS,
      body: { mode: 'exploded' },
    });
    expect(badMode.status).toBe(400);
    expect(Object.keys(badMode.body.fieldErrors)).toEqual(['mode']);
    const badLatency = await call(faultUrl('openai'), {
      method: 'PUT',
      headers: JSON_HEADERS,
      body: { mode: 'hang', latencyMs: -1 },
    });
    expect(badLatency.status).toBe(400);
    expect(Object.keys(badLatency.body.fieldErrors)).toEqual(['latencyMs']);
    const typo = await call(faultUrl('openai'), {
      method: 'PUT',
      headers: JSON_HEADERS,
      body: { mode: 'hang', latencyMS: 10 },
    });
    expect(typo.status).toBe(400);
    expect(typo.body.formErrors.join()).toContain('latencyMS');
    expect(sim.getFault('openai')).toEqual({ mode: 'healthy' });
    expect(() => sim.setFault('openai', { mode: 'exploded' } as unknown as SimFault)).toThrow(/mode/);
  });

  test('unknown providers are 404 on the control plane and the API', async () => {
    expect(
      (await call(faultUrl('nope'), { method: 'PUT', headers: JSON_HEADERS, body: { mode: 'healthy' } })).status,
    ).toBe(404);
    expect((await call(`${sim.url}/_sim/nope`)).status).toBe(404);
    expect((await call(`${sim.url}/nope/v1/models`)).status).toBe(404);
    expect(() => sim.baseUrlFor('nope')).toThrow(/nope/);
  });

  test('provider ids must be unique path segments that cannot shadow /_sim', async () => {
    await expect(startSimulator({ providers: [{ id: '_sim', kind: 'openai' }] })).rejects.toThrow(/invalid/);
    await expect(
      startSimulator({
        providers: [
          { id: 'a', kind: 'openai' },
          { id: 'a', kind: 'anthropic' },
        ],
      }),
    ).rejects.toThrow(/duplicate/);
  });
});

test('close() returns promptly with hung and long-delayed requests open', async () => {
  const own = await startSimulator({
    providers: [
      { id: 'h', kind: 'openai' },
      { id: 'slow', kind: 'anthropic' },
    ],
  });
  own.setFault('h', { mode: 'hang' });
  own.setFault('slow', { mode: 'healthy', latencyMs: 600_000 });
  const hung = request(`${own.baseUrlFor('h')}/v1/models`);
  const slow = request(`${own.baseUrlFor('slow')}/v1/models`);
  const outcomes = Promise.allSettled([hung, slow]);
  await until(() => own.stats('h').requests === 1 && own.stats('slow').requests === 1);

  let timer: NodeJS.Timeout | undefined;
  // The requests would stay open for 600 s (and forever): 30 s is far from both yet roomy on a loaded machine.
  const tooLate = new Promise((resolve) => (timer = setTimeout(resolve, 30_000, 'still open')));
  const result = await Promise.race([own.close().then(() => 'closed'), tooLate]);
  clearTimeout(timer);
  expect(result).toBe('closed');
  const settled = await outcomes;
  expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected']); // the sockets were cut, not answered
});
