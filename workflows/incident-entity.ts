// The state of one incidentWorkflow run and what its signal, query and update handlers do with it (the
// shape of samples-typescript's safe-message-handlers: workflows/incident-handlers.ts registers handlers
// that call these methods; the main line in workflows/incident.ts waits on the same fields).
//
// No mutex here, unlike the routing entity: every handler makes its change synchronously, before any
// await, so no two handlers can interleave inside a change. The one handler that awaits (escalate) only
// waits for its page to be queued (workflows/incident-comms.ts), after the level is set.
import { uuid4 } from '@temporalio/workflow';
import type { IncidentContext } from '../activities/types';
import {
  addAlerts,
  applySummary,
  emptySummary,
  mergeSummary,
  triggersOnly,
  type AlertSummary,
} from '../domain/alert-summary';
import { isTrigger, recordKeyedAlerts } from '../domain/dedup';
import { nextLevel, type EscalationLevel } from '../domain/escalation';
import { addTimeline, newIncidentState, recordAlerts, type IncidentState } from '../domain/incident';
import { createAlertWatch } from './alert-watch';
import { IncidentComms } from './incident-comms';
import { noteMoreAlerts, requireOpen, setPhase, setSeverity } from './incident-record';
import type { AlertBatch, AlertSummaryForward, IncidentInput, ShiftResult } from './messages';
import { createShifts, noteShiftDone, type Shifts } from './recover';

const now = () => new Date().toISOString();

export class IncidentEntity {
  readonly state: IncidentState;
  /** The provider reported healthy again (the main line fails traffic back). */
  recovered: boolean;
  /** An operator resolved it: the main line is cancelled and goes to the closing steps. */
  resolveRequested: boolean;
  /** A trigger observed after the recovery arrived while traffic was failing back (or about to). */
  failedAgain = false;
  /** A recovery report for the next incident (opened by late alerts), received while this one closed. */
  nextRecovered?: { at: string; detail: string };
  /** Bumped by a manual escalation, so the acknowledgement timer restarts. */
  escalationWake = 0;
  escalationRepeats: number;
  /** Triggers that arrive after resolution, summarised (bounded): the next incident of the scope opens with them. */
  readonly lateAlerts: AlertSummary = emptySummary();
  /** The incident's slice of config: known after assessment. */
  context?: IncidentContext;
  readonly shifts: Shifts;
  readonly alertWatch: ReturnType<typeof createAlertWatch>;
  readonly comms: IncidentComms;

  constructor(input: IncidentInput, id: string) {
    this.state =
      input.resume?.state ??
      newIncidentState({ id, scope: input.scope, provider: input.provider, title: input.title, now: now() });
    this.recovered = input.resume?.recovered ?? false;
    // A resolve accepted while the previous run drained is carried over, never lost.
    this.resolveRequested = input.resume?.resolveRequested ?? false;
    this.shifts = createShifts(this.state, input.resume?.pendingShifts);
    this.escalationRepeats = input.resume?.escalationRepeats ?? 0;
    this.alertWatch = createAlertWatch({
      state: this.state,
      context: () => this.context,
      escalateTo: async (level, why) => {
        this.state.escalationLevel = level;
        this.escalationWake += 1;
        await this.comms.page(level, why);
      },
      setSeverity: (severity, reason) => setSeverity(this.state, severity, reason),
    });
    this.comms = new IncidentComms(this);
  }

  // ---- alerts ------------------------------------------------------------------------------------------
  onAlerts({ alerts }: AlertBatch): void {
    const state = this.state;
    if (state.status === 'resolved') {
      // Triggers open the next incident of this scope (workflows/incident-close.ts), never dropped;
      // acknowledge/resolve events of a closed incident are dropped (PagerDuty semantics).
      const late = alerts.filter(isTrigger);
      addAlerts(this.lateAlerts, late, Date.now());
      // The next incident's ID is fixed now (deterministic), so whoever sent these can be told it.
      if (late.length) this.fixNextIncidentId();
      return;
    }
    const before = state.alerts.count;
    const triggers = alerts.filter(isTrigger);
    recordAlerts(state, triggers);
    recordKeyedAlerts(state, alerts);
    this.alertWatch.note(triggers);
    if (before > 0 && triggers.length) noteMoreAlerts(state, triggers.length);
    // Observed after the provider recovered: it failed again (older alerts arriving late do not count).
    if (this.recovered && state.recoveredAt && triggers.some((a) => a.observedAt >= state.recoveredAt!))
      this.failedAgain = true;
  }

  /**
   * A summary forwarded by the scope's intake (workflows/intake.ts), applied exactly as its raw alerts
   * would have been; after resolution its triggers join the summary that opens the next incident. A
   * forward repeated by an activity retry — same (origin, seq) — is ignored.
   */
  onAlertSummary({ origin, seq, summary }: AlertSummaryForward): void {
    const state = this.state;
    const mark = state.alerts.intake;
    if (mark && mark.origin === origin && seq <= mark.seq) return; // a retried forward
    state.alerts.intake = { origin, seq };
    if (state.status === 'resolved') {
      if (!summary.triggers) return;
      mergeSummary(this.lateAlerts, { ...triggersOnly(summary), through: { origin, seq } });
      this.fixNextIncidentId();
      return;
    }
    const before = state.alerts.count;
    applySummary(state, summary);
    this.alertWatch.noteSummary(summary);
    if (before > 0 && summary.triggers) noteMoreAlerts(state, summary.triggers);
  }

