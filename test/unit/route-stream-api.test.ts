// The route stream and long-poll over HTTP against a fake Temporal client whose routing entity and
// monitors answer from memory: many streams cost one read loop, a monitor's open breaker shows in `down`
// and as an event, the subscriber limit answers 503 with retry-after, HEAD does not hold a stream open,
// and closing the API answers a held long-poll at once.
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { request } from 'undici';
import { buildApi } from '../../api/server';
import { parseConfig } from '../../config/load';
import { monitorWorkflowId, routingWorkflowId, type RouteState } from '../../workflows/messages';
import { openSse, type SseStream } from '../../bench/sse-client';
import { waitFor } from '../helpers/wait';

const TOKEN = 'stream-read-3c1e';
let route: RouteState;
let breakers: Record<string, 'closed' | 'open' | 'half-open'>;
let routeReads = 0;

const client = {
  workflow: {
    getHandle: (id: string) => ({
      query: async () => {
        if (id === routingWorkflowId('chat')) return (routeReads++, { ...route });
        const provider = ['openai', 'anthropic'].find((p) => monitorWorkflowId(p) === id);
        if (provider)
          return {
            provider,
            healthy: true,
            since: route.updatedAt,
            transitions: 0,
            breaker: { phase: breakers[provider] },
          };
        throw new WorkflowNotFoundError('not found', id, undefined);
      },
    }),
  },
  options: { loadedDataConverter: { payloadCodecs: [] } },
} as unknown as Client;

let app: FastifyInstance;
let url: string;
let dataDir: string;
const streams: SseStream[] = [];
beforeEach(async () => {
  route = {
    id: 'chat',
    providers: ['openai', 'anthropic'],
    weights: { openai: 100 },
    mode: 'normal',
    version: 1,
    updatedAt: new Date().toISOString(),
  };
  breakers = { openai: 'closed', anthropic: 'closed' };
  dataDir = mkdtempSync(join(tmpdir(), 'lifeline-stream-'));
  const config = parseConfig(`
dataDir: ${dataDir}
server: { maxRouteSubscribers: 3 }
auth: { tokens: [{ name: reader, tokenEnv: STREAM_READ, scopes: [read] }] }
providers:
  - { id: openai, kind: openai, baseUrl: https://api.openai.com }
  - { id: anthropic, kind: anthropic, baseUrl: https://api.anthropic.com }
chains:
  - { id: chat, providers: [openai, anthropic], weights: { openai: 100 } }
services:
  - { id: bot, chains: [chat], users: 10 }
`);
  app = await buildApi({ config, client, logger: pino({ level: 'silent' }), env: { STREAM_READ: TOKEN } });
  await app.listen({ host: '127.0.0.1', port: 0 });
  url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});
afterEach(async () => {
  streams.splice(0).forEach((s) => s.close());
  await app.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const open = async () => {
  const s = await openSse(`${url}/v1/routes/chat/events`, TOKEN);
  streams.push(s);
  return s;
};
const get = (path: string, headers: Record<string, string> = {}) =>
  request(url + path, {
    method: path.startsWith('HEAD ') ? 'HEAD' : 'GET',
    headers: { authorization: `Bearer ${TOKEN}`, ...headers },
  });

test('three streams share one read loop; an opening breaker arrives as an event and in down; a fourth subscriber gets 503', async () => {
  const [a, b, c] = [await open(), await open(), await open()];
  await Promise.all([a, b, c].map((s) => s.next(() => true)));
  expect(JSON.parse(a.events[0].data)).toMatchObject({ id: 'chat', providers: ['openai', 'anthropic'], down: [] });

  const refused = await get('/v1/routes/chat/events');
  expect([refused.statusCode, refused.headers['retry-after']]).toEqual([503, '5']);
  expect(((await refused.body.json()) as { error: string }).error).toMatch(/maximum of 3 route subscribers/);
  const held = await get('/v1/routes/chat?wait=5', { 'if-none-match': '*' });
  expect(held.statusCode).toBe(503);
  await held.body.dump();

  const readsBefore = routeReads;
  const started = Date.now();
  breakers.openai = 'open';
  const events = await Promise.all([a, b, c].map((s) => s.next((e) => JSON.parse(e.data).down.length > 0, 5000)));
  for (const e of events) expect([e.id, JSON.parse(e.data).down]).toEqual(['1', ['openai']]);
  // One loop, at most one read per 50 ms (plus one in flight), not one per stream.
  expect(routeReads - readsBefore).toBeLessThanOrEqual((Date.now() - started) / 50 + 2);
});

test('HEAD answers the stream headers without holding it; a long-poll is answered 304 when the API closes', async () => {
  const head = await request(`${url}/v1/routes/chat/events`, {
    method: 'HEAD',
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  expect([head.statusCode, head.headers['content-type']]).toEqual([200, 'text/event-stream']);
  await head.body.dump();

  const tag = (await get('/v1/routes/chat')).headers.etag as string;
  const readsBefore = routeReads;
  const held = get('/v1/routes/chat?wait=60', { 'if-none-match': tag });
  // Held once the watcher's loop for the chain reads (it runs only while someone waits).
  await waitFor(
    async () => routeReads,
    (n) => n > readsBefore + 1,
    'the watcher to read',
  );
  const closing = app.close();
  const started = Date.now();
  const answered = await held;
  expect(answered.statusCode).toBe(304);
  await answered.body.dump();
  expect(Date.now() - started).toBeLessThan(5000);
  await closing;
});
