// What a provider's monitor remembers of application outcomes: the passive window (error share over at
// least N attempts within T ms trips the breaker without waiting for probes), the trial evidence of a
// recovering provider, and a bounded ring of per-minute aggregates that incident reports read. Pure and
// serialisable: it lives in monitorWorkflow and is carried over continue-as-new.
import {
  emptyCounts,
  mergeCounts,
  dominantErrorType,
  type OutcomeCounts,
  type OutcomeErrorType,
} from './outcome-counts';

export interface PassiveWindowSettings {
  /** The window judges only once it holds at least this many attempts (few samples lie). */
  minRequests: number;
  /** Share of failed attempts (0..1) at or above which the provider counts as failing. */
  errorShare: number;
  windowMs: number;
}

export const DEFAULT_PASSIVE_WINDOW: PassiveWindowSettings = { minRequests: 20, errorShare: 0.5, windowMs: 10_000 };

/** Minutes of aggregates a monitor keeps: a 30-minute baseline plus incidents of up to 3.5 h. */
export const MINUTE_RING = 240;

export type WindowCounts = Pick<OutcomeCounts, 'attempts' | 'errors' | 'errorTypes' | 'trialOk' | 'trialFailed'>;

export interface MinuteCounts {
  /** Start of the minute, ISO (`2026-01-01T12:34:00.000Z`). */
  minute: string;
  counts: OutcomeCounts;
}

/** One API process's bucket for one provider (≈ 1 s of outcomes): the monitor's `outcomes` signal. */
export interface OutcomeBucket {
  /** The outcomes per minute of their `at`: the report's aggregates. */
  minutes: MinuteCounts[];
  /** Those recent enough (at within the window) to judge the passive window. */
  recent: WindowCounts;
  /** The sender's thresholds for this provider (config `outcomes`, with the provider's override). */
  window: PassiveWindowSettings;
}

export interface OutcomeMemory {
  /** Passive window: one entry per second of arrival (workflow time, epoch ms), oldest first. */
  window: { at: number; attempts: number; errors: number; errorTypes: WindowCounts['errorTypes'] }[];
  /** Per-minute aggregates, oldest first, at most MINUTE_RING. */
  minutes: MinuteCounts[];
  /** Trial outcomes not yet weighed by the breaker. */
  trial: { ok: number; failed: number };
  settings: PassiveWindowSettings;
  buckets: number;
}

export function newOutcomeMemory(): OutcomeMemory {
  return { window: [], minutes: [], trial: { ok: 0, failed: 0 }, settings: { ...DEFAULT_PASSIVE_WINDOW }, buckets: 0 };
}

export const minuteOf = (ms: number): string => new Date(Math.floor(ms / 60_000) * 60_000).toISOString();

function prune(m: OutcomeMemory, now: number): void {
  const from = now - m.settings.windowMs;
  const keep = m.window.findIndex((e) => e.at > from);
  m.window = keep < 0 ? [] : m.window.slice(keep);
}

/** Adds one bucket (mutates `m`). Trial outcomes count as evidence only when `countTrials` (breaker not closed). */
export function recordBucket(m: OutcomeMemory, b: OutcomeBucket, now: number, countTrials: boolean): void {
  m.settings = { ...b.window };
  m.buckets += 1;
  const second = Math.floor(now / 1000) * 1000;
  const last = m.window[m.window.length - 1];
  if (last && last.at === second) {
    last.attempts += b.recent.attempts;
    last.errors += b.recent.errors;
    for (const [k, v] of Object.entries(b.recent.errorTypes) as [OutcomeErrorType, number][])
      last.errorTypes[k] = (last.errorTypes[k] ?? 0) + v;
  } else if (b.recent.attempts) {
    m.window.push({
      at: second,
      attempts: b.recent.attempts,
      errors: b.recent.errors,
      errorTypes: { ...b.recent.errorTypes },
    });
  }
  prune(m, now);
  if (countTrials) {
    m.trial.ok += b.recent.trialOk;
    m.trial.failed += b.recent.trialFailed;
  }
  for (const add of b.minutes) {
    const i = m.minutes.findIndex((x) => x.minute >= add.minute);
    if (i >= 0 && m.minutes[i].minute === add.minute)
      m.minutes[i] = { minute: add.minute, counts: mergeCounts(m.minutes[i].counts, add.counts) };
    else
      m.minutes.splice(i < 0 ? m.minutes.length : i, 0, {
        minute: add.minute,
        counts: mergeCounts(emptyCounts(), add.counts),
      });
  }
  if (m.minutes.length > MINUTE_RING) m.minutes.splice(0, m.minutes.length - MINUTE_RING);
}

export type PassiveVerdict =
  | { trip: false; attempts: number; errors: number }
  | {
      trip: true;
      attempts: number;
      errors: number;
      share: number;
      errorType?: OutcomeErrorType;
      reason: string;
      /** When the window's oldest outcomes arrived: the fault time as far as outcomes tell. */
      since: string;
    };

/** Whether the window (as of `now`) says the provider is failing its users. */
export function passiveVerdict(m: OutcomeMemory, now: number): PassiveVerdict {
  prune(m, now);
  let attempts = 0;
  let errors = 0;
  const errorTypes: WindowCounts['errorTypes'] = {};
  for (const e of m.window) {
    attempts += e.attempts;
    errors += e.errors;
    for (const [k, v] of Object.entries(e.errorTypes) as [OutcomeErrorType, number][])
      errorTypes[k] = (errorTypes[k] ?? 0) + v;
  }
  const { minRequests, errorShare, windowMs } = m.settings;
  if (attempts < minRequests || !attempts || errors / attempts < errorShare) return { trip: false, attempts, errors };
  const share = errors / attempts;
  const errorType = dominantErrorType({ errorTypes });
  return {
    trip: true,
    attempts,
    errors,
    share,
    ...(errorType ? { errorType } : {}),
    since: new Date(m.window[0].at).toISOString(),
    reason:
      `user traffic: ${errors} of ${attempts} attempts failed in ${Math.round(windowMs / 1000)} s ` +
      `(${pct(share)} ≥ ${pct(errorShare)}${errorType ? `, mostly ${errorType}` : ''})`,
  };
}

/** Forget the window (after a breaker transition, old outcomes must not decide the next one). */
export function resetWindow(m: OutcomeMemory): void {
  m.window = [];
  m.trial = { ok: 0, failed: 0 };
}

/** The trial evidence gathered since the last call (consumed). */
export function takeTrialEvidence(m: OutcomeMemory): { ok: number; failed: number } {
  const t = m.trial;
  m.trial = { ok: 0, failed: 0 };
  return t;
}

const pct = (x: number) => `${Math.round(x * 1000) / 10} %`;
