// The pure parts of application outcomes: counts and the latency histogram, the passive window (error
// share over at least N attempts within T), trial evidence, the bounded minute ring, and the user-impact
// maths of a report against the runbook targets.
import {
  addOutcome,
  emptyCounts,
  histogramPercentile,
  mergeCounts,
  type OutcomeCounts,
} from '../../domain/outcome-counts';
import {
  MINUTE_RING,
  minuteOf,
  newOutcomeMemory,
  passiveVerdict,
  recordBucket,
  resetWindow,
  takeTrialEvidence,
  type OutcomeBucket,
} from '../../domain/outcome-window';
import { userImpact } from '../../domain/user-impact';
import { passiveWindowFor, outcomesSchema } from '../../config/outcomes';
import { configSchema, crossReferenceIssues } from '../../config/schema';
import { newIncidentState } from '../../domain/incident';
import { buildReportModel } from '../../domain/report';
import { renderReport } from '../../render/report';

const T0 = Date.parse('2026-11-30T12:00:00.000Z');

function counts(
  n: number,
  failed: number,
  latencyMs = 100,
  o: { final?: boolean; trial?: boolean } = {},
): OutcomeCounts {
  const c = emptyCounts();
  for (let i = 0; i < n; i++)
    addOutcome(c, {
      ok: i >= failed,
      ...(i < failed ? { errorType: 'server_error' as const } : {}),
      latencyMs,
      final: o.final ?? true,
      ...(o.trial ? { trial: true } : {}),
    });
  return c;
}
const bucket = (
  c: OutcomeCounts,
  at = T0,
  window = { minRequests: 20, errorShare: 0.5, windowMs: 10_000 },
): OutcomeBucket => ({
  minutes: [{ minute: minuteOf(at), counts: c }],
  recent: c,
  window,
});

describe('counts', () => {
  test('attempts, errors by type, requests (final attempts), lost, trials; merging adds', () => {
    const c = emptyCounts();
    addOutcome(c, { ok: false, errorType: 'timeout', latencyMs: 2000, final: false });
    addOutcome(c, { ok: true, latencyMs: 300, final: true, trial: true });
    addOutcome(c, { ok: false, latencyMs: 10, final: true, trial: true });
    expect(c).toMatchObject({
      attempts: 3,
      errors: 2,
      errorTypes: { timeout: 1, other: 1 },
      requests: 2,
      lost: 1,
      trialOk: 1,
      trialFailed: 1,
    });
    const m = mergeCounts(c, c);
    expect(m).toMatchObject({ attempts: 6, errors: 4, errorTypes: { timeout: 2, other: 2 }, lost: 2 });
    expect(m.latency.reduce((a, b) => a + b)).toBe(6);
    expect(c.attempts).toBe(3); // not mutated
  });

  test('histogram percentiles interpolate inside a bucket; empty → null; beyond the last bound → its bound', () => {
    expect(histogramPercentile(emptyCounts().latency, 50)).toBeNull();
    const c = emptyCounts();
    for (let i = 0; i < 100; i++) addOutcome(c, { ok: true, latencyMs: i < 90 ? 80 : 900, final: true });
    expect(histogramPercentile(c.latency, 50)).toBeGreaterThan(50);
    expect(histogramPercentile(c.latency, 50)).toBeLessThanOrEqual(100); // 80 ms lies in (50, 100]
    expect(histogramPercentile(c.latency, 95)).toBeGreaterThan(750);
    expect(histogramPercentile(c.latency, 95)).toBeLessThanOrEqual(1000);
    const slow = emptyCounts();
    addOutcome(slow, { ok: true, latencyMs: 500_000, final: true });
    expect(histogramPercentile(slow.latency, 99)).toBe(60_000);
  });
});

