// The payload codec end to end on the real dev server: a worker and API built with temporal.codec run
// an incident whose alert and note carry marker text; the history as the server stores it (fetched by a
// client WITHOUT the codec and serialised to its protobuf bytes) holds neither marker, while the API
// shows both and the /codec/decode endpoint (what the Temporal UI calls) opens the stored payloads.
import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { temporal } from '@temporalio/proto';
import { request } from 'undici';
import { buildApi } from '../../api/server';
import { connectClient, securedConnection } from '../../client/connect';
import { findIncident } from '../../client/incidents';
import { parseConfig } from '../../config/load';
import { startDevServer, type DevServerHandle } from '../../temporal-server/dev-server';
import { ensureEntityWorkflows } from '../../worker/entities';
import { createLogger } from '../../worker/logger';
import { startProviderEndpoints, type ProviderEndpoints } from '../../worker/providers';
import { createLifelineWorker, type LifelineWorker } from '../../worker/worker';
import { SEARCH_ATTRIBUTE_TYPES } from '../../workflows/messages';
import { TEST_ENV, TOKENS } from '../helpers/stack';
import { cliPath, quietTemporalRuntime, workflowBundle } from '../helpers/temporal';
import { waitFor } from '../helpers/wait';

const ALERT_MARKER = 'PLAINTEXT-ALERT-6c1e9f: openai answers 503 to every chat completion';
const NOTE_MARKER = 'PLAINTEXT-NOTE-2b7d40: customer Acme escalated by phone';
const ENV = { ...TEST_ENV, LIFELINE_CODEC_KEY: randomBytes(32).toString('base64') };

let dir: string;
let dev: DevServerHandle;
let client: Client;
let plain: Client;
let worker: LifelineWorker;
let running: Promise<void>;
let api: FastifyInstance;
let apiUrl: string;
let endpoints: ProviderEndpoints;

beforeAll(async () => {
  quietTemporalRuntime();
  dir = mkdtempSync(join(tmpdir(), 'lifeline-codec-'));
  dev = await startDevServer({
    cliPath: cliPath(),
    dataDir: dir,
    port: 0,
    uiPort: false,
    searchAttributes: SEARCH_ATTRIBUTE_TYPES,
    log: () => undefined,
  });
  const config = parseConfig(`
server: { host: 127.0.0.1, port: 0 }
temporal: { address: "${dev.address}", taskQueue: lifeline-codec, codec: { keyId: test-2026, keyEnv: LIFELINE_CODEC_KEY, corsOrigins: ["http://127.0.0.1:8233"] } }
dataDir: ${dir}
auth:
  tokens:
    - { name: detectors, tokenEnv: LIFELINE_INGEST_TOKEN, scopes: [ingest] }
    - { name: oncall, tokenEnv: LIFELINE_OPERATOR_TOKEN, scopes: [read, operate] }
providers:
  - { id: openai, kind: openai, baseUrl: "sim:openai", models: [gpt-4o-mini], probe: { intervalMs: 500, timeoutMs: 1000 } }
  - { id: anthropic, kind: anthropic, baseUrl: "sim:anthropic", models: [claude-3-5-haiku-latest], probe: { intervalMs: 500, timeoutMs: 1000 } }
chains:
  - { id: chat, providers: [openai, anthropic], weights: { openai: 100 } }
services:
  - { id: support-bot, chains: [chat], users: 12000 }
`);
  const secured = securedConnection(config.temporal, ENV);
  const logger = createLogger({ level: 'silent' });
  endpoints = await startProviderEndpoints(config);
  client = await connectClient(dev.address, 'default', secured);
  plain = await connectClient(dev.address, 'default');
  const w = await createLifelineWorker({
    config,
    address: dev.address,
    client,
    logger,
    baseUrlFor: endpoints.baseUrlFor,
    workflowBundle: workflowBundle(),
    env: ENV,
    secured,
  });
  worker = w.worker;
  running = worker.run();
  await ensureEntityWorkflows(client, config);
  api = await buildApi({ config, client, logger, env: ENV });
  await api.listen({ host: '127.0.0.1', port: 0 });
  apiUrl = `http://127.0.0.1:${(api.server.address() as { port: number }).port}`;
});

