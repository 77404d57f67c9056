// The TypeScript route client against a fake lifeline and fake providers on 127.0.0.1.
import { createRouteClient, AllAttemptsFailedError, RouteEmergencyError, type RouteClient } from '../src';
import { planAttempts, weightedPick } from '../src/pick';
import { createSseParser, type SseEvent } from '../src/sse';
import {
  INGEST,
  TOKEN,
  refusedUrl,
  seeded,
  startFakeLifeline,
  startFakeProvider,
  until,
  type FakeLifeline,
  type FakeProvider,
} from './fakes';

const clients: RouteClient[] = [];
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(closers.splice(0).map((c) => c()));
});

async function lifeline(route: Parameters<typeof startFakeLifeline>[0], opts?: { sse?: boolean }) {
  const l = await startFakeLifeline(route, opts);
  closers.push(() => l.stop().catch(() => undefined));
  return l;
}
async function provider(name: string, mode?: FakeProvider['mode']) {
  const p = await startFakeProvider(name, mode);
  closers.push(() => p.close());
  return p;
}
function client(l: FakeLifeline, extra: Partial<Parameters<typeof createRouteClient>[0]> = {}) {
  const c = createRouteClient({
    url: l.url,
    token: TOKEN,
    ingestToken: INGEST,
    chain: 'chat',
    random: seeded(7),
    ...extra,
  });
  clients.push(c);
  return c;
}
/** fn for call(): a plain fetch to the provider's URL, the way an app would. */
const via = (urls: Record<string, string>) => (p: string, signal: AbortSignal) => fetch(urls[p], { signal });

describe('pick', () => {
  test('weighted random: a 10 % step sends about 10 %, a 0 weight nothing', () => {
    const random = seeded(42);
    const n = 20_000;
    const counts: Record<string, number> = {};
    for (let i = 0; i < n; i++) {
      const p = weightedPick({ a: 90, b: 10, c: 0 }, ['a', 'b', 'c'], random)!;
      counts[p] = (counts[p] ?? 0) + 1;
    }
    expect(counts.b / n).toBeGreaterThan(0.09);
    expect(counts.b / n).toBeLessThan(0.11);
    expect(counts.c).toBeUndefined();
  });

  test('never a provider lifeline holds down or the local breaker has open; emergency picks nothing', () => {
    const route = {
      id: 'chat',
      providers: ['a', 'b', 'c'],
      weights: { a: 50, b: 50 },
      mode: 'normal' as const,
      version: 3,
    };
    const base = { trialCandidates: [], trialShare: 0, maxAttempts: 3, random: seeded(1) };
    for (let i = 0; i < 200; i++) {
      const plan = planAttempts({ ...base, route: { ...route, down: ['a'] }, blocked: new Set(['b']) });
      expect(plan.order).toEqual(['c']);
    }
    expect(planAttempts({ ...base, route: { ...route, mode: 'emergency' }, blocked: new Set() })).toMatchObject({
      order: [],
      emergency: true,
    });
    // An older server without `providers`: the weights' keys, heaviest first, are the chain.
    const old = planAttempts({
      ...base,
      route: { id: 'chat', weights: { a: 0, b: 100 }, mode: 'normal', version: 1 },
      blocked: new Set(),
    });
    expect(old.order).toEqual(['b', 'a']);
  });

  test('the client picks by the streamed route and follows its changes', async () => {
    const l = await lifeline({ providers: ['a', 'b'], weights: { a: 75, b: 25 } });
    const c = client(l);
    await c.ready();
    expect(c.stats().transport).toBe('sse');
    const n = 4000;
    let b = 0;
    for (let i = 0; i < n; i++) if (c.pick().provider === 'b') b++;
    expect(b / n).toBeGreaterThan(0.22);
    expect(b / n).toBeLessThan(0.28);
    expect(c.pick()).toMatchObject({ source: 'live', emergency: false });

    l.setRoute({ weights: { b: 100 }, hints: { b: ['use_backup_key'] } });
    await until(() => c.route()?.version === 2, 'version 2 over the stream');
    expect(c.pick()).toMatchObject({ provider: 'b', hints: ['use_backup_key'] });
    l.setRoute({ mode: 'emergency', weights: {} });
    await until(() => c.route()?.mode === 'emergency', 'emergency over the stream');
    expect(c.pick()).toMatchObject({ provider: null, emergency: true });
    await expect(c.call(async () => 'never')).rejects.toBeInstanceOf(RouteEmergencyError);
  });
});

