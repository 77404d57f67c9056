// bench/peer's systems under test, each in front of its own pair of fake providers (primary, backup):
//   litellm-default  the real LiteLLM proxy, model group `chat` (primary) with fallback group `chat-backup`
//   litellm-tuned    the same with timeout 2 s, 1 retry, cooldown 30 s after 1 failure
//   lifeline-naive   lifeline + an app that polls GET /v1/routes/chat every 500 ms and sends each request to
//                    the top-weighted provider (no retry): the baseline from issue 14
//   lifeline-client  lifeline + an app using clients/typescript (createRouteClient → call)
// `send` is one application request with the app's own timeout; it says which provider answered.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRouteClient } from '../clients/typescript/src';
import { startServices } from '../cli/runtime';
import { parseConfig } from '../config/load';
import { startLiteLlmProxy } from '../sim/litellm-proxy';
import { createLogger } from '../worker/logger';
import type { PeerProvider } from './peer-provider';
import { until } from './util';

export const SYSTEMS = ['litellm-default', 'litellm-tuned', 'lifeline-naive', 'lifeline-client'] as const;
export type SystemName = (typeof SYSTEMS)[number];

export interface SendResult {
  ok: boolean;
  status?: number;
  /** The provider that answered (primary | backup), when known. */
  provider?: string;
  error?: string;
}

export interface PeerSystem {
  name: SystemName;
  send(timeoutMs: number): Promise<SendResult>;
  stop(): Promise<void>;
}

export interface Providers {
  primary: PeerProvider;
  backup: PeerProvider;
}

const chatBody = (model: string) =>
  JSON.stringify({ model, messages: [{ role: 'user', content: 'ping' }], max_tokens: 5 });

async function asResult(res: Response, provider?: string): Promise<SendResult> {
  await res.arrayBuffer();
  return res.ok ? { ok: true, status: res.status, provider } : { ok: false, status: res.status, provider };
}
const failed = (err: unknown): SendResult => ({ ok: false, error: (err as Error).name ?? String(err) });

async function litellm(name: SystemName, p: Providers): Promise<PeerSystem> {
  const tuned = name === 'litellm-tuned';
  const proxy = await startLiteLlmProxy({
    configYaml: `
model_list:
  - model_name: chat
    litellm_params: { model: openai/bench-model, api_base: "${p.primary.appBaseUrl}", api_key: sk-fake }
    model_info: { id: primary }
  - model_name: chat-backup
    litellm_params: { model: openai/bench-model, api_base: "${p.backup.appBaseUrl}", api_key: sk-fake }
    model_info: { id: backup }
router_settings:
  fallbacks: [{ chat: [chat-backup] }]
${tuned ? '  timeout: 2\n  num_retries: 1\n  allowed_fails: 1\n  cooldown_time: 30\n' : ''}`,
  });
  return {
    name,
    async send(timeoutMs) {
      try {
        const res = await fetch(`${proxy.url}/v1/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${proxy.masterKey}` },
          body: chatBody('chat'),
          signal: AbortSignal.timeout(timeoutMs),
        });
        return await asResult(res, res.headers.get('x-litellm-model-id') ?? undefined);
      } catch (err) {
        return failed(err);
      }
    },
    stop: () => proxy.stop(),
  };
}

let stacks = 0;

