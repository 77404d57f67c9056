// incidentWorkflow: one incident, from detection to report. Opened by signal-with-start on a
// deterministic ID per scope, so concurrent detectors and storms land in one incident.
import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  makeContinueAsNewFunc,
  patched,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
  log,
} from '@temporalio/workflow';
import type { IncidentActivities, IncidentContext } from '../activities/types';
import {
  addTimeline,
  incidentIdFor,
  newIncidentState,
  recordAlerts,
  type Alert,
  type IncidentState,
  type Phase,
} from '../domain/incident';
import { isTrigger, recordKeyedAlerts } from '../domain/dedup';
import { assessImpact, levelForSeverity, type Severity } from '../domain/impact';
import { nextLevel, rolesForLevel, startingLevel, type EscalationLevel } from '../domain/escalation';
import {
  acknowledgeUpdate,
  addNoteUpdate,
  alertsSignal,
  escalateUpdate,
  incidentStateQuery,
  providerRecoveredSignal,
  resolveUpdate,
  SA,
  type IncidentInput,
} from './messages';

// Fast, local-ish work: short timeouts, a few retries.
const quick = proxyActivities<IncidentActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 5, initialInterval: '1 second', maximumInterval: '10 seconds' },
});
// Notifications must never block the incident: bounded retries, and the workflow carries on if they fail.
const notifier = proxyActivities<IncidentActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 10, initialInterval: '2 seconds', maximumInterval: '1 minute' },
});

const now = () => new Date().toISOString();
/** DESIGN §3: continue-as-new before history grows past a few thousand events. */
const DEFAULT_HISTORY_LIMIT = 2000;

