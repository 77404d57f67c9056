// incidentWorkflow: one incident, from detection to report. Opened by signal-with-start on a
// deterministic ID per scope, so concurrent detectors and storms land in one incident.
//
// Phases: detected → assessing → escalating → diagnosing → recovering → monitoring ⇄ restoring →
// reporting → resolved. `restoring` is the failback; a re-failure during it returns to mitigation. An
// operator resolve wins in every phase: the main line runs in a cancellation scope that the resolve
// cancels, and the closing steps (report, archive) always run. No activity failure fails the incident:
// every call is bounded by a schedule-to-close timeout and its failure is recorded on the timeline.
import {
  allHandlersFinished,
  CancellationScope,
  condition,
  continueAsNew,
  isCancellation,
  makeContinueAsNewFunc,
  proxyActivities,
  workflowInfo,
  log,
} from '@temporalio/workflow';
import { toPublicIncident } from '../domain/status';
import { createShifts, failover, failureText, restoreTraffic, runRecoveryProcedure, type RestoreOutcome } from './recover';
import type { ArchiveActivities, IncidentActivities, IncidentContext, Notification } from '../activities/types';
import {
  addTimeline,
  incidentIdFor,
  newIncidentState,
  recordAlerts,
  type IncidentState,
} from '../domain/incident';
import { recordKeyedAlerts } from '../domain/dedup';
import { assessImpact, levelForSeverity, type Severity } from '../domain/impact';
import { channelsForKinds, deliveryTargetsFor } from '../domain/alert-rules';
import { notificationFacts } from '../domain/notification';
import { configuredDeliverer, createDeliveryQueue } from './delivery';
import { createAlertWatch } from './alert-watch';
import { nextLevel, rolesForLevel, startingLevel, type EscalationLevel } from '../domain/escalation';
import { SA, type IncidentInput } from './messages';
import { archiveWorkflowId } from './archive';
import { setPhase, setSeverity } from './incident-record';
import { registerIncidentHandlers, type IncidentFlags } from './incident-handlers';
import { applyCarriedSummary, registerAlertSummaryHandler } from './incident-intake';
import { emptySummary } from '../domain/alert-summary';

// Retries are bounded by time, per kind of work, never by a count that a busy dependency exhausts in
// seconds; when the time is up the failure is recorded and the incident goes on.
const retry = { initialInterval: '1 second', maximumInterval: '15 seconds' } as const;
const contextActs = proxyActivities<IncidentActivities>({ startToCloseTimeout: '30 seconds', scheduleToCloseTimeout: '2 minutes', retry });
const diagnoseActs = proxyActivities<IncidentActivities>({ startToCloseTimeout: '1 minute', scheduleToCloseTimeout: '3 minutes', retry });
const stepActs = proxyActivities<IncidentActivities>({ startToCloseTimeout: '30 seconds', scheduleToCloseTimeout: '2 minutes', retry });
const reportActs = proxyActivities<IncidentActivities & ArchiveActivities>({ startToCloseTimeout: '1 minute', scheduleToCloseTimeout: '5 minutes', retry });
// Notifications must never block the incident: bounded retries, and the workflow carries on if they fail.
const notifier = proxyActivities<IncidentActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 10, initialInterval: '2 seconds', maximumInterval: '1 minute' },
});

const now = () => new Date().toISOString();
/** DESIGN §3: continue-as-new before history grows past a few thousand events. */
const DEFAULT_HISTORY_LIMIT = 2000;
/** Failbacks stopped by a failed validation are tried again this many times before the incident closes. */
const FAILBACK_ATTEMPTS = 3;

/** Used when the incident's context cannot be loaded: page the default roles, move no traffic. */
const FALLBACK_CONTEXT: IncidentContext = {
  services: [],
  chains: [],
  impactRules: { critical: { minServices: 3, minUsers: 10_000 }, high: { minServices: 1, minUsers: 1_000 }, medium: { minUsers: 100 } },
  escalationLevels: {},
  ackTimeoutMs: 15 * 60_000,
  maxRepeats: 2,
  statusUpdateMs: { SEV1: 15 * 60_000, SEV2: 30 * 60_000, SEV3: 60 * 60_000, SEV4: 120 * 60_000 },
};

