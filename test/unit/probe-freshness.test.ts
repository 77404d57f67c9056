// The starvation rule behind /health/ready's `probes` check and `lifeline_monitors_unprobed` (pure), and
// the worker sizing keys' validation.
import { describeStarved, staleAfterMs, starvedMonitors } from '../../api/probe-freshness';
import { parseConfig } from '../../config/load';

const now = 1_000_000;

test('a loop silent past twice its interval plus the heartbeat lag is starved; idle monitors never are', () => {
  expect(staleAfterMs(30_000, 3_000)).toBe(64_000);
  const starved = starvedMonitors(
    [
      { provider: 'fresh', intervalMs: 30_000, idle: false, lastEvidenceAt: now - 63_000 },
      { provider: 'late', intervalMs: 30_000, idle: false, lastEvidenceAt: now - 65_000 },
      { provider: 'queued', intervalMs: 1_000, idle: false, waitingForWorker: true, lastEvidenceAt: now - 10_000 },
      { provider: 'open-breaker', intervalMs: 1_000, idle: true },
    ],
    3_000,
    now,
  );
  expect(starved).toEqual([
    { provider: 'late', silentMs: 65_000, why: 'probe loop not keeping time' },
    { provider: 'queued', silentMs: 10_000, why: 'probe loop waiting for a worker slot' },
  ]);
  expect(describeStarved(starved, 4)).toBe(
    '2 of 4 monitor(s) starved: monitor-late (no probe for 65 s: probe loop not keeping time), monitor-queued (no probe for 10 s: probe loop waiting for a worker slot)',
  );
});

test('a long list names ten monitors and counts the rest', () => {
  const many = Array.from({ length: 13 }, (_, i) => ({
    provider: `p${i}`,
    silentMs: 5_000,
    why: 'probe loop waiting for a worker slot',
  }));
  expect(describeStarved(many, 150)).toMatch(
    /^13 of 150 monitor\(s\) starved: monitor-p0 .*monitor-p9 \(no probe for 5 s: probe loop waiting for a worker slot\), and 3 more$/,
  );
});

test('worker sizing keys: defaults, and bad values name the field', () => {
  const base = 'providers: [{ id: a, kind: openai, baseUrl: "http://127.0.0.1:1" }]\n';
  expect(parseConfig(base).worker).toMatchObject({
    activitySlots: 100,
    workflowSlots: 40,
    stickyCacheSize: 2000,
    stickyQueueTimeoutMs: 3000,
    probeSlots: 1200,
    probeHeartbeatMs: 3000,
    probeSocketsPerHost: 16,
    probeJitter: 0.1,
    probeLoopMaxMs: 600_000,
  });
  expect(() => parseConfig(`${base}worker: { probeHeartbeatMs: 5000 }\n`)).toThrow(/worker\.probeHeartbeatMs/);
  expect(() => parseConfig(`${base}worker: { probeSlots: 0 }\n`)).toThrow(/worker\.probeSlots/);
  expect(() => parseConfig(`${base}worker: { probeJitter: 0.9 }\n`)).toThrow(/worker\.probeJitter/);
});