  /** Opens an incident with what the previous one carried: the alert record, then the alert rules' view. */
  applyCarriedSummary(carried: AlertSummary): void {
    applySummary(this.state, carried);
    if (carried.through) this.state.alerts.intake = carried.through;
    this.alertWatch.noteSummary(carried);
  }

  private fixNextIncidentId(): void {
    const state = this.state;
    if (!state.nextIncidentId) state.nextIncidentId = `${state.scope}-${uuid4().replace(/-/g, '').slice(0, 8)}`;
  }

  /** The incident alerts of this scope belong to now: the next one once this one is resolved. */
  owningIncident(): { incidentId: string } {
    const state = this.state;
    return { incidentId: state.status === 'resolved' ? (state.nextIncidentId ?? state.id) : state.id };
  }

  // ---- recovery and shifts -------------------------------------------------------------------------------
  onShiftDone({ id, result }: { id: string; result: ShiftResult }): void {
    noteShiftDone(this.state, this.shifts, id, result);
  }

  onProviderRecovered({ at, detail, incidentId }: { at: string; detail: string; incidentId?: string }): void {
    const state = this.state;
    // Meant for the incident this closing one is about to open: it starts knowing the provider is back.
    if (state.status === 'resolved' && incidentId && incidentId === state.nextIncidentId) {
      this.nextRecovered = { at, detail };
      return;
    }
    if (this.recovered || state.status === 'resolved') return;
    // A recovery report from an earlier outage of this scope (its incident already closed) must not
    // resolve this one early.
    if (incidentId && incidentId !== state.id) return;
    this.recovered = true;
    state.recoveredAt = at;
    addTimeline(state, 'recovered', `${state.provider} healthy again: ${detail}`, now());
  }

  // ---- operator updates (validators: synchronous, read only) -----------------------------------------------
  validateOpen({ by }: { by: string }): void {
    requireOpen(this.state, by);
  }

  acknowledge({ by }: { by: string }): IncidentState {
    const state = this.state;
    // Acknowledging an acknowledged incident changes nothing (a double click, a retried request).
    if (state.acknowledgedAt) return state;
    state.acknowledgements.push({ by, at: now() });
    if (!state.acknowledgedAt) state.acknowledgedAt = now();
    addTimeline(state, 'acknowledged', `acknowledged by ${by}`, now(), by);
    return state;
  }

  validateEscalate({ by, level }: { by: string; level?: EscalationLevel }): void {
    requireOpen(this.state, by);
    if (level !== undefined && ![1, 2, 3].includes(level)) throw new Error('level must be 1, 2 or 3');
    if (level !== undefined && level <= this.state.escalationLevel) {
      throw new Error(`already at level ${this.state.escalationLevel}; escalate to a higher level`);
    }
  }

  async escalate({ by, level }: { by: string; level?: EscalationLevel }): Promise<IncidentState> {
    const state = this.state;
    const to: EscalationLevel = level ?? nextLevel(state.escalationLevel);
    state.escalationLevel = to;
    this.escalationWake += 1;
    addTimeline(state, 'escalated', `escalated to level ${to} by ${by}`, now(), by);
    await this.comms.page(to, `manual escalation by ${by}`);
    return state;
  }

  resolve({ by, note }: { by: string; note?: string }): IncidentState {
    const state = this.state;
    // Resolved here and now, whatever the main line is doing: it is cancelled and goes to the closing
    // steps, so the answer (HTTP 200) already says `resolved` and escalation stops at once.
    this.resolveRequested = true;
    state.resolvedBy = by;
    state.resolution = note ?? `resolved by ${by}`;
    addTimeline(state, 'resolve_requested', `resolve requested by ${by}${note ? `: ${note}` : ''}`, now(), by);
    state.status = 'resolved';
    state.resolvedAt = now();
    setPhase(state, 'reporting', `resolved by ${by}: ${state.resolution}`);
    return state;
  }

  validateNote({ by, text }: { by: string; text: string }): void {
    if (!by) throw new Error('by is required');
    if (!text || text.length > 4000) throw new Error('text must be 1..4000 characters');
  }

  addNote({ by, text, public: isPublic }: { by: string; text: string; public?: boolean }): IncidentState {
    const state = this.state;
    const at = now();
    state.notes.push({ by, text, at, ...(isPublic ? { public: true } : {}) });
    // A public update is its own entry type: the status page reads it, internal notes never.
    addTimeline(state, isPublic ? 'public_update' : 'note', text, at, by);
    // Subscribers hear of it now, not at the next phase change.
    if (isPublic) void this.comms.publishStatus();
    return state;
  }
}
