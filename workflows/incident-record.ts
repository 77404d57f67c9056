// Small record-keeping helpers of incidentWorkflow: timeline entries, phase and severity (with their
// search attributes), validator guards. Workflow code: deterministic, no I/O.
import { ApplicationFailure, upsertSearchAttributes } from '@temporalio/workflow';
import { addTimeline, type IncidentState, type Phase } from '../domain/incident';
import type { Severity } from '../domain/impact';
import { SA } from './messages';

export function noteMoreAlerts(state: IncidentState, n: number): void {
  // Merge into a recent "more alerts" entry of this phase (deliveries and status updates interleave),
  // so a storm grows the timeline by one line per phase, not one per signal.
  const recent = state.timeline.slice(-10).reverse();
  const last = recent.find((e) => e.type === 'alerts' && e.phase === state.phase);
  const at = new Date().toISOString();
  if (last) {
    const prev = Number(/^(\d+) more/.exec(last.message)?.[1] ?? 0);
    last.message = `${prev + n} more alert(s) (total ${state.alerts.count})`;
    last.at = at;
  } else addTimeline(state, 'alerts', `${n} more alert(s) (total ${state.alerts.count})`, at);
}

export function requireOpen(state: IncidentState, by: string): void {
  if (!by) throw new Error('by is required');
  if (state.status === 'resolved')
    throw ApplicationFailure.nonRetryable(`incident ${state.id} is already resolved`, 'IncidentResolved');
}

export function setPhase(state: IncidentState, phase: Phase, message: string): void {
  state.phase = phase;
  addTimeline(state, 'phase', message, new Date().toISOString());
  upsertSearchAttributes([
    { key: SA.phase, value: phase },
    { key: SA.status, value: state.status },
    { key: SA.incidentId, value: state.id },
  ]);
}

export function setSeverity(state: IncidentState, severity: Severity, reason: string): void {
  state.severity = severity;
  addTimeline(state, 'severity', `severity ${severity}: ${reason}`, new Date().toISOString());
  upsertSearchAttributes([{ key: SA.severity, value: severity }]);
}

export function describeWeights(w: Record<string, number>): string {
  return (
    Object.entries(w)
      .map(([p, v]) => `${p} ${v}%`)
      .join(', ') || 'none'
  );
}
