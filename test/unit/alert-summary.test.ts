// The intake's summaries (domain/alert-summary.ts) must leave the incident's record exactly as the raw
// alerts would have: counts, sample, distinct/dropped and the PagerDuty dedup table — and stay bounded.
import {
  addAlerts,
  applySummary,
  emptySummary,
  mergeSummary,
  SUMMARY_MAX_OPS,
  triggersOnly,
} from '../../domain/alert-summary';
import { recordKeyedAlerts, isTrigger } from '../../domain/dedup';
import { newIncidentState, recordAlerts, type Alert, type AlertAction, type AlertKind } from '../../domain/incident';

const state = () =>
  newIncidentState({
    id: 'openai-1',
    scope: 'openai',
    provider: 'openai',
    title: 't',
    now: '2026-11-30T10:00:00.000Z',
  });

/** A deterministic pseudo-random stream of PagerDuty-style events over a few keys (flaps included). */
function events(n: number, seed: number, keys = 12): Alert[] {
  let x = seed;
  const rnd = () => (x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const actions: AlertAction[] = ['trigger', 'trigger', 'trigger', 'acknowledge', 'resolve'];
  const kinds: AlertKind[] = ['outage', 'error_rate', 'latency'];
  return Array.from({ length: n }, (_, i) => {
    const keyed = rnd() < 0.8;
    return {
      provider: 'openai',
      kind: kinds[Math.floor(rnd() * 3)],
      summary: `e${i}`,
      source: 'test',
      observedAt: new Date(Date.parse('2026-11-30T10:00:00Z') + i * 1000).toISOString(),
      action: actions[Math.floor(rnd() * actions.length)],
      ...(keyed ? { dedupKey: `k${Math.floor(rnd() * keys)}` } : {}),
      ...(i % 7 === 0 ? { details: { services: [`svc-${i % 3}`] } } : {}),
    };
  });
}

test.each([1, 2, 3, 4])('a summary applied = its raw alerts applied (seed %i): counts, sample, dedup table', (seed) => {
  const alerts = events(2_000, seed);
  const raw = state();
  for (let i = 0; i < alerts.length; i += 37) {
    const batch = alerts.slice(i, i + 37);
    recordAlerts(raw, batch.filter(isTrigger));
    recordKeyedAlerts(raw, batch);
  }
  // The intake's way: summaries of uneven windows, some merged, applied one after another.
  const viaIntake = state();
  let s = emptySummary();
  for (let i = 0; i < alerts.length; i += 37) {
    addAlerts(s, alerts.slice(i, i + 37), i);
    if ((i / 37) % 5 === 4) {
      const next = emptySummary();
      mergeSummary(next, s);
      applySummary(viaIntake, next);
      s = emptySummary();
    }
  }
  applySummary(viaIntake, s);
  expect(viaIntake.alerts).toEqual(raw.alerts);
  expect(viaIntake.faultAt).toBe(raw.faultAt);
});

test('a summary stays bounded however many alerts and keys it summarises', () => {
  const s = emptySummary();
  const many = Array.from({ length: 50_000 }, (_, i): Alert => ({
    provider: 'openai',
    kind: 'error_rate',
    summary: `a${i}`,
    source: 't',
    observedAt: '2026-11-30T10:00:00Z',
    dedupKey: `k${i}`,
    details: { services: [`svc-${i}`] },
  }));
  addAlerts(s, many, 1);
  expect(s.triggers).toBe(50_000);
  expect(s.sample).toHaveLength(20);
  expect(s.ops.length).toBeLessThanOrEqual(SUMMARY_MAX_OPS);
  expect(s.services.length).toBeLessThanOrEqual(50);
  expect(s.arrivals.error_rate!.length).toBeLessThanOrEqual(50);
  expect(JSON.stringify(s).length).toBeLessThan(400_000);
  // Keys pushed out are still counted, as distinct alerts.
  const st = state();
  applySummary(st, s);
  expect(st.alerts.count).toBe(50_000);
  expect(st.alerts.distinct).toBe(50_000);
});

test('kinds, arrival times and services named are kept for the alert rules; triggersOnly keeps no ack/resolve', () => {
  const s = emptySummary();
  addAlerts(
    s,
    [
      {
        provider: 'openai',
        kind: 'outage',
        summary: 'a',
        source: 't',
        observedAt: 'x',
        dedupKey: 'k',
        details: { services: ['chat', 'search'] },
      },
      {
        provider: 'openai',
        kind: 'outage',
        summary: 'b',
        source: 't',
        observedAt: 'x',
        dedupKey: 'k',
        action: 'resolve',
      },
    ],
    1_000,
  );
  addAlerts(s, [{ provider: 'openai', kind: 'latency', summary: 'c', source: 't', observedAt: 'x' }], 2_000);
  expect(s.kinds).toEqual({ outage: 1, latency: 1 });
  expect(s.arrivals).toEqual({ outage: [1_000], latency: [2_000] });
  expect(s.services).toEqual(['chat', 'search']);
  const t = triggersOnly(s);
  expect(t.ops.map((o) => o.action)).toEqual(['trigger']);
  expect(t.events).toBe(2);
});
