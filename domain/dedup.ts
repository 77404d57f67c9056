// PagerDuty's dedup semantics for the alerts of one incident: the same dedupKey names the same alert
// while it is open (a repeated trigger adds to it), acknowledge/resolve act on an open alert and are
// dropped otherwise, and a trigger after resolve opens a new alert. Alerts without a key are always new.
// The table is bounded (it travels in workflow state and continue-as-new input).
import type { Alert, IncidentState, KeyedAlert } from './incident';

export const KEYED_ALERT_LIMIT = 1000;

export type DedupOutcome = 'new' | 'merged' | 'acknowledged' | 'resolved' | 'dropped';

export function applyDedup(table: Record<string, KeyedAlert>, a: Alert, limit = KEYED_ALERT_LIMIT): DedupOutcome {
  const action = a.action ?? 'trigger';
  if (!a.dedupKey) return action === 'trigger' ? 'new' : 'dropped';
  const entry = table[a.dedupKey];
  const open = entry && entry.status !== 'resolved';
  if (action !== 'trigger') {
    if (!open) return 'dropped';
    entry.status = action === 'acknowledge' ? 'acknowledged' : 'resolved';
    entry.lastAt = a.observedAt;
    return action === 'acknowledge' ? 'acknowledged' : 'resolved';
  }
  if (open) {
    entry.count += 1;
    entry.lastAt = a.observedAt;
    return 'merged';
  }
  if (!entry) evictIfFull(table, limit);
  table[a.dedupKey] = { status: 'triggered', count: 1, firstAt: a.observedAt, lastAt: a.observedAt };
  return 'new';
}

/** Makes room for one key: resolved alerts go first, then the least recently seen. */
function evictIfFull(table: Record<string, KeyedAlert>, limit: number): void {
  const keys = Object.keys(table);
  if (keys.length < limit) return;
  const victim =
    keys.find((k) => table[k].status === 'resolved') ??
    keys.reduce((a, b) => (table[a].lastAt <= table[b].lastAt ? a : b));
  delete table[victim];
}

/**
 * Records a batch on the incident: triggers are counted and sampled (domain/incident.ts), every event
 * goes through the dedup table. Returns the outcomes (for the timeline).
 */
export function recordKeyedAlerts(state: IncidentState, alerts: Alert[]): Record<DedupOutcome, number> {
  const out: Record<DedupOutcome, number> = { new: 0, merged: 0, acknowledged: 0, resolved: 0, dropped: 0 };
  const table = (state.alerts.keyed ??= {});
  for (const a of alerts) out[applyDedup(table, a)] += 1;
  state.alerts.distinct = (state.alerts.distinct ?? 0) + out.new;
  state.alerts.dropped = (state.alerts.dropped ?? 0) + out.dropped;
  return out;
}

export const isTrigger = (a: Alert) => (a.action ?? 'trigger') === 'trigger';
