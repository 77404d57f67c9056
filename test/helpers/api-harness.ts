// The real HTTP API (api/server.ts) on a free 127.0.0.1 port, with a Temporal client that records every
// call and knows no workflow: a request that would open an incident or start a traffic shift shows up
// in `created`, everything else is answered as "not found". Used by the route-access and hostile-input
// tests, which must reach every route without a Temporal server.
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { Pool } from 'undici';
import { buildApi } from '../../api/server';
import { parseConfig } from '../../config/load';
import { startSmtp } from './fakes';
import { SIGNING_SECRET } from './slack';

export const HARNESS_TOKENS = {
  ingest: 'h-ingest-4d1f',
  read: 'h-read-8a20',
  operate: 'h-operate-c3e9',
  admin: 'h-admin-71b5',
};
const env = {
  H_INGEST: HARNESS_TOKENS.ingest,
  H_READ: HARNESS_TOKENS.read,
  H_OPERATE: HARNESS_TOKENS.operate,
  H_ADMIN: HARNESS_TOKENS.admin,
  SLACK_BOT_TOKEN: 'xoxb-harness-not-used',
  SLACK_SIGNING_SECRET: SIGNING_SECRET,
  SLACK_API_URL: 'http://127.0.0.1:9/api/',
};

const yaml = (dataDir: string, smtpPort: number) => `
dataDir: ${dataDir}
auth:
  tokens:
    - { name: detectors, tokenEnv: H_INGEST, scopes: [ingest] }
    - { name: dashboard, tokenEnv: H_READ, scopes: [read] }
    - { name: operator, tokenEnv: H_OPERATE, scopes: [operate] }
    - { name: root, tokenEnv: H_ADMIN, scopes: [admin] }
providers:
  - { id: openai, kind: openai, baseUrl: https://api.openai.com }
  - { id: anthropic, kind: anthropic, baseUrl: https://api.anthropic.com }
chains:
  - { id: chat, providers: [openai, anthropic], weights: { openai: 100 } }
services:
  - { id: support-bot, chains: [chat], users: 100 }
ingest: { rateLimit: { perSecond: 1000000, burst: 1000000 } }
smtp: { host: 127.0.0.1, port: ${smtpPort}, from: status@example.com }
`;

export interface TemporalCall {
  method: string;
  workflowId?: string;
}

/** A Temporal client that has no workflows: lookups fail with WorkflowNotFoundError, starts are recorded. */
export function recordingClient(): { client: Client; calls: TemporalCall[]; created: TemporalCall[] } {
  const calls: TemporalCall[] = [];
  const created: TemporalCall[] = [];
  const missing = (workflowId: string) => async () => {
    throw new WorkflowNotFoundError('workflow not found', workflowId, undefined);
  };
  const handle = (workflowId: string) => ({
    workflowId,
    describe: missing(workflowId),
    query: missing(workflowId),
    signal: missing(workflowId),
    executeUpdate: missing(workflowId),
    fetchHistory: missing(workflowId),
    result: missing(workflowId),
    terminate: missing(workflowId),
    cancel: missing(workflowId),
  });
  const starting = (method: string) => async (_type: string, o: { workflowId: string }) => {
    const call = { method, workflowId: o.workflowId };
    calls.push(call);
    created.push(call);
    return {
      ...handle(o.workflowId),
      signaledRunId: '00000000-0000-0000-0000-000000000000',
      firstExecutionRunId: '00000000-0000-0000-0000-000000000000',
    };
  };
  const client = {
    workflow: {
      getHandle(workflowId: string) {
        calls.push({ method: 'getHandle', workflowId });
        return handle(workflowId);
      },
      signalWithStart: starting('signalWithStart'),
      start: starting('start'),
      async *list() {
        calls.push({ method: 'list' });
      },
    },
    workflowService: {
      getSystemInfo: async () => ({}),
      describeTaskQueue: async () => ({ pollers: [] }),
    },
    withDeadline: <T>(_deadline: number, fn: () => Promise<T>) => fn(),
  };
  return { client: client as unknown as Client, calls, created };
}

export interface Harness {
  app: FastifyInstance;
  /** The API's dataDir (its file archive lives under it). */
  dataDir: string;
  calls: TemporalCall[];
  created: TemporalCall[];
  send(o: {
    method: string;
    path: string;
    token?: string;
    body?: string | Buffer;
    contentType?: string;
    headers?: Record<string, string>;
  }): Promise<{ status: number; headers: Record<string, unknown>; text: string; json(): any }>;
  close(): Promise<void>;
}

/** `smtpPort` defaults to a real local SMTP server; pass a closed port to have the mail server down. */
export async function startHarness(opts: { smtpPort?: number } = {}): Promise<Harness> {
  const dataDir = mkdtempSync(join(tmpdir(), 'lifeline-harness-'));
  const smtp = opts.smtpPort ? null : await startSmtp();
  const { client, calls, created } = recordingClient();
  const app = await buildApi({
    config: parseConfig(yaml(dataDir, opts.smtpPort ?? smtp!.port)),
    client,
    logger: pino({ level: 'silent' }),
    env,
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const pool = new Pool(`http://127.0.0.1:${(app.server.address() as AddressInfo).port}`, { connections: 16 });
  return {
    app,
    calls,
    created,
    dataDir,
    async send(o) {
      const res = await pool.request({
        method: o.method as 'GET',
        path: o.path,
        headers: {
          ...(o.contentType ? { 'content-type': o.contentType } : {}),
          ...(o.token ? { authorization: `Bearer ${o.token}` } : {}),
          ...o.headers,
        },
        body: o.body,
      });
      const text = await res.body.text();
      return { status: res.statusCode, headers: res.headers, text, json: () => JSON.parse(text) };
    },
    async close() {
      await pool.close();
      await app.close();
      await smtp?.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
