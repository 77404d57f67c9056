// incidentWorkflow: one incident, from detection to report. Opened by signal-with-start on a
// deterministic ID per scope, so concurrent detectors and storms land in one incident.
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  makeContinueAsNewFunc,
  patched,
  proxyActivities,
  workflowInfo,
  log,
} from '@temporalio/workflow';
import { toPublicIncident } from '../domain/status';
import { restoreTraffic, runRecoveryProcedure } from './recover';
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
import { describeWeights, setPhase, setSeverity } from './incident-record';
import { registerIncidentHandlers, type IncidentFlags } from './incident-handlers';
import { applyCarriedSummary, registerAlertSummaryHandler } from './incident-intake';
import { emptySummary } from '../domain/alert-summary';

// Fast, local-ish work: short timeouts, a few retries.
const quick = proxyActivities<IncidentActivities & ArchiveActivities>({
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
  const flags: IncidentFlags = { recovered: input.resume?.recovered ?? false, resolveRequested: false, escalationWake: 0 };
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
  registerIncidentHandlers({ state, flags, lateAlerts, alertWatch, page: (level, why) => page(state, level, why) });
  registerAlertSummaryHandler({ state, late: lateAlerts, alertWatch });

  // Per-channel delivery, impact re-assessment and the repeat-alert rule came later: incidents recorded
  // before them replay on the single `notify` activity.
  const perChannel = patched('per-channel-delivery');
  // Since 'delivery-retry-from-config' deliveries retry by `notifications.retry` (minutes, not ~2 min) and
  // status emails go out in the background, so an SMTP outage cannot hold the incident in a phase.
  const tunedDelivery = perChannel && patched('delivery-retry-from-config');
  const deliveries = createDeliveryQueue(state, () => (tunedDelivery ? context?.deliveryRetry : undefined));
  let statusQueue: Promise<void> = Promise.resolve();
  if (input.resume) return resumeMonitoring(input.resume);

  // ---- detect ---------------------------------------------------------------------------------------
  if (input.carriedAlerts?.length) {
    recordAlerts(state, input.carriedAlerts);
    alertWatch.note(input.carriedAlerts);
    recordKeyedAlerts(state, input.carriedAlerts);
  }
  if (input.carriedSummary) applyCarriedSummary(state, input.carriedSummary, alertWatch);
  const firstAlertAt = state.alerts.sample[0]?.observedAt;
  if (firstAlertAt && firstAlertAt < state.faultAt) state.faultAt = firstAlertAt;
  setPhase(state, 'detected', `incident opened: ${input.title}${input.declaredBy ? ` (declared by ${input.declaredBy})` : ''}`);

  // ---- assess ---------------------------------------------------------------------------------------
  setPhase(state, 'assessing', 'assessing impact');
  const ctx = await quick.getIncidentContext(state.provider);
  const impact = assessImpact(ctx.services, ctx.impactRules);
  state.impact = impact;
  escalationLevels = ctx.escalationLevels;
  maintenance = ctx.maintenance ?? null;
  context = ctx;
  const severity: Severity = input.severity ?? impact.severity;
  setSeverity(state, severity, input.severity ? `declared ${severity} by ${input.declaredBy ?? 'operator'}` : `impact ${impact.level}: ${impact.reason}`);
  // Wait for the first signal batch so the alert count is right before anyone is paged.
  await condition(() => state.alerts.count > 0 || !!input.declaredBy, '5 seconds');

  // ---- escalate -------------------------------------------------------------------------------------
  setPhase(state, 'escalating', 'paging the response team');
  state.escalationLevel = startingLevel(levelForSeverity(severity));
  await page(state, state.escalationLevel, 'incident opened', true);
  await publishStatus();
  escalation = escalationLoop(ctx.ackTimeoutMs, ctx.maxRepeats);
  updates = statusUpdateLoop(ctx.statusUpdateMs);
  watchers = perChannel ? Promise.all([alertWatch.run(), acknowledgementWatch()]) : Promise.resolve();

  // ---- diagnose -------------------------------------------------------------------------------------
  setPhase(state, 'diagnosing', `running diagnostics against ${state.provider}`);
  // Full checklist, recovery procedures and child traffic shifts; histories from before replay the old path.
  const procedures = patched('recovery-procedures');
  state.diagnosis = procedures
    ? await quick.diagnoseProvider(state.provider, {
        alertKinds: state.alerts.sample.map((a) => a.kind),
        alertSummaries: state.alerts.sample.slice(0, 3).map((a) => a.summary),
      })
    : await quick.diagnoseProvider(state.provider);
  addTimeline(state, 'diagnosed', `root cause: ${state.diagnosis.rootCause} (${state.diagnosis.checks.map((c) => `${c.name} ${c.status}`).join(', ')})`, now());

  // ---- recover: move traffic off the provider ---------------------------------------------------------
  setPhase(state, 'recovering', procedures ? `recovering ${state.provider} (${state.diagnosis.rootCause})` : `failing over chains that use ${state.provider}`);
  if (procedures) await runRecoveryProcedure(state, ctx, quick);
  else for (const chain of ctx.chains) {
    const change = await quick.failoverChain({ chain, provider: state.provider, incidentId: state.id });
    if (!change) {
      addTimeline(state, 'failover_skipped', `chain ${chain}: no traffic on ${state.provider}`, now());
      continue;
    }
    state.routingChanges.push(change);
    addTimeline(state, 'traffic_shifted', `chain ${chain}: ${describeWeights(change.from)} → ${describeWeights(change.to)} (${change.mode})`, now());
  }
  if (!procedures && state.routingChanges.length) state.mitigatedAt = now();
  await publishStatus();

  // ---- monitor until the provider recovers or someone resolves ---------------------------------------------
  setPhase(state, 'monitoring', `waiting for ${state.provider} to recover`);
  await publishStatus();
  return monitorUntilDone(ctx, patched('incident-continue-as-new'), 0, procedures);

  // The tail of an incident, shared by the first run and runs resumed after continue-as-new.
  async function monitorUntilDone(ctx: IncidentContext, canRoll: boolean, runs: number, procedures: boolean): Promise<IncidentState> {
    for (;;) {
      // Without the patch (histories recorded before it) this is the single wait it always was.
      await condition(() => flags.recovered || flags.resolveRequested || (canRoll && historyTooLong()));
      if (flags.recovered || flags.resolveRequested) break;
      await condition(allHandlersFinished);
      if (flags.recovered || flags.resolveRequested) break;
      await rollOver(runs);
    }
    if (flags.recovered && !flags.resolveRequested) {
      state.resolvedBy = 'lifeline';
      state.resolution = `${state.provider} recovered`;
    }
    if (flags.recovered && procedures) await restoreTraffic(state, ctx, quick);
    else if (flags.recovered) {
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
    await Promise.all([escalation, updates, watchers]);
    await publishStatus();
    // Everyone paged hears of the resolution (PagerDuty resolves on each routing key that was triggered).
    const resolvedRoles = perChannel ? rolesForLevel(state.escalationLevel, escalationLevels) : [];
    await announce({ incidentId: state.id, kind: 'resolved', seq: 0, roles: resolvedRoles, severity: state.severity, title: state.title, message: `Resolved: ${state.resolution}` });
    if (perChannel) await deliveries.drain(); // bounded by the delivery retry policy
    await statusQueue;
    const report = await quick.renderReport(state);
    state.report = report.markdown;
    addTimeline(state, 'report', `postmortem written (${report.location})`, now());
    setPhase(state, 'resolved', 'incident closed');

    await condition(allHandlersFinished);
    // Last command of the run: hand the closed incident to the archiver (history JSON + report, kept past
    // Temporal's retention). Patched so histories recorded before archiving existed still replay.
    if (patched('archive-on-close')) {
      await startArchiver();
      await condition(allHandlersFinished); // a note added while the archiver started still completes
    }
    if (lateAlerts.triggers) {
      log.info('alerts arrived after resolution: opening the next incident of this scope', { count: lateAlerts.triggers });
      await continueAsNew<typeof incidentWorkflow>({
        scope: input.scope,
        provider: input.provider,
        title: lateAlerts.sample[0]?.summary ?? state.title,
        carriedSummary: lateAlerts,
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
    if (perChannel) await deliveries.drain(); // in-flight deliveries finish in this run, not lost with it
    await statusQueue;
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
      resume: { state, recovered: flags.recovered, escalationRepeats, runs: runs + 1 },
    });
  }

  async function resumeMonitoring(resume: NonNullable<IncidentInput['resume']>): Promise<IncidentState> {
    const ctx = await quick.getIncidentContext(state.provider);
    escalationLevels = ctx.escalationLevels;
    maintenance = ctx.maintenance ?? null;
    context = ctx;
    escalation = escalationLoop(ctx.ackTimeoutMs, ctx.maxRepeats);
    updates = statusUpdateLoop(ctx.statusUpdateMs);
    watchers = perChannel ? Promise.all([alertWatch.run(), acknowledgementWatch()]) : Promise.resolve();
    return monitorUntilDone(ctx, true, resume.runs, patched('recovery-procedures'));
  }

  // ---- helpers (closures over state) ----------------------------------------------------------------
  async function startArchiver(): Promise<void> {
    addTimeline(state, 'archive', `archiving to the incident archive (${archiveWorkflowId(state.id)})`, now());
    try {
      // A separate workflow (started by an activity, not a child): it must outlive this run, because it
      // waits for the run to close to read its full history.
      await quick.startArchiver({ workflowId: info.workflowId, runId: info.runId, state });
    } catch (err) {
      // Closing must not fail for the archive; the archive can be redone from Temporal while retained.
      addTimeline(state, 'archive_failed', `archiver not started: ${(err as Error).message}`, now());
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

  async function escalationLoop(ackTimeoutMs: number, maxRepeats: number): Promise<void> {
    for (;;) {
      const wake = flags.escalationWake;
      const settled = await condition(() => state.status === 'resolved' || !!state.acknowledgedAt || flags.escalationWake !== wake, ackTimeoutMs);
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
    if (!patched('public-status-updates')) return; // histories from before status emails replay unchanged
    const update = toPublicIncident(state, []).updates[0];
    if (!update || update.id === lastPublishedUpdate) return;
    lastPublishedUpdate = update.id;
    const send = () => emailStatus(update);
    if (!tunedDelivery) return send();
    // In the background, in order; drained with the deliveries before the report.
    statusQueue = statusQueue.then(send);
  }

  async function emailStatus(update: ReturnType<typeof toPublicIncident>['updates'][number]): Promise<void> {
    try {
      const retry = tunedDelivery ? context?.deliveryRetry : undefined;
      const { sent } = await (retry ? configuredDeliverer(retry) : notifier).publishStatusUpdate({ incidentId: state.id, title: state.title, provider: state.provider, severity: state.severity, startedAt: state.startedAt, update });
      if (sent) addTimeline(state, 'status_published', `${update.status} update emailed to ${sent} subscriber(s)`, now());
    } catch (err) {
      addTimeline(state, 'status_publish_failed', `status update not emailed: ${(err as Error).message}`, now());
    }
  }

  /** Queues one delivery per routed target (per-channel), or the single legacy `notify` activity. */
  async function announce(n: Notification, opening = false): Promise<void> {
    if (!perChannel) return notifySafely(n);
    const targets = deliveryTargetsFor(n.kind, channelsForKinds(alertWatch.kinds(), alertWatch.routing()), context?.channels ?? ['log']);
    deliveries.send({ ...n, facts: notificationFacts(state, opening) }, targets);
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

  async function notifySafely(n: Parameters<IncidentActivities['notify']>[0]): Promise<void> {
    try {
      await notifier.notify(n);
    } catch (err) {
      addTimeline(state, 'notification_failed', `${n.kind} not delivered: ${(err as Error).message}`, now());
    }
  }
}

/** A storm must not grow the timeline by one entry per signal: consecutive alert notes are merged. */
