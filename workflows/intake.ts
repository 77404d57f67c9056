// intakeWorkflow: the per-scope alert intake in front of the incident (`intake-<scope>`). The API's
// group-commit batches land here (signal-with-start: the 202 means this history holds the alert); the
// intake summarises them (domain/alert-summary.ts) and forwards one summary at a time to
// `incident-<scope>`, at most once per `forwardEveryMs`. So the incident sees about one signal a second
// whatever the storm, in any phase, and the intake — which does nothing else — continues-as-new whenever
// its own history grows, whatever the incident is doing.
import {
  allHandlersFinished,
  condition,
  makeContinueAsNewFunc,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { IntakeActivities } from '../activities/types';
import { addAlerts, emptySummary, hasEvents, isFull, type AlertSummary } from '../domain/alert-summary';
import { alertsSignal, intakeRolloverSignal, intakeStateQuery, type IntakeInput, type IntakeTotals } from './messages';

const { forwardAlertSummary } = proxyActivities<IntakeActivities>({
  // One signal(-with-start): seconds at most. Retried without end (a Temporal outage must not drop
  // alerts the API already answered 202 for); the incident ignores a repeated (origin, seq).
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '200 milliseconds', maximumInterval: '10 seconds' },
});

const DEFAULT_FORWARD_EVERY_MS = 1000;
/**
 * The API asks for a roll-over well before this (client/intake-recorder.ts); this is the backstop, e.g. for
 * several API processes, where one's signals can still fail another's requested continue-as-new.
 */
const DEFAULT_HISTORY_LIMIT = 1500;
const DEFAULT_IDLE_CLOSE_MS = 10 * 60_000;
/** Batch IDs remembered to drop a repeated signal (a few seconds of a storm: retries come within that). */
const RECENT_BATCHES = 1000;

export async function intakeWorkflow(input: IntakeInput): Promise<IntakeTotals> {
  const info = workflowInfo();
  // A retried forward names the same (origin, seq); a new chain of intake runs starts a new origin.
  const origin = input.carried?.origin ?? info.firstExecutionRunId;
  let seq = input.carried?.seq ?? 0;
  let pending: AlertSummary = input.carried?.pending ?? emptySummary();
  const totals: IntakeTotals = { ...(input.carried?.totals ?? { received: 0, forwarded: 0, forwards: 0 }) };
  const runs = input.carried?.runs ?? 0;

  const recentBatches = new Set(input.carried?.recentBatches ?? []);
  setHandler(alertsSignal, ({ alerts, batchId }) => {
    if (batchId) {
      if (recentBatches.has(batchId)) return; // the same batch again (a retried signal)
      recentBatches.add(batchId);
      if (recentBatches.size > RECENT_BATCHES) recentBatches.delete(recentBatches.values().next().value!);
    }
    addAlerts(pending, alerts, Date.now());
    totals.received += alerts.length;
  });
  setHandler(intakeStateQuery, () => ({ scope: input.scope, seq, runs, totals, pending: pending.events }));
  let rolloverAsked = false;
  setHandler(intakeRolloverSignal, () => void (rolloverAsked = true));

  const rollOver = () => {
    const i = workflowInfo();
    return rolloverAsked || i.continueAsNewSuggested || i.historyLength > (input.historyLimit ?? DEFAULT_HISTORY_LIMIT);
  };

  // A forward the previous run left in flight when it rolled over goes out first, with its own seq: the
  // incident ignores it if the first attempt landed after all.
  let resend = input.carried?.inFlight;
  let inFlight: { seq: number; summary: AlertSummary } | undefined;
  for (;;) {
    let out: { seq: number; summary: AlertSummary };
    if (resend) {
      out = resend;
      resend = undefined;
    } else {
      const woke = await condition(() => hasEvents(pending) || rollOver(), input.idleCloseMs ?? DEFAULT_IDLE_CLOSE_MS);
      // Idle: close. An alert arriving while this run closes fails the close (Temporal keeps the signal),
      // and one arriving after starts a new run.
      if (!woke && !hasEvents(pending)) return totals;
      if (rollOver()) break;
      seq += 1;
      out = { seq, summary: pending };
      pending = emptySummary();
    }
    const { summary } = out;
    const forwarded = forwardAlertSummary({
      scope: input.scope,
      provider: input.provider,
      origin,
      seq: out.seq,
      summary,
    });
    // The API holds this scope's alerts while it waits for a requested roll-over: go at once rather than
    // after the forward, and send the forward again from the next run.
    const done = await Promise.race([forwarded.then(() => true), condition(() => rolloverAsked).then(() => false)]);
    if (!done) {
      inFlight = out;
      break;
    }
    totals.forwarded += summary.events;
    totals.forwards += 1;
    // The incident's rate: one forward per window, unless a summary fills up first.
    await condition(() => isFull(pending) || rollOver(), input.forwardEveryMs ?? DEFAULT_FORWARD_EVERY_MS);
    if (rollOver()) break;
  }
  // Promptly, in the task that saw the request: the API holds its alerts for this scope meanwhile.
  await condition(allHandlersFinished);
  const next = makeContinueAsNewFunc<typeof intakeWorkflow>();
  // Whatever is pending travels in the input (bounded: domain/alert-summary.ts) and goes out first.
  return next({
    ...input,
    carried: { origin, seq, pending, totals, runs: runs + 1, recentBatches: [...recentBatches], inFlight },
  });
}
