// SigV4-signed Bedrock probes against local AWS-like endpoints (control plane and runtime, both on
// 127.0.0.1) that verify every signature server-side with an independent implementation (aws4, not the
// @smithy signer lifeline uses): the signature must cover the host, the exact body bytes and the date
// that arrived. A wrong secret, an unknown key and a denying policy are answered the way AWS does (403 +
// x-amzn-errortype) and must come out as authentication failures.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import aws4 from 'aws4';
import pino from 'pino';
import type { Client } from '@temporalio/client';
import { probeProvider } from '../../activities/probe';
import { modelChecks, credentialsCheck } from '../../activities/diagnostics/api';
import { createDiagnoseActivities } from '../../activities/diagnose';
import { alertKindFor } from '../../domain/classify';
import { signSigV4 } from '../../activities/cloud-auth/sigv4';
import { parseConfig } from '../../config/load';
import type { ProviderConfig } from '../../config/schema';

const REGION = 'us-east-1';
const GOOD = { accessKeyId: 'AKIDLIFELINETEST0001', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
const DENIED = { accessKeyId: 'AKIDLIFELINEDENIED01', secretAccessKey: 'deniedSecretKey/0123456789abcdefghijklmn' };
/** What the fake IAM knows: access key → secret (and whether policy allows bedrock:*). */
const IAM = new Map([
  [GOOD.accessKeyId, { secret: GOOD.secretAccessKey, allowed: true }],
  [DENIED.accessKeyId, { secret: DENIED.secretAccessKey, allowed: false }],
]);
const SESSION_TOKEN = 'FwoGZXIvYXdzEXAMPLEsessiontoken//+==';
const MODEL = 'anthropic.claude-3-5-haiku-20241022-v1:0';

interface Seen {
  plane: 'control' | 'runtime';
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  verdict: string;
}
const seen: Seen[] = [];

/** Recomputes the signature of a received request with aws4, from the headers it says it signed. */
function verify(
  req: IncomingMessage,
  body: string,
): { ok: true } | { ok: false; status: number; type: string; message: string } {
  const auth = req.headers.authorization ?? '';
  const m =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(
      auth,
    );
  if (!m)
    return { ok: false, status: 403, type: 'IncompleteSignatureException', message: 'Authorization header malformed' };
  const [, accessKeyId, day, region, service, signedList, signature] = m;
  const user = IAM.get(accessKeyId);
  if (!user)
    return {
      ok: false,
      status: 403,
      type: 'UnrecognizedClientException',
      message: 'The security token included in the request is invalid.',
    };
  const signed = signedList.split(';');
  const amzDate = String(req.headers['x-amz-date'] ?? '');
  const skewMs = Math.abs(
    Date.now() - Date.parse(amzDate.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z')),
  );
  if (!(skewMs < 5 * 60_000) || !amzDate.startsWith(day))
    return { ok: false, status: 403, type: 'InvalidSignatureException', message: 'Signature expired or date mismatch' };
  // The signature must cover the host and (for a body) its length and type, as they arrived.
  const required = ['host', 'x-amz-date', ...(body ? ['content-length', 'content-type'] : [])];
  if (required.some((h) => !signed.includes(h)))
    return {
      ok: false,
      status: 403,
      type: 'InvalidSignatureException',
      message: `unsigned: ${required.filter((h) => !signed.includes(h)).join(',')}`,
    };
  const headers = Object.fromEntries(signed.map((h) => [h, String(req.headers[h] ?? '')]));
  const token = req.headers['x-amz-security-token'];
  const recomputed = aws4.sign(
    {
      host: String(req.headers.host),
      method: req.method,
      path: req.url,
      service,
      region,
      headers,
      body: body || undefined,
    },
    { accessKeyId, secretAccessKey: user.secret, ...(typeof token === 'string' ? { sessionToken: token } : {}) },
  );
  const expected = /Signature=([0-9a-f]{64})/.exec(String(recomputed.headers!.Authorization))![1];
  const expectedList = /SignedHeaders=([^,]+)/.exec(String(recomputed.headers!.Authorization))![1];
  if (expected !== signature || expectedList !== signedList || service !== 'bedrock' || region !== REGION) {
    return {
      ok: false,
      status: 403,
      type: 'InvalidSignatureException',
      message:
        'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.',
    };
  }
  if (!user.allowed)
    return {
      ok: false,
      status: 403,
      type: 'AccessDeniedException',
      message: `User: arn:aws:iam::123456789012:user/probe is not authorized to perform: bedrock:InvokeModel`,
    };
  return { ok: true };
}

function bedrockServer(plane: Seen['plane']): Server {
  return createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      const v = verify(req, body);
      seen.push({ plane, method: req.method!, url: req.url!, headers: req.headers, verdict: v.ok ? 'ok' : v.type });
      if (!v.ok) {
        res.writeHead(v.status, {
          'content-type': 'application/json',
          'x-amzn-errortype': `${v.type}:http://internal.amazon.com/coral/com.amazon.coral.service/`,
        });
        return res.end(JSON.stringify({ message: v.message }));
      }
      const url = req.url!;
      const reply = (status: number, b: unknown, type?: string) => {
        res.writeHead(status, { 'content-type': 'application/json', ...(type ? { 'x-amzn-errortype': type } : {}) });
        res.end(JSON.stringify(b));
      };
      if (plane === 'control' && req.method === 'GET' && url === '/foundation-models')
        return reply(200, { modelSummaries: [{ modelId: MODEL }] });
      if (plane === 'control' && req.method === 'GET' && url === `/foundation-models/${encodeURIComponent(MODEL)}`)
        return reply(200, { modelDetails: { modelId: MODEL } });
      if (plane === 'control' && req.method === 'GET' && url.startsWith('/inference-profiles/us.'))
        return reply(200, { inferenceProfileId: decodeURIComponent(url.split('/')[2]) });
      if (plane === 'runtime' && req.method === 'POST' && url === `/model/${encodeURIComponent(MODEL)}/converse`) {
        const parsed = JSON.parse(body) as { inferenceConfig?: { maxTokens?: number } };
        return reply(200, {
          output: { message: { role: 'assistant', content: [{ text: 'p' }] } },
          usage: { outputTokens: parsed.inferenceConfig?.maxTokens },
        });
      }
      reply(
        404,
        { message: 'Could not resolve the foundation model from the provided model identifier.' },
        'ResourceNotFoundException',
      );
    });
  });
}

