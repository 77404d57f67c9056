// Vertex AI probes with a service account, against a local Google-like token endpoint and a local
// Vertex-like endpoint (both 127.0.0.1). The token endpoint verifies the JWT-bearer assertion itself
// (RS256 with node:crypto against the public half of a key pair made here, not with the library that
// signed it) and checks iss/scope/aud/iat/exp; the Vertex endpoint accepts only tokens it issued and that
// have not expired. Both run on the test's clock, so caching and refresh are checked without waiting.
import { createPublicKey, generateKeyPairSync, verify as verifySignature, type KeyObject } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { probeProvider } from '../../activities/probe';
import { GoogleTokenCache } from '../../activities/cloud-auth/google-token';
import { credentialsCheck, modelChecks, probeCheck } from '../../activities/diagnostics/api';
import { alertKindFor } from '../../domain/classify';
import { parseConfig } from '../../config/load';
import type { ProviderConfig } from '../../config/schema';
import { waitFor } from '../helpers/wait';

const PROJECT = 'lifeline-probes';
const LOCATION = 'us-central1';
const MODEL = 'gemini-2.0-flash-001';
const SCOPE = 'https://www.googleapis.com/auth/cloud-platform';
const EMAIL = 'prober@lifeline-probes.iam.gserviceaccount.com';

const pair = () => generateKeyPairSync('rsa', { modulusLength: 2048 });
const registered = pair();
const stranger = pair(); // a key Google has never seen for this account
const keyJson = (privateKey: KeyObject, id = 'kid-1') =>
  JSON.stringify({
    type: 'service_account',
    project_id: PROJECT,
    private_key_id: id,
    private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }),
    client_email: EMAIL,
    token_uri: 'https://oauth2.googleapis.com/token',
  });

let clock = Date.parse('2026-11-02T10:00:00Z');
const publicKeys = new Map<string, KeyObject>([['kid-1', createPublicKey(registered.privateKey)]]);
const issued = new Map<string, number>(); // token → expiry (test clock)
const vertexSeen: { url: string; token?: string }[] = [];
let mintRequests = 0;
let tokenUrl: string;
let vertexUrl: string;
let token: Server;
let vertex: Server;

const b64json = (s: string) => JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as Record<string, unknown>;

/** What Google's token endpoint checks of a JWT-bearer assertion (RFC 7523), on the test clock. */
function checkAssertion(form: URLSearchParams): string | undefined {
  if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') return 'unsupported_grant_type';
  const [h, p, s] = (form.get('assertion') ?? '').split('.');
  if (!s) return 'invalid_request';
  const header = b64json(h);
  const claims = b64json(p);
  const key = publicKeys.get(String(header.kid));
  if (header.alg !== 'RS256' || !key) return 'invalid_grant';
  if (!verifySignature('RSA-SHA256', Buffer.from(`${h}.${p}`), key, Buffer.from(s, 'base64url')))
    return 'invalid_grant';
  const now = Math.floor(clock / 1000);
  const iat = Number(claims.iat);
  const exp = Number(claims.exp);
  if (claims.iss !== EMAIL || claims.aud !== tokenUrl || claims.scope !== SCOPE) return 'invalid_grant';
  if (!(Math.abs(iat - now) <= 60 && exp > now && exp - iat <= 3600)) return 'invalid_grant';
  return undefined;
}

const listen = (s: Server) =>
  new Promise<string>((r) =>
    s.listen(0, '127.0.0.1', () => r(`http://127.0.0.1:${(s.address() as AddressInfo).port}`)),
  );

