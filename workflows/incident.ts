// incidentWorkflow: one incident, from detection to report. Opened by signal-with-start on a
// deterministic ID per scope, so concurrent detectors and storms land in one incident.
//
// Phases: detected → assessing → escalating → diagnosing → recovering → monitoring ⇄ restoring →
// reporting → resolved. `restoring` is the failback; a re-failure during it returns to mitigation. An
// operator resolve wins in every phase: the main line runs in a cancellation scope that the resolve
// cancels, and the closing steps (report, archive) always run. No activity failure fails the incident:
// every call is bounded by a schedule-to-close timeout and its failure is recorded on the timeline.
//
// This file is the main line. The incident's state and what the handlers do with it:
// workflows/incident-entity.ts (handlers registered by incident-handlers.ts); pages, status updates and
// escalation: incident-comms.ts; report, archive and continue-as-new: incident-close.ts.
import {
  allHandlersFinished,
  CancellationScope,
  condition,
  isCancellation,
  proxyActivities,
  workflowInfo,
} from '@temporalio/workflow';
import type { IncidentActivities, IncidentContext } from '../activities/types';
import { addTimeline, incidentIdFor, recordAlerts, type IncidentState } from '../domain/incident';
import { recordKeyedAlerts } from '../domain/dedup';
import {
  assessImpact,
  levelForSeverity,
  type Severity,
  DEFAULT_IMPACT_RULES,
  DEFAULT_STATUS_UPDATE_MS,
} from '../domain/impact';
import { startingLevel } from '../domain/escalation';
import { failover, failureText, restoreTraffic, runRecoveryProcedure, type RestoreOutcome } from './recover';
import type { IncidentInput } from './messages';
import { setPhase, setSeverity } from './incident-record';
import { IncidentEntity } from './incident-entity';
import { registerIncidentHandlers } from './incident-handlers';
import { closeIncident, rollOver } from './incident-close';

