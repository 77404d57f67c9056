// Detection windows: turns a stream of classified probe outcomes into "unhealthy" / "healthy" verdicts.
// Thresholds come from the runbook (failover triggers): 3 consecutive failures, 5xx share > 5 %, 429 share
// > 10 %, p95 latency > 3,000 ms over a window; plus flap suppression (a minimum dwell in a state) and
// recovery after M consecutive successes. Pure and serialisable, so activities and tests share it.

export interface DetectionThresholds {
  failuresToOpen: number;
  successesToClose: number;
  /** Outcomes kept for the share and percentile rules. */
  windowSize: number;
  /** Share rules only judge a window holding at least this many outcomes (few samples lie). */
  minSamples: number;
  serverErrorShare: number;
  rateLimitShare: number;
  p95LatencyMs: number;
  /** A state must have held this long before it may flip again (flap suppression). */
  minDwellMs: number;
}

export const DEFAULT_DETECTION: DetectionThresholds = {
  failuresToOpen: 3,
  successesToClose: 2,
  windowSize: 40,
  minSamples: 10,
  serverErrorShare: 0.05,
  rateLimitShare: 0.1,
  p95LatencyMs: 3000,
  minDwellMs: 0,
};

export interface Outcome {
  ok: boolean;
  status?: number;
  latencyMs: number;
  /** Epoch ms. */
  at: number;
}

export interface DetectorState {
  healthy: boolean;
  changedAt: number;
  consecutiveFailures: number;
  consecutiveSuccesses: number;
  /** When the current failure/success streak began (the fault time, for MTTD). */
  streakStartedAt?: number;
  window: Outcome[];
}

export type Verdict = { transition: false } | { transition: true; healthy: boolean; reason: string };

export function newDetector(healthy = true, now = 0): DetectorState {
  return { healthy, changedAt: now, consecutiveFailures: 0, consecutiveSuccesses: 0, window: [] };
}

export function percentile(values: number[], p: number): number {
  if (!values.length) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))];
}

/** The rules that currently say "unhealthy", in words (empty when none does). */
export function failingRules(s: DetectorState, th: DetectionThresholds): string[] {
  const reasons: string[] = [];
  if (s.consecutiveFailures >= th.failuresToOpen) reasons.push(`${s.consecutiveFailures} consecutive failures`);
  const n = s.window.length;
  if (n >= th.minSamples) {
    // No answer at all (timeout, refused, reset) is at least as bad as a 5xx: it counts in the same share.
    const server = s.window.filter((o) => (o.status ?? 0) >= 500 || (!o.ok && o.status === undefined)).length / n;
    const limited = s.window.filter((o) => o.status === 429).length / n;
    const p95 = percentile(
      s.window.map((o) => o.latencyMs),
      95,
    );
    if (server > th.serverErrorShare) reasons.push(`5xx/no-answer share ${pct(server)} > ${pct(th.serverErrorShare)}`);
    if (limited > th.rateLimitShare) reasons.push(`429 share ${pct(limited)} > ${pct(th.rateLimitShare)}`);
    if (p95 > th.p95LatencyMs) reasons.push(`p95 latency ${p95} ms > ${th.p95LatencyMs} ms`);
  }
  return reasons;
}

/** Feeds one outcome (mutates the state) and says whether health flips. */
export function feed(s: DetectorState, o: Outcome, th: DetectionThresholds = DEFAULT_DETECTION): Verdict {
  if ((o.ok ? s.consecutiveSuccesses : s.consecutiveFailures) === 0) s.streakStartedAt = o.at;
  if (o.ok) {
    s.consecutiveSuccesses += 1;
    s.consecutiveFailures = 0;
  } else {
    s.consecutiveFailures += 1;
    s.consecutiveSuccesses = 0;
  }
  s.window.push(o);
  if (s.window.length > th.windowSize) s.window.splice(0, s.window.length - th.windowSize);

  const dwelt = o.at - s.changedAt >= th.minDwellMs;
  if (s.healthy) {
    const reasons = failingRules(s, th);
    if (reasons.length && dwelt) return flip(s, false, reasons.join('; '), o.at);
  } else if (s.consecutiveSuccesses >= th.successesToClose && dwelt) {
    // Recovery is decided by consecutive successes only: the window still holds the outage's errors.
    return flip(s, true, `${s.consecutiveSuccesses} consecutive successes`, o.at);
  }
  return { transition: false };
}

function flip(s: DetectorState, healthy: boolean, reason: string, at: number): Verdict {
  s.healthy = healthy;
  s.changedAt = at;
  // A fresh window after a flip: old outcomes must not re-trigger (or block) the next decision.
  s.window = [];
  return { transition: true, healthy, reason };
}

const pct = (x: number) => `${Math.round(x * 1000) / 10} %`;