beforeAll(async () => {
  token = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      mintRequests++;
      res.setHeader('content-type', 'application/json');
      const error =
        req.headers['content-type'] === 'application/x-www-form-urlencoded'
          ? checkAssertion(new URLSearchParams(body))
          : 'invalid_request';
      if (error) {
        res.statusCode = 400;
        return res.end(JSON.stringify({ error, error_description: 'Invalid JWT Signature.' }));
      }
      const t = `ya29.test-token-${mintRequests}`;
      issued.set(t, clock + 3600_000);
      res.end(JSON.stringify({ access_token: t, expires_in: 3599, token_type: 'Bearer' }));
    });
  });
  vertex = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const t = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      vertexSeen.push({ url: req.url!, token: t });
      res.setHeader('content-type', 'application/json');
      const expiry = t ? issued.get(t) : undefined;
      if (expiry === undefined || expiry <= clock) {
        res.statusCode = 401;
        return res.end(
          JSON.stringify({
            error: { code: 401, message: 'Request had invalid authentication credentials.', status: 'UNAUTHENTICATED' },
          }),
        );
      }
      const base = `/v1/projects/${PROJECT}/locations/${LOCATION}/publishers/google/models/${MODEL}`;
      if (req.method === 'POST' && req.url === `${base}:countTokens`)
        return res.end(JSON.stringify({ totalTokens: 1 }));
      if (req.method === 'POST' && req.url === `${base}:generateContent`)
        return res.end(JSON.stringify({ candidates: [{ content: { parts: [{ text: 'p' }] } }] }));
      if (req.method === 'GET' && req.url === `/v1beta1/publishers/google/models/${MODEL}`)
        return res.end(JSON.stringify({ name: `publishers/google/models/${MODEL}` }));
      res.statusCode = 404;
      res.end(JSON.stringify({ error: { code: 404, message: 'Publisher model not found.', status: 'NOT_FOUND' } }));
    });
  });
  tokenUrl = `${await listen(token)}/token`;
  vertexUrl = await listen(vertex);
});
afterAll(async () => {
  for (const s of [token, vertex]) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});
beforeEach(() => {
  vertexSeen.length = 0;
  mintRequests = 0;
});

function provider(authExtra = 'credentialsEnv: GOOGLE_APPLICATION_CREDENTIALS_JSON', models = [MODEL]): ProviderConfig {
  return parseConfig(`
providers:
  - id: vertex
    kind: vertex
    baseUrl: "${vertexUrl}"
    project: ${PROJECT}
    location: ${LOCATION}
    auth: { type: google-service-account, ${authExtra}, tokenUrl: "${tokenUrl}" }
    models: [${models.join(', ')}]
    probe: { timeoutMs: 2000 }
`).providers[0];
}
const env = { GOOGLE_APPLICATION_CREDENTIALS_JSON: keyJson(registered.privateKey) };
const cache = () => new GoogleTokenCache({ now: () => clock });

test('metadata (countTokens) and inference (generateContent) probes on Vertex AI paths with a minted Bearer token', async () => {
  const tokens = cache();
  const meta = await probeProvider(provider(), vertexUrl, { env, googleTokens: tokens });
  const inf = await probeProvider(provider(), vertexUrl, {
    env,
    googleTokens: tokens,
    type: 'inference',
    model: MODEL,
  });
  expect(meta).toMatchObject({ ok: true, status: 200, cause: 'ok', type: 'metadata' });
  expect(inf).toMatchObject({ ok: true, status: 200, cause: 'ok', type: 'inference' });
  expect(vertexSeen.map((s) => s.url)).toEqual([
    `/v1/projects/${PROJECT}/locations/${LOCATION}/publishers/google/models/${MODEL}:countTokens`,
    `/v1/projects/${PROJECT}/locations/${LOCATION}/publishers/google/models/${MODEL}:generateContent`,
  ]);
  expect(vertexSeen[0].token).toMatch(/^ya29\.test-token-/);
  for (const r of [meta, inf]) {
    expect(JSON.stringify(r)).not.toContain('ya29.');
    expect(JSON.stringify(r)).not.toContain('PRIVATE KEY');
  }
});

test('one mint serves many probes, concurrent ones included', async () => {
  const tokens = cache();
  const p = provider();
  const burst = await Promise.all(
    Array.from({ length: 10 }, (_, i) =>
      probeProvider(p, vertexUrl, {
        env,
        googleTokens: tokens,
        ...(i % 2 ? { type: 'inference' as const, model: MODEL } : {}),
      }),
    ),
  );
  for (let i = 0; i < 10; i++) {
    clock += 1000; // a probe a second
    burst.push(await probeProvider(p, vertexUrl, { env, googleTokens: tokens }));
  }
  expect(burst.every((r) => r.ok)).toBe(true);
  expect(mintRequests).toBe(1);
  expect(tokens.mints).toBe(1);
  expect(new Set(vertexSeen.map((s) => s.token)).size).toBe(1);
  console.log(`[figures] vertex oauth: ${burst.length} probes, ${mintRequests} token mint(s)`);
});

