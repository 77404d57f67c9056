// The TypeScript route client (clients/typescript) against the running service: it follows an operator
// failover made through the API, and its calls go to the new provider. The providers the app calls are
// local fakes named like the chain's providers (the stack's own providers are simulated in-process).
// One client follows the route over the SSE stream (GET /v1/routes/:chain/events); a second one sits
// behind a proxy that refuses the stream (404), so it long-polls GET /v1/routes/:chain?wait=. Both report
// every attempt to POST /v1/outcomes.
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRouteClient, type RouteClient } from '../../clients/typescript/src';
import { startStack, TOKENS, type Stack } from '../helpers/stack';
import { waitFor } from '../helpers/wait';
import { Exposition } from '../helpers/prometheus';

let stack: Stack;
let streamed: RouteClient;
let polling: RouteClient;
const servers: Server[] = [];
const urls: Record<string, string> = {};
const hits: Record<string, number> = { openai: 0, anthropic: 0 };

async function listen(s: Server): Promise<string> {
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  servers.push(s);
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  for (const name of ['openai', 'anthropic'])
    urls[name] = await listen(
      createServer((req, res) => {
        hits[name]++;
        req.resume();
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ provider: name }));
      }),
    );
  stack = await startStack();
  const api = new URL(stack.apiUrl);
  const proxy = await listen(
    createServer((req, res) => {
      if (req.url?.includes('/events')) return res.writeHead(404, { 'content-type': 'application/json' }).end('{}');
      const up = request(
        { host: api.hostname, port: api.port, path: req.url, method: req.method, headers: req.headers },
        (r) => (res.writeHead(r.statusCode!, r.headers), r.pipe(res)),
      );
      up.on('error', () => res.destroy());
      req.pipe(up);
    }),
  );
  const common = {
    token: TOKENS.reader,
    ingestToken: TOKENS.ingest,
    chain: 'chat',
    outcomes: { flushIntervalMs: 100 },
  };
  streamed = createRouteClient({ url: stack.apiUrl, ...common });
  polling = createRouteClient({ url: proxy, ...common, longPollSeconds: 20 });
});
afterAll(async () => {
  await Promise.all([streamed?.close(), polling?.close()]);
  await stack?.stop();
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

const send = (client: RouteClient) =>
  client.call(
    async (provider, signal) => (await fetch(urls[provider], { signal })).json() as Promise<{ provider: string }>,
  );

test('both clients follow an operator failover made through the API; their calls go to the new provider', async () => {
  const first = await streamed.ready(30_000);
  await polling.ready(30_000);
  expect(first).toMatchObject({
    id: 'chat',
    providers: ['openai', 'anthropic'],
    weights: { openai: 100 },
    mode: 'normal',
    down: [],
  });
  expect(streamed.stats().transport).toBe('sse');
  expect(polling.stats().transport).toBe('poll');
  for (const c of [streamed, polling]) {
    for (let i = 0; i < 5; i++) expect(await send(c)).toEqual({ provider: 'openai' });
    expect(c.pick()).toMatchObject({ provider: 'openai', source: 'live' });
  }

  const res = await stack.http('POST', '/v1/routes/chat/failover', {
    token: TOKENS.operator,
    body: { from: 'openai', to: 'anthropic', mode: 'immediate' },
  });
  expect(res.status).toBe(202);
  for (const c of [streamed, polling]) {
    const moved = await waitFor(
      async () => c.route(),
      (r) => (r?.weights.anthropic ?? 0) === 100,
      `the ${c.stats().transport} client sees the failover`,
    );
    expect(moved!.version).toBeGreaterThan(first.version);
  }

  const before = { ...hits };
  for (const c of [streamed, polling])
    for (let i = 0; i < 10; i++) expect(await send(c)).toEqual({ provider: 'anthropic' });
  expect(hits.openai - before.openai).toBe(0);
  expect(hits.anthropic - before.anthropic).toBe(20);
  expect(polling.stats().transport).toBe('poll'); // the long-poll held: it never fell back to a stream

  // Every attempt was reported (15 per client) and accepted by POST /v1/outcomes, none dropped.
  for (const c of [streamed, polling])
    await waitFor(
      async () => c.stats(),
      (s) => s.outcomesSent === 15,
      'outcome batches accepted',
    );
  for (const c of [streamed, polling]) expect(c.stats().outcomesDropped).toBe(0);
  const metrics = new Exposition((await stack.http('GET', '/metrics')).text);
  expect(metrics.value('lifeline_outcomes_received_total', { provider: 'openai', result: 'ok' })).toBe(10);
  expect(metrics.value('lifeline_outcomes_received_total', { provider: 'anthropic', result: 'ok' })).toBe(20);
});
