// Route publishers against local fakes: the signed webhook (the receiver verifies the HMAC) and a
// LiteLLM proxy fake that records /model/update calls. One call is one attempt: a refusal throws (the
// durable publisher, workflows/publish.ts, retries it), and an aborted attempt stops.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import type { Client } from '@temporalio/client';
import { createPublishers, type RoutePublisher } from '../../activities/publishers';
import { verifyWebhook } from '../../publishers/webhook';
import { litellmFailure } from '../../publishers/litellm';
import { ApplicationFailure } from '@temporalio/common';
import { parseConfig } from '../../config/load';
import type { RouteState } from '../../workflows/messages';

const SECRET = 'whsec-test-5d1c';
const ADMIN = 'sk-litellm-master-9';
interface Received {
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}
let webhookCalls: Received[] = [];
let litellmCalls: Received[] = [];
let webhookStatus = 200;
const servers: Server[] = [];

async function fake(record: (r: Received) => void, status: () => number): Promise<string> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      record({ path: req.url ?? '', headers: req.headers, body });
      res.statusCode = status();
      res.end('{}');
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

let webhookUrl: string;
let litellmUrl: string;
beforeAll(async () => {
  webhookUrl = await fake(
    (r) => webhookCalls.push(r),
    () => webhookStatus,
  );
  litellmUrl = await fake(
    (r) => litellmCalls.push(r),
    () => 200,
  );
});
beforeEach(() => {
  webhookCalls = [];
  litellmCalls = [];
  webhookStatus = 200;
});
afterAll(async () => Promise.all(servers.map((s) => new Promise((r) => s.close(r)))));

function publishers() {
  const config = parseConfig(`
providers:
  - { id: openai, kind: openai, baseUrl: "sim:openai" }
  - { id: anthropic, kind: anthropic, baseUrl: "sim:anthropic" }
chains:
  - { id: chat, providers: [openai, anthropic], weights: { openai: 100 } }
publishers:
  webhook: { url: "${webhookUrl}/hooks/route", secretEnv: ROUTE_WEBHOOK_SECRET }
  litellm: { url: "${litellmUrl}", apiKeyEnv: LITELLM_MASTER_KEY, deployments: { chat: { openai: dep-openai, anthropic: dep-anthropic } } }
`);
  const logger = pino({ level: 'silent' });
  const deps = {
    config,
    client: {} as Client,
    logger,
    baseUrlFor: () => '',
    env: { ROUTE_WEBHOOK_SECRET: SECRET, LITELLM_MASTER_KEY: ADMIN },
  };
  const list = createPublishers(deps);
  const named = (n: string) => list.find((p) => p.name === n)!;
  return { list, webhook: named('webhook'), litellm: named('litellm') };
}

const publishAll = (list: RoutePublisher[], r: RouteState) => Promise.all(list.map((p) => p.publish(r)));

const route: RouteState = {
  id: 'chat',
  providers: ['openai', 'anthropic'],
  weights: { anthropic: 100 },
  mode: 'degraded',
  version: 4,
  updatedAt: '2026-11-22T10:00:00.000Z',
  hints: { openai: ['throttle'] },
};

test('every change reaches the table, the signed webhook and LiteLLM', async () => {
  const { list } = publishers();
  expect(list.map((p) => p.name)).toEqual(['table', 'webhook', 'litellm']);
  await publishAll(list, route);

  expect(webhookCalls).toHaveLength(1);
  const hook = webhookCalls[0];
  expect(hook.path).toBe('/hooks/route');
  expect(hook.headers['idempotency-key']).toBe('chat:4');
  const ts = String(hook.headers['x-lifeline-timestamp']);
  const sig = String(hook.headers['x-lifeline-signature']);
  expect(sig).toMatch(/^sha256=[0-9a-f]{64}$/);
  // The receiver's side: the signature verifies with the shared secret, and not with another one or a changed body.
  expect(verifyWebhook(SECRET, ts, hook.body, sig)).toBe(true);
  expect(verifyWebhook('other-secret', ts, hook.body, sig)).toBe(false);
  expect(verifyWebhook(SECRET, ts, hook.body.replace('100', '0'), sig)).toBe(false);
  expect(JSON.parse(hook.body)).toEqual({ type: 'route.changed', route });
  expect(hook.body).not.toContain(SECRET);

  // LiteLLM: one /model/update per deployment of the chain; a provider out of the route drops to weight 0.
  expect(litellmCalls.map((c) => [c.path, JSON.parse(c.body)])).toEqual([
    ['/model/update', { model_info: { id: 'dep-openai' }, litellm_params: { weight: 0 } }],
    ['/model/update', { model_info: { id: 'dep-anthropic' }, litellm_params: { weight: 100 } }],
  ]);
  expect(litellmCalls.every((c) => c.headers.authorization === `Bearer ${ADMIN}`)).toBe(true);
});

test('a chain without LiteLLM deployments is not sent to LiteLLM', async () => {
  const { list } = publishers();
  await publishAll(list, { ...route, id: 'search' });
  expect(litellmCalls).toHaveLength(0);
  expect(webhookCalls).toHaveLength(1);
});

test('a refused webhook throws after one attempt (Temporal retries it), and an aborted attempt stops', async () => {
  webhookStatus = 500;
  const { webhook, litellm } = publishers();
  await expect(webhook.publish(route)).rejects.toThrow('webhook answered HTTP 500');
  expect(webhookCalls).toHaveLength(1);
  const aborted = new AbortController();
  aborted.abort();
  await expect(litellm.publish(route, aborted.signal)).rejects.toThrow();
  expect(litellmCalls).toHaveLength(0);
});

test("LiteLLM's set-up refusals (no database, a deployment from config.yaml) are not retried; others are", () => {
  const noDb = litellmFailure('dep-openai', 500, '{"detail":{"error":"No DB Connected. Here\'s how to do it"}}');
  expect(noDb).toBeInstanceOf(ApplicationFailure);
  expect((noDb as ApplicationFailure).nonRetryable).toBe(true);
  expect(noDb.message).toContain('integrations/litellm/lifeline_routes.py');
  const inConfig = litellmFailure('dep-openai', 400, "Can't edit model. Model in config. Store model in db");
  expect((inConfig as ApplicationFailure).nonRetryable).toBe(true);
  for (const [status, body] of [
    [500, 'Internal Server Error'],
    [503, ''],
    [401, 'bad key'],
  ] as const)
    expect(litellmFailure('dep-openai', status, body)).not.toBeInstanceOf(ApplicationFailure);
});
