import { DEFAULT_DETECTION, feed, newDetector, percentile, type Outcome } from '../../domain/detection';
import { allowsRequest, newBreaker, nextBreaker, type BreakerState } from '../../domain/breaker';

const ok = (at: number, latencyMs = 100): Outcome => ({ ok: true, status: 200, latencyMs, at });
const err = (at: number, status = 503, latencyMs = 100): Outcome => ({ ok: false, status, latencyMs, at });
const th = { ...DEFAULT_DETECTION, failuresToOpen: 3, successesToClose: 2, windowSize: 40, minSamples: 10 };

describe('detection windows', () => {
  test('3 consecutive failures open; intermittent ones do not', () => {
    const s = newDetector();
    expect(feed(s, err(1), th).transition).toBe(false);
    expect(feed(s, err(2), th).transition).toBe(false);
    expect(feed(s, ok(3), th).transition).toBe(false);
    // Keep 5xx share under 5 % so only the streak rule can trip: pad with successes.
    for (let i = 0; i < 60; i++) feed(s, ok(10 + i), th);
    expect(feed(s, err(100), th).transition).toBe(false);
    expect(feed(s, err(101), th).transition).toBe(false);
    const v = feed(s, err(102), th);
    expect(v).toMatchObject({ transition: true, healthy: false });
    expect(v.transition && v.reason).toContain('3 consecutive failures');
    expect(s.streakStartedAt).toBe(100);
  });

  test('5xx share above 5 % of the window opens even without a streak', () => {
    const s = newDetector();
    const outcomes = Array.from({ length: 10 }, (_, i) => (i === 5 ? err(i) : ok(i)));
    const verdicts = outcomes.map((o) => feed(s, o, th));
    // Judged from the 10th outcome on (minSamples): 1 of 10 is 10 % > 5 %.
    expect(verdicts.findIndex((v) => v.transition)).toBe(9);
    expect(s.healthy).toBe(false);
  });

  test('probes that got no answer (timeouts, refused connections) count in the 5xx share', () => {
    const s = newDetector();
    const verdicts = Array.from({ length: 10 }, (_, i) =>
      feed(s, i === 5 ? { ok: false, latencyMs: 2000, at: i } : ok(i), th),
    );
    const flip = verdicts[9];
    expect(flip.transition && flip.reason).toMatch(/5xx\/no-answer share 10 %/);
    const s4 = newDetector();
    // A 4xx that is not a rate limit (e.g. 404) is not a server failure.
    expect(
      Array.from({ length: 10 }, (_, i) => feed(s4, i === 5 ? err(i, 404) : ok(i), th)).some((v) => v.transition),
    ).toBe(false);
  });

  test('exactly 5 % 5xx does not open (the rule is strictly greater)', () => {
    const s = newDetector();
    const verdicts = Array.from({ length: 40 }, (_, i) => feed(s, i === 39 || i === 19 ? err(i) : ok(i), th));
    expect(verdicts.some((v) => v.transition)).toBe(false);
  });

  test('429 share above 10 % opens, 10 % does not', () => {
    const at10 = newDetector();
    const v10 = Array.from({ length: 20 }, (_, i) => feed(at10, i % 10 === 9 ? err(i, 429) : ok(i), th));
    expect(v10.some((v) => v.transition)).toBe(false);
    const above = newDetector();
    const v = Array.from({ length: 20 }, (_, i) => feed(above, i % 10 === 9 || i === 14 ? err(i, 429) : ok(i), th));
    const flip = v.find((x) => x.transition);
    expect(flip && flip.transition && flip.reason).toContain('429 share');
  });

  test('p95 latency above 3,000 ms over the window opens; one slow outlier in 40 does not', () => {
    const s = newDetector();
    const vs = Array.from({ length: 10 }, (_, i) => feed(s, ok(i, i < 8 ? 200 : 3500), th));
    const flip = vs.find((v) => v.transition);
    expect(flip && flip.transition && flip.reason).toMatch(/p95 latency 3500 ms/);
    const fine = newDetector();
    expect(
      Array.from({ length: 40 }, (_, i) => feed(fine, ok(i, i === 39 ? 9000 : 2900), th)).some((v) => v.transition),
    ).toBe(false);
  });

  test('share rules wait for minSamples', () => {
    const s = newDetector();
    expect([ok(1), err(2, 429), ok(3)].map((o) => feed(s, o, th).transition)).toEqual([false, false, false]);
  });

  test('recovery after M consecutive successes, and flap suppression holds a state for minDwellMs', () => {
    const damped = { ...th, minDwellMs: 1000 };
    const s = newDetector(true, 0);
    feed(s, err(1000), damped);
    feed(s, err(1001), damped);
    expect(feed(s, err(1002), damped)).toMatchObject({ transition: true, healthy: false });
    expect(feed(s, ok(1100), damped).transition).toBe(false);
    expect(feed(s, ok(1200), damped).transition).toBe(false); // 2 successes, but only 198 ms in the state
    expect(feed(s, ok(2002), damped)).toMatchObject({ transition: true, healthy: true });
    expect(s.window).toEqual([]);
  });

  test('percentile is nearest-rank', () => {
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95)).toBe(10);
    expect(
      percentile(
        Array.from({ length: 100 }, (_, i) => i + 1),
        95,
      ),
    ).toBe(95);
    expect(percentile([], 95)).toBe(0);
  });
});

