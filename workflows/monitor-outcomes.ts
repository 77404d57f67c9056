// The monitor's side of application outcomes: the `outcomes` signal (one bucket per API process per
// flush, never one per outcome), the passive window that interrupts the probe loop when users fail, the
// trial evidence a half-open breaker weighs, and the minute ring incident reports query.
import { CancellationScope, condition, setHandler, workflowInfo } from '@temporalio/workflow';
import {
  newOutcomeMemory,
  passiveVerdict,
  recordBucket,
  resetWindow,
  takeTrialEvidence,
  type OutcomeMemory,
  type PassiveVerdict,
} from '../domain/outcome-window';
import type { OutcomeErrorType } from '../domain/outcome-counts';
import { evidenceSince } from '../domain/provider-evidence';
import type { FailureCategory } from '../domain/classify';
import type { WatchResult } from '../activities/types';
import { outcomeMinutesQuery, outcomesSignal, providerEvidenceQuery, type MonitorState } from './messages';

/**
 * Signals add history events (about four each); the probe loop may wait up to an hour. Past this many
 * events the loop is interrupted so the monitor continues-as-new (the server's suggestion comes too).
 */
export const OUTCOME_HISTORY_LIMIT = 8_000;

export const mustRollOver = (limit = OUTCOME_HISTORY_LIMIT) =>
  workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > limit;

export interface MonitorOutcomes {
  memory: OutcomeMemory;
  /** The passive window's verdict now. */
  verdict(): PassiveVerdict;
  /** Trial outcomes gathered since the last call. */
  takeTrials(): { ok: number; failed: number };
  hasTrials(): boolean;
  /** After a breaker transition: outcomes from before it must not decide the next one. */
  reset(): void;
}

/** Registers the handlers (call before the first await). */
export function trackOutcomes(state: MonitorState, carried?: OutcomeMemory): MonitorOutcomes {
  const memory = carried ?? newOutcomeMemory();
  const show = (v: PassiveVerdict) => {
    state.outcomes = {
      attempts: v.attempts,
      errors: v.errors,
      windowMs: memory.settings.windowMs,
      buckets: memory.buckets,
    };
    return v;
  };
  setHandler(outcomesSignal, (bucket) => {
    // Trials count while the breaker is not closed (a closed provider gets ordinary traffic).
    recordBucket(memory, bucket, Date.now(), (state.breaker?.phase ?? 'closed') !== 'closed');
    show(passiveVerdict(memory, Date.now()));
  });
  setHandler(outcomeMinutesQuery, () => memory.minutes);
  // A query: reading evidence adds nothing to the monitor's history.
  setHandler(providerEvidenceQuery, ({ sinceMs }) => evidenceSince(memory, sinceMs, Date.now()));
  return {
    memory,
    verdict: () => show(passiveVerdict(memory, Date.now())),
    takeTrials: () => takeTrialEvidence(memory),
    hasTrials: () => memory.trial.ok + memory.trial.failed > 0,
    reset: () => resetWindow(memory),
  };
}

/**
 * Runs `watch` (the probe loop) until it returns, or until `interrupted()` holds — then cancels it and
 * answers 'interrupted'. No commands are added while nothing interrupts, so histories of the plain loop
 * replay unchanged.
 */
export async function unlessInterrupted<T>(
  watch: () => Promise<T>,
  interrupted: () => boolean,
): Promise<T | 'interrupted'> {
  const watching = new CancellationScope();
  const waiting = new CancellationScope();
  const result = watching.run(watch);
  const stop = waiting.run(() => condition(interrupted));
  stop.catch(() => undefined); // cancelled below once the watch has answered
  try {
    const first = await Promise.race([result, stop.then(() => 'interrupted' as const)]);
    if (first === 'interrupted') {
      watching.cancel();
      await result.catch(() => undefined); // the activity's cancellation was requested; its answer is dropped
    }
    return first;
  } finally {
    waiting.cancel();
  }
}

const CATEGORY: Record<OutcomeErrorType, FailureCategory> = {
  timeout: 'provider_outage',
  connection: 'network',
  rate_limit: 'rate_limit',
  server_error: 'provider_outage',
  client_error: 'unknown',
  other: 'unknown',
};

/** A tripped window as the observation an incident opens with (category from the main error type). */
export function tripObservation(v: Extract<PassiveVerdict, { trip: true }>, at: string): WatchResult['observation'] {
  return {
    ok: false,
    latencyMs: 0,
    category: v.errorType ? CATEGORY[v.errorType] : 'unknown',
    at,
    message: v.reason,
    ...(v.errorType ? { errorType: v.errorType } : {}),
  };
}

/** Trial traffic as the observation a half-open breaker weighs (one failure fails the trial). */
export function trialObservation(t: { ok: number; failed: number }, at: string): WatchResult['observation'] {
  const ok = t.failed === 0;
  return {
    ok,
    latencyMs: 0,
    category: ok ? null : 'unknown',
    at,
    message: ok
      ? `trial traffic: ${t.ok} request(s) succeeded`
      : `trial traffic: ${t.failed} of ${t.ok + t.failed} failed`,
  };
}
