// A quota forecast end to end on the dev server with real activities: a fake OpenAI-compatible provider
// answers every probe with real `x-ratelimit-*` headers whose remaining requests fall with each call and
// reset in an hour. The probe loop's readings reach the SLO entity through the worker's collector, the
// trend forecasts exhaustion well inside the horizon, and one warning incident "openai requests quota
// exhausted in ~N min" opens with the recovery hints listed; GET /v1/slos shows the forecast, and the
// availability SLO fed by the same probes has its events counted.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startStack, TOKENS, type Stack } from '../helpers/stack';
import { waitFor } from '../helpers/wait';

let stack: Stack;
let fake: Server;
let served = 0;

beforeAll(async () => {
  // 20,000 requests a "day", each probe (every 150 ms) costs 5: ~2,000 a minute, so ~10 min left.
  fake = createServer((req, res) => {
    served += 1;
    res.writeHead(200, {
      'content-type': 'application/json',
      'x-ratelimit-limit-requests': '20000',
      'x-ratelimit-remaining-requests': String(Math.max(1, 20_000 - 5 * served)),
      'x-ratelimit-reset-requests': '1h',
      'x-request-id': `req-${served}`,
    });
    res.end(JSON.stringify({ object: 'list', data: [{ id: 'gpt-4o-mini', object: 'model' }] }));
  });
  await new Promise<void>((r) => fake.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(fake.address() as AddressInfo).port}`;
  stack = await startStack({
    editYaml: (y) => y.replace('baseUrl: "sim:openai"', `baseUrl: "${url}"`),
    extraYaml: `
worker: { sloFlushMs: 1000 }
quotaForecast: { horizon: 30m, lookback: 2m, minSamples: 3 }
slos:
  - { id: openai-availability, provider: openai, sli: availability, target: 99.9, window: 30d }
`,
  });
});
afterAll(async () => {
  await stack?.stop();
  await new Promise((r) => fake?.close(r));
});

const read = { token: TOKENS.reader };

test('falling rate-limit headers open one proactive quota incident with its recovery hints', async () => {
  const open = await waitFor(
    () => stack.http('GET', '/v1/incidents?status=open&provider=openai', read),
    (r) => r.body.incidents?.length === 1,
    'the forecast incident',
    60_000,
  );
  const incident = open.body.incidents[0];
  expect(incident.title).toMatch(/^openai requests quota exhausted in ~\d+ min$/);
  const minutes = Number(/~(\d+) min/.exec(incident.title)![1]);
  expect(minutes).toBeGreaterThan(0);
  expect(minutes).toBeLessThanOrEqual(30);

  const full = await waitFor(
    () => stack.http('GET', `/v1/incidents/${incident.id}`, read),
    (r) => r.body.alerts?.sample?.length > 0,
    'the incident record',
  );
  expect(full.body.severity).toBe('SEV4');
  const alert = full.body.alerts.sample[0];
  expect(alert).toMatchObject({ kind: 'quota', severity: 'warning', source: 'lifeline-slo' });
  expect(alert.details.hints[0]).toMatch(/^throttle: /);
  expect(alert.details.hints.at(-1)).toMatch(/^shift share: /);

  const slos = await waitFor(
    () => stack.http('GET', '/v1/slos', read),
    (r) => r.body.quotas?.some((q: { incidentId?: string }) => q.incidentId === incident.id),
    'the forecast in GET /v1/slos',
  );
  const q = slos.body.quotas.find((x: { provider: string }) => x.provider === 'openai');
  expect(q).toMatchObject({ kind: 'requests', limit: 20000, exhausts: true, alerting: true });
  expect(q.perMinute).toBeGreaterThan(100);
  expect(slos.body.slos[0]).toMatchObject({ id: 'openai-availability', burning: false, budgetRemaining: 1 });
  expect(slos.body.slos[0].total).toBeGreaterThan(0);

  // The same forecast holds: a few more flushes open nothing new.
  const flushed = slos.body.slos[0].total;
  await waitFor(
    () => stack.http('GET', '/v1/slos', read),
    (r) => r.body.slos[0].total > flushed + 20,
    'more flushes',
  );
  const still = await stack.http('GET', '/v1/incidents?provider=openai', read);
  expect(still.body.incidents).toHaveLength(1);
});
