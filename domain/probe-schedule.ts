// When the probe loop launches its next health probe. Probes overlap: a probe that has not answered
// long after the provider's usual latency is a suspected hang, and the loop does not wait for its
// timeout before probing again. Instead it probes at a fifth of the interval until it has enough probes
// out to reach a verdict, so N failures of a hung provider arrive about one probe timeout after the
// hang began instead of N timeouts later. The same fast cadence confirms a failure seen while healthy.
// Pure: the activity (activities/watch.ts) owns the clock and the sockets.

export interface ProbeScheduleInput {
  now: number;
  intervalMs: number;
  timeoutMs: number;
  /** When the last metadata probe was launched (undefined before the first). */
  lastLaunchAt?: number;
  /** Launch times of metadata probes still waiting for an answer. */
  inFlightSince: number[];
  /** The detector has seen failures while the provider is still considered healthy. */
  confirmingFailure: boolean;
  /** The median latency of recent successful probes, if any. */
  typicalLatencyMs?: number;
  /** Never more probes than this out at once (the failures needed for a verdict). */
  maxInFlight: number;
}

export type ProbePlan = { launch: true } | { launch: false; wakeAt?: number };

const MIN_SLOW_MS = 250;
const MIN_FAST_GAP_MS = 50;

/** How long a probe may stay unanswered before it counts as a suspected hang. */
export function slowProbeMs(typicalLatencyMs: number | undefined, timeoutMs: number): number {
  const guess = typicalLatencyMs === undefined ? timeoutMs / 2 : typicalLatencyMs * 4;
  return Math.round(Math.max(MIN_SLOW_MS, Math.min(guess, timeoutMs / 2)));
}

export function planProbe(i: ProbeScheduleInput): ProbePlan {
  if (i.lastLaunchAt === undefined) return { launch: true };
  if (i.inFlightSince.length >= i.maxInFlight) return { launch: false }; // wait for an answer
  const oldest = i.inFlightSince.length ? Math.min(...i.inFlightSince) : undefined;
  const slow = slowProbeMs(i.typicalLatencyMs, i.timeoutMs);
  const hanging = oldest !== undefined && i.now - oldest >= slow;
  const fast = Math.max(MIN_FAST_GAP_MS, Math.round(i.intervalMs / 5));
  const due = i.lastLaunchAt + (i.confirmingFailure || hanging ? fast : i.intervalMs);
  if (i.now >= due) return { launch: true };
  // Not due yet; but an outstanding probe turning slow moves the next launch earlier: wake for that too.
  const turnsSlowAt = oldest !== undefined && !hanging ? oldest + slow : undefined;
  return { launch: false, wakeAt: turnsSlowAt !== undefined ? Math.min(due, turnsSlowAt) : due };
}

/** Median of recent successful latencies (a short list the activity keeps). */
export function typicalLatency(latencies: number[]): number | undefined {
  if (!latencies.length) return undefined;
  const sorted = [...latencies].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}
