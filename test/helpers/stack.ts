// A real lifeline stack for integration tests: Temporal dev server (SQLite in a temp dir), simulated
// providers, the worker with real activities, the entity workflows and the HTTP API on a free port.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import type { LifelineWorker as Worker } from '../../worker/worker';
import type { FastifyInstance } from 'fastify';
import type { DestinationStream } from 'pino';
import { request } from 'undici';
import { parseConfig } from '../../config/load';
import type { LifelineConfig } from '../../config/schema';
import { connectClient } from '../../client/connect';
import { queryDeadlineMs } from '../../client/query-deadline';
import { buildApi } from '../../api/server';
import { createLifelineWorker } from '../../worker/worker';
import { ensureEntityWorkflows } from '../../worker/entities';
import { startProviderEndpoints, type ProviderEndpoints } from '../../worker/providers';
import { startDevServer } from '../../temporal-server/dev-server';
import { createLogger } from '../../worker/logger';
import { SEARCH_ATTRIBUTE_TYPES } from '../../workflows/messages';
import type { Channel } from '../../activities/notify';
import { createMetrics, type LifelineMetrics } from '../../metrics';
import { cliPath, quietTemporalRuntime, workflowBundle } from './temporal';
import { assertNoUnexpectedTaskFailures, watchHistories } from './task-failures';

export const TOKENS = {
  operator: 'op-token-7f3a',
  ingest: 'ingest-token-91bc',
  reader: 'read-token-55d0',
  admin: 'admin-token-e62c',
};
export const TEST_ENV = {
  LIFELINE_OPERATOR_TOKEN: TOKENS.operator,
  LIFELINE_INGEST_TOKEN: TOKENS.ingest,
  LIFELINE_READ_TOKEN: TOKENS.reader,
  LIFELINE_ADMIN_TOKEN: TOKENS.admin,
};

export function testConfigYaml(dataDir: string): string {
  return `
server: { host: 127.0.0.1, port: 0 }
temporal: { address: embedded, namespace: default, taskQueue: lifeline-it }
dataDir: ${dataDir}
auth:
  tokens:
    - { name: detectors, tokenEnv: LIFELINE_INGEST_TOKEN, scopes: [ingest] }
    - { name: oncall, tokenEnv: LIFELINE_OPERATOR_TOKEN, scopes: [read, operate] }
    - { name: dashboard, tokenEnv: LIFELINE_READ_TOKEN, scopes: [read] }
    - { name: root, tokenEnv: LIFELINE_ADMIN_TOKEN, scopes: [admin] }
providers:
  - { id: openai, kind: openai, baseUrl: "sim:openai", models: [gpt-4o-mini], probe: { intervalMs: 150, timeoutMs: 1000 } }
  - { id: anthropic, kind: anthropic, baseUrl: "sim:anthropic", models: [claude-3-5-haiku-latest], probe: { intervalMs: 150, timeoutMs: 1000 } }
chains:
  - { id: chat, providers: [openai, anthropic], weights: { openai: 100 } }
services:
  - { id: support-bot, chains: [chat], users: 12000 }
escalation:
  roles:
    technical_lead: [{ name: Dana, email: dana@example.com }]
recovery: { shiftStepMs: 150, failbackHealthyForMs: 300, failbackCheckEveryMs: 100 }
`;
}

export interface Stack {
  config: LifelineConfig;
  client: Client;
  endpoints: ProviderEndpoints;
  worker: Worker;
  api: FastifyInstance;
  apiUrl: string;
  dataDir: string;
  address: string;
  /** The registry worker and API share (as under `lifeline up`); GET /metrics serves it. */
  metrics: LifelineMetrics;
  http(
    method: 'GET' | 'POST',
    path: string,
    opts?: { token?: string; body?: unknown; accept?: string; headers?: Record<string, string> },
  ): Promise<{ status: number; body: any; text: string; headers: Record<string, unknown> }>;
  /** Stops the worker and starts a fresh one on the same server (a worker restart mid-incident). */
  restartWorker(): Promise<void>;
  stop(): Promise<void>;
}

