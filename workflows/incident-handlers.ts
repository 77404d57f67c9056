// incidentWorkflow's signal, query and update handlers: registered synchronously before the workflow's
// first await, so nothing sent at start (the opening alerts of signal-with-start) is missed.
import { setHandler, uuid4 } from '@temporalio/workflow';
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
  owningIncidentUpdate,
  providerRecoveredSignal,
  resolveUpdate,
  shiftDoneSignal,
} from './messages';
import { noteMoreAlerts, requireOpen, setPhase } from './incident-record';
import { noteShiftDone, type Shifts } from './recover';
import type { createAlertWatch } from './alert-watch';

/** What handlers change and the workflow's main line waits on. */
export interface IncidentFlags {
  recovered: boolean;
  resolveRequested: boolean;
  /** A trigger observed after the recovery arrived while traffic was failing back (or about to). */
  failedAgain: boolean;
  /** A recovery report for the next incident (opened by late alerts), received while this one closed. */
  nextRecovered?: { at: string; detail: string };
  /** Bumped by a manual escalation, so the acknowledgement timer restarts. */
  escalationWake: number;
}

export function registerIncidentHandlers({ state, flags, lateAlerts, alertWatch, page, shifts }: {
  state: IncidentState;
  flags: IncidentFlags;
  /** Triggers that arrive after resolution, summarised (bounded): the next incident of the scope opens with them. */
  lateAlerts: AlertSummary;
  alertWatch: ReturnType<typeof createAlertWatch>;
  page(level: EscalationLevel, why: string): Promise<void>;
  shifts: Shifts;
}): void {
  const now = () => new Date().toISOString();
  setHandler(incidentStateQuery, () => state);
  setHandler(alertsSignal, ({ alerts }) => {
    if (state.status === 'resolved') {
      // Triggers open the next incident of this scope below, never dropped; acknowledge/resolve events
      // of a closed incident are dropped (PagerDuty semantics).
      const late = alerts.filter(isTrigger);
      addAlerts(lateAlerts, late, Date.now());
      // The next incident's ID is fixed now (deterministic), so whoever sent these can be told it.
      if (late.length && !state.nextIncidentId) state.nextIncidentId = `${state.scope}-${uuid4().replace(/-/g, '').slice(0, 8)}`;
      return;
    }
    const before = state.alerts.count;
    const triggers = alerts.filter(isTrigger);
    recordAlerts(state, triggers);
    recordKeyedAlerts(state, alerts);
    alertWatch.note(triggers);
    if (before > 0 && triggers.length) noteMoreAlerts(state, triggers.length);
    // Observed after the provider recovered: it failed again (older alerts arriving late do not count).
    if (flags.recovered && state.recoveredAt && triggers.some((a) => a.observedAt >= state.recoveredAt!)) flags.failedAgain = true;
  });
  setHandler(owningIncidentUpdate, () => ({ incidentId: state.status === 'resolved' ? (state.nextIncidentId ?? state.id) : state.id }));
  setHandler(shiftDoneSignal, ({ id, result }) => noteShiftDone(state, shifts, id, result));
  setHandler(providerRecoveredSignal, ({ at, detail, incidentId }) => {
    // Meant for the incident this closing one is about to open: it starts knowing the provider is back.
    if (state.status === 'resolved' && incidentId && incidentId === state.nextIncidentId) {
      flags.nextRecovered = { at, detail };
      return;
    }
    if (flags.recovered || state.status === 'resolved') return;
    // A recovery report from an earlier outage of this scope (its incident already closed) must not
    // resolve this one early.
    if (incidentId && incidentId !== state.id) return;
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
      // Resolved here and now, whatever the main line is doing: it is cancelled and goes to the closing
      // steps, so the answer (HTTP 200) already says `resolved` and escalation stops at once.
      flags.resolveRequested = true;
      state.resolvedBy = by;
      state.resolution = note ?? `resolved by ${by}`;
      addTimeline(state, 'resolve_requested', `resolve requested by ${by}${note ? `: ${note}` : ''}`, now(), by);
      state.status = 'resolved';
      state.resolvedAt = now();
      setPhase(state, 'reporting', `resolved by ${by}: ${state.resolution}`);
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
