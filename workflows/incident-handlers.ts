// incidentWorkflow's signal, query and update handlers: registered synchronously before the workflow's
// first await, so nothing sent at start (the opening alerts of signal-with-start) is missed.
import { patched, setHandler } from '@temporalio/workflow';
import { addTimeline, recordAlerts, type IncidentState } from '../domain/incident';
import { addAlerts, type AlertSummary } from '../domain/alert-summary';
import { isTrigger, recordKeyedAlerts } from '../domain/dedup';
import { nextLevel, type EscalationLevel } from '../domain/escalation';
import {
  acknowledgeUpdate,
  addNoteUpdate,
  alertsSignal,
  escalateUpdate,
  incidentStateQuery,
  providerRecoveredSignal,
  resolveUpdate,
} from './messages';
import { noteMoreAlerts, requireOpen } from './incident-record';
import type { createAlertWatch } from './alert-watch';

/** What handlers change and the workflow's main line waits on. */
export interface IncidentFlags {
  recovered: boolean;
  resolveRequested: boolean;
  /** Bumped by a manual escalation, so the acknowledgement timer restarts. */
  escalationWake: number;
}

export function registerIncidentHandlers({ state, flags, lateAlerts, alertWatch, page }: {
  state: IncidentState;
  flags: IncidentFlags;
  /** Triggers that arrive after resolution, summarised (bounded): the next incident of the scope opens with them. */
  lateAlerts: AlertSummary;
  alertWatch: ReturnType<typeof createAlertWatch>;
  page(level: EscalationLevel, why: string): Promise<void>;
}): void {
  const now = () => new Date().toISOString();
  setHandler(incidentStateQuery, () => state);
  setHandler(alertsSignal, ({ alerts }) => {
    if (state.status === 'resolved') {
      // Triggers open the next incident of this scope below, never dropped; acknowledge/resolve events
      // of a closed incident are dropped (PagerDuty semantics).
      addAlerts(lateAlerts, alerts.filter(isTrigger), Date.now());
      return;
    }
    const before = state.alerts.count;
    const triggers = alerts.filter(isTrigger);
    recordAlerts(state, triggers);
    recordKeyedAlerts(state, alerts);
    alertWatch.note(triggers);
    if (before > 0 && triggers.length) noteMoreAlerts(state, triggers.length);
  });
  setHandler(providerRecoveredSignal, ({ at, detail, incidentId }) => {
    if (flags.recovered || state.status === 'resolved') return;
    // A recovery report from an earlier outage of this scope (its incident already closed) must not
    // resolve this one early.
    if (incidentId && incidentId !== state.id && patched('recovery-report-for-this-incident')) return;
    flags.recovered = true;
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
      flags.escalationWake += 1;
      addTimeline(state, 'escalated', `escalated to level ${to} by ${by}`, now(), by);
      await page(to, `manual escalation by ${by}`);
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
      flags.resolveRequested = true;
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
}