/** extraYaml is appended to the test config (top-level sections), editYaml may rewrite the result; channels replace configured ones by name. */
export async function startStack(
  opts: {
    extraYaml?: string;
    channels?: Channel[];
    env?: Record<string, string>;
    editYaml?: (yaml: string) => string;
    /** The logger's level and destination (default: silent, or LIFELINE_TEST_LOG_LEVEL to stdout). */
    log?: { level: string; destination: DestinationStream };
    /** provider id → the environment variable holding its API key (apiKeyEnv). */
    withProviderKeys?: Record<string, string>;
  } = {},
): Promise<Stack> {
  quietTemporalRuntime();
  const dataDir = mkdtempSync(join(tmpdir(), 'lifeline-it-'));
  let yaml = testConfigYaml(dataDir) + (opts.extraYaml ?? '');
  for (const [p, envName] of Object.entries(opts.withProviderKeys ?? {}))
    yaml = yaml.replace(`{ id: ${p}, `, `{ id: ${p}, apiKeyEnv: ${envName}, `);
  const config = parseConfig(opts.editYaml ? opts.editYaml(yaml) : yaml);
  const env = { ...TEST_ENV, ...opts.env };
  const logger = opts.log
    ? createLogger(opts.log)
    : createLogger({ level: process.env.LIFELINE_TEST_LOG_LEVEL ?? 'silent' });
  const dev = await startDevServer({
    cliPath: cliPath(),
    dataDir,
    port: 0,
    uiPort: false,
    searchAttributes: SEARCH_ATTRIBUTE_TYPES,
    sqliteSync: config.temporal.sqliteSync,
    log: () => undefined,
  });
  const endpoints = await startProviderEndpoints(config);
  // As `lifeline up` connects: queries bounded below the sticky queue timeout (client/query-deadline.ts).
  const client = await connectClient(
    dev.address,
    config.temporal.namespace,
    {},
    queryDeadlineMs(config.worker.stickyQueueTimeoutMs),
  );
  // Every test on this stack fails if a history shows WORKFLOW_TASK_FAILED (test/setup/task-failures.ts).
  const unwatch = watchHistories(client);
  const metrics = createMetrics({ processMetrics: false });
  const newWorker = () =>
    createLifelineWorker({
      config,
      address: dev.address,
      client,
      logger,
      baseUrlFor: endpoints.baseUrlFor,
      workflowBundle: workflowBundle(),
      env,
      channels: opts.channels,
      metrics,
    });
  let { worker, connection } = await newWorker();
  let running = worker.run();
  await ensureEntityWorkflows(client, config);
  // A short snapshot cache: tests scrape until a value shows.
  const api = await buildApi({
    config,
    client,
    logger,
    env,
    metrics,
    metricsSnapshot: { ttlMs: 250, timeoutMs: 5000 },
  });
  await api.listen({ host: '127.0.0.1', port: 0 });
  const addr = api.server.address();
  const apiUrl = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;

  return {
    config,
    client,
    endpoints,
    api,
    apiUrl,
    dataDir,
    address: dev.address,
    metrics,
    get worker() {
      return worker;
    },
    async http(method, path, opts = {}) {
      const res = await request(apiUrl + path, {
        method,
        headers: {
          accept: opts.accept ?? 'application/json',
          ...opts.headers,
          ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
          ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        body: opts.body !== undefined ? JSON.stringify(opts.body) : undefined,
      });
      const text = await res.body.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        /* markdown or empty */
      }
      return { status: res.statusCode, body, text, headers: res.headers };
    },
    async restartWorker() {
      worker.shutdown();
      await running;
      await connection.close();
      ({ worker, connection } = await newWorker());
      running = worker.run();
    },
    async stop() {
      await api.close();
      // The last test's tail (teardown-time tasks) is checked too; a failure here fails the suite.
      const scanned = await assertNoUnexpectedTaskFailures().then(
        () => undefined,
        (err: Error) => err,
      );
      unwatch();
      if (worker.getState() === 'RUNNING') worker.shutdown();
      // Teardown must not hang a suite: run() settles within the worker's shutdownForceTime. A rejected run()
      // (a worker that failed, or an activity that ignored its cancellation) fails the suite once the
      // server under it is stopped — never swallowed.
      const failure = await running.then(
        () => undefined,
        (err: Error) => err,
      );
      if (!failure) {
        await connection.close();
        await client.connection.close();
      }
      // else: leave the client open — closing a channel under a retrying call throws from a grpc timer and
      // takes the whole jest process down; forceExit reaps it.
      await endpoints.close();
      await dev.stop();
      rmSync(dataDir, { recursive: true, force: true });
      if (failure) throw new Error(`the stack's worker run() rejected: ${failure.message}`, { cause: failure });
      if (scanned) throw new Error(`${scanned.message}`, { cause: scanned });
    },
  };
}
