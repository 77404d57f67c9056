// Inside incidentWorkflow: the handler for summaries forwarded by the scope's intake (workflows/intake.ts).
// A summary is applied exactly as its raw alerts would have been (counts, sample, dedup table, kinds,
// arrival times, services); after resolution its triggers join the (bounded) summary that opens the next
// incident of the scope. A forward repeated by an activity retry — same (origin, seq) — is ignored.
import { setHandler, uuid4 } from '@temporalio/workflow';
import { applySummary, mergeSummary, triggersOnly, type AlertSummary } from '../domain/alert-summary';
import type { IncidentState } from '../domain/incident';
import { alertSummarySignal } from './messages';
import { noteMoreAlerts } from './incident-record';
import type { createAlertWatch } from './alert-watch';

export function registerAlertSummaryHandler({ state, late, alertWatch }: {
  state: IncidentState;
  /** Triggers that arrive after resolution (bounded): the next incident of the scope opens with them. */
  late: AlertSummary;
  alertWatch: ReturnType<typeof createAlertWatch>;
}): void {
  setHandler(alertSummarySignal, ({ origin, seq, summary }) => {
    const mark = state.alerts.intake;
    if (mark && mark.origin === origin && seq <= mark.seq) return; // a retried forward
    state.alerts.intake = { origin, seq };
    if (state.status === 'resolved') {
      if (!summary.triggers) return;
      mergeSummary(late, { ...triggersOnly(summary), through: { origin, seq } });
      // As for raw late alerts (incident-handlers.ts): the next incident's ID is fixed now.
      if (!state.nextIncidentId) state.nextIncidentId = `${state.scope}-${uuid4().replace(/-/g, '').slice(0, 8)}`;
      return;
    }
    const before = state.alerts.count;
    applySummary(state, summary);
    alertWatch.noteSummary(summary);
    if (before > 0 && summary.triggers) noteMoreAlerts(state, summary.triggers);
  });
}

/** Opens an incident with what the previous one carried: the alert record, then the alert rules' view. */
export function applyCarriedSummary(state: IncidentState, carried: AlertSummary, alertWatch: ReturnType<typeof createAlertWatch>): void {
  applySummary(state, carried);
  if (carried.through) state.alerts.intake = carried.through;
  alertWatch.noteSummary(carried);
}