describe('call: failover within one call', () => {
  test.each([
    ['503', async () => (await provider('a', '503')).url],
    ['connection refused', () => refusedUrl()],
    ['a hang (attempt timeout)', async () => (await provider('a', 'hang')).url],
  ])('on %s the next provider of the chain answers the same call', async (_, primaryUrl) => {
    const urls = { a: await primaryUrl(), b: (await provider('b')).url };
    const l = await lifeline({ providers: ['a', 'b'], weights: { a: 100 } });
    const c = client(l, { attemptTimeoutMs: 300, outcomes: { flushIntervalMs: 50 } });
    await c.ready();
    const started = Date.now();
    const res = await c.call(via(urls));
    expect(await res.json()).toEqual({ provider: 'b' });
    expect(Date.now() - started).toBeLessThan(1500);

    await until(() => l.batches.flatMap((x) => x.body.outcomes).length >= 2, 'two outcomes reported');
    const [first, second] = l.batches.flatMap((x) => x.body.outcomes);
    expect(first.requestId).toBe(second.requestId);
    expect(first).toMatchObject({ chain: 'chat', provider: 'a', ok: false, final: false });
    expect(second).toMatchObject({ chain: 'chat', provider: 'b', ok: true, status: 200, final: true });
    expect(['server_error', 'connection', 'timeout']).toContain(first.errorType);
  });

  test('errors thrown with a status (SDK style): 503 fails over, 400 is rethrown without another attempt', async () => {
    const l = await lifeline({ providers: ['a', 'b'], weights: { a: 100 } });
    const c = client(l, { outcomes: false });
    await c.ready();
    const httpError = (status: number) => Object.assign(new Error(`HTTP ${status}`), { status });
    const tried: string[] = [];
    expect(
      await c.call(async (p) => {
        tried.push(p);
        if (p === 'a') throw httpError(503);
        return 'from b';
      }),
    ).toBe('from b');
    expect(tried).toEqual(['a', 'b']);
    const bad = httpError(400);
    await expect(c.call(async () => Promise.reject(bad))).rejects.toBe(bad);
  });

  test('a 4xx is the request’s fault: returned at once, no other provider tried', async () => {
    const l = await lifeline({ providers: ['a', 'b'], weights: { a: 100 } });
    const c = client(l, { outcomes: false });
    await c.ready();
    let calls = 0;
    const res = await c.call(async (p) => (calls++, { status: 400, provider: p }));
    expect(res).toEqual({ status: 400, provider: 'a' });
    expect(calls).toBe(1);
  });

  test('bounded: when every provider fails, the call fails after maxAttempts with each attempt named', async () => {
    const l = await lifeline({ providers: ['a', 'b', 'c'], weights: { a: 100 } });
    const c = client(l, { maxAttempts: 2, outcomes: false });
    await c.ready();
    const tried: string[] = [];
    const err = await c.call(async (p) => (tried.push(p), { status: 503 })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AllAttemptsFailedError);
    expect(tried).toEqual(['a', 'b']);
    expect((err as AllAttemptsFailedError).attempts.map((a) => [a.provider, a.status])).toEqual([
      ['a', 503],
      ['b', 503],
    ]);
  });
});

