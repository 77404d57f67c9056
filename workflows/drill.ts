// drillWorkflow: one failover drill. It really moves a share of a chain's traffic (or all of it) off the
// primary through the chain's shift queue — the same single writer and queue incidents use, so a drill
// never interleaves with a real shift — holds it for the window while validating the backup, and rolls
// back to the previous weights at the end, at once when the backup fails, or when stopped. It opens no
// incident and pages nobody: every route change reason, timeline line and announcement says "drill".
// The report (times against the runbook targets, pass/fail, findings) goes to the store.
import {
  CancellationScope,
  condition,
  isCancellation,
  proxyActivities,
  setHandler,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import type { DrillActivities } from '../activities/types';
import {
  DRILL_TARGETS,
  describeShare,
  drillPrimary,
  drillSummary,
  drillWeights,
  judgeDrill,
  type DrillEvent,
  type DrillOutcome,
  type DrillReport,
  type DrillTimings,
} from '../domain/drill';
import type { Weights } from '../domain/failover';
import { nextHealthy } from '../domain/shift';
import { drillProgressQuery, stopDrillSignal, type DrillInput, type DrillPhase, type ShiftResult } from './messages';
import { shiftRequests } from './shift-requests';

const acts = proxyActivities<DrillActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '10 seconds', nonRetryableErrorTypes: ['UnknownChain'] },
});
// Reporting must not stall the drill: a store or Slack that stays down is a finding, not a hang.
const reporting = proxyActivities<DrillActivities>({
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '5 minutes',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

const DEFAULT_SHIFT_WAIT_MS = 5 * 60_000;
const sec = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export async function drillWorkflow(input: DrillInput): Promise<DrillReport> {
  const id = workflowInfo().workflowId;
  const label = input.drill ?? input.chain;
  const started = Date.now();
  const startedAt = new Date(started).toISOString();
  const timeline: DrillEvent[] = [];
  const problems: string[] = [];
  const timings: DrillTimings = {};
  const weights: DrillReport['weights'] = {};
  const checks = { total: 0, failed: 0 };
  let phase: DrillPhase = 'preflight';
  /** Set once by the pre-drill checks (read by the progress query before that). */
  const sides: { primary?: string; backup?: string } = {};
  let stop: { reason: string; by: string } | undefined;

  const note = (what: string) => timeline.push({ at: new Date().toISOString(), what: `drill: ${what}` });
  setHandler(drillProgressQuery, () => ({ id, chain: input.chain, phase, startedAt, ...sides, timeline }));
  setHandler(stopDrillSignal, (s) => {
    stop ??= s;
  });
  const shifts = shiftRequests(input.chain);

  /** Queues one drill step at the chain's routing entity and waits for its result (null: no answer in time). */
  const shift = (ticket: string, to: Weights, reason: string): Promise<ShiftResult | null> =>
    shifts.request(
      ticket,
      { chain: input.chain, kind: 'set', weights: to, reason, by: `drill (${input.by})` },
      input.shiftWaitMs ?? DEFAULT_SHIFT_WAIT_MS,
    );

  const finish = async (outcome: DrillOutcome | null): Promise<DrillReport> => {
    phase = 'reporting';
    const judged = judgeDrill(timings, DRILL_TARGETS, problems);
    const final: DrillOutcome = outcome ?? (judged.passed ? 'passed' : 'failed');
    const report: DrillReport = {
      id,
      drill: input.drill,
      chain: input.chain,
      ...sides,
      share: input.share,
      durationMs: input.durationMs,
      by: input.by,
      scheduled: !!input.scheduled,
      startedAt,
      endedAt: new Date().toISOString(),
      outcome: final,
      passed: final === 'passed',
      timings,
      targets: { ...DRILL_TARGETS },
      weights,
      checks,
      findings: outcome === 'refused' || outcome === 'cancelled' ? problems : judged.findings,
      timeline,
    };
    note(`result ${final}`);
    await CancellationScope.nonCancellable(async () => {
      await reporting.recordDrillReport(report);
      await reporting
        .announceDrill({ id, event: 'result', text: drillSummary(report) })
        .catch(() => note('the result announcement could not be delivered'));
    });
    phase = 'done';
    return report;
  };

  // ---- before: refuse on an open incident, a shift in flight, a route not as configured -------------
  let pre: Awaited<ReturnType<typeof acts.drillPreflight>>;
  try {
    pre = await acts.drillPreflight({ chain: input.chain });
  } catch (err) {
    // An unknown chain or one with no routing entity: a refused drill with a report, not a failed workflow.
    const e = err as Error & { cause?: Error };
    problems.push(`refused: ${e.cause?.message ?? e.message}`);
    note(`refused (${e.cause?.message ?? e.message})`);
    return finish('refused');
  }
  weights.before = pre.route.weights;
  const primary = drillPrimary(pre.route.weights, pre.route.providers) ?? undefined;
  const backup =
    input.to ?? (primary ? (nextHealthy(pre.route.providers, primary, pre.unhealthy) ?? undefined) : undefined);
  Object.assign(sides, { primary, backup });
  const refusals = [...pre.blockers];
  if (!primary) refusals.push(`no provider carries traffic on ${input.chain}`);
  else if (!backup) refusals.push(`no healthy alternative to ${primary} on ${input.chain}`);
  else if (pre.unhealthy.includes(backup)) refusals.push(`the backup ${backup} is unhealthy`);
  if (refusals.length) {
    problems.push(...refusals.map((r) => `refused: ${r}`));
    note(`refused (${refusals.join('; ')})`);
    return finish('refused');
  }
  const from = primary!;
  const to = backup!;
  const during = drillWeights(pre.route.weights, from, to, input.share);
  const why = `drill ${label}: ${describeShare(input.share)} of ${from}'s traffic → ${to}`;
  note(`started by ${input.by}: ${describeShare(input.share)} of ${from} → ${to} for ${sec(input.durationMs)}`);
  await reporting
    .announceDrill({
      id,
      event: 'start',
      text: `[DRILL] ${label} started by ${input.by}: moving ${describeShare(input.share)} of ${input.chain}'s traffic from ${from} to ${to} for ${sec(input.durationMs)}. Not an outage; nobody is paged.`,
    })
    .catch(() => note('the start announcement could not be delivered'));

  let applied: ShiftResult | null = null;
  try {
    // ---- fail over ---------------------------------------------------------------------------------
    phase = 'failing-over';
    const overTicket = `${id}-over`;
    const queued = shift(overTicket, during, why);
    // The failure is declared, so "detection" is the monitor's configured bound plus the signal path.
    timings.detectionMs = (pre.detectionBoundMs[from] ?? 0) + (Date.now() - started);
    applied = await queued;
    if (!applied) {
      problems.push(`failover not applied within ${sec(input.shiftWaitMs ?? DEFAULT_SHIFT_WAIT_MS)}`);
      await shifts.cancel(overTicket, 'drill: failover took too long');
    } else if (applied.outcome !== 'completed') {
      problems.push(`failover ${applied.outcome}: ${applied.detail}`);
      if (!applied.steps.length) applied = null; // nothing moved: nothing to roll back
    } else {
      timings.failoverMs = Date.now() - started;
      weights.during = applied.final;
      note(`failed over in ${sec(timings.failoverMs)} (route v${applied.version})`);
      // ---- hold, validating the backup ----------------------------------------------------------------
      phase = 'holding';
      // The window ends on a durable timer, not on clock arithmetic, so whether to check again or roll
      // back follows from history events alone: a query answered after a worker crash can run an
      // activation at another time than the workflow task that later records it, and a decision read off
      // the clock there made a history no replay reproduces.
      let windowOver = false;
      const holdWindow = new CancellationScope();
      void holdWindow
        .run(() => sleep(input.durationMs))
        .then(
          () => (windowOver = true),
          () => undefined, // cancelled: the hold ended early (failed check, stop) or the drill was cancelled
        );
      try {
        for (;;) {
          const check = await acts.drillCheck({ provider: to });
          checks.total += 1;
          if (!check.healthy) {
            checks.failed += 1;
            problems.push(`backup ${to} failed ${sec(Date.now() - started)} into the drill: ${check.detail}`);
            note(`backup ${to} failed validation (${check.detail}): rolling back now`);
            break;
          }
          if (windowOver) break; // the check above was the last one, at the end of the window
          await condition(() => stop !== undefined || windowOver, input.checkEveryMs);
          if (stop) break;
        }
      } finally {
        holdWindow.cancel(); // no timer left running once the hold is over
      }
    }
  } catch (err) {
    if (!isCancellation(err)) throw err;
    stop ??= { reason: 'drill workflow cancelled', by: 'temporal' };
  }
  if (stop) {
    problems.push(`stopped by ${stop.by}: ${stop.reason}`);
    note(`stopped by ${stop.by} (${stop.reason})`);
  }

  // ---- roll back: the weights from before, unless someone else changed the route meanwhile ---------
  if (applied) {
    phase = 'rolling-back';
    await CancellationScope.nonCancellable(async () => {
      const now = await acts.drillRoute({ chain: input.chain });
      if (now.version !== applied!.version) {
        problems.push(
          `not rolled back: the route changed during the drill (v${applied!.version} → v${now.version}: ${now.reason ?? ''}); left as it is`,
        );
        weights.after = now.weights;
        return;
      }
      const rollbackAt = Date.now();
      const back = await shift(`${id}-back`, pre.route.weights, `drill ${label}: rollback to the previous weights`);
      if (!back) problems.push(`rollback not confirmed within ${sec(input.shiftWaitMs ?? DEFAULT_SHIFT_WAIT_MS)}`);
      else if (back.outcome !== 'completed') problems.push(`rollback ${back.outcome}: ${back.detail}`);
      else {
        timings.restorationMs = Date.now() - rollbackAt;
        note(`restored the previous weights in ${sec(timings.restorationMs)} (route v${back.version})`);
      }
      weights.after = back?.final;
    });
  }
  return finish(stop ? 'cancelled' : null);
}
