// Regression tests for what the hostile-input fuzzers found, and the limits of the API: 405/404/414/415
// in the error shape, non-JSON bodies as field-level 400s, the 512 KiB body limit on every body route,
// Slack's 5-minute replay window, and subscribing while the mail server is down.
import { BODY_LIMIT } from '../../api/server';
import { servedRoutes } from '../../api/route-table';
import { HARNESS_TOKENS, startHarness, type Harness } from '../helpers/api-harness';
import { slackSignature, SIGNING_SECRET } from '../helpers/slack';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());
const admin = HARNESS_TOKENS.admin;

test('a known path with another method is a 405 with Allow; an unknown path a 404, both in the error shape', async () => {
  const wrong = await h.send({ method: 'DELETE', path: '/v1/incidents/openai-0a1b2c3d', token: admin });
  expect([wrong.status, wrong.headers.allow]).toEqual([405, 'GET, HEAD']);
  expect(wrong.json()).toEqual({ error: expect.stringContaining('GET, HEAD') });
  const trace = await h.send({ method: 'TRACE', path: '/v2/enqueue' });
  expect([trace.status, trace.headers.allow]).toEqual([405, 'POST']);
  const missing = await h.send({ method: 'GET', path: '/v1/nothing-here', token: admin });
  expect([missing.status, missing.json()]).toEqual([404, { error: 'no route GET /v1/nothing-here' }]);
});

test('an over-long id is a field-level 400 (not the router 414); beyond 1000 characters a 414 in the error shape', async () => {
  const long = await h.send({ method: 'GET', path: `/v1/incidents/${'a'.repeat(300)}`, token: admin });
  expect(long.status).toBe(400);
  expect(long.json().issues).toEqual([expect.objectContaining({ path: 'params.id' })]);
  const huge = await h.send({ method: 'GET', path: `/v1/incidents/${'a'.repeat(1200)}`, token: admin });
  expect([huge.status, Object.keys(huge.json())]).toEqual([414, ['error']]);
});

test('bodies that are not JSON: text/plain is a 415, broken JSON and __proto__ a 400 naming the body', async () => {
  const post = (body: string, contentType: string) =>
    h.send({ method: 'POST', path: '/v1/alerts', token: admin, body, contentType });
  expect((await post('{"provider":"openai"}', 'text/plain')).status).toBe(415);
  for (const raw of ['{"provider":', '{"__proto__":{"admin":true}}', '{"constructor":{"prototype":{"admin":true}}}']) {
    const res = await post(raw, 'application/json');
    expect([raw, res.status, res.json().issues?.[0]?.path]).toEqual([raw, 400, 'body']);
  }
  expect(h.created).toEqual([]);
});

test('an unauthenticated request hears 401 whatever its body (auth runs before validation)', async () => {
  for (const path of ['/v1/incidents', '/v1/routes/chat/failover', '/v1/alerts', '/v2/enqueue']) {
    const res = await h.send({ method: 'POST', path, body: '{"nonsense":1}', contentType: 'application/json' });
    expect([path, res.status]).toEqual([path, 401]);
  }
});

test(`every body route answers 413 above ${BODY_LIMIT / 1024} KiB and reads bodies just under it`, async () => {
  const routes = servedRoutes(h.app).filter((r) => r.method === 'POST');
  expect(routes.length).toBeGreaterThan(10);
  for (const r of routes) {
    const path = r.url.replace(':id', 'openai-0a1b2c3d').replace(':chain', 'chat');
    const padded = (size: number) => `{"pad":"${'x'.repeat(size - 10)}"}`;
    const over = await h.send({
      method: 'POST',
      path,
      token: admin,
      body: padded(BODY_LIMIT + 1),
      contentType: 'application/json',
    });
    expect([r.url, over.status]).toEqual([r.url, 413]);
    const under = await h.send({
      method: 'POST',
      path,
      token: admin,
      body: padded(BODY_LIMIT - 1024),
      contentType: 'application/json',
    });
    expect([r.url, under.status === 413 ? 413 : 'read']).toEqual([r.url, 'read']);
  }
});

describe('Slack replay window', () => {
  const send = (age: number, body: string, contentType = 'application/json') => {
    const ts = Math.floor(Date.now() / 1000) - age;
    return h.send({
      method: 'POST',
      path: '/slack/events',
      body,
      contentType,
      headers: {
        'x-slack-request-timestamp': String(ts),
        'x-slack-signature': slackSignature(SIGNING_SECRET, ts, body),
      },
    });
  };
  const challenge = JSON.stringify({ type: 'url_verification', challenge: 'c-123' });

  test('a correctly signed request older than 5 minutes is refused; a fresh one is answered', async () => {
    const stale = await send(6 * 60, challenge);
    expect([stale.status, stale.json().error]).toEqual([401, expect.stringMatching(/stale|old|timestamp/i)]);
    const fresh = await send(60, challenge);
    expect([fresh.status, fresh.json()]).toEqual([200, { challenge: 'c-123' }]);
  });

  test('a signed body that is no Slack payload is a 400 at once (not held until the ack deadline)', async () => {
    for (const [body, type] of [
      ['payload=', 'application/x-www-form-urlencoded'],
      ['foo=bar', 'application/x-www-form-urlencoded'],
      ['[1,2]', 'application/json'],
      ['payload=%221%22', 'application/x-www-form-urlencoded'],
    ]) {
      expect([body, (await send(0, body, type)).status]).toEqual([body, 400]);
    }
  });
});

test('subscribing while the mail server is down is a 503 with retry-after (was a 500)', async () => {
  const down = await startHarness({ smtpPort: 9 });
  try {
    const res = await down.send({
      method: 'POST',
      path: '/v1/subscribers',
      body: JSON.stringify({ email: 'ops@example.com', components: [] }),
      contentType: 'application/json',
    });
    expect([res.status, res.headers['retry-after'], res.json().error]).toEqual([
      503,
      '60',
      expect.stringContaining('retry'),
    ]);
  } finally {
    await down.close();
  }
});