afterAll(async () => {
  await api?.close();
  if (worker?.getState() === 'RUNNING') worker.shutdown();
  await running?.catch(() => undefined);
  await client?.connection.close();
  await plain?.connection.close();
  await endpoints?.close();
  await dev?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function http(
  method: 'GET' | 'POST',
  path: string,
  token: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  const res = await request(apiUrl + path, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...headers,
    },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

test('the stored history holds no plaintext alert or note; the API and the codec endpoint read it back', async () => {
  const opened = await http('POST', '/v1/alerts', TOKENS.ingest, {
    provider: 'openai',
    kind: 'outage',
    summary: ALERT_MARKER,
    source: 'codec-test',
    severity: 'critical',
  });
  expect(opened.status).toBe(202);
  const id = opened.body.incidentId as string;
  expect(
    (await http('POST', `/v1/incidents/${id}/notes`, TOKENS.operator, { text: NOTE_MARKER, by: 'codec-test' })).status,
  ).toBe(200);
  const shown = await waitFor(
    () => http('GET', `/v1/incidents/${id}`, TOKENS.operator),
    (r) => JSON.stringify(r.body).includes(NOTE_MARKER),
    'note on the incident',
  );
  expect(JSON.stringify(shown.body)).toContain(ALERT_MARKER);

  // The server's copy: raw history through a client with no codec, as protobuf bytes.
  const handle = await findIncident(client, id);
  expect(handle).not.toBeNull();
  const history = await plain.workflow.getHandle(handle!.workflowId).fetchHistory();
  const bytes = Buffer.from(temporal.api.history.v1.History.encode(history).finish());
  expect(history.events?.length).toBeGreaterThan(3);
  expect(bytes.includes(ALERT_MARKER)).toBe(false);
  expect(bytes.includes('PLAINTEXT-')).toBe(false);
  expect(bytes.includes(NOTE_MARKER)).toBe(false);

  // Nor does any other run the incident touched (intake, monitors, routing, archive): every history in the namespace.
  let runs = 0;
  for await (const wf of client.workflow.list()) {
    const raw = Buffer.from(
      temporal.api.history.v1.History.encode(
        await plain.workflow.getHandle(wf.workflowId, wf.runId).fetchHistory(),
      ).finish(),
    );
    expect(`${wf.workflowId}: ${raw.includes('PLAINTEXT-')}`).toBe(`${wf.workflowId}: false`);
    runs++;
  }
  expect(runs).toBeGreaterThan(3);

  // Every payload in it is sealed with the configured key — all but the search attributes, which the
  // server must read to index (provider, severity, phase, status, incident id: no alert text), and the
  // SDK's own patch markers (a code-version name).
  const payloads = collectPayloads(history);
  expect(payloads.length).toBeGreaterThan(0);
  const encodings = new Set(payloads.map((p) => Buffer.from(p.metadata?.encoding ?? []).toString()));
  expect([...encodings]).toEqual(['binary/encrypted']);

  // The Temporal UI's call: the stored payloads, base64 in proto3 JSON, come back readable.
  const body = {
    payloads: payloads.map((p) => ({
      metadata: Object.fromEntries(
        Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v!).toString('base64')]),
      ),
      data: Buffer.from(p.data ?? []).toString('base64'),
    })),
  };
  const decoded = await http('POST', '/codec/decode', TOKENS.operator, body, {
    origin: 'http://127.0.0.1:8233',
    'x-namespace': 'default',
  });
  expect(decoded.status).toBe(200);
  expect(decoded.headers['access-control-allow-origin']).toBe('http://127.0.0.1:8233');
  const texts = (decoded.body.payloads as { data: string }[])
    .map((p) => Buffer.from(p.data, 'base64').toString('utf8'))
    .join('\n');
  expect(texts).toContain(ALERT_MARKER);
  expect(texts).toContain(NOTE_MARKER);
  // Without a token nothing is decoded.
  expect((await http('POST', '/codec/decode', 'wrong-token', body)).status).toBe(401);
});

/** Every Payload object in the history (inputs, results, signals, updates, memo), search attributes and patch markers aside. */
function collectPayloads(
  node: unknown,
  out: temporal.api.common.v1.IPayload[] = [],
): temporal.api.common.v1.IPayload[] {
  if (!node || typeof node !== 'object') return out;
  if (node instanceof Uint8Array) return out;
  const o = node as Record<string, unknown>;
  if (o.metadata && typeof o.metadata === 'object' && 'data' in o && (o.metadata as Record<string, unknown>).encoding) {
    out.push(o as temporal.api.common.v1.IPayload);
    return out;
  }
  for (const [k, v] of Object.entries(o)) if (k !== 'searchAttributes' && k !== 'patch-data') collectPayloads(v, out);
  return out;
}