let control: Server;
let runtime: Server;
let controlUrl: string;
let runtimeUrl: string;

const listen = (s: Server) =>
  new Promise<string>((r) =>
    s.listen(0, '127.0.0.1', () => r(`http://127.0.0.1:${(s.address() as AddressInfo).port}`)),
  );

beforeAll(async () => {
  control = bedrockServer('control');
  runtime = bedrockServer('runtime');
  controlUrl = await listen(control);
  runtimeUrl = await listen(runtime);
});
afterAll(async () => {
  for (const s of [control, runtime]) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});
beforeEach(() => (seen.length = 0));

const envFor = (c: { accessKeyId: string; secretAccessKey: string }, extra: Record<string, string> = {}) => ({
  AWS_ACCESS_KEY_ID: c.accessKeyId,
  AWS_SECRET_ACCESS_KEY: c.secretAccessKey,
  ...extra,
});

function provider(extra = ''): ProviderConfig {
  return parseConfig(`
providers:
  - id: bedrock
    kind: bedrock
    baseUrl: "${controlUrl}"
    runtimeBaseUrl: "${runtimeUrl}"
    auth: { type: sigv4, region: ${REGION}${extra} }
    models: ["${MODEL}"]
    probe: { timeoutMs: 2000 }
`).providers[0];
}

test('metadata probe: signed ListFoundationModels on the control plane, verified by aws4', async () => {
  const r = await probeProvider(provider(), controlUrl, { env: envFor(GOOD) });
  expect(r).toMatchObject({ ok: true, status: 200, cause: 'ok', type: 'metadata' });
  expect(seen).toEqual([
    expect.objectContaining({ plane: 'control', method: 'GET', url: '/foundation-models', verdict: 'ok' }),
  ]);
  expect(seen[0].headers.authorization).toMatch(
    /Credential=AKIDLIFELINETEST0001\/\d{8}\/us-east-1\/bedrock\/aws4_request/,
  );
  expect(JSON.stringify(r)).not.toContain(GOOD.secretAccessKey);
});

test('inference probe: signed Converse on the runtime host, model ID with ":" double-encoded in the canonical path', async () => {
  const r = await probeProvider(provider(), controlUrl, { env: envFor(GOOD), type: 'inference', model: MODEL });
  expect(r).toMatchObject({ ok: true, status: 200, cause: 'ok', type: 'inference' });
  expect(seen).toEqual([
    expect.objectContaining({
      plane: 'runtime',
      method: 'POST',
      url: '/model/anthropic.claude-3-5-haiku-20241022-v1%3A0/converse',
      verdict: 'ok',
    }),
  ]);
  const signed = /SignedHeaders=([^,]+)/.exec(String(seen[0].headers.authorization))![1].split(';');
  expect(signed).toEqual(
    expect.arrayContaining(['host', 'content-length', 'content-type', 'x-amz-date', 'x-amz-content-sha256']),
  );
  expect(seen[0].headers.host).toBe(new URL(runtimeUrl).host);
});

test('temporary credentials: the session token is sent and signed', async () => {
  const p = provider(', sessionTokenEnv: AWS_SESSION_TOKEN');
  const r = await probeProvider(p, controlUrl, { env: envFor(GOOD, { AWS_SESSION_TOKEN: SESSION_TOKEN }) });
  expect(r).toMatchObject({ ok: true, status: 200 });
  expect(seen[0].headers['x-amz-security-token']).toBe(SESSION_TOKEN);
  expect(String(seen[0].headers.authorization)).toContain('x-amz-security-token');
  expect(seen[0].verdict).toBe('ok');
});

