// The pure parts of route streaming: the public route view (providers, down), its ETag, change
// detection, SSE framing, and the watcher's one-loop-per-chain fan-out with a fake reader.
import { isRouteChange, routesEtag, routeView, type RouteView } from '../../domain/route-view';
import { RouteWatcher, SubscriberLimitError, WatcherClosedError } from '../../api/route-watcher';
import { SSE_PING, sseEvent } from '../../api/sse';
import type { RouteState } from '../../workflows/messages';
import { waitFor } from '../helpers/wait';

const state = (over: Partial<RouteState> = {}): RouteState => ({
  id: 'chat',
  providers: ['openai', 'anthropic'],
  weights: { openai: 100 },
  mode: 'normal',
  version: 3,
  updatedAt: '2026-11-30T10:00:00.000Z',
  ...over,
});

describe('route view', () => {
  test('keeps chain order and lists only providers whose breaker is open as down', () => {
    const v = routeView(state(), { openai: 'open', anthropic: 'half-open' });
    expect(v).toEqual({
      id: 'chat',
      providers: ['openai', 'anthropic'],
      weights: { openai: 100 },
      mode: 'normal',
      version: 3,
      updatedAt: '2026-11-30T10:00:00.000Z',
      hints: {},
      down: ['openai'],
    });
    expect(routeView(state(), { anthropic: 'closed' }).down).toEqual([]);
  });

  test('the ETag is the earlier one with no breaker open, and changes when one opens', () => {
    const none = routeView(state(), {});
    expect(routesEtag([none])).toBe(`"chat.3.${Date.parse(none.updatedAt).toString(36)}"`);
    const open = routeView(state(), { openai: 'open' });
    expect(routesEtag([open])).not.toBe(routesEtag([none]));
    expect(routesEtag([none, open]).split('-')).toHaveLength(2);
  });

  test('a change is any new version, weights, mode, hints or down; an older read is not', () => {
    const v = routeView(state(), {});
    expect(isRouteChange(undefined, v)).toBe(true);
    expect(isRouteChange(v, routeView(state(), {}))).toBe(false);
    expect(isRouteChange(v, routeView(state(), { anthropic: 'open' }))).toBe(true);
    expect(isRouteChange(v, routeView(state({ hints: { openai: ['throttle'] } }), {}))).toBe(true);
    const newer = routeView(state({ version: 4, updatedAt: '2026-11-30T10:00:01.000Z' }), {});
    expect(isRouteChange(v, newer)).toBe(true);
    expect(isRouteChange(newer, v)).toBe(false);
    // A re-created routing entity restarts versions with a later change time: news.
    expect(isRouteChange(newer, routeView(state({ version: 1, updatedAt: '2026-11-30T11:00:00.000Z' }), {}))).toBe(
      true,
    );
  });
});

describe('SSE framing', () => {
  test('event, id and one-line JSON data, closed by a blank line', () => {
    expect(sseEvent('route', 7, { a: 'x\ny' })).toBe('event: route\nid: 7\ndata: {"a":"x\\ny"}\n\n');
    expect(sseEvent('ro\nute', '1\r\n2', null)).toBe('event: ro ute\nid: 1 2\ndata: null\n\n');
    expect(SSE_PING).toBe(': ping\n\n');
  });
});

describe('RouteWatcher', () => {
  const view = (version: number, down: string[] = []): RouteView => ({
    ...routeView(state({ version, updatedAt: new Date(Date.UTC(2026, 10, 30, 10, 0, version)).toISOString() }), {}),
    down,
  });
  const watchers: RouteWatcher[] = [];
  afterEach(() => watchers.forEach((w) => w.close()));
  const make = (read: (chain: string) => Promise<RouteView>, opts = {}) => {
    const w = new RouteWatcher(read, { intervalMs: 5, ...opts });
    watchers.push(w);
    return w;
  };

  test('many subscribers of a chain share one read loop, and each change reaches all of them once', async () => {
    let current = view(1);
    let inFlight = 0;
    let maxInFlight = 0;
    // A read that takes a while: separate loops per subscriber would overlap.
    const w = make(async () => {
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      await new Promise((r) => setTimeout(r, 3));
      inFlight -= 1;
      return current;
    });
    const seen: number[][] = [[], [], []];
    const unsubs = seen.map((s) => w.subscribe('chat', { onView: (v) => s.push(v.version), onClose: () => {} }));
    await waitFor(
      async () => seen.every((s) => s.length === 1),
      (x) => x,
      'first view',
    );
    current = view(2);
    await waitFor(
      async () => seen.every((s) => s.length === 2),
      (x) => x,
      'the change',
    );
    expect(seen).toEqual([
      [1, 2],
      [1, 2],
      [1, 2],
    ]);
    expect(w.watchedChains).toEqual(['chat']);
    expect(maxInFlight).toBe(1); // one read at a time for the chain, not one per subscriber
    unsubs.forEach((u) => u());
    expect(w.subscribers).toBe(0);
    await waitFor(
      async () => w.watchedChains.length,
      (n) => n === 0,
      'the loop to stop',
    );
  });

  test('a late subscriber gets the latest view at once; the limit refuses one more; close tells everyone', async () => {
    const w = make(async () => view(5), { maxSubscribers: 2 });
    const first: number[] = [];
    let closed = 0;
    w.subscribe('chat', { onView: (v) => first.push(v.version), onClose: () => closed++ });
    await waitFor(
      async () => first.length,
      (n) => n === 1,
      'first view',
    );
    const late: number[] = [];
    w.subscribe('chat', { onView: (v) => late.push(v.version), onClose: () => closed++ });
    await Promise.resolve();
    expect(late).toEqual([5]);
    expect(() => w.subscribe('chat', { onView: () => {}, onClose: () => {} })).toThrow(SubscriberLimitError);
    w.close();
    expect(closed).toBe(2);
    expect(() => w.subscribe('chat', { onView: () => {}, onClose: () => {} })).toThrow(WatcherClosedError);
  });

  test('waitForChange: the next different view, null at the timeout or on abort, and a failed read is retried', async () => {
    let current = view(1);
    let failures = 1;
    const w = make(async () => {
      if (failures-- > 0) throw new Error('temporal unavailable');
      return current;
    });
    const known = view(1);
    const waiting = w.waitForChange('chat', known, (v) => routesEtag([v]) !== routesEtag([known]), 5000);
    setTimeout(() => (current = view(1, ['openai'])), 30);
    expect((await waiting)?.down).toEqual(['openai']);
    expect(await w.waitForChange('chat', current, () => true, 30)).toBeNull();
    const gone = new AbortController();
    const held = w.waitForChange('chat', current, () => true, 5000, gone.signal);
    gone.abort();
    expect(await held).toBeNull();
    expect(w.subscribers).toBe(0);
  });
});