test('local breaker: after one failure the provider gets no request until the cool-down, then only trials', async () => {
  const a = await provider('a', '503');
  const urls = { a: a.url, b: (await provider('b')).url };
  const l = await lifeline({ providers: ['a', 'b'], weights: { a: 100 } });
  const c = client(l, { breakerCoolDownMs: 3000, trialShare: 0.25, outcomes: { flushIntervalMs: 50 } });
  await c.ready();
  for (let i = 0; i < 10; i++) await c.call(via(urls));
  expect(a.hits).toBe(1); // the route still says a: 100, the client no longer believes it
  expect(c.stats().breakerOpen).toEqual(['a']);

  // Half-open: a recovered; a trial share of requests find it, the first success closes the breaker.
  a.mode = 'ok';
  await until(() => c.stats().breakerOpen.length === 0, 'cool-down over', 10_000);
  for (let i = 0; i < 40 && a.hits < 2; i++) await c.call(via(urls));
  expect(a.hits).toBe(2);
  await until(() => l.batches.flatMap((x) => x.body.outcomes).some((o: any) => o.trial), 'trial outcome');
  const trial = l.batches.flatMap((x) => x.body.outcomes).find((o: any) => o.trial);
  expect(trial).toMatchObject({ provider: 'a', ok: true, trial: true, final: true });
  // Closed again: the route's 100 % goes to a.
  for (let i = 0; i < 5; i++) expect(await (await c.call(via(urls))).json()).toEqual({ provider: 'a' });
});

test('a newer route that holds the provider down supersedes the local breaker', async () => {
  const l = await lifeline({ providers: ['a', 'b'], weights: { a: 100 } });
  const c = client(l, { breakerCoolDownMs: 60_000, outcomes: false });
  await c.ready();
  await c.call(async (p) => ({ status: p === 'a' ? 503 : 200 }));
  expect(c.stats().breakerOpen).toEqual(['a']);
  l.setRoute({ weights: { b: 100 }, down: ['a'] });
  await until(() => c.stats().breakerOpen.length === 0, 'breaker reset by the route');
  expect(c.pick().order).toEqual(['b']);
});

test('recovering trial share: a provider lifeline let go of `down` but not yet weighted gets about that share, marked trial', async () => {
  const l = await lifeline({ providers: ['a', 'b'], weights: { b: 100 }, down: ['a'] });
  const c = client(l, { trialShare: 0.01, recoveringTrialShare: 0.1, outcomes: false });
  await c.ready();
  expect(c.pick().order).toEqual(['b']);
  l.setRoute({ down: [] }); // a recovered; lifeline has not begun failing back
  await until(() => c.route()?.version === 2, 'recovery seen');
  const n = 4000;
  let trials = 0;
  for (let i = 0; i < n; i++) {
    const p = c.pick();
    if (p.trial) {
      trials++;
      expect(p.order).toEqual(['a', 'b']); // a failed trial still ends on b within the same call
    } else expect(p.provider).toBe('b');
  }
  expect(trials / n).toBeGreaterThan(0.08);
  expect(trials / n).toBeLessThan(0.12);
  // Once failback gives it weight, it is ordinary traffic again.
  l.setRoute({ weights: { a: 10, b: 90 } });
  await until(() => c.route()?.version === 3, 'failback step seen');
  for (let i = 0; i < 500; i++) expect(c.pick().trial).toBe(false);
});

test('lifeline down: calls go on from the last known route; back up, the client follows changes again', async () => {
  const urls = { a: (await provider('a')).url, b: (await provider('b')).url };
  const l = await lifeline({ providers: ['a', 'b'], weights: { b: 100 } });
  const c = client(l, { pollIntervalMs: 50, streamRetryMs: 200, outcomes: { flushIntervalMs: 50 } });
  await c.ready();
  await l.stop();
  await until(() => !c.stats().connected, 'client notices lifeline is gone');
  expect(c.pick().source).toBe('last-known');
  for (let i = 0; i < 10; i++) expect(await (await c.call(via(urls))).json()).toEqual({ provider: 'b' });
  await until(() => c.stats().outcomesDropped >= 10, 'outcomes dropped and counted, calls unaffected');

  await l.start();
  await until(() => c.stats().connected, 'reconnected');
  l.setRoute({ weights: { a: 100 } });
  await until(() => c.route()?.version === 2, 'change after reconnect');
  expect(await (await c.call(via(urls))).json()).toEqual({ provider: 'a' });
});