export async function incidentWorkflow(input: IncidentInput): Promise<IncidentState> {
  const info = workflowInfo();
  const id = input.incidentId ?? incidentIdFor(input.scope, info.runId);
  const state = input.resume?.state ?? newIncidentState({ id, scope: input.scope, provider: input.provider, title: input.title, now: now() });
  const flags: IncidentFlags = {
    recovered: input.resume?.recovered ?? false,
    // A resolve accepted while the previous run drained is carried over, never lost.
    resolveRequested: input.resume?.resolveRequested ?? false,
    failedAgain: false,
    escalationWake: 0,
  };
  const shifts = createShifts(state, input.resume?.pendingShifts);
  let escalationRepeats = input.resume?.escalationRepeats ?? 0;
  const lateAlerts = emptySummary(); // bounded: triggers after resolution, summarised
  let escalationLevels: IncidentContext['escalationLevels'] | undefined = undefined; // known after assessment
  let maintenance: IncidentContext['maintenance'] = null;
  let lastPublishedUpdate: string | undefined;
  let context: IncidentContext | undefined = undefined; // known after assessment
  const alertWatch = createAlertWatch({
    state,
    context: () => context,
    escalateTo: async (level, why) => {
      state.escalationLevel = level;
      flags.escalationWake += 1;
      await page(state, level, why);
    },
    setSeverity: (severity, reason) => setSeverity(state, severity, reason),
  });
  let escalation: Promise<void> = Promise.resolve();
  let updates: Promise<void> = Promise.resolve();
  let watchers: Promise<unknown> = Promise.resolve();

  // ---- handlers first, before any await ------------------------------------------------------------
  registerIncidentHandlers({ state, flags, lateAlerts, alertWatch, page: (level, why) => page(state, level, why), shifts, publicUpdate: () => void publishStatus() });
  registerAlertSummaryHandler({ state, late: lateAlerts, alertWatch });

  // Deliveries retry by `notifications.retry` (minutes) and status emails go out in the background, so an
  // SMTP outage cannot hold the incident in a phase.
  const deliveries = createDeliveryQueue(state, () => context?.deliveryRetry, () => context?.threading);
  let statusQueue: Promise<void> = Promise.resolve();

  // The main line, until traffic is restored; a resolve cancels it wherever it is.
  const active = new CancellationScope();
  void condition(() => flags.resolveRequested).then(() => active.cancel());
  try {
    await active.run(() => (input.resume ? resumeMonitoring(input.resume) : openIncident()));
  } catch (err) {
    if (!(flags.resolveRequested && isCancellation(err))) throw err;
  }
  return close();

  // ---- detect → assess → escalate → diagnose → recover → monitor ------------------------------------
  async function openIncident(): Promise<void> {
    if (input.carriedAlerts?.length) {
      recordAlerts(state, input.carriedAlerts);
      alertWatch.note(input.carriedAlerts);
      recordKeyedAlerts(state, input.carriedAlerts);
    }
    if (input.carriedSummary) applyCarriedSummary(state, input.carriedSummary, alertWatch);
    if (input.carriedRecovery) {
      flags.recovered = true;
      state.recoveredAt = input.carriedRecovery.at;
      addTimeline(state, 'recovered', `${state.provider} healthy again (reported while the previous incident closed): ${input.carriedRecovery.detail}`, now());
    }
    const firstAlertAt = state.alerts.sample[0]?.observedAt;
    if (firstAlertAt && firstAlertAt < state.faultAt) state.faultAt = firstAlertAt;
    setPhase(state, 'detected', `incident opened: ${input.title}${input.declaredBy ? ` (declared by ${input.declaredBy})` : ''}`);

    // ---- assess -------------------------------------------------------------------------------------
    setPhase(state, 'assessing', 'assessing impact');
    const ctx = await loadContext();
    const impact = assessImpact(ctx.services, ctx.impactRules);
    state.impact = impact;
    const severity: Severity = input.severity ?? impact.severity;
    setSeverity(state, severity, input.severity ? `declared ${severity} by ${input.declaredBy ?? 'operator'}` : `impact ${impact.level}: ${impact.reason}`);
    // Wait for the first signal batch so the alert count is right before anyone is paged.
    await condition(() => state.alerts.count > 0 || !!input.declaredBy, '5 seconds');

    // ---- escalate -----------------------------------------------------------------------------------
    setPhase(state, 'escalating', 'paging the response team');
    state.escalationLevel = startingLevel(levelForSeverity(severity));
    await page(state, state.escalationLevel, 'incident opened', true);
    await publishStatus();
    startBackgroundWork(ctx);

    // ---- diagnose -----------------------------------------------------------------------------------
    setPhase(state, 'diagnosing', `running diagnostics against ${state.provider}`);
    try {
      state.diagnosis = await diagnoseActs.diagnoseProvider(state.provider, {
        alertKinds: state.alerts.sample.map((a) => a.kind),
        alertSummaries: state.alerts.sample.slice(0, 3).map((a) => a.summary),
      });
      addTimeline(state, 'diagnosed', `root cause: ${state.diagnosis.rootCause} (${state.diagnosis.checks.map((c) => `${c.name} ${c.status}`).join(', ')})`, now());
    } catch (err) {
      if (isCancellation(err)) throw err;
      addTimeline(state, 'diagnosis_failed', `diagnostics could not run: ${failureText(err)}; recovering as for an unknown cause`, now());
    }

    // ---- recover: move traffic off the provider -------------------------------------------------------
    setPhase(state, 'recovering', `recovering ${state.provider} (${state.diagnosis?.rootCause ?? 'unknown'})`);
    await runRecoveryProcedure(state, ctx, stepActs, shifts);
    await publishStatus();

    setPhase(state, 'monitoring', `waiting for ${state.provider} to recover`);
    await publishStatus();
    await monitorAndRestore(ctx, 0);
  }

  /** monitoring ⇄ restoring until traffic is back (or the failback gave up); rolls over when history is long. */
  async function monitorAndRestore(ctx: IncidentContext, runs: number): Promise<void> {
    let stopped = 0;
    for (;;) {
      await condition(() => flags.recovered || historyTooLong());
      if (!flags.recovered) {
        await condition(allHandlersFinished);
        if (!flags.recovered) await rollOver(runs);
        continue;
      }
      setPhase(state, 'restoring', `${state.provider} recovered: failing traffic back`);
      await publishStatus();
      const outcome: RestoreOutcome = await restoreTraffic(state, ctx, stepActs, shifts, () => flags.failedAgain);
      if (outcome === 'restored') return;
      if (outcome === 'stopped') {
        if (++stopped < FAILBACK_ATTEMPTS) {
          addTimeline(state, 'failback_retry', `failback stopped; trying again (${stopped + 1}/${FAILBACK_ATTEMPTS}) once ${state.provider} has been healthy again`, now());
          continue;
        }
        addTimeline(state, 'failback_gave_up', `failback stopped ${stopped} time(s): traffic stays on the failover route; fail back by hand when ready`, now());
        return;
      }
      // Failed again: the failbacks return to their failover routes; make sure nothing is left on it.
      flags.failedAgain = false;
      flags.recovered = false;
      state.flaps = (state.flaps ?? 0) + 1;
      delete state.recoveredAt;
      addTimeline(state, 'failed_again', `${state.provider} failed again while traffic was failing back (flap ${state.flaps}): back to mitigation`, now());
      setPhase(state, 'recovering', `moving traffic off ${state.provider} again`);
      await failover(state, ctx, shifts);
      setPhase(state, 'monitoring', `waiting for ${state.provider} to recover (after ${state.flaps} flap(s))`);
      await publishStatus();
    }
  }

  async function resumeMonitoring(resume: NonNullable<IncidentInput['resume']>): Promise<void> {
    const ctx = await loadContext();
    startBackgroundWork(ctx);
    await monitorAndRestore(ctx, resume.runs);
  }

  async function loadContext(): Promise<IncidentContext> {
    let ctx: IncidentContext;
    try {
      ctx = await contextActs.getIncidentContext(state.provider);
    } catch (err) {
      if (isCancellation(err)) throw err;
      addTimeline(state, 'context_failed', `configuration could not be read: ${failureText(err)}; paging default roles, no traffic moved`, now());
      ctx = FALLBACK_CONTEXT;
    }
    escalationLevels = ctx.escalationLevels;
    maintenance = ctx.maintenance ?? null;
    context = ctx;
    return ctx;
  }

  /** Escalation, status updates and alert watching: outside the main line, so a resolve never cuts a page short. */
  function startBackgroundWork(ctx: IncidentContext): void {
    escalation = CancellationScope.nonCancellable(() => escalationLoop(ctx.ackTimeoutMs, ctx.maxRepeats));
    updates = CancellationScope.nonCancellable(() => statusUpdateLoop(ctx.statusUpdateMs));
    watchers = CancellationScope.nonCancellable(() => Promise.all([alertWatch.run(), acknowledgementWatch()]));
  }

  // ---- report and archive: always run ------------------------------------------------------------------
  async function close(): Promise<IncidentState> {
    for (const fb of state.failbacks ?? []) {
      if (fb.outcome !== 'running') continue;
      // Owned by the chain's routing entity: it goes on (and re-checks health at every step) after we close.
      fb.outcome = 'detached';
      addTimeline(state, 'failback_detached', `chain ${fb.chain}: failback continues under routing-${fb.chain} (shift ${fb.shiftId}); GET /v1/routes/${fb.chain}/shift shows how it ends`, now());
    }
    if (!flags.resolveRequested) {
      state.resolvedBy = 'lifeline';
      state.resolution = `${state.provider} recovered`;
      state.status = 'resolved';
      state.resolvedAt = now();
      setPhase(state, 'reporting', `resolved: ${state.resolution}`);
    }
    await Promise.all([escalation, updates, watchers]);
    await publishStatus();
    // Everyone paged hears of the resolution (PagerDuty resolves on each routing key that was triggered).
    await announce({ incidentId: state.id, kind: 'resolved', seq: 0, roles: rolesForLevel(state.escalationLevel, escalationLevels), severity: state.severity, title: state.title, message: `Resolved: ${state.resolution}` });
    await deliveries.drain(); // bounded by the delivery retry policy
    await statusQueue;
    try {
      const report = await reportActs.renderReport(state);
      state.report = report.markdown;
      addTimeline(state, 'report', `postmortem written (${report.location})`, now());
    } catch (err) {
      addTimeline(state, 'report_failed', `postmortem not written: ${failureText(err)}; the archive keeps the full record`, now());
    }
    setPhase(state, 'resolved', 'incident closed');

    await condition(allHandlersFinished);
    // Last command of the run: hand the closed incident to the archiver (history JSON + report, kept past
    // Temporal's retention).
    await startArchiver();
    await condition(allHandlersFinished); // a note added while the archiver started still completes
    if (lateAlerts.triggers) {
      log.info('alerts arrived after resolution: opening the next incident of this scope', { count: lateAlerts.triggers, next: state.nextIncidentId });
      await continueAsNew<typeof incidentWorkflow>({
        scope: input.scope,
        provider: input.provider,
        title: lateAlerts.sample[0]?.summary ?? state.title,
        carriedSummary: lateAlerts,
        // Already given to whoever sent the alerts (owningIncident), so they report recovery to it.
        ...(state.nextIncidentId ? { incidentId: state.nextIncidentId } : {}),
        ...(flags.nextRecovered ? { carriedRecovery: flags.nextRecovered } : {}),
        ...(input.historyLimit ? { historyLimit: input.historyLimit } : {}),
      });
    }
    return state;
  }

  function historyTooLong(): boolean {
    const info = workflowInfo();
    return info.continueAsNewSuggested || info.historyLength > (input.historyLimit ?? DEFAULT_HISTORY_LIMIT);
  }

  /** Continue-as-new with the whole incident carried over: same workflow ID, same public incident ID. */
  async function rollOver(runs: number): Promise<void> {
    addTimeline(state, 'continued', `history compacted (run ${runs + 2}, ${state.alerts.count} alert(s) so far)`, now());
    await deliveries.drain(); // in-flight deliveries finish in this run, not lost with it
    await statusQueue;
    if (flags.resolveRequested) return; // resolved while draining: close in this run instead
    const next = makeContinueAsNewFunc<typeof incidentWorkflow>({
      // The public ID is a search attribute from the new run's first moment, so clients find it at once.
      typedSearchAttributes: [
        { key: SA.provider, value: state.provider },
        { key: SA.severity, value: state.severity },
        { key: SA.phase, value: state.phase },
        { key: SA.status, value: state.status },
        { key: SA.incidentId, value: state.id },
      ],
    });
    await next({
      scope: input.scope,
      provider: input.provider,
      title: state.title,
      incidentId: state.id,
      ...(input.historyLimit ? { historyLimit: input.historyLimit } : {}),
      resume: {
        state,
        recovered: flags.recovered,
        escalationRepeats,
        runs: runs + 1,
        resolveRequested: flags.resolveRequested,
        pendingShifts: Object.fromEntries(shifts.pending),
      },
    });
  }

  // ---- helpers (closures over state) ----------------------------------------------------------------
  async function startArchiver(): Promise<void> {
    addTimeline(state, 'archive', `archiving to the incident archive (${archiveWorkflowId(state.id)})`, now());
    try {
      // A separate workflow (started by an activity, not a child): it must outlive this run, because it
      // waits for the run to close to read its full history.
      await reportActs.startArchiver({ workflowId: info.workflowId, runId: info.runId, state });
    } catch (err) {
      // Closing must not fail for the archive; the archive can be redone from Temporal while retained.
      addTimeline(state, 'archive_failed', `archiver not started: ${failureText(err)}`, now());
    }
  }

  async function page(s: IncidentState, level: EscalationLevel, why: string, opening = false): Promise<void> {
    if (maintenance) {
      addTimeline(s, 'paging_suppressed', `level ${level} not paged: maintenance "${maintenance.title}" is in progress`, now());
      return;
    }
    const roles = rolesForLevel(level, escalationLevels);
    await announce({ incidentId: s.id, kind: 'page', seq: s.timeline.length, level, roles, severity: s.severity, title: s.title, message: why }, opening);
    addTimeline(s, 'paged', `level ${level} paged (${roles.join(', ')}): ${why}`, now());
  }

  /** Stops on acknowledgement, on resolve, and once traffic is mitigated (nobody needs waking for it). */
  async function escalationLoop(ackTimeoutMs: number, maxRepeats: number): Promise<void> {
    const settledFor = () => state.status === 'resolved' || !!state.acknowledgedAt || !!state.mitigatedAt;
    for (;;) {
      const wake = flags.escalationWake;
      const settled = await condition(() => settledFor() || flags.escalationWake !== wake, ackTimeoutMs);
      if (settledFor()) {
        if (state.mitigatedAt && !state.acknowledgedAt && state.status !== 'resolved') addTimeline(state, 'escalation_stopped', 'traffic is mitigated: no further escalation', now());
        return;
      }
      if (settled) continue; // manual escalation: restart the ack timer at the new level
      if (escalationRepeats >= maxRepeats) {
        addTimeline(state, 'escalation_exhausted', `no acknowledgement after ${escalationRepeats} escalation(s)`, now());
        return;
      }
      escalationRepeats += 1;
      state.escalationLevel = nextLevel(state.escalationLevel);
      await page(state, state.escalationLevel, `not acknowledged within ${Math.round(ackTimeoutMs / 1000)} s`);
    }
  }

  async function statusUpdateLoop(cadence: Record<Severity, number>): Promise<void> {
    for (;;) {
      const resolvedNow = await condition(() => state.status === 'resolved', cadence[state.severity]);
      if (resolvedNow) return;
      state.statusUpdates += 1;
      await announce({
        incidentId: state.id, kind: 'status_update', seq: state.statusUpdates, roles: [], severity: state.severity, title: state.title,
        message: `Update ${state.statusUpdates}: phase ${state.phase}; ${state.alerts.count} alert(s); ${state.routingChanges.length} traffic change(s)`,
      });
      addTimeline(state, 'status_update', `status update #${state.statusUpdates} sent`, now());
      await publishStatus();
    }
  }

  /** Customer communications: the newest public update, once, to the status page's subscribers. */
  async function publishStatus(): Promise<void> {
    const update = toPublicIncident(state, []).updates[0];
    if (!update || update.id === lastPublishedUpdate) return;
    lastPublishedUpdate = update.id;
    const send = () => emailStatus(update);
    // In the background, in order; drained with the deliveries before the report. Not cancelled by a resolve.
    await CancellationScope.nonCancellable(async () => {
      statusQueue = statusQueue.then(send);
    });
  }

  async function emailStatus(update: ReturnType<typeof toPublicIncident>['updates'][number]): Promise<void> {
    try {
      const retry = context?.deliveryRetry;
      const { sent } = await (retry ? configuredDeliverer(retry) : notifier).publishStatusUpdate({ incidentId: state.id, title: state.title, provider: state.provider, severity: state.severity, startedAt: state.startedAt, update });
      if (sent) addTimeline(state, 'status_published', `${update.status} update emailed to ${sent} subscriber(s)`, now());
    } catch (err) {
      addTimeline(state, 'status_publish_failed', `status update not emailed: ${failureText(err)}`, now());
    }
  }

  /** Queues one delivery per routed target, outside the main line's cancellation scope. */
  async function announce(n: Notification, opening = false): Promise<void> {
    const targets = deliveryTargetsFor(n.kind, channelsForKinds(alertWatch.kinds(), alertWatch.routing()), context?.channels ?? ['log'], context?.carries);
    await CancellationScope.nonCancellable(async () => deliveries.send({ ...n, facts: notificationFacts(state, opening) }, targets));
  }

  async function acknowledgementWatch(): Promise<void> {
    await condition(() => !!state.acknowledgedAt || state.status === 'resolved');
    if (state.status === 'resolved') return;
    const by = state.acknowledgements[0]?.by ?? 'someone';
    await announce({
      incidentId: state.id, kind: 'acknowledged', seq: 0, roles: rolesForLevel(state.escalationLevel, escalationLevels), severity: state.severity, title: state.title,
      message: `acknowledged by ${by}`,
    });
  }
}
