// POST /v1/outcomes through the real API (Fastify inject) with a Temporal client that records signals:
// scopes, field-level 400s that record nothing, the batch bound, and the aggregation — many outcomes of a
// provider reach its monitor as one signal per flush, with the counts the monitor and the report need.
import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { buildApi } from '../../api/server';
import { createOutcomeBuckets, type OutcomeBuckets } from '../../api/outcome-buckets';
import { parseConfig } from '../../config/load';
import { recordingClient } from '../helpers/api-harness';
import type { OutcomeBucket } from '../../domain/outcome-window';

const env = { T_INGEST: 'ingest-tok-1', T_READ: 'read-tok-1' };
const config = parseConfig(`
auth:
  tokens:
    - { name: app, tokenEnv: T_INGEST, scopes: [ingest] }
    - { name: dash, tokenEnv: T_READ, scopes: [read] }
providers:
  - { id: openai, kind: openai, baseUrl: https://api.openai.com }
  - { id: anthropic, kind: anthropic, baseUrl: https://api.anthropic.com }
chains:
  - { id: chat, providers: [openai, anthropic], weights: { openai: 100 } }
outcomes: { minRequests: 5, flushMs: 60000, providers: { anthropic: { windowMs: 30000 } } }
`);

let app: FastifyInstance;
let buckets: OutcomeBuckets;
const signals: { workflowId: string; name: string; bucket: OutcomeBucket }[] = [];

beforeAll(async () => {
  const base = recordingClient().client as unknown as { workflow: Record<string, unknown> };
  const client = {
    ...base,
    workflow: {
      ...base.workflow,
      getHandle: (workflowId: string) => ({
        workflowId,
        signal: async (def: { name: string }, bucket: OutcomeBucket) => {
          signals.push({ workflowId, name: def.name, bucket });
        },
      }),
    },
  } as unknown as Client;
  buckets = createOutcomeBuckets(client, config);
  app = await buildApi({ config, client, logger: pino({ level: 'silent' }), env, outcomes: buckets });
});
afterAll(() => app.close());
beforeEach(() => (signals.length = 0));

const now = () => new Date().toISOString();
const item = (o: Record<string, unknown> = {}) => ({
  requestId: 'r1',
  provider: 'openai',
  at: now(),
  latencyMs: 120,
  ok: true,
  final: true,
  ...o,
});
const post = (body: unknown, token = env.T_INGEST) =>
  app.inject({
    method: 'POST',
    url: '/v1/outcomes',
    headers: { authorization: `Bearer ${token}` },
    payload: body as object,
  });

test('ingest scope only: 401 without a token, 403 with a read token', async () => {
  expect((await app.inject({ method: 'POST', url: '/v1/outcomes', payload: { outcomes: [item()] } })).statusCode).toBe(
    401,
  );
  expect((await post({ outcomes: [item()] }, env.T_READ)).statusCode).toBe(403);
  await buckets.flush();
  expect(signals).toEqual([]);
});

test.each([
  ['a negative latency', 'body.outcomes.1.latencyMs', { outcomes: [item(), item({ latencyMs: -1 })] }],
  ['an unknown error type', 'body.outcomes.0.errorType', { outcomes: [item({ ok: false, errorType: 'boom' })] }],
  ['a missing final flag', 'body.outcomes.0.final', { outcomes: [item({ final: undefined })] }],
  ['a date that is not ISO', 'body.outcomes.0.at', { outcomes: [item({ at: 'yesterday' })] }],
  ['an unknown provider', 'body.outcomes.1.provider', { outcomes: [item(), item({ provider: 'mistral' })] }],
  ['an empty batch', 'body.outcomes', { outcomes: [] }],
  ['more than 1,000 items', 'body.outcomes', { outcomes: Array.from({ length: 1001 }, () => item()) }],
])('%s → 400 naming %s, nothing recorded', async (_what, field, body) => {
  const res = await post(body);
  expect(res.statusCode).toBe(400);
  expect(res.json().issues.map((i: { path: string }) => i.path)).toContain(field);
  await buckets.flush();
  expect(signals).toEqual([]);
});

test('a batch is accepted (202 { accepted }) and reaches each monitor as one signal per flush, with its counts', async () => {
  const a = await post({
    app: 'support-bot',
    // Unknown fields of an item are ignored: a newer client may send more than this server knows.
    outcomes: [
      item({ requestId: 'a', ok: false, errorType: 'timeout', final: false, latencyMs: 2000, model: 'gpt-4o' }),
      item({ requestId: 'a', provider: 'anthropic', latencyMs: 300 }),
      item({ requestId: 'b', ok: false, errorType: 'server_error', status: 503, final: true, latencyMs: 40 }),
    ],
  });
  expect(a.statusCode).toBe(202);
  expect(a.json()).toEqual({ accepted: 3 });
  const b = await post({
    outcomes: Array.from({ length: 1000 }, (_, i) => item({ requestId: `c${i}`, trial: i < 2 })),
  });
  expect(b.json()).toEqual({ accepted: 1000 });
  expect(signals).toEqual([]); // nothing until the bucket is flushed
  await buckets.flush();
  expect(signals.map((s) => `${s.name} ${s.workflowId}`).sort()).toEqual([
    'outcomes monitor-anthropic',
    'outcomes monitor-openai',
  ]);
  const openai = signals.find((s) => s.workflowId === 'monitor-openai')!.bucket;
  expect(openai.recent).toEqual({
    attempts: 1002,
    errors: 2,
    errorTypes: { timeout: 1, server_error: 1 },
    trialOk: 2,
    trialFailed: 0,
  });
  const minutes = openai.minutes.reduce((n, m) => n + m.counts.requests, 0);
  expect(minutes).toBe(1001); // the timed-out first attempt of request a was not final
  expect(openai.minutes.reduce((n, m) => n + m.counts.lost, 0)).toBe(1);
  expect(openai.window).toEqual({ minRequests: 5, errorShare: 0.5, windowMs: 10_000 });
  expect(signals.find((s) => s.workflowId === 'monitor-anthropic')!.bucket.window.windowMs).toBe(30_000);
});

test('outcomes older than the window count in the minutes, not in the passive window', async () => {
  const old = new Date(Date.now() - 5 * 60_000).toISOString();
  expect((await post({ outcomes: [item({ at: old, ok: false, errorType: 'timeout' })] })).statusCode).toBe(202);
  await buckets.flush();
  const [s] = signals;
  expect(s.bucket.recent.attempts).toBe(0);
  expect(s.bucket.minutes).toHaveLength(1);
  expect(s.bucket.minutes[0].counts).toMatchObject({ attempts: 1, errors: 1, lost: 1 });
});