/** lifeline (embedded Temporal, worker and API) watching the two providers with its shipped defaults. */
async function lifelineStack(p: Providers) {
  const token = `bench-peer-${Math.random().toString(36).slice(2)}`;
  const TOKEN_ENV = `BENCH_PEER_APP_TOKEN_${++stacks}`; // one per stack: two may start side by side
  process.env[TOKEN_ENV] = token;
  const dataDir = mkdtempSync(join(tmpdir(), 'lifeline-bench-peer-'));
  const probe = '{ intervalMs: 1000, timeoutMs: 1000 }';
  const config = parseConfig(`
server: { host: 127.0.0.1, port: 0 }
temporal: { address: embedded, port: 0, uiPort: false, taskQueue: bench-peer }
dataDir: ${dataDir}
auth:
  tokens:
    - { name: app, tokenEnv: ${TOKEN_ENV}, scopes: [read, ingest] }
providers:
  - { id: primary, kind: openai, baseUrl: "${p.primary.probeBaseUrl}", models: [bench-model], probe: ${probe}, detection: { failuresToOpen: 2, successesToClose: 2 } }
  - { id: backup, kind: openai, baseUrl: "${p.backup.probeBaseUrl}", models: [bench-model], probe: ${probe} }
chains:
  - { id: chat, providers: [primary, backup], weights: { primary: 100 } }
services:
  - { id: app, chains: [chat], users: 1000 }
`);
  const services = await startServices({
    config,
    logger: createLogger({ level: 'silent' }),
    worker: true,
    api: true,
    progress: () => undefined,
  });
  const url = services.apiUrl!;
  const auth = { authorization: `Bearer ${token}` };
  await until(
    () => fetch(`${url}/v1/routes/chat`, { headers: auth }).then((r) => r.json() as Promise<{ weights?: object }>),
    (r) => (r.weights as Record<string, number> | undefined)?.primary === 100,
    'lifeline route',
  );
  const stop = async () => {
    await services.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  return { url, token, auth, stop };
}

const baseOf = (p: Providers, provider: string) => (provider === 'backup' ? p.backup : p.primary).appBaseUrl;

async function lifelineNaive(p: Providers): Promise<PeerSystem> {
  const ll = await lifelineStack(p);
  let weights: Record<string, number> = { primary: 100 };
  const poll = setInterval(() => {
    fetch(`${ll.url}/v1/routes/chat`, { headers: ll.auth, signal: AbortSignal.timeout(2_000) })
      .then((r) => (r.ok ? (r.json() as Promise<{ weights: Record<string, number> }>) : undefined))
      .then((r) => {
        if (r?.weights && Object.keys(r.weights).length) weights = r.weights;
      })
      .catch(() => undefined); // lifeline unreachable: keep the last route
  }, 500);
  return {
    name: 'lifeline-naive',
    async send(timeoutMs) {
      const provider = Object.entries(weights).sort((a, b) => b[1] - a[1])[0]?.[0] ?? 'primary';
      try {
        const res = await fetch(`${baseOf(p, provider)}/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: 'Bearer sk-fake' },
          body: chatBody('bench-model'),
          signal: AbortSignal.timeout(timeoutMs),
        });
        return await asResult(res, provider);
      } catch (err) {
        return failed(err);
      }
    },
    async stop() {
      clearInterval(poll);
      await ll.stop();
    },
  };
}

async function lifelineClient(p: Providers): Promise<PeerSystem> {
  const ll = await lifelineStack(p);
  const client = createRouteClient({
    url: ll.url,
    token: ll.token,
    chain: 'chat',
    app: 'bench-peer',
    defaultRoute: { providers: ['primary', 'backup'], weights: { primary: 100 } },
  });
  await client.ready(30_000);
  return {
    name: 'lifeline-client',
    async send(timeoutMs) {
      let answered: string | undefined;
      try {
        const res = await client.call(async (provider, signal) => {
          const r = await fetch(`${baseOf(p, provider)}/chat/completions`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: 'Bearer sk-fake' },
            body: chatBody('bench-model'),
            signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
          });
          if (r.ok) answered = provider;
          return r;
        });
        return await asResult(res, answered);
      } catch (err) {
        return failed(err);
      }
    },
    async stop() {
      await client.close();
      await ll.stop();
    },
  };
}

export function startSystem(name: SystemName, p: Providers): Promise<PeerSystem> {
  switch (name) {
    case 'litellm-default':
    case 'litellm-tuned':
      return litellm(name, p);
    case 'lifeline-naive':
      return lifelineNaive(p);
    case 'lifeline-client':
      return lifelineClient(p);
  }
}
