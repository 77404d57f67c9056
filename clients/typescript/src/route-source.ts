// Keeps the latest route of one chain: the SSE stream GET /v1/routes/:chain/events when the server has it,
// else long-poll (`?wait=` with If-None-Match; an older server that ignores `wait` is simply polled every
// pollIntervalMs). The stream is retried every streamRetryMs while polling. The last route received stays
// in use while lifeline is unreachable.
import { createSseParser } from './sse';
import type { Route } from './types';

export interface RouteSourceOptions {
  url: string;
  token: string;
  chain: string;
  pollIntervalMs: number;
  longPollSeconds: number;
  streamRetryMs: number;
  /** No byte on the stream for this long (the server pings every 15 s): reconnect. */
  streamIdleMs: number;
  requestTimeoutMs: number;
  onRoute(route: Route): void;
  onError?(err: unknown): void;
}

export type Transport = 'sse' | 'poll' | 'none';

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });

export class RouteSource {
  transport: Transport = 'none';
  /** False from a failed stream or poll until lifeline answers again. */
  connected = false;
  /** When lifeline last answered (stream event, ping or poll). */
  lastContactAt = 0;
  private etag?: string;
  private readonly stop = new AbortController();
  private readonly loop: Promise<void>;

  constructor(private readonly o: RouteSourceOptions) {
    this.loop = this.run();
  }

  private get headers() {
    return { authorization: `Bearer ${this.o.token}` };
  }

  private get routeUrl() {
    return `${this.o.url}/v1/routes/${encodeURIComponent(this.o.chain)}`;
  }

  private async run(): Promise<void> {
    const signal = this.stop.signal;
    while (!signal.aborted) {
      await this.stream().catch((err: unknown) => this.failed(err));
      if (signal.aborted) break;
      this.transport = 'poll';
      const until = Date.now() + this.o.streamRetryMs;
      while (!signal.aborted && Date.now() < until) {
        const started = Date.now();
        const changed = await this.poll().catch((err: unknown) => (this.failed(err), false));
        const rest = this.o.pollIntervalMs - (Date.now() - started);
        if (!changed && rest > 0) await sleep(rest, signal);
      }
    }
  }

  /** Returns when the stream ends or fails; throws when it could not be opened. */
  private async stream(): Promise<void> {
    const ctl = new AbortController();
    const onStop = () => ctl.abort();
    this.stop.signal.addEventListener('abort', onStop, { once: true });
    let idle: NodeJS.Timeout | undefined;
    const touch = () => {
      clearTimeout(idle);
      idle = setTimeout(() => ctl.abort(), this.o.streamIdleMs);
      idle.unref();
    };
    try {
      touch();
      const res = await fetch(`${this.routeUrl}/events`, {
        headers: { ...this.headers, accept: 'text/event-stream' },
        signal: ctl.signal,
      });
      if (res.status !== 200 || !(res.headers.get('content-type') ?? '').startsWith('text/event-stream') || !res.body) {
        await res.body?.cancel().catch(() => undefined);
        throw new Error(`route stream unavailable: HTTP ${res.status}`);
      }
      this.transport = 'sse';
      this.connected = true;
      const parser = createSseParser((e) => {
        if (e.event === 'route') this.accept(JSON.parse(e.data) as Route);
      });
      const decoder = new TextDecoder();
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        this.lastContactAt = Date.now();
        touch();
        parser.feed(decoder.decode(chunk, { stream: true }));
      }
    } finally {
      clearTimeout(idle);
      this.stop.signal.removeEventListener('abort', onStop);
      ctl.abort();
    }
  }

  /** One (long-)poll; true when it brought a new route. */
  private async poll(): Promise<boolean> {
    const res = await fetch(`${this.routeUrl}?wait=${this.o.longPollSeconds}`, {
      headers: { ...this.headers, ...(this.etag ? { 'if-none-match': this.etag } : {}) },
      signal: AbortSignal.any([
        this.stop.signal,
        AbortSignal.timeout(this.o.longPollSeconds * 1000 + this.o.requestTimeoutMs),
      ]),
    });
    this.lastContactAt = Date.now();
    this.connected = res.status === 200 || res.status === 304;
    if (res.status === 304) return false;
    if (res.status !== 200) {
      await res.arrayBuffer().catch(() => undefined);
      throw new Error(`route poll: HTTP ${res.status}`);
    }
    const route = (await res.json()) as Route;
    this.etag = res.headers.get('etag') ?? undefined;
    return this.accept(route);
  }

  private latestVersion = -1;
  private lastStamp = '';

  private failed(err: unknown): void {
    if (this.stop.signal.aborted) return;
    this.connected = false;
    this.o.onError?.(err);
  }

  private accept(route: Route): boolean {
    this.lastContactAt = Date.now();
    if (typeof route?.version !== 'number' || typeof route.weights !== 'object') return false;
    // Same version, same stamp: nothing new (a poll after a stream event, a reconnect's first event).
    const stamp = `${route.version}|${route.updatedAt ?? ''}|${JSON.stringify([route.weights, route.mode, route.down, route.hints])}`;
    if (stamp === this.lastStamp) return false;
    this.lastStamp = stamp;
    this.latestVersion = route.version;
    this.o.onRoute(route);
    return true;
  }

  get version(): number {
    return this.latestVersion;
  }

  async close(): Promise<void> {
    this.stop.abort();
    await this.loop;
  }
}
