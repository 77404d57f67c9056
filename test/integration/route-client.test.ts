// The TypeScript route client (clients/typescript) against the running service: it follows an operator
// failover made through the API, and its calls go to the new provider. The providers the app calls are
// local fakes named like the chain's providers (the stack's own providers are simulated in-process).
// This branch's server has no route stream yet: the client's stream attempt gets a 404 and it polls.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRouteClient, type RouteClient } from '../../clients/typescript/src';
import { startStack, TOKENS, type Stack } from '../helpers/stack';
import { waitFor } from '../helpers/wait';

let stack: Stack;
let client: RouteClient;
const servers: Server[] = [];
const urls: Record<string, string> = {};
const hits: Record<string, number> = { openai: 0, anthropic: 0 };

beforeAll(async () => {
  for (const name of ['openai', 'anthropic']) {
    const s = createServer((req, res) => {
      hits[name]++;
      req.resume();
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ provider: name }));
    });
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    servers.push(s);
    urls[name] = `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
  }
  stack = await startStack();
  client = createRouteClient({
    url: stack.apiUrl,
    token: TOKENS.reader,
    ingestToken: TOKENS.ingest,
    chain: 'chat',
    pollIntervalMs: 100,
    outcomes: { flushIntervalMs: 100 },
  });
});
afterAll(async () => {
  await client?.close();
  await stack?.stop();
  for (const s of servers) await new Promise((r) => s.close(r));
});

const send = () =>
  client.call(
    async (provider, signal) => (await fetch(urls[provider], { signal })).json() as Promise<{ provider: string }>,
  );

test('the client follows an operator failover made through the API; its calls go to the new provider', async () => {
  const first = await client.ready(30_000);
  expect(first).toMatchObject({ id: 'chat', weights: { openai: 100 }, mode: 'normal' });
  for (let i = 0; i < 10; i++) expect(await send()).toEqual({ provider: 'openai' });
  expect(client.pick()).toMatchObject({ provider: 'openai', source: 'live' });

  const res = await stack.http('POST', '/v1/routes/chat/failover', {
    token: TOKENS.operator,
    body: { from: 'openai', to: 'anthropic', mode: 'immediate' },
  });
  expect(res.status).toBe(202);
  const moved = await waitFor(
    async () => client.route(),
    (r) => (r?.weights.anthropic ?? 0) === 100,
    'the client sees the failover',
  );
  expect(moved!.version).toBeGreaterThan(first.version);

  const before = { ...hits };
  for (let i = 0; i < 20; i++) expect(await send()).toEqual({ provider: 'anthropic' });
  expect(hits.openai - before.openai).toBe(0);
  expect(hits.anthropic - before.anthropic).toBe(20);

  // Every attempt is accounted for in outcome reports: sent, or dropped and counted when the server
  // does not take them.
  await waitFor(
    async () => client.stats(),
    (s) => s.outcomesSent + s.outcomesDropped === 30,
    'outcome batches settled',
  );
});
