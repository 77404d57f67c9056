// createRouteClient: follows one chain's route from lifeline and runs each request on the provider it
// picks, failing over along the chain within the same call. See README.md for the behaviour in full.
import { randomUUID } from 'node:crypto';
import { LocalBreaker } from './breaker';
import { classifyError, classifyResult, type Verdict } from './classify';
import { AllAttemptsFailedError, RouteEmergencyError, type AttemptRecord } from './errors';
import { OutcomeReporter } from './outcomes';
import { chainOf, planAttempts } from './pick';
import { RouteSource, type Transport } from './route-source';
import type { Route } from './types';

export interface RouteClientOptions {
  /** lifeline's API, e.g. http://lifeline:8080 */
  url: string;
  /** A read-scoped token. */
  token: string;
  chain: string;
  /** An ingest-scoped token for POST /v1/outcomes; defaults to `token`. */
  ingestToken?: string;
  /** Sent with outcome batches (`app`). */
  app?: string;
  /** Used until lifeline has answered once (e.g. lifeline is down when the app starts). */
  defaultRoute?: Partial<Route> & Pick<Route, 'weights'>;
  /** Per attempt; past it the next provider is tried at once. */
  attemptTimeoutMs?: number;
  /** Attempts per call, each on a different provider. */
  maxAttempts?: number;
  /** Share of requests (0-1) sent as trials to a provider the local breaker holds half-open. */
  trialShare?: number;
  /**
   * Share of requests (0-1) sent as trials to a provider lifeline let go of `down` but has not weighted
   * yet (default 0.25): lifeline's failback waits for that evidence, so it must come quickly.
   */
  recoveringTrialShare?: number;
  /** Consecutive failed attempts that open the local breaker of a provider (1-2). */
  breakerThreshold?: number;
  /** How long an opened local breaker sends nothing before trials (half-open). */
  breakerCoolDownMs?: number;
  /** Polling cadence when the stream is unavailable (and the server does not long-poll). */
  pollIntervalMs?: number;
  longPollSeconds?: number;
  /** While polling, the stream is tried again this often. */
  streamRetryMs?: number;
  streamIdleMs?: number;
  requestTimeoutMs?: number;
  /** false: no outcome reports. */
  outcomes?: false | { batchSize?: number; flushIntervalMs?: number; maxQueue?: number };
  /** For tests: a seeded random source. */
  random?: () => number;
  onRoute?(route: Route): void;
  onError?(err: unknown): void;
}

export interface AttemptContext {
  requestId: string;
  attempt: number;
  trial: boolean;
  /** lifeline's recovery hints for this provider (e.g. use_backup_key, throttle). */
  hints: string[];
}

export interface Picked {
  /** null: emergency (or nothing known): serve from the cache/static tier. */
  provider: string | null;
  trial: boolean;
  emergency: boolean;
  hints: string[];
  /** Providers in the order one call would try them. */
  order: string[];
  route: Route | null;
  /** live: from a lifeline that answers; last-known: lifeline unreachable; default: never reached yet. */
  source: 'live' | 'last-known' | 'default' | 'none';
}

export interface RouteClient {
  pick(): Picked;
  call<T>(fn: (provider: string, signal: AbortSignal, ctx: AttemptContext) => Promise<T>): Promise<T>;
  /** Resolves with the first route from lifeline; rejects after timeoutMs. */
  ready(timeoutMs?: number): Promise<Route>;
  route(): Route | null;
  stats(): {
    transport: Transport;
    connected: boolean;
    version: number | null;
    outcomesSent: number;
    outcomesDropped: number;
    breakerOpen: string[];
  };
  /** Stops following the route and flushes queued outcomes. */
  close(): Promise<void>;
}