export async function incidentWorkflow(input: IncidentInput): Promise<IncidentState> {
  const info = workflowInfo();
  const id = input.incidentId ?? incidentIdFor(input.scope, info.runId);
  const state = input.resume?.state ?? newIncidentState({ id, scope: input.scope, provider: input.provider, title: input.title, now: now() });
  let recovered = input.resume?.recovered ?? false;
  let escalationRepeats = input.resume?.escalationRepeats ?? 0;
  let resolveRequested = false;
  let escalationWake = 0; // bumped by manual escalation, so the ack timer restarts
  const lateAlerts: Alert[] = [];
  let escalationLevels: IncidentContext['escalationLevels'] | undefined = undefined; // known after assessment
  let escalation: Promise<void> = Promise.resolve();
  let updates: Promise<void> = Promise.resolve();

  // ---- handlers first, before any await ------------------------------------------------------------
  setHandler(incidentStateQuery, () => state);
  setHandler(alertsSignal, ({ alerts }) => {
    if (state.status === 'resolved') {
      // Triggers open the next incident of this scope below, never dropped; acknowledge/resolve events
      // of a closed incident are dropped (PagerDuty semantics).
      lateAlerts.push(...alerts.filter(isTrigger));
      return;
    }
    const before = state.alerts.count;
    const triggers = alerts.filter(isTrigger);
    recordAlerts(state, triggers);
    recordKeyedAlerts(state, alerts);
    if (before > 0 && triggers.length) noteMoreAlerts(state, triggers.length);
  });
  setHandler(providerRecoveredSignal, ({ at, detail }) => {
    if (recovered || state.status === 'resolved') return;
    recovered = true;
    state.recoveredAt = at;
    addTimeline(state, 'recovered', `${state.provider} healthy again: ${detail}`, now());
  });
  setHandler(
    acknowledgeUpdate,
    ({ by }) => {
      state.acknowledgements.push({ by, at: now() });
      if (!state.acknowledgedAt) state.acknowledgedAt = now();
      addTimeline(state, 'acknowledged', `acknowledged by ${by}`, now(), by);
      return state;
    },
    { validator: ({ by }) => requireOpen(state, by) },
  );
  setHandler(
    escalateUpdate,
    async ({ by, level }) => {
      const to: EscalationLevel = level ?? nextLevel(state.escalationLevel);
      state.escalationLevel = to;
      escalationWake += 1;
      addTimeline(state, 'escalated', `escalated to level ${to} by ${by}`, now(), by);
      await page(state, to, `manual escalation by ${by}`);
      return state;
    },
    {
      validator: ({ by, level }) => {
        requireOpen(state, by);
        if (level !== undefined && ![1, 2, 3].includes(level)) throw new Error('level must be 1, 2 or 3');
        if (level !== undefined && level <= state.escalationLevel) {
          throw new Error(`already at level ${state.escalationLevel}; escalate to a higher level`);
        }
      },
    },
  );
  setHandler(
    resolveUpdate,
    ({ by, note }) => {
      resolveRequested = true;
      state.resolvedBy = by;
      state.resolution = note ?? `resolved by ${by}`;
      addTimeline(state, 'resolve_requested', `resolve requested by ${by}${note ? `: ${note}` : ''}`, now(), by);
      return state;
    },
    { validator: ({ by }) => requireOpen(state, by) },
  );
  setHandler(
    addNoteUpdate,
    ({ by, text }) => {
      state.notes.push({ by, text, at: now() });
      addTimeline(state, 'note', text, now(), by);
      return state;
    },
    {
      validator: ({ by, text }) => {
        if (!by) throw new Error('by is required');
        if (!text || text.length > 4000) throw new Error('text must be 1..4000 characters');
      },
    },
  );

  if (input.resume) return resumeMonitoring(input.resume);

  // ---- detect ---------------------------------------------------------------------------------------
  if (input.carriedAlerts?.length) {
    recordAlerts(state, input.carriedAlerts);
    recordKeyedAlerts(state, input.carriedAlerts);
  }
  const firstAlertAt = state.alerts.sample[0]?.observedAt;
  if (firstAlertAt && firstAlertAt < state.faultAt) state.faultAt = firstAlertAt;
  setPhase(state, 'detected', `incident opened: ${input.title}${input.declaredBy ? ` (declared by ${input.declaredBy})` : ''}`);

  // ---- assess ---------------------------------------------------------------------------------------
  setPhase(state, 'assessing', 'assessing impact');
  const ctx = await quick.getIncidentContext(state.provider);
  const impact = assessImpact(ctx.services, ctx.impactRules);
  state.impact = impact;
  escalationLevels = ctx.escalationLevels;
  const severity: Severity = input.severity ?? impact.severity;
  setSeverity(state, severity, input.severity ? `declared ${severity} by ${input.declaredBy ?? 'operator'}` : `impact ${impact.level}: ${impact.reason}`);
  // Wait for the first signal batch so the alert count is right before anyone is paged.
  await condition(() => state.alerts.count > 0 || !!input.declaredBy, '5 seconds');

  // ---- escalate -------------------------------------------------------------------------------------
  setPhase(state, 'escalating', 'paging the response team');
  state.escalationLevel = startingLevel(levelForSeverity(severity));
  await page(state, state.escalationLevel, 'incident opened');
  escalation = escalationLoop(ctx.ackTimeoutMs, ctx.maxRepeats);
  updates = statusUpdateLoop(ctx.statusUpdateMs);

  // ---- diagnose -------------------------------------------------------------------------------------
  setPhase(state, 'diagnosing', `running diagnostics against ${state.provider}`);
  state.diagnosis = await quick.diagnoseProvider(state.provider);
  addTimeline(state, 'diagnosed', `root cause: ${state.diagnosis.rootCause} (${state.diagnosis.checks.map((c) => `${c.name} ${c.status}`).join(', ')})`, now());

  // ---- recover: move traffic off the provider ---------------------------------------------------------
  setPhase(state, 'recovering', `failing over chains that use ${state.provider}`);
  for (const chain of ctx.chains) {
    const change = await quick.failoverChain({ chain, provider: state.provider, incidentId: state.id });
    if (!change) {
      addTimeline(state, 'failover_skipped', `chain ${chain}: no traffic on ${state.provider}`, now());
      continue;
    }
    state.routingChanges.push(change);
    addTimeline(state, 'traffic_shifted', `chain ${chain}: ${describeWeights(change.from)} → ${describeWeights(change.to)} (${change.mode})`, now());
  }
  if (state.routingChanges.length) state.mitigatedAt = now();

  // ---- monitor until the provider recovers or someone resolves ---------------------------------------------
  setPhase(state, 'monitoring', `waiting for ${state.provider} to recover`);
  return monitorUntilDone(ctx, patched('incident-continue-as-new'), 0);

  // The tail of an incident, shared by the first run and runs resumed after continue-as-new.
  async function monitorUntilDone(ctx: IncidentContext, canRoll: boolean, runs: number): Promise<IncidentState> {
    for (;;) {
      // Without the patch (histories recorded before it) this is the single wait it always was.
      await condition(() => recovered || resolveRequested || (canRoll && historyTooLong()));
      if (recovered || resolveRequested) break;
      await condition(allHandlersFinished);
      if (recovered || resolveRequested) break;
      await rollOver(runs);
    }
    if (recovered && !resolveRequested) {
      state.resolvedBy = 'lifeline';
      state.resolution = `${state.provider} recovered`;
    }
    if (recovered) {
      for (const chain of ctx.chains) {
        const change = await quick.failbackChain({ chain, provider: state.provider, incidentId: state.id });
        if (!change) continue;
        state.routingChanges.push(change);
        addTimeline(state, 'traffic_restored', `chain ${chain}: ${describeWeights(change.from)} → ${describeWeights(change.to)}`, now());
      }
    }

    // ---- report ---------------------------------------------------------------------------------------
    state.status = 'resolved';
    state.resolvedAt = now();
    setPhase(state, 'reporting', `resolved: ${state.resolution}`);
    await Promise.all([escalation, updates]);
    await notifySafely({ incidentId: state.id, kind: 'resolved', seq: 0, roles: [], severity: state.severity, title: state.title, message: `Resolved: ${state.resolution}` });
    const report = await quick.renderReport(state);
    state.report = report.markdown;
    addTimeline(state, 'report', `postmortem written (${report.location})`, now());
    setPhase(state, 'resolved', 'incident closed');

    await condition(allHandlersFinished);
    if (lateAlerts.length) {
      log.info('alerts arrived after resolution: opening the next incident of this scope', { count: lateAlerts.length });
      await continueAsNew<typeof incidentWorkflow>({
        scope: input.scope,
        provider: input.provider,
        title: lateAlerts[0].summary,
        carriedAlerts: lateAlerts,
      });
    }
    return state;
  }

  function historyTooLong(): boolean {
    const info = workflowInfo();
    return info.continueAsNewSuggested || info.historyLength > (input.historyLimit ?? DEFAULT_HISTORY_LIMIT);
  }

  /** Continue-as-new with the whole incident carried over: same workflow ID, same public incident ID. */
  async function rollOver(runs: number): Promise<never> {
    addTimeline(state, 'continued', `history compacted (run ${runs + 2}, ${state.alerts.count} alert(s) so far)`, now());
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
    return next({
      scope: input.scope,
      provider: input.provider,
      title: state.title,
      incidentId: state.id,
      ...(input.historyLimit ? { historyLimit: input.historyLimit } : {}),
      resume: { state, recovered, escalationRepeats, runs: runs + 1 },
    });
  }

  async function resumeMonitoring(resume: NonNullable<IncidentInput['resume']>): Promise<IncidentState> {
    const ctx = await quick.getIncidentContext(state.provider);
    escalationLevels = ctx.escalationLevels;
    escalation = escalationLoop(ctx.ackTimeoutMs, ctx.maxRepeats);
    updates = statusUpdateLoop(ctx.statusUpdateMs);
    return monitorUntilDone(ctx, true, resume.runs);
  }

  // ---- helpers (closures over state) ----------------------------------------------------------------
  async function page(s: IncidentState, level: EscalationLevel, why: string): Promise<void> {
    const roles = rolesForLevel(level, escalationLevels);
    await notifySafely({ incidentId: s.id, kind: 'page', seq: s.timeline.length, level, roles, severity: s.severity, title: s.title, message: why });
    addTimeline(s, 'paged', `level ${level} paged (${roles.join(', ')}): ${why}`, now());
  }

  async function escalationLoop(ackTimeoutMs: number, maxRepeats: number): Promise<void> {
    for (;;) {
      const wake = escalationWake;
      const settled = await condition(() => state.status === 'resolved' || !!state.acknowledgedAt || escalationWake !== wake, ackTimeoutMs);
      if (state.status === 'resolved' || state.acknowledgedAt) return;
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
      await notifySafely({
        incidentId: state.id, kind: 'status_update', seq: state.statusUpdates, roles: [], severity: state.severity, title: state.title,
        message: `Update ${state.statusUpdates}: phase ${state.phase}; ${state.alerts.count} alert(s); ${state.routingChanges.length} traffic change(s)`,
      });
      addTimeline(state, 'status_update', `status update #${state.statusUpdates} sent`, now());
    }
  }

  async function notifySafely(n: Parameters<IncidentActivities['notify']>[0]): Promise<void> {
    try {
      await notifier.notify(n);
    } catch (err) {
      addTimeline(state, 'notification_failed', `${n.kind} not delivered: ${(err as Error).message}`, now());
    }
  }
}