describe('circuit breaker', () => {
  test('closed → open → half-open → closed after trial successes', () => {
    let b: BreakerState = newBreaker('t0');
    const cfg = { cooldownMs: 1000, trialsToClose: 2, trialSampleRate: 0.25 };
    ({ state: b } = nextBreaker(b, { type: 'unhealthy', at: 't1', reason: '3 consecutive failures' }, cfg));
    expect(b).toMatchObject({ phase: 'open', since: 't1', openedCount: 1 });
    expect(allowsRequest(b, 0, cfg)).toBe(false);
    expect(nextBreaker(b, { type: 'trial', at: 't2', ok: true }, cfg).changed).toBe(false); // no trials while open
    ({ state: b } = nextBreaker(b, { type: 'cooldown_elapsed', at: 't3' }, cfg));
    expect(b.phase).toBe('half-open');
    expect([0, 1, 2, 3, 4].map((i) => allowsRequest(b, i, cfg))).toEqual([true, false, false, false, true]);
    let r = nextBreaker(b, { type: 'trial', at: 't4', ok: true }, cfg);
    expect(r).toMatchObject({ changed: false, state: { phase: 'half-open', trialSuccesses: 1 } });
    r = nextBreaker(r.state, { type: 'trial', at: 't5', ok: true }, cfg);
    expect(r).toMatchObject({ changed: true, state: { phase: 'closed', since: 't5', trialSuccesses: 0 } });
  });

  test('a failed trial re-opens; a closed breaker ignores trials and healthy verdicts', () => {
    let b = nextBreaker(newBreaker('t0'), { type: 'unhealthy', at: 't1', reason: 'x' }).state;
    b = nextBreaker(b, { type: 'cooldown_elapsed', at: 't2' }).state;
    const r = nextBreaker(b, { type: 'trial', at: 't3', ok: false, reason: 'HTTP 503' });
    expect(r.state).toMatchObject({ phase: 'open', openedCount: 2, lastReason: 'trial failed: HTTP 503' });
    const closed = newBreaker('t0');
    expect(nextBreaker(closed, { type: 'healthy', at: 't1', reason: 'x' }).changed).toBe(false);
    expect(nextBreaker(closed, { type: 'cooldown_elapsed', at: 't1' }).changed).toBe(false);
    expect(nextBreaker(r.state, { type: 'healthy', at: 't4', reason: '2 consecutive successes' }).state.phase).toBe(
      'closed',
    );
  });
});
