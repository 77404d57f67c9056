// The ends of an incidentWorkflow run. Closing (always runs, whether recovered or resolved by hand):
// report, archive, and the next incident of the scope when triggers arrived after resolution. Rolling
// over: continue-as-new with the whole incident carried, when an open incident's history grows long.
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  log,
  makeContinueAsNewFunc,
  proxyActivities,
  workflowInfo,
} from '@temporalio/workflow';
import type { ArchiveActivities, IncidentActivities } from '../activities/types';
import { addTimeline, type IncidentState } from '../domain/incident';
import { archiveWorkflowId } from './archive';
import type { incidentWorkflow } from './incident';
import type { IncidentEntity } from './incident-entity';
import { setPhase } from './incident-record';
import { SA, type IncidentInput } from './messages';
import { failureText } from './recover';

const retry = { initialInterval: '1 second', maximumInterval: '15 seconds' } as const;
const reportActs = proxyActivities<IncidentActivities & ArchiveActivities>({
  startToCloseTimeout: '1 minute',
  scheduleToCloseTimeout: '5 minutes',
  retry,
});

const now = () => new Date().toISOString();

/** Report and archive: the last steps of every run that does not roll over. */
export async function closeIncident(incident: IncidentEntity, input: IncidentInput): Promise<IncidentState> {
  const { state, comms } = incident;
  for (const fb of state.failbacks ?? []) {
    if (fb.outcome !== 'running') continue;
    // Owned by the chain's routing entity: it goes on (and re-checks health at every step) after we close.
    fb.outcome = 'detached';
    addTimeline(
      state,
      'failback_detached',
      `chain ${fb.chain}: failback continues under routing-${fb.chain} (shift ${fb.shiftId}); GET /v1/routes/${fb.chain}/shift shows how it ends`,
      now(),
    );
  }
  if (!incident.resolveRequested) {
    state.resolvedBy = 'lifeline';
    state.resolution = `${state.provider} recovered`;
    state.status = 'resolved';
    state.resolvedAt = now();
    setPhase(state, 'reporting', `resolved: ${state.resolution}`);
  }
  await comms.backgroundDone();
  await comms.publishStatus();
  await comms.announceResolved();
  await comms.deliveries.drain(); // bounded by the delivery retry policy
  await comms.statusQueue;
  try {
    const report = await reportActs.renderReport(state);
    state.report = report.markdown;
    addTimeline(state, 'report', `postmortem written (${report.location})`, now());
  } catch (err) {
    addTimeline(
      state,
      'report_failed',
      `postmortem not written: ${failureText(err)}; the archive keeps the full record`,
      now(),
    );
  }
  setPhase(state, 'resolved', 'incident closed');

  await condition(allHandlersFinished);
  // Last command of the run: hand the closed incident to the archiver (history JSON + report, kept past
  // Temporal's retention).
  await startArchiver(state);
  await condition(allHandlersFinished); // a note added while the archiver started still completes
  const late = incident.lateAlerts;
  if (late.triggers) {
    log.info('alerts arrived after resolution: opening the next incident of this scope', {
      count: late.triggers,
      next: state.nextIncidentId,
    });
    await continueAsNew<typeof incidentWorkflow>({
      scope: input.scope,
      provider: input.provider,
      title: late.sample[0]?.summary ?? state.title,
      carriedSummary: late,
      // Already given to whoever sent the alerts (owningIncident), so they report recovery to it.
      ...(state.nextIncidentId ? { incidentId: state.nextIncidentId } : {}),
      ...(incident.nextRecovered ? { carriedRecovery: incident.nextRecovered } : {}),
      ...(input.historyLimit ? { historyLimit: input.historyLimit } : {}),
    });
  }
  return state;
}

async function startArchiver(state: IncidentState): Promise<void> {
  const info = workflowInfo();
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

/** Continue-as-new with the whole incident carried over: same workflow ID, same public incident ID. */
export async function rollOver(incident: IncidentEntity, input: IncidentInput, runs: number): Promise<void> {
  const { state, comms } = incident;
  addTimeline(state, 'continued', `history compacted (run ${runs + 2}, ${state.alerts.count} alert(s) so far)`, now());
  await comms.deliveries.drain(); // in-flight deliveries finish in this run, not lost with it
  await comms.statusQueue;
  if (incident.resolveRequested) return; // resolved while draining: close in this run instead
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
      recovered: incident.recovered,
      escalationRepeats: incident.escalationRepeats,
      runs: runs + 1,
      resolveRequested: incident.resolveRequested,
      pendingShifts: Object.fromEntries(incident.shifts.pending),
    },
  });
}