test('the token is refreshed shortly before expiry, and re-minted at once when it has expired', async () => {
  const tokens = cache();
  const p = provider();
  await probeProvider(p, vertexUrl, { env, googleTokens: tokens });
  const first = vertexSeen.at(-1)!.token;
  clock += 56 * 60_000; // inside the last 5 minutes: the old token still serves, a new one is minted meanwhile
  expect(await probeProvider(p, vertexUrl, { env, googleTokens: tokens })).toMatchObject({ ok: true });
  expect(vertexSeen.at(-1)!.token).toBe(first);
  await waitFor(
    async () => tokens.mints,
    (n) => n === 2,
    'background refresh',
    10_000,
  );
  await waitFor(
    async () => probeProvider(p, vertexUrl, { env, googleTokens: tokens }),
    (r) => r.ok && vertexSeen.at(-1)!.token !== first,
    'probe with the refreshed token',
    10_000,
  );
  const second = vertexSeen.at(-1)!.token;
  clock += 2 * 3600_000; // long idle: the cached token has expired, the probe waits for a new one
  expect(await probeProvider(p, vertexUrl, { env, googleTokens: tokens })).toMatchObject({ ok: true, status: 200 });
  expect(tokens.mints).toBe(3);
  expect(vertexSeen.at(-1)!.token).not.toBe(second);
});

test('a key the token endpoint rejects is an auth failure, held briefly instead of re-minted every probe', async () => {
  const tokens = cache();
  const p = provider();
  const badEnv = { GOOGLE_APPLICATION_CREDENTIALS_JSON: keyJson(stranger.privateKey) };
  const r = await probeProvider(p, vertexUrl, { env: badEnv, googleTokens: tokens });
  expect(r).toMatchObject({
    ok: false,
    cause: 'auth',
    category: 'authentication',
    errorType: 'oauth_token/invalid_grant',
  });
  expect(r.status).toBeUndefined();
  expect(r.message).toContain('HTTP 400 invalid_grant');
  expect(alertKindFor(r.category)).toBe('auth');
  expect(credentialsCheck(r, 'primary')).toMatchObject({ status: 'failed', suggests: 'authentication' });
  expect(probeCheck(r)).toMatchObject({
    status: 'failed',
    suggests: 'authentication',
    detail: expect.stringMatching(/^oauth_token\/invalid_grant: token endpoint refused/),
  });
  expect(JSON.stringify(r)).not.toContain('PRIVATE KEY');
  clock += 1000;
  await probeProvider(p, vertexUrl, { env: badEnv, googleTokens: tokens });
  expect(mintRequests).toBe(1);
  expect(vertexSeen).toHaveLength(0); // the provider was never called without a token
  // The rotated (good) key is another credential: it mints straight away.
  expect(await probeProvider(p, vertexUrl, { env, googleTokens: tokens })).toMatchObject({ ok: true });
});

test('a token endpoint that cannot be reached, or a key that is not set, is an auth failure too', async () => {
  const dead = parseConfig(`
providers:
  - { id: v2, kind: vertex, project: ${PROJECT}, location: ${LOCATION}, models: [${MODEL}], auth: { type: google-service-account, credentialsEnv: SA_JSON, tokenUrl: "http://127.0.0.1:1/token" } }
`).providers[0];
  expect(dead.baseUrl).toBe(`https://${LOCATION}-aiplatform.googleapis.com`);
  const unreachable = await probeProvider(dead, vertexUrl, {
    env: { SA_JSON: env.GOOGLE_APPLICATION_CREDENTIALS_JSON },
    googleTokens: cache(),
  });
  expect(unreachable).toMatchObject({
    ok: false,
    cause: 'auth',
    category: 'authentication',
    errorType: 'oauth_token_unreachable',
  });
  const unset = await probeProvider(provider(), vertexUrl, { env: {}, googleTokens: cache() });
  expect(unset).toMatchObject({ ok: false, cause: 'auth', errorType: 'credentials_missing' });
  expect(unset.message).toContain('GOOGLE_APPLICATION_CREDENTIALS_JSON');
  expect(vertexSeen).toHaveLength(0);
});

test('the key can come from a file named by an environment variable', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lifeline-sa-'));
  const file = join(dir, 'sa.json');
  writeFileSync(file, keyJson(registered.privateKey), { mode: 0o600 });
  const r = await probeProvider(provider('credentialsFileEnv: GOOGLE_APPLICATION_CREDENTIALS'), vertexUrl, {
    env: { GOOGLE_APPLICATION_CREDENTIALS: file },
    googleTokens: cache(),
  });
  expect(r).toMatchObject({ ok: true, status: 200 });
});

test('model checks read the publisher model with the token; an unknown model is a 404', async () => {
  const tokens = cache();
  const checks = await modelChecks(provider(undefined, [MODEL, 'gemini-retired-9']), vertexUrl, env, tokens);
  expect(checks.map((c) => [c.name, c.status])).toEqual([
    [`model:${MODEL}`, 'passed'],
    ['model:gemini-retired-9', 'failed'],
  ]);
  expect(tokens.mints).toBe(1);
});