describe('passive window', () => {
  test('trips at the error share only over at least minRequests attempts', () => {
    const m = newOutcomeMemory();
    recordBucket(m, bucket(counts(10, 10)), T0, false);
    expect(passiveVerdict(m, T0)).toMatchObject({ trip: false, attempts: 10, errors: 10 }); // 10 < 20 attempts
    recordBucket(m, bucket(counts(10, 0)), T0 + 1000, false);
    const v = passiveVerdict(m, T0 + 1000);
    expect(v).toMatchObject({ trip: true, attempts: 20, errors: 10, share: 0.5, errorType: 'server_error' });
    expect(v.trip && v.reason).toBe(
      'user traffic: 10 of 20 attempts failed in 10 s (50 % ≥ 50 %, mostly server_error)',
    );
    expect(v.trip && v.since).toBe(new Date(T0).toISOString());
  });

  test('below the share never trips, however many attempts', () => {
    const m = newOutcomeMemory();
    recordBucket(m, bucket(counts(1000, 499)), T0, false);
    expect(passiveVerdict(m, T0).trip).toBe(false);
  });

  test('outcomes leave the window after windowMs; buckets of one second merge into one entry', () => {
    const m = newOutcomeMemory();
    recordBucket(m, bucket(counts(15, 15)), T0, false);
    recordBucket(m, bucket(counts(5, 5)), T0 + 400, false); // the same second, another API process
    expect(m.window).toHaveLength(1);
    expect(passiveVerdict(m, T0 + 9_000).trip).toBe(true);
    expect(passiveVerdict(m, T0 + 10_000)).toMatchObject({ trip: false, attempts: 0 });
    expect(m.window).toEqual([]);
  });

  test('per-bucket settings apply (a provider override), and reset forgets the window', () => {
    const m = newOutcomeMemory();
    recordBucket(m, bucket(counts(4, 2), T0, { minRequests: 4, errorShare: 0.5, windowMs: 60_000 }), T0, false);
    expect(passiveVerdict(m, T0 + 30_000).trip).toBe(true);
    resetWindow(m);
    expect(passiveVerdict(m, T0 + 30_000).trip).toBe(false);
  });

  test('trial outcomes are evidence only when the breaker is not closed, and are consumed once', () => {
    const m = newOutcomeMemory();
    recordBucket(m, bucket(counts(3, 1, 100, { trial: true })), T0, false);
    expect(takeTrialEvidence(m)).toEqual({ ok: 0, failed: 0 });
    recordBucket(m, bucket(counts(3, 1, 100, { trial: true })), T0, true);
    expect(takeTrialEvidence(m)).toEqual({ ok: 2, failed: 1 });
    expect(takeTrialEvidence(m)).toEqual({ ok: 0, failed: 0 });
  });

  test('the minute ring merges minutes from several senders and keeps the newest MINUTE_RING', () => {
    const m = newOutcomeMemory();
    for (let i = MINUTE_RING + 9; i >= 0; i--) recordBucket(m, bucket(counts(1, 0), T0 + i * 60_000), T0, false);
    recordBucket(m, bucket(counts(2, 1), T0 + 60_000), T0, false);
    expect(m.minutes).toHaveLength(MINUTE_RING);
    expect(m.minutes[0].minute).toBe(minuteOf(T0 + 10 * 60_000));
    expect(m.minutes.map((x) => x.minute)).toEqual([...m.minutes.map((x) => x.minute)].sort());
    const ring = newOutcomeMemory();
    recordBucket(ring, bucket(counts(1, 0), T0), T0, false);
    recordBucket(ring, bucket(counts(2, 1), T0 + 5_000), T0, false);
    expect(ring.minutes).toHaveLength(1);
    expect(ring.minutes[0].counts).toMatchObject({ attempts: 3, errors: 1, lost: 1 });
  });
});

describe('user impact', () => {
  const minute = (offsetMin: number, c: OutcomeCounts) => ({ minute: minuteOf(T0 + offsetMin * 60_000), counts: c });
  const from = new Date(T0).toISOString();
  const to = new Date(T0 + 5 * 60_000).toISOString();

  test('figures over the incident window against the 30 min before, judged against the runbook targets', () => {
    const minutes = [
      minute(-45, counts(100, 100, 5000)), // outside the baseline: ignored
      minute(-20, counts(100, 0, 100)),
      minute(-1, counts(100, 0, 100)),
      minute(0, mergeCounts(counts(97, 0, 100), counts(3, 3, 2000, { final: false }))),
      minute(2, mergeCounts(counts(98, 2, 700), counts(0, 0))),
      minute(6, counts(100, 100)), // after the incident: ignored
    ];
    const u = userImpact(minutes, from, to);
    expect(u).toMatchObject({ available: true, attempts: 198, errors: 5, requests: 195, lost: 2 });
    expect(u.errorRate).toBeCloseTo(5 / 198);
    expect(u.lossRate).toBeCloseTo(2 / 195);
    expect(u.baseline.attempts).toBe(200);
    expect(u.p95Ms).toBeGreaterThan(500);
    expect(u.latencyDegradation).toBeGreaterThan(0.2);
    expect(u.rows.map((r) => [r.name, r.verdict])).toEqual([
      ['error_rate', 'met'], // 2.5 % < 5 %
      ['request_loss', 'missed'], // 1.03 % ≥ 1 %
      ['latency_degradation', 'missed'],
    ]);
    expect(u.rows[1].value).toBe('1.03 % (2 of 195)');
  });

  test('no outcomes → not available, every row n/a; no baseline → latency n/a with the p95', () => {
    const none = userImpact([], from, to);
    expect(none).toMatchObject({ available: false, text: 'n/a — no outcome data' });
    expect(none.rows.every((r) => r.verdict === 'n/a' && r.value === 'n/a')).toBe(true);
    const noBase = userImpact([minute(1, counts(10, 0, 100))], from, to);
    expect(noBase.rows[2]).toMatchObject({ verdict: 'n/a' });
    expect(noBase.rows[2].value).toMatch(/^n\/a \(p95 \d+ ms, no baseline\)$/);
    expect(noBase.rows[0]).toMatchObject({ verdict: 'met', value: '0 % (0 of 10)' });
  });
});