// Retries are bounded by time, per kind of work, never by a count that a busy dependency exhausts in
// seconds; when the time is up the failure is recorded and the incident goes on.
const retry = { initialInterval: '1 second', maximumInterval: '15 seconds' } as const;
const contextActs = proxyActivities<IncidentActivities>({
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '2 minutes',
  retry,
});
const diagnoseActs = proxyActivities<IncidentActivities>({
  startToCloseTimeout: '1 minute',
  scheduleToCloseTimeout: '3 minutes',
  retry,
});
const stepActs = proxyActivities<IncidentActivities>({
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '2 minutes',
  retry,
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
  impactRules: DEFAULT_IMPACT_RULES,
  escalationLevels: {},
  ackTimeoutMs: 15 * 60_000,
  maxRepeats: 2,
  statusUpdateMs: DEFAULT_STATUS_UPDATE_MS,
};

export async function incidentWorkflow(input: IncidentInput): Promise<IncidentState> {
  const incident = new IncidentEntity(input, input.incidentId ?? incidentIdFor(input.scope, workflowInfo().runId));
  const { state, shifts, alertWatch, comms } = incident;

  // ---- handlers first, before any await ------------------------------------------------------------
  registerIncidentHandlers(incident);

  // The main line, until traffic is restored; a resolve cancels it wherever it is.
  const active = new CancellationScope();
  void condition(() => incident.resolveRequested).then(() => active.cancel());
  try {
    await active.run(() => (input.resume ? resumeMonitoring(input.resume) : openIncident()));
  } catch (err) {
    if (!(incident.resolveRequested && isCancellation(err))) throw err;
  }
  return closeIncident(incident, input);

  // ---- detect → assess → escalate → diagnose → recover → monitor ------------------------------------
  async function openIncident(): Promise<void> {
    if (input.carriedAlerts?.length) {
      recordAlerts(state, input.carriedAlerts);
      alertWatch.note(input.carriedAlerts);
      recordKeyedAlerts(state, input.carriedAlerts);
    }
    if (input.carriedSummary) incident.applyCarriedSummary(input.carriedSummary);
    if (input.carriedRecovery) {
      incident.recovered = true;
      state.recoveredAt = input.carriedRecovery.at;
      addTimeline(
        state,
        'recovered',
        `${state.provider} healthy again (reported while the previous incident closed): ${input.carriedRecovery.detail}`,
        now(),
      );
    }
    const firstAlertAt = state.alerts.sample[0]?.observedAt;
    if (firstAlertAt && firstAlertAt < state.faultAt) state.faultAt = firstAlertAt;
    setPhase(
      state,
      'detected',
      `incident opened: ${input.title}${input.declaredBy ? ` (declared by ${input.declaredBy})` : ''}`,
    );

    // ---- assess -------------------------------------------------------------------------------------
    setPhase(state, 'assessing', 'assessing impact');
    const ctx = await loadContext();
    const impact = assessImpact(ctx.services, ctx.impactRules);
    state.impact = impact;
    const severity: Severity = input.severity ?? impact.severity;
    setSeverity(
      state,
      severity,
      input.severity
        ? `declared ${severity} by ${input.declaredBy ?? 'operator'}`
        : `impact ${impact.level}: ${impact.reason}`,
    );
    // Wait for the first signal batch so the alert count is right before anyone is paged.
    await condition(() => state.alerts.count > 0 || !!input.declaredBy, '5 seconds');

    // ---- escalate -----------------------------------------------------------------------------------
    setPhase(state, 'escalating', 'paging the response team');
    state.escalationLevel = startingLevel(levelForSeverity(severity));
    await comms.page(state.escalationLevel, 'incident opened', true);
    await comms.publishStatus();
    comms.startBackgroundWork(ctx);

    // ---- diagnose -----------------------------------------------------------------------------------
    setPhase(state, 'diagnosing', `running diagnostics against ${state.provider}`);
    try {
      state.diagnosis = await diagnoseActs.diagnoseProvider(state.provider, {
        alertKinds: state.alerts.sample.map((a) => a.kind),
        alertSummaries: state.alerts.sample.slice(0, 3).map((a) => a.summary),
      });
      addTimeline(
        state,
        'diagnosed',
        `root cause: ${state.diagnosis.rootCause} (${state.diagnosis.checks.map((c) => `${c.name} ${c.status}`).join(', ')})`,
        now(),
      );
    } catch (err) {
      if (isCancellation(err)) throw err;
      addTimeline(
        state,
        'diagnosis_failed',
        `diagnostics could not run: ${failureText(err)}; recovering as for an unknown cause`,
        now(),
      );
    }

    // ---- recover: move traffic off the provider -------------------------------------------------------
    setPhase(state, 'recovering', `recovering ${state.provider} (${state.diagnosis?.rootCause ?? 'unknown'})`);
    await runRecoveryProcedure(state, ctx, stepActs, shifts);
    await comms.publishStatus();

    setPhase(state, 'monitoring', `waiting for ${state.provider} to recover`);
    await comms.publishStatus();
    await monitorAndRestore(ctx, 0);
  }

  /** monitoring ⇄ restoring until traffic is back (or the failback gave up); rolls over when history is long. */
  async function monitorAndRestore(ctx: IncidentContext, runs: number): Promise<void> {
    let stopped = 0;
    for (;;) {
      await condition(() => incident.recovered || historyTooLong());
      if (!incident.recovered) {
        await condition(allHandlersFinished);
        if (!incident.recovered) await rollOver(incident, input, runs);
        continue;
      }
      setPhase(state, 'restoring', `${state.provider} recovered: failing traffic back`);
      await comms.publishStatus();
      const outcome: RestoreOutcome = await restoreTraffic(state, ctx, stepActs, shifts, () => incident.failedAgain);
      if (outcome === 'restored') return;
      if (outcome === 'stopped') {
        if (++stopped < FAILBACK_ATTEMPTS) {
          addTimeline(
            state,
            'failback_retry',
            `failback stopped; trying again (${stopped + 1}/${FAILBACK_ATTEMPTS}) once ${state.provider} has been healthy again`,
            now(),
          );
          continue;
        }
        addTimeline(
          state,
          'failback_gave_up',
          `failback stopped ${stopped} time(s): traffic stays on the failover route; fail back by hand when ready`,
          now(),
        );
        return;
      }
      // Failed again: the failbacks return to their failover routes; make sure nothing is left on it.
      incident.failedAgain = false;
      incident.recovered = false;
      state.flaps = (state.flaps ?? 0) + 1;
      delete state.recoveredAt;
      addTimeline(
        state,
        'failed_again',
        `${state.provider} failed again while traffic was failing back (flap ${state.flaps}): back to mitigation`,
        now(),
      );
      setPhase(state, 'recovering', `moving traffic off ${state.provider} again`);
      await failover(state, ctx, shifts);
      setPhase(state, 'monitoring', `waiting for ${state.provider} to recover (after ${state.flaps} flap(s))`);
      await comms.publishStatus();
    }
  }

  async function resumeMonitoring(resume: NonNullable<IncidentInput['resume']>): Promise<void> {
    const ctx = await loadContext();
    comms.startBackgroundWork(ctx);
    await monitorAndRestore(ctx, resume.runs);
  }

  async function loadContext(): Promise<IncidentContext> {
    let ctx: IncidentContext;
    try {
      ctx = await contextActs.getIncidentContext(state.provider);
    } catch (err) {
      if (isCancellation(err)) throw err;
      addTimeline(
        state,
        'context_failed',
        `configuration could not be read: ${failureText(err)}; paging default roles, no traffic moved`,
        now(),
      );
      ctx = FALLBACK_CONTEXT;
    }
    incident.context = ctx;
    return ctx;
  }

  function historyTooLong(): boolean {
    const info = workflowInfo();
    return info.continueAsNewSuggested || info.historyLength > (input.historyLimit ?? DEFAULT_HISTORY_LIMIT);
  }
}