test('a wrong secret is refused by the verifier (403 InvalidSignatureException) and classified auth', async () => {
  const wrong = { ...GOOD, secretAccessKey: GOOD.secretAccessKey.replace(/.$/, 'X') };
  const r = await probeProvider(provider(), controlUrl, { env: envFor(wrong), type: 'inference', model: MODEL });
  expect(seen[0].verdict).toBe('InvalidSignatureException');
  expect(r).toMatchObject({
    ok: false,
    status: 403,
    errorType: 'invalidsignatureexception',
    cause: 'auth',
    category: 'authentication',
  });
  expect(alertKindFor(r.category)).toBe('auth');
  expect(credentialsCheck(r, 'primary')).toMatchObject({ status: 'failed', suggests: 'authentication' });
  expect(JSON.stringify(r)).not.toContain(wrong.secretAccessKey);
});

test('an unknown key is UnrecognizedClientException (auth); a denying policy is AccessDeniedException (permission)', async () => {
  const unknown = await probeProvider(provider(), controlUrl, {
    env: envFor({ accessKeyId: 'AKIDNOBODYKNOWS00000', secretAccessKey: 'x'.repeat(40) }),
  });
  expect(unknown).toMatchObject({
    status: 403,
    errorType: 'unrecognizedclientexception',
    cause: 'auth',
    category: 'authentication',
  });
  const denied = await probeProvider(provider(), controlUrl, { env: envFor(DENIED) });
  expect(denied).toMatchObject({
    status: 403,
    errorType: 'accessdeniedexception',
    cause: 'permission',
    category: 'authentication',
  });
  expect(alertKindFor(denied.category)).toBe('auth');
});

test('unset credentials fail the probe as auth without sending anything', async () => {
  const r = await probeProvider(provider(), controlUrl, { env: { AWS_ACCESS_KEY_ID: GOOD.accessKeyId } });
  expect(r).toMatchObject({ ok: false, cause: 'auth', category: 'authentication', errorType: 'credentials_missing' });
  expect(r.message).toContain('AWS_SECRET_ACCESS_KEY');
  expect(r.status).toBeUndefined();
  expect(seen).toHaveLength(0);
  expect(credentialsCheck(r, 'primary')).toMatchObject({ status: 'failed', suggests: 'authentication' });
});

test('model checks: signed GetFoundationModel / GetInferenceProfile; an unknown model is a 404', async () => {
  const p = parseConfig(`
providers:
  - { id: bedrock, kind: bedrock, baseUrl: "${controlUrl}", auth: { type: sigv4, region: ${REGION} }, models: ["${MODEL}", "us.anthropic.claude-sonnet-4-20250514-v1:0", "meta.retired-v1:0"] }
`).providers[0];
  const checks = await modelChecks(p, controlUrl, envFor(GOOD));
  expect(checks.map((c) => [c.name, c.status])).toEqual([
    [`model:${MODEL}`, 'passed'],
    ['model:us.anthropic.claude-sonnet-4-20250514-v1:0', 'passed'],
    ['model:meta.retired-v1:0', 'failed'],
  ]);
  expect(checks[2]).toMatchObject({ suggests: 'model_unavailable' });
  expect(seen.every((s) => s.verdict === 'ok' && s.plane === 'control')).toBe(true);
  expect(seen.map((s) => s.url)).toEqual(
    expect.arrayContaining(['/inference-profiles/us.anthropic.claude-sonnet-4-20250514-v1%3A0']),
  );
});

test('diagnosis of a provider whose secret is wrong: the root cause is authentication', async () => {
  const yaml = `
providers:
  - { id: bedrock, kind: bedrock, baseUrl: "${controlUrl}", runtimeBaseUrl: "${runtimeUrl}", auth: { type: sigv4, region: ${REGION} }, models: ["${MODEL}"], probe: { timeoutMs: 2000 } }
`;
  const diagnose = createDiagnoseActivities({
    config: parseConfig(yaml),
    client: {} as Client,
    logger: pino({ level: 'silent' }),
    baseUrlFor: () => controlUrl,
    env: envFor({ ...GOOD, secretAccessKey: 'not-the-secret-at-all-0000000000000000000' }),
  });
  const d = await diagnose.diagnoseProvider('bedrock');
  expect(d.rootCause).toBe('authentication');
  expect(d.checks.find((c) => c.name === 'credentials_primary')).toMatchObject({ status: 'failed' });
  expect(JSON.stringify(d)).not.toContain('not-the-secret-at-all');
});

test('[figures] signing cost per request', async () => {
  const req = {
    method: 'POST',
    url: `${runtimeUrl}/model/${encodeURIComponent(MODEL)}/converse`,
    headers: { 'content-type': 'application/json' },
    body: '{"messages":[]}',
  };
  const n = 200;
  const started = performance.now();
  for (let i = 0; i < n; i++) await signSigV4(req, GOOD, REGION);
  const perMs = (performance.now() - started) / n;
  const h = await signSigV4(req, GOOD, REGION);
  expect(h.authorization).toMatch(/^AWS4-HMAC-SHA256 /);
  console.log(`[figures] sigv4 signing: ${(perMs * 1000).toFixed(0)} µs per request (mean of ${n}, loaded machine)`);
});
