// The probe loop (watchProvider) against a simulated provider, run in the SDK's MockActivityEnvironment:
// a retry resumes the failure streak from the previous attempt's heartbeat details, so after a worker
// crash detection needs only the failures still missing; the loop heartbeats on its own timer whatever
// the probe interval; and the schedule helpers spread first probes and keep a resumed loop's cadence.
import { MockActivityEnvironment } from '@temporalio/testing';
import type { Client } from '@temporalio/client';
import { createWatchActivities } from '../../activities/watch';
import { firstLaunchBase, resumeWatch, type WatchMemory } from '../../activities/probe-memory';
import { parseConfig } from '../../config/load';
import { createLogger } from '../../worker/logger';
import { createMetrics } from '../../metrics';
import { startSimulator, type Simulator } from '../../sim';
import { newDetector } from '../../domain/detection';
import { Exposition } from '../helpers/prometheus';
import type { WatchResult } from '../../activities/types';

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ providers: [{ id: 'openai', kind: 'openai' }] });
});
afterAll(() => sim.close());

// A long interval: only the first probe of an attempt can run during the test (its first probe is at a
// random point of the first interval, so the interval is kept short enough for that: 2 s).
const config = parseConfig(`
temporal: { taskQueue: t }
worker: { probeJitter: 0 }
providers:
  - { id: openai, kind: openai, baseUrl: "sim:openai", models: [gpt-4o-mini], probe: { intervalMs: 2000, timeoutMs: 1000 }, detection: { failuresToOpen: 3 } }
`);

function activities() {
  const metrics = createMetrics({ processMetrics: false });
  const acts = createWatchActivities({
    config,
    client: {} as Client,
    logger: createLogger({ level: 'silent' }),
    baseUrlFor: () => sim.baseUrlFor('openai'),
    metrics: metrics.activity,
  });
  return { acts, metrics };
}

test('a retried watch resumes its failure streak from heartbeat details: the 3rd failure opens on its first probe', async () => {
  sim.setFault('openai', { mode: 'outage' });
  const streakStartedAt = Date.now() - 8_000;
  const detector = {
    ...newDetector(true, streakStartedAt - 60_000),
    consecutiveFailures: 2,
    streakStartedAt,
    window: [],
  };
  // The previous attempt probed 1.5 s ago: this one keeps the 2 s cadence (its first probe ≈ 0.5 s from now).
  const details: WatchMemory = { v: 1, detector, okLatencies: [12, 14], lastProbeAt: Date.now() - 1_500 };
  const env = new MockActivityEnvironment({ heartbeatDetails: details, attempt: 2 });
  const beats: unknown[] = [];
  env.on('heartbeat', (d: unknown) => beats.push(d));
  const before = sim.stats('openai').requests;
  const { acts } = activities();
  const started = Date.now();
  const r = (await env.run(acts.watchProvider, { provider: 'openai', healthy: true })) as WatchResult;
  expect(r).toMatchObject({
    healthy: false,
    transition: true,
    reason: expect.stringMatching(/3 consecutive failures/),
  });
  // The fault time is the first failure of the streak, carried over from the crashed attempt.
  expect(r.streakStartedAt).toBe(new Date(streakStartedAt).toISOString());
  expect(sim.stats('openai').requests - before).toBe(1);
  expect(Date.now() - started).toBeLessThan(2_000); // within one interval, not three probes later
  expect(beats[0]).toMatchObject({ v: 1, detector: { streakStartedAt } }); // it heartbeats the resumed windows
});

test('without heartbeat details the same watch needs all three failures', async () => {
  sim.setFault('openai', { mode: 'outage' });
  const env = new MockActivityEnvironment();
  const before = sim.stats('openai').requests;
  const r = await env.run(activities().acts.watchProvider, { provider: 'openai', healthy: true });
  expect(r).toMatchObject({ healthy: false, transition: true });
  expect(sim.stats('openai').requests - before).toBeGreaterThanOrEqual(3);
});

test('the loop heartbeats on its own timer (≤ 1 s) while no probe is due, with its last probe time', async () => {
  sim.setFault('openai', { mode: 'healthy' });
  const slow = parseConfig(`
providers:
  - { id: openai, kind: openai, baseUrl: "sim:openai", models: [gpt-4o-mini], probe: { intervalMs: 60000, timeoutMs: 1000 } }
`);
  const metrics = createMetrics({ processMetrics: false });
  const acts = createWatchActivities({
    config: slow,
    client: {} as Client,
    logger: createLogger({ level: 'silent' }),
    baseUrlFor: () => sim.baseUrlFor('openai'),
    metrics: metrics.activity,
  });
  // Resumed with a probe 59.9 s ago: the next probe is due at once, then not for a minute.
  const env = new MockActivityEnvironment({
    heartbeatDetails: {
      v: 1,
      detector: newDetector(true, 0),
      okLatencies: [],
      lastProbeAt: Date.now() - 59_900,
    } satisfies WatchMemory,
  });
  const beats: { lastProbeAt?: number }[] = [];
  env.on('heartbeat', (d: { lastProbeAt?: number }) => beats.push(d));
  const run = env.run(acts.watchProvider, { provider: 'openai', healthy: true });
  const deadline = Date.now() + 20_000;
  while (beats.filter((b) => b.lastProbeAt && Date.now() - b.lastProbeAt < 5_000).length < 3 && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 100));
  env.cancel();
  await run.catch(() => undefined);
  expect(beats.filter((b) => b.lastProbeAt && Date.now() - b.lastProbeAt < 5_000).length).toBeGreaterThanOrEqual(3);
  const m = new Exposition(await metrics.registry.metrics());
  expect(m.histogram('lifeline_probe_lateness_seconds', {}).count).toBe(1);
  expect(m.value('lifeline_probe_loops', {})).toBe(0); // the loop deregistered when it stopped
});

test('resumeWatch ignores foreign or mismatched details', () => {
  const d: WatchMemory = { v: 1, detector: newDetector(true, 0), okLatencies: [1, 2] };
  expect(resumeWatch(d, true, 1000)).toMatchObject({ detector: { healthy: true }, okLatencies: [1, 2] });
  expect(resumeWatch(d, false, 1000)).toBeUndefined(); // the workflow moved on: fresh detector
  expect(resumeWatch({ healthy: true, consecutiveFailures: 2 }, true, 1000)).toBeUndefined(); // an older shape
  expect(resumeWatch(undefined, true, 1000)).toBeUndefined();
  expect(resumeWatch({ ...d, lastProbeAt: 5000 }, true, 1000)?.lastProbeAt).toBeUndefined(); // from the future
});

test('first probes: spread over the first interval when fresh, cadence kept when resumed, within 1 s when overdue', () => {
  const now = 100_000;
  const bases = [0, 0.25, 0.5, 0.999].map((x) => firstLaunchBase(undefined, now, 30_000, () => x));
  expect(bases.map((b) => b + 30_000 - now)).toEqual([0, 7_500, 15_000, 29_970]);
  expect(firstLaunchBase(now - 10_000, now, 30_000)).toBe(now - 10_000);
  const overdue = firstLaunchBase(now - 45_000, now, 30_000, () => 0.5) + 30_000 - now;
  expect(overdue).toBe(500);
});