test('lifeline unreachable from the start: the configured default route serves', async () => {
  const urls = { a: (await provider('a')).url };
  const c = createRouteClient({
    url: await refusedUrl(),
    token: TOKEN,
    chain: 'chat',
    defaultRoute: { providers: ['a'], weights: { a: 100 } },
    pollIntervalMs: 50,
    outcomes: false,
  });
  clients.push(c);
  expect(c.pick()).toMatchObject({ provider: 'a', source: 'default' });
  expect(await (await c.call(via(urls))).json()).toEqual({ provider: 'a' });
});

test('no stream on the server (older lifeline): the client long-polls and still follows changes', async () => {
  const l = await lifeline({ providers: ['a', 'b'], weights: { a: 100 } }, { sse: false });
  const c = client(l, { longPollSeconds: 5, outcomes: false });
  await c.ready();
  expect(c.stats().transport).toBe('poll');
  const pollsBefore = l.hits.polls;
  l.setRoute({ weights: { b: 100 } });
  await until(() => c.pick().provider === 'b', 'change through the long-poll');
  // Held, not hammered: one answered poll per change plus the one now waiting.
  expect(l.hits.polls - pollsBefore).toBeLessThanOrEqual(2);
});

test('outcome batches: contract shape, bounded size, ingest token', async () => {
  const l = await lifeline({ providers: ['a', 'b'], weights: { a: 100 } });
  const c = client(l, { app: 'support-bot', outcomes: { batchSize: 5, flushIntervalMs: 60_000 } });
  await c.ready();
  for (let i = 0; i < 12; i++) await c.call(async () => ({ status: 200 }));
  await until(() => l.batches.length === 2, 'two full batches sent without waiting for the interval');
  await c.close(); // flushes the rest
  expect(l.batches.map((b) => b.body.outcomes.length)).toEqual([5, 5, 2]);
  for (const b of l.batches) {
    expect(b.auth).toBe(`Bearer ${INGEST}`);
    expect(Object.keys(b.body).sort()).toEqual(['app', 'outcomes']);
    expect(b.body.app).toBe('support-bot');
    for (const o of b.body.outcomes) {
      expect(o).toEqual({
        requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        chain: 'chat',
        provider: 'a',
        at: expect.any(String),
        latencyMs: expect.any(Number),
        ok: true,
        status: 200,
        final: true,
      });
      expect(Number.isNaN(Date.parse(o.at))).toBe(false);
      expect(o.latencyMs).toBeGreaterThanOrEqual(0);
    }
  }
  expect(c.stats()).toMatchObject({ outcomesSent: 12, outcomesDropped: 0 });
});

test('SSE parser: any line ending, multi-line data, comments, chunks split anywhere', () => {
  const events: SseEvent[] = [];
  const p = createSseParser((e) => events.push(e));
  const text = ': ping\r\nevent: route\r\nid: 4\r\ndata: {"a":\r\ndata: 1}\r\n\r\n: ping\n\nevent: route\ndata: x\n\n';
  for (const ch of text) p.feed(ch);
  expect(events).toEqual([
    { event: 'route', id: '4', data: '{"a":\n1}' },
    { event: 'route', id: '4', data: 'x' },
  ]);
});

test('recovering trial share defaults to 25 %: enough trial evidence at a few requests a second for a quick failback', async () => {
  const l = await lifeline({ providers: ['a', 'b'], weights: { b: 100 }, down: ['a'] });
  const c = client(l, { outcomes: false });
  await c.ready();
  l.setRoute({ down: [] });
  await until(() => c.route()?.version === 2, 'recovery seen');
  const n = 4000;
  let trials = 0;
  for (let i = 0; i < n; i++) if (c.pick().trial) trials++;
  expect(trials / n).toBeGreaterThan(0.22);
  expect(trials / n).toBeLessThan(0.28);
});
