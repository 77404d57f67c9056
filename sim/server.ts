// The simulator's HTTP server: one fastify instance hosting every simulated provider.
//
// Each provider lives under its own path prefix (`${url}/openai`), so a client configured with
// `baseUrlFor('openai')` as its base URL calls `/v1/models` exactly as it would the real API, and a
// whole multi-provider scenario needs only one port. Faults are switched per provider, from code
// (`setFault`) or over HTTP (`PUT /_sim/:provider/fault`) so the demo can be driven with curl.
//
// Hung requests are the hard part of shutdown: a `hang` request is never answered, and a latency
// delay can be minutes long. Both are tied to one AbortController and a set of sockets that
// `close()` destroys, so closing the simulator never waits for a client to give up.
import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import { z } from 'zod';
import { HEALTHY, parseSimFault, simFaultSchema, type SimFault } from './faults';
import { routeProviderRequest, type SimProviderConfig } from './router';
import { DEFAULT_MODELS, internalErrorResponse, invalidRequestResponse, makeResponseContext } from './responses';

export type { SimProviderConfig } from './router';

export interface SimulatorOptions {
  /** Default 127.0.0.1: the simulator is a test double, never meant to be reachable from outside. */
  host?: string;
  /** Default 0: a random free port, so parallel test files never collide. */
  port?: number;
  providers: SimProviderConfig[];
}

export interface SimStats {
  /** Requests received (including ones still hanging). */
  requests: number;
  /** Responses sent, by HTTP status ("200", "429", ...); hung requests never get one. */
  byStatus: Record<string, number>;
}

export interface Simulator {
  url: string;
  baseUrlFor(id: string): string;
  setFault(id: string, fault: SimFault): void;
  getFault(id: string): SimFault;
  stats(id: string): SimStats;
  close(): Promise<void>;
}

interface ProviderState {
  config: SimProviderConfig & { models: readonly string[] };
  fault: SimFault;
  stats: SimStats;
}

/** Ids become URL path segments and must not shadow the control plane. */
const PROVIDER_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const PROVIDER_ROUTE = '/:provider/*';

function buildStates(providers: SimProviderConfig[]): Map<string, ProviderState> {
  const states = new Map<string, ProviderState>();
  for (const p of providers) {
    if (!PROVIDER_ID.test(p.id)) throw new Error(`invalid simulated provider id "${p.id}" (letters, digits, . _ -)`);
    if (states.has(p.id)) throw new Error(`duplicate simulated provider id "${p.id}"`);
    if (p.kind !== 'openai' && p.kind !== 'anthropic') throw new Error(`unknown provider kind "${String(p.kind)}"`);
    const models = p.models && p.models.length > 0 ? [...p.models] : [...DEFAULT_MODELS[p.kind]];
    states.set(p.id, { config: { ...p, models }, fault: { ...HEALTHY }, stats: { requests: 0, byStatus: {} } });
  }
  return states;
}