/** A storm must not grow the timeline by one entry per signal: consecutive alert notes are merged. */
function noteMoreAlerts(state: IncidentState, n: number): void {
  const last = state.timeline[state.timeline.length - 1];
  const at = new Date().toISOString();
  if (last?.type === 'alerts') {
    const prev = Number(/^(\d+) more/.exec(last.message)?.[1] ?? 0);
    last.message = `${prev + n} more alert(s) (total ${state.alerts.count})`;
    last.at = at;
  } else addTimeline(state, 'alerts', `${n} more alert(s) (total ${state.alerts.count})`, at);
}

function requireOpen(state: IncidentState, by: string): void {
  if (!by) throw new Error('by is required');
  if (state.status === 'resolved') throw ApplicationFailure.nonRetryable(`incident ${state.id} is already resolved`, 'IncidentResolved');
}

function setPhase(state: IncidentState, phase: Phase, message: string): void {
  state.phase = phase;
  addTimeline(state, 'phase', message, new Date().toISOString());
  upsertSearchAttributes([
    { key: SA.phase, value: phase },
    { key: SA.status, value: state.status },
    { key: SA.incidentId, value: state.id },
  ]);
}

function setSeverity(state: IncidentState, severity: Severity, reason: string): void {
  state.severity = severity;
  addTimeline(state, 'severity', `severity ${severity}: ${reason}`, new Date().toISOString());
  upsertSearchAttributes([{ key: SA.severity, value: severity }]);
}

function describeWeights(w: Record<string, number>): string {
  return Object.entries(w).map(([p, v]) => `${p} ${v}%`).join(', ') || 'none';
}
