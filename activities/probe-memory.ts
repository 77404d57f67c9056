// What a probe loop heartbeats and what its retry resumes from (Temporal's heartbeat-details checkpoint,
// as in samples-typescript activities-cancellation-heartbeating): the detection windows and failure
// streak, recent good latencies and when it last probed. Small (≤ a window of outcomes) and nothing secret.
import type { DetectorState } from '../domain/detection';

export interface WatchMemory {
  v: 1;
  detector: DetectorState;
  okLatencies: number[];
  /** Epoch ms of the last metadata probe launched. */
  lastProbeAt?: number;
}

const isNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

/**
 * The previous attempt's memory, when it is usable: same shape, and the same health the workflow asks
 * about (a workflow that moved on — e.g. the breaker closed again — starts a fresh detector instead).
 */
export function resumeWatch(details: unknown, healthy: boolean, now: number): WatchMemory | undefined {
  const m = details as Partial<WatchMemory> | undefined;
  if (!m || m.v !== 1 || !m.detector || typeof m.detector !== 'object') return undefined;
  const d = m.detector;
  if (
    d.healthy !== healthy ||
    !isNum(d.consecutiveFailures) ||
    !isNum(d.consecutiveSuccesses) ||
    !isNum(d.changedAt) ||
    !Array.isArray(d.window)
  )
    return undefined;
  const lastProbeAt = isNum(m.lastProbeAt) && m.lastProbeAt <= now ? m.lastProbeAt : undefined;
  return {
    v: 1,
    detector: { ...d, window: d.window.filter((o) => o && isNum(o.at) && isNum(o.latencyMs)) },
    okLatencies: Array.isArray(m.okLatencies) ? m.okLatencies.filter(isNum).slice(-20) : [],
    ...(lastProbeAt !== undefined ? { lastProbeAt } : {}),
  };
}

/** Most a loop taken over after a crash waits before its first probe: monitors taken over together spread out. */
const TAKEOVER_SPREAD_MS = 1_000;

/**
 * The "last launch" the schedule starts from (domain/probe-schedule.ts probes at last launch + interval):
 * a fresh loop probes at a random point of its first interval, so a thousand loops started together
 * never fire together; a resumed loop keeps its cadence; an overdue one probes within a second.
 */
export function firstLaunchBase(
  lastProbeAt: number | undefined,
  now: number,
  intervalMs: number,
  random: () => number = Math.random,
): number {
  if (lastProbeAt === undefined) return now - intervalMs + Math.floor(random() * intervalMs);
  if (lastProbeAt + intervalMs > now) return lastProbeAt;
  return now - intervalMs + Math.floor(random() * Math.min(TAKEOVER_SPREAD_MS, intervalMs));
}