describe('config', () => {
  const base = {
    providers: [{ id: 'openai', kind: 'openai', baseUrl: 'https://api.openai.com' }],
  };
  test('defaults, per-provider override, bounds and unknown providers', () => {
    const cfg = outcomesSchema.parse({ providers: { openai: { errorShare: 0.2 } } });
    expect(passiveWindowFor(cfg, 'openai')).toEqual({ minRequests: 20, errorShare: 0.2, windowMs: 10_000 });
    expect(passiveWindowFor(cfg, 'other')).toEqual({ minRequests: 20, errorShare: 0.5, windowMs: 10_000 });
    expect(configSchema.parse(base).outcomes).toMatchObject({ minRequests: 20, flushMs: 1000, providers: {} });
    const bad = configSchema.safeParse({ ...base, outcomes: { errorShare: 0, windowMs: 5, typo: 1 } });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues.map((i) => i.path.join('.')).sort()).toEqual([
      'outcomes',
      'outcomes.errorShare',
      'outcomes.windowMs',
    ]);
    expect(crossReferenceIssues({ ...base, outcomes: { providers: { mistral: {} } } })).toEqual([
      { path: ['outcomes', 'providers', 'mistral'], message: 'unknown provider "mistral"' },
    ]);
  });
});

describe('report', () => {
  const incident = () => {
    const s = newIncidentState({
      id: 'openai-5e6f7a8b',
      scope: 'openai',
      provider: 'openai',
      title: 'openai failing users',
      now: new Date(T0 + 20_000).toISOString(),
    });
    s.resolvedAt = new Date(T0 + 4 * 60_000).toISOString();
    s.status = 'resolved';
    return s;
  };
  const minutes = [
    { minute: minuteOf(T0 - 10 * 60_000), counts: counts(200, 0, 100) },
    { minute: minuteOf(T0), counts: mergeCounts(counts(40, 20, 2000, { final: false }), counts(40, 0, 150)) },
    { minute: minuteOf(T0 + 60_000), counts: counts(60, 3, 150) },
  ];

  test('Markdown and HTML state the user impact against the targets; without outcomes they say n/a', async () => {
    const model = buildReportModel(incident(), undefined, { outcomeMinutes: minutes });
    expect(model.userImpact).toMatchObject({ available: true, attempts: 140, errors: 23, requests: 100, lost: 3 });
    expect(model.summary).toContain('Users: 100 request(s), 23 failed attempt(s) of 140 (16.43 %), 3 lost (3 %)');
    const md = await renderReport(model, 'md');
    const section = md.slice(md.indexOf('## User impact'), md.indexOf('## Root cause'));
    expect(section).toContain('100 request(s) from ');
    expect(section).toContain('| User error rate (failed attempts) | < 5 % | 16.43 % (23 of 140) | missed |');
    expect(section).toContain('| Request loss (final attempt failed) | < 1 % | 3 % (3 of 100) | missed |');
    expect(section).toMatch(
      /\| Latency degradation \(p95 against the 30 min before\) \| < 20 % \| \+\d+(\.\d+)? % \(p95 \d+ ms vs \d+ ms\) \| missed \|/,
    );
    const html = await renderReport(model, 'html');
    expect(html).toContain(
      '<td>Request loss (final attempt failed)</td><td>&lt; 1 %</td><td>3 % (3 of 100)</td><td class="missed">missed</td>',
    );
    const none = await renderReport(buildReportModel(incident()), 'md');
    expect(none).toContain('## User impact (application outcomes, runbook targets)\nn/a — no outcome data');
    expect(buildReportModel(incident()).summary).not.toContain('Users:');
  });
});
