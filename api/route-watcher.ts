// One watcher per chain per API process, however many clients listen: while a chain has subscribers
// (event streams, long-polls), one loop reads its route every `intervalMs` and hands each change to all
// of them. A thousand connected apps cost the routing entity one query loop, not a thousand. Polling a
// workflow query is the cheapest mechanism that leaves the routing entity's history untouched (a
// blocking Update per change would write events for every waiting reader); at 50 ms (api/routes.ts) a
// change reaches clients well inside the 200 ms target (bench/routes-stream.ts).
import { isRouteChange, type RouteView } from '../domain/route-view';

export interface RouteSubscriber {
  /** A view of the chain: the latest one at once when the chain is already watched, then every change. */
  onView(view: RouteView): void;
  /** The watcher closed (the server is shutting down): end the stream or answer now. */
  onClose(): void;
}

export class SubscriberLimitError extends Error {}
export class WatcherClosedError extends Error {}

interface ChainWatch {
  subs: Set<RouteSubscriber>;
  latest?: RouteView;
  readAt: number;
  timer?: NodeJS.Timeout;
  wake?: () => void;
}

export interface RouteWatcherOptions {
  /** Time between two reads of a watched chain (default 100 ms). */
  intervalMs?: number;
  /** Open subscriptions (streams and long-polls) this process holds at most (default 1000). */
  maxSubscribers?: number;
  /** A failed read (Temporal unavailable): subscribers keep the last view; the loop tries again. */
  onError?: (chain: string, err: unknown) => void;
}

export class RouteWatcher {
  private readonly chains = new Map<string, ChainWatch>();
  private count = 0;
  private closed = false;
  readonly intervalMs: number;
  readonly maxSubscribers: number;

  constructor(
    private readonly read: (chain: string) => Promise<RouteView>,
    private readonly opts: RouteWatcherOptions = {},
  ) {
    this.intervalMs = opts.intervalMs ?? 100;
    this.maxSubscribers = opts.maxSubscribers ?? 1000;
  }

  get subscribers(): number {
    return this.count;
  }

  /** Chains with a running loop (for tests: one per chain, however many subscribers). */
  get watchedChains(): string[] {
    return [...this.chains.keys()];
  }

  /** Throws when the process holds `maxSubscribers` already, or is closing. Returns the unsubscribe. */
  subscribe(chain: string, sub: RouteSubscriber): () => void {
    if (this.closed) throw new WatcherClosedError('the server is shutting down');
    if (this.count >= this.maxSubscribers)
      throw new SubscriberLimitError(`this server holds its maximum of ${this.maxSubscribers} route subscribers`);
    const existing = this.chains.get(chain);
    const w: ChainWatch = existing ?? { subs: new Set(), readAt: 0 };
    w.subs.add(sub);
    this.count += 1;
    if (!existing) {
      this.chains.set(chain, w);
      void this.run(chain, w);
    } else if (w.latest) {
      // Replayed so that a change seen between the caller's own read and now is not missed.
      const latest = w.latest;
      queueMicrotask(() => w.subs.has(sub) && sub.onView(latest));
    }
    return () => {
      if (w.subs.delete(sub)) this.count -= 1;
    };
  }

  /** The chain's current view: the watcher's own when it is fresh, else a read. */
  async current(chain: string): Promise<RouteView> {
    const w = this.chains.get(chain);
    if (w?.latest && Date.now() - w.readAt < this.intervalMs * 5) return w.latest;
    return this.read(chain);
  }

  /**
   * Resolves with the first view that is news against `known` and `differs`, or null once `timeoutMs`
   * passes, `signal` aborts (the client hung up) or the watcher closes. Rejects like subscribe().
   */
  waitForChange(
    chain: string,
    known: RouteView,
    differs: (v: RouteView) => boolean,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<RouteView | null> {
    return new Promise((resolve) => {
      let unsubscribe = () => {};
      const finish = (v: RouteView | null) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', abort);
        unsubscribe();
        resolve(v);
      };
      const abort = () => finish(null);
      const timer = setTimeout(abort, timeoutMs);
      try {
        unsubscribe = this.subscribe(chain, {
          onView: (v) => isRouteChange(known, v) && differs(v) && finish(v),
          onClose: abort,
        });
      } catch (err) {
        clearTimeout(timer);
        throw err; // rejects the promise
      }
      if (signal?.aborted) abort();
      else signal?.addEventListener('abort', abort, { once: true });
    });
  }

  /** Stops every loop and tells every subscriber (preClose: open streams must not hold up shutdown). */
  close(): void {
    this.closed = true;
    for (const w of this.chains.values()) {
      clearTimeout(w.timer);
      w.wake?.();
      for (const s of [...w.subs]) s.onClose();
      w.subs.clear();
    }
    this.chains.clear();
    this.count = 0;
  }

  private async run(chain: string, w: ChainWatch): Promise<void> {
    while (!this.closed && w.subs.size > 0) {
      try {
        const v = await this.read(chain);
        w.readAt = Date.now();
        if (isRouteChange(w.latest, v)) {
          w.latest = v;
          for (const s of [...w.subs]) s.onView(v);
        }
      } catch (err) {
        this.opts.onError?.(chain, err);
      }
      if (this.closed || w.subs.size === 0) break;
      await new Promise<void>((r) => {
        w.wake = r;
        w.timer = setTimeout(r, this.intervalMs);
      });
    }
    if (this.chains.get(chain) === w) this.chains.delete(chain);
  }
}