function formatUrl(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

export async function startSimulator(opts: SimulatorOptions): Promise<Simulator> {
  const states = buildStates(opts.providers);
  const host = opts.host ?? '127.0.0.1';
  const shutdown = new AbortController();
  const hung = new Set<Socket>();

  // forceCloseConnections: keep-alive and in-flight sockets are cut on close instead of awaited.
  // return503OnClosing off: fastify's generic 503 during shutdown would look like a provider outage.
  const app = Fastify({ logger: false, forceCloseConnections: true, return503OnClosing: false });

  const stateOf = (id: string): ProviderState => {
    const state = states.get(id);
    if (!state) throw new Error(`unknown simulated provider "${id}"`);
    return state;
  };
  let url = '';
  const snapshot = (s: ProviderState) => ({
    id: s.config.id,
    kind: s.config.kind,
    baseUrl: `${url}/${s.config.id}`,
    models: s.config.models,
    apiKeyRequired: s.config.apiKey !== undefined,
    fault: { ...s.fault },
    stats: { requests: s.stats.requests, byStatus: { ...s.stats.byStatus } },
  });
  const providerOf = (request: FastifyRequest): ProviderState | undefined =>
    request.routeOptions.url === PROVIDER_ROUTE
      ? states.get((request.params as { provider: string }).provider)
      : undefined;

  // Stats come from hooks so that every path counts, including body-parser errors that never reach the handler.
  app.addHook('onRequest', async (request) => {
    const state = providerOf(request);
    if (state) state.stats.requests += 1;
  });
  app.addHook('onResponse', async (request, reply) => {
    const state = providerOf(request);
    if (state) state.stats.byStatus[reply.statusCode] = (state.stats.byStatus[reply.statusCode] ?? 0) + 1;
  });

  /** Leave the request unanswered; the socket is destroyed by the client giving up or by close(). */
  const hang = (reply: FastifyReply): FastifyReply => {
    reply.hijack();
    const socket = reply.raw.socket;
    if (!socket || shutdown.signal.aborted) {
      socket?.destroy();
      return reply;
    }
    hung.add(socket);
    socket.once('close', () => hung.delete(socket));
    return reply;
  };

  // ---- control plane -------------------------------------------------------------------------
  const unknownProvider = (provider: string, reply: FastifyReply) =>
    reply.code(404).send({ error: 'unknown_provider', message: `no simulated provider "${provider}"` });
  app.get('/_sim', async () => ({ providers: [...states.values()].map(snapshot) }));

  app.get<{ Params: { provider: string } }>('/_sim/:provider', async (request, reply) => {
    const state = states.get(request.params.provider);
    if (!state) return unknownProvider(request.params.provider, reply);
    return snapshot(state);
  });

  app.put<{ Params: { provider: string } }>('/_sim/:provider/fault', async (request, reply) => {
    const state = states.get(request.params.provider);
    if (!state) return unknownProvider(request.params.provider, reply);
    const parsed = simFaultSchema.safeParse(request.body);
    if (!parsed.success) {
      const { fieldErrors, formErrors } = z.flattenError(parsed.error);
      return reply
        .code(400)
        .send({ error: 'invalid_fault', message: z.prettifyError(parsed.error), fieldErrors, formErrors });
    }
    state.fault = parseSimFault(parsed.data);
    return snapshot(state);
  });

  // ---- simulated providers -------------------------------------------------------------------
  app.all<{ Params: { provider: string; '*': string } }>(PROVIDER_ROUTE, async (request, reply) => {
    const state = states.get(request.params.provider);
    if (!state) return unknownProvider(request.params.provider, reply);
    // The fault in force when the request arrived decides its fate, as for a request already in flight upstream.
    const fault = state.fault;
    if (fault.latencyMs) {
      try {
        await sleep(fault.latencyMs, undefined, { signal: shutdown.signal });
      } catch {
        return hang(reply); // closing: drop the connection, there is nobody left to answer
      }
    }
    const decision = routeProviderRequest(
      state.config,
      fault,
      { method: request.method, path: `/${request.params['*']}`, headers: request.headers, body: request.body },
      makeResponseContext(),
    );
    if (decision === 'hang') return hang(reply);
    return reply.code(decision.status).headers(decision.headers).send(decision.body);
  });

  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send({
      error: 'not_found',
      message: `no simulated provider or control route at ${request.method} ${request.url}`,
    });
  });

  // Body-parser failures (bad JSON, wrong content type) answered in the provider's own error shape.
  app.setErrorHandler((error: { statusCode?: number; message?: string }, request, reply) => {
    const status = typeof error.statusCode === 'number' && error.statusCode >= 400 ? error.statusCode : 500;
    const state = providerOf(request);
    if (!state)
      return reply
        .code(status)
        .send({ error: status < 500 ? 'bad_request' : 'internal_error', message: error.message });
    const ctx = makeResponseContext();
    const res =
      status < 500
        ? invalidRequestResponse(state.config.kind, error.message ?? 'Invalid request', ctx, null, status)
        : internalErrorResponse(state.config.kind, ctx);
    return reply.code(res.status).headers(res.headers).send(res.body);
  });

  await app.listen({ host, port: opts.port ?? 0 });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('simulator is not listening on a TCP port');
  url = formatUrl(host, address.port);

  let closing: Promise<void> | undefined;
  return {
    url,
    baseUrlFor: (id) => `${url}/${stateOf(id).config.id}`,
    setFault: (id, fault) => {
      stateOf(id).fault = parseSimFault(fault); // validated: callers may pass untyped JSON from a scenario file
    },
    getFault: (id) => ({ ...stateOf(id).fault }),
    stats: (id) => {
      const { requests, byStatus } = stateOf(id).stats;
      return { requests, byStatus: { ...byStatus } };
    },
    close: () => {
      closing ??= (async () => {
        shutdown.abort();
        for (const socket of hung) socket.destroy();
        hung.clear();
        await app.close();
      })();
      return closing;
    },
  };
}
