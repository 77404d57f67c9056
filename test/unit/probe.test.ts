// Probes against a local HTTP server: the request each provider kind sends, phase timings, the cause
// read from the body, rate-limit headers kept, and the key never echoed in the result.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { probeProvider } from '../../activities/probe';
import type { ProviderConfig } from '../../config/schema';
import { parseConfig } from '../../config/load';

let server: Server;
let url: string;
const seen: { method: string; url: string; headers: IncomingMessage['headers']; body: string }[] = [];
let respond: (
  req: IncomingMessage,
) => { status: number; headers?: Record<string, string>; body?: unknown } | 'hang' = () => ({
  status: 200,
  body: { data: [] },
});

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      const r = respond(req);
      if (r === 'hang') return;
      res.writeHead(r.status, { 'content-type': 'application/json', ...r.headers });
      res.end(JSON.stringify(r.body ?? {}));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://localhost:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const KEY = 'sk-test-secret-123';
const env = { PROBE_KEY: KEY };
const provider = (kind: ProviderConfig['kind'], models = ['m-1']): ProviderConfig =>
  parseConfig(
    `providers: [{ id: p, kind: ${kind}, baseUrl: "https://example.invalid", apiKeyEnv: PROBE_KEY, models: [${models.join(',')}], probe: { intervalMs: 1000, timeoutMs: 400 } }]`,
  ).providers[0];

test.each([
  ['openai', 'metadata', 'GET', '/v1/models', 'authorization', `Bearer ${KEY}`],
  ['openai-compatible', 'inference', 'POST', '/v1/chat/completions', 'authorization', `Bearer ${KEY}`],
  ['anthropic', 'metadata', 'GET', '/v1/models', 'x-api-key', KEY],
  ['anthropic', 'inference', 'POST', '/v1/messages', 'x-api-key', KEY],
  ['azure-openai', 'metadata', 'GET', '/openai/models?api-version=2024-10-21', 'api-key', KEY],
  [
    'azure-openai',
    'inference',
    'POST',
    '/openai/deployments/m-1/chat/completions?api-version=2024-10-21',
    'api-key',
    KEY,
  ],
  ['vertex', 'metadata', 'GET', '/v1beta/models?pageSize=1', 'x-goog-api-key', KEY],
  ['vertex', 'inference', 'POST', '/v1beta/models/m-1:generateContent', 'x-goog-api-key', KEY],
  ['bedrock', 'metadata', 'GET', '/foundation-models', 'authorization', `Bearer ${KEY}`],
  ['bedrock', 'inference', 'POST', '/model/m-1/converse', 'authorization', `Bearer ${KEY}`],
] as const)('%s %s probe: %s %s', async (kind, type, method, path, header, value) => {
  respond = () => ({ status: 200, body: {} });
  seen.length = 0;
  const r = await probeProvider(provider(kind), url, { env, type, model: type === 'inference' ? 'm-1' : undefined });
  expect(r).toMatchObject({ ok: true, status: 200, cause: 'ok', category: null, type });
  expect(seen[0]).toMatchObject({ method, url: path });
  expect(seen[0].headers[header]).toBe(value);
  if (type === 'inference') expect(seen[0].body).toMatch(/"max_?[tT]okens"\s*:\s*1|"maxOutputTokens":1/);
  expect(JSON.stringify(r)).not.toContain(KEY);
});

test('per-phase timings are measured and ordered', async () => {
  respond = () => ({ status: 200, body: {} });
  const r = await probeProvider(provider('openai'), url, { env });
  expect(r.timings.dnsMs).toBeGreaterThanOrEqual(0);
  expect(r.timings.connectMs).toBeGreaterThanOrEqual(0);
  expect(r.timings.tlsMs).toBeUndefined(); // plain http
  expect(r.timings.ttfbMs).toBeGreaterThanOrEqual((r.timings.dnsMs ?? 0) + (r.timings.connectMs ?? 0) - 1);
  expect(r.timings.totalMs).toBeGreaterThanOrEqual(r.timings.ttfbMs!);
});

test('a 429 quota body is quota, with rate-limit headers kept and parsed', async () => {
  respond = () => ({
    status: 429,
    headers: {
      'x-ratelimit-remaining-requests': '0',
      'x-ratelimit-reset-requests': '6s',
      'retry-after': '6',
      'x-request-id': 'req_1',
    },
    body: {
      error: { type: 'insufficient_quota', code: 'insufficient_quota', message: 'You exceeded your current quota' },
    },
  });
  const r = await probeProvider(provider('openai'), url, { env });
  expect(r).toMatchObject({ ok: false, status: 429, cause: 'quota', category: 'quota_exceeded' });
  expect(r.rateLimit).toMatchObject({ 'retry-after': '6', 'x-ratelimit-remaining-requests': '0' });
  expect(r.rateLimitInfo).toMatchObject({
    requests: { remaining: 0, resetMs: 6000 },
    retryAfterMs: 6000,
    requestId: 'req_1',
  });
});

test('Bedrock throttling is read from x-amzn-ErrorType', async () => {
  respond = () => ({
    status: 429,
    headers: { 'x-amzn-errortype': 'ThrottlingException:http://internal.amazon.com/' },
    body: { message: 'Too many requests, please wait' },
  });
  const r = await probeProvider(provider('bedrock'), url, { env, type: 'inference', model: 'anthropic.claude' });
  expect(r).toMatchObject({ cause: 'throttling', category: 'rate_limit', errorType: 'throttlingexception' });
});

test('a hang is a timeout, a closed port is a TCP failure', async () => {
  respond = () => 'hang';
  const hung = await probeProvider(provider('anthropic'), url, { env });
  expect(hung).toMatchObject({ ok: false, cause: 'timeout', category: 'latency' });
  expect(hung.latencyMs).toBeGreaterThanOrEqual(350);
  const refused = await probeProvider(provider('openai'), 'http://127.0.0.1:1', { env });
  expect(refused).toMatchObject({ ok: false, errorCode: 'ECONNREFUSED', cause: 'tcp', category: 'network' });
});