export function createRouteClient(opts: RouteClientOptions): RouteClient {
  const url = opts.url.replace(/\/+$/, '');
  const attemptTimeoutMs = opts.attemptTimeoutMs ?? 2000;
  const maxAttempts = opts.maxAttempts ?? 3;
  const trialShare = opts.trialShare ?? 0.05;
  const recoveringTrialShare = opts.recoveringTrialShare ?? 0.25;
  const random = opts.random ?? Math.random;
  const breaker = new LocalBreaker(opts.breakerThreshold ?? 1, opts.breakerCoolDownMs ?? 10_000);
  const fallback: Route | null = opts.defaultRoute
    ? { id: opts.chain, mode: 'normal', version: 0, ...opts.defaultRoute }
    : null;
  let live: Route | null = null;
  /** Providers lifeline held down and let go again while they still get no weight: trial candidates. */
  const recovering = new Set<string>();
  const waiters: ((r: Route) => void)[] = [];

  const source = new RouteSource({
    url,
    token: opts.token,
    chain: opts.chain,
    pollIntervalMs: opts.pollIntervalMs ?? 1000,
    longPollSeconds: opts.longPollSeconds ?? 25,
    streamRetryMs: opts.streamRetryMs ?? 10_000,
    streamIdleMs: opts.streamIdleMs ?? 45_000,
    requestTimeoutMs: opts.requestTimeoutMs ?? 3000,
    onError: opts.onError,
    onRoute(route) {
      const down = route.down ?? [];
      for (const p of down) recovering.add(p);
      for (const p of recovering) if ((route.weights[p] ?? 0) > 0) recovering.delete(p);
      breaker.routeChanged(route.version, down);
      live = route;
      opts.onRoute?.(route);
      waiters.splice(0).forEach((w) => w(route));
    },
  });
  const cfg = opts.outcomes === false ? null : (opts.outcomes ?? {});
  const reporter = cfg
    ? new OutcomeReporter({
        url,
        token: opts.ingestToken ?? opts.token,
        app: opts.app,
        batchSize: cfg.batchSize ?? 100,
        flushIntervalMs: cfg.flushIntervalMs ?? 1000,
        maxQueue: cfg.maxQueue ?? 10_000,
        timeoutMs: opts.requestTimeoutMs ?? 3000,
      })
    : null;

  const current = (): Route | null => live ?? fallback;

  function pick(): Picked {
    const route = current();
    const src: Picked['source'] = live ? (source.connected ? 'live' : 'last-known') : fallback ? 'default' : 'none';
    if (!route) return { provider: null, trial: false, emergency: true, hints: [], order: [], route, source: src };
    const chain = chainOf(route);
    const halfOpen = chain.filter((p) => breaker.isHalfOpen(p));
    const plan = planAttempts({
      route,
      blocked: new Set([...chain.filter((p) => breaker.isOpen(p)), ...halfOpen]),
      trialCandidates: [...new Set([...recovering, ...halfOpen])].filter((p) => !breaker.isOpen(p)),
      // A provider lifeline says is healthy again earns its failback faster than a local half-open guess.
      trialShare: [...recovering].some((p) => !(route.down ?? []).includes(p) && !breaker.isOpen(p))
        ? recoveringTrialShare
        : trialShare,
      maxAttempts,
      random,
    });
    const provider = plan.order[0] ?? null;
    return {
      provider,
      trial: plan.trial,
      emergency: plan.emergency,
      hints: provider ? (route.hints?.[provider] ?? []) : [],
      order: plan.order,
      route,
      source: src,
    };
  }

  async function attempt<T>(
    fn: (provider: string, signal: AbortSignal, ctx: AttemptContext) => Promise<T>,
    provider: string,
    ctx: AttemptContext,
  ): Promise<{ verdict: Verdict; result?: T; error?: unknown }> {
    const ctl = new AbortController();
    let timedOut = false;
    let timer: NodeJS.Timeout | undefined;
    // Raced, not only signalled: a fn that ignores the signal still cannot hold the call past the timeout.
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        timedOut = true;
        ctl.abort(new DOMException('attempt timed out', 'TimeoutError'));
        reject(new Error(`attempt on ${provider} timed out after ${attemptTimeoutMs} ms`));
      }, attemptTimeoutMs);
    });
    try {
      const result = await Promise.race([fn(provider, ctl.signal, ctx), timeout]);
      return { verdict: classifyResult(result), result };
    } catch (error) {
      return { verdict: classifyError(error, timedOut), error };
    } finally {
      clearTimeout(timer);
    }
  }

  async function call<T>(fn: (provider: string, signal: AbortSignal, ctx: AttemptContext) => Promise<T>): Promise<T> {
    const picked = pick();
    if (picked.emergency) throw new RouteEmergencyError(picked.route);
    const route = picked.route!;
    const requestId = randomUUID();
    const attempts: AttemptRecord[] = [];
    let last: { result?: unknown; error?: unknown } = {};
    for (let i = 0; i < picked.order.length; i++) {
      const provider = picked.order[i];
      const trial = picked.trial && i === 0;
      const started = performance.now();
      const out = await attempt(fn, provider, { requestId, attempt: i, trial, hints: route.hints?.[provider] ?? [] });
      const latencyMs = Math.round(performance.now() - started);
      const { verdict } = out;
      const final = verdict.ok || !verdict.retryable || i === picked.order.length - 1;
      reporter?.add({
        requestId,
        chain: opts.chain,
        provider,
        at: new Date().toISOString(),
        latencyMs,
        ok: verdict.ok,
        ...(verdict.status !== undefined ? { status: verdict.status } : {}),
        ...(verdict.errorType ? { errorType: verdict.errorType } : {}),
        final,
        ...(trial ? { trial: true } : {}),
      });
      attempts.push({
        provider,
        trial,
        ok: verdict.ok,
        status: verdict.status,
        errorType: verdict.errorType,
        latencyMs,
        error: out.error,
      });
      if (verdict.ok || !verdict.retryable) {
        // The provider answered (a 4xx is the request's fault, not the provider's).
        if (verdict.ok || verdict.errorType === 'client_error') breaker.success(provider);
        if ('error' in out && out.error !== undefined) throw out.error;
        return out.result as T;
      }
      breaker.failure(provider, route.version);
      last = out;
    }
    throw new AllAttemptsFailedError(attempts, last.error ?? last.result);
  }

  return {
    pick,
    call,
    route: current,
    ready(timeoutMs = 10_000) {
      if (live) return Promise.resolve(live);
      return new Promise<Route>((resolve, reject) => {
        const t = setTimeout(
          () => reject(new Error(`no route for ${opts.chain} from ${url} within ${timeoutMs} ms`)),
          timeoutMs,
        );
        waiters.push((r) => (clearTimeout(t), resolve(r)));
      });
    },
    stats: () => ({
      transport: source.transport,
      connected: source.connected,
      version: live?.version ?? null,
      outcomesSent: reporter?.sent ?? 0,
      outcomesDropped: reporter?.dropped ?? 0,
      breakerOpen: breaker.open(),
    }),
    async close() {
      await source.close();
      await reporter?.close();
    },
  };
}
