// Failover drills, the pure part: which weights a drill applies, and how its measured times compare with
// the runbook targets (detection < 30 s, failover < 60 s, restoration < 2 min). The drillWorkflow only
// moves traffic, waits and validates; everything it decides from numbers is here.
import type { Weights } from './failover';
import { moveShare } from './shift';

export const DRILL_TARGETS = { detectionMs: 30_000, failoverMs: 60_000, restorationMs: 120_000 } as const;
export type DrillTargets = { detectionMs: number; failoverMs: number; restorationMs: number };

/** `full`, or the percent of the primary's traffic moved. */
export type DrillShare = number | 'full';

export type DrillOutcome = 'passed' | 'failed' | 'refused' | 'cancelled';

/** The provider a drill takes traffic off: the one carrying the most (first in chain order on a tie). */
export function drillPrimary(weights: Weights, providers: string[]): string | null {
  let best: string | null = null;
  for (const p of providers) if ((weights[p] ?? 0) > 0 && (best === null || weights[p] > weights[best])) best = p;
  return best;
}

/** The weights during the drill: `share` percent (or all) of the primary's traffic moved to the backup. */
export function drillWeights(current: Weights, primary: string, backup: string, share: DrillShare): Weights {
  return moveShare(current, primary, backup, share === 'full' ? 100 : share);
}

export const describeShare = (share: DrillShare) => (share === 'full' ? 'all' : `${share} %`);

/** One line of the drill's own timeline (every line is a drill event: none of it is an incident). */
export interface DrillEvent {
  at: string;
  what: string;
}

export interface DrillTimings {
  /**
   * Time to detect the primary's loss: the monitor's detection bound for the primary (failuresToOpen ×
   * probe interval, from config: a drill declares the failure, it does not wait for it) plus the measured
   * time until the chain's routing entity held the shift.
   */
  detectionMs?: number;
  /** Drill start → the drill weights applied (the shift completed). */
  failoverMs?: number;
  /** Rollback requested → the previous weights applied again. */
  restorationMs?: number;
}

export interface DrillReport {
  id: string;
  /** The configured drill, when it was one (ad-hoc drills name only the chain). */
  drill?: string;
  chain: string;
  primary?: string;
  backup?: string;
  share: DrillShare;
  durationMs: number;
  by: string;
  scheduled: boolean;
  startedAt: string;
  endedAt: string;
  outcome: DrillOutcome;
  passed: boolean;
  timings: DrillTimings;
  targets: DrillTargets;
  /** The weights before the drill, during it and after it. */
  weights: { before?: Weights; during?: Weights; after?: Weights };
  /** Backup validations during the window: how many, and how many failed. */
  checks: { total: number; failed: number };
  findings: string[];
  timeline: DrillEvent[];
}

const sec = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/**
 * Findings from the times against the targets; a drill passes when it ran to the end, nothing failed
 * on the way (`problems`), and every measured time is within its target.
 */
export function judgeDrill(
  timings: DrillTimings,
  targets: DrillTargets,
  problems: string[],
): { passed: boolean; findings: string[] } {
  const findings = [...problems];
  const check = (name: string, value: number | undefined, target: number, fix: string) => {
    if (value === undefined) findings.push(`${name} not measured (the drill did not get that far)`);
    else if (value >= target) findings.push(`${name} ${sec(value)} misses the ${sec(target)} target: ${fix}`);
  };
  check(
    'detection',
    timings.detectionMs,
    targets.detectionMs,
    "lower the primary's probe.intervalMs or detection.failuresToOpen",
  );
  check(
    'failover',
    timings.failoverMs,
    targets.failoverMs,
    'the shift queue was busy or route publishing is slow (see the route publishers)',
  );
  check(
    'restoration',
    timings.restorationMs,
    targets.restorationMs,
    'the rollback waited in the shift queue or route publishing is slow',
  );
  return { passed: findings.length === 0, findings };
}

/** The monitor's worst case to open the breaker: failuresToOpen probes, one interval apart, the last timing out. */
export function detectionBoundMs(probe: { intervalMs: number; timeoutMs: number }, failuresToOpen: number): number {
  return Math.max(0, failuresToOpen - 1) * probe.intervalMs + probe.timeoutMs;
}

/** A one-line summary for Slack and logs; every line says DRILL so nobody mistakes it for an outage. */
export function drillSummary(r: DrillReport): string {
  const head = `[DRILL] ${r.drill ?? r.chain}: ${r.outcome.toUpperCase()}`;
  const t = r.timings;
  const times = [
    t.detectionMs !== undefined ? `detection ${sec(t.detectionMs)}` : null,
    t.failoverMs !== undefined ? `failover ${sec(t.failoverMs)}` : null,
    t.restorationMs !== undefined ? `restoration ${sec(t.restorationMs)}` : null,
  ].filter(Boolean);
  const findings = r.findings.length ? ` — ${r.findings.join('; ')}` : '';
  return `${head} (${r.primary ?? '?'} → ${r.backup ?? '?'}, ${describeShare(r.share)} of traffic${times.length ? `; ${times.join(', ')}` : ''})${findings}`;
}

/** A drill's report key in the store: IDs from schedules carry a timestamp with ':' (not a store name). */
export const drillReportKey = (id: string) => id.replace(/[^A-Za-z0-9_.@-]/g, '_');
