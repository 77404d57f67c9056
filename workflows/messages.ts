// Every signal, query and update that clients share with the workflows, plus workflow IDs and search
// attributes. Clients (API, CLI, activities) import this file, never the workflow code itself.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import { defineSearchAttributeKey } from '@temporalio/common';
import type { Alert, IncidentState } from '../domain/incident';
import type { EscalationLevel } from '../domain/escalation';
import type { Severity } from '../domain/impact';
import type { Weights } from '../domain/failover';
import type { ProbeObservation } from '../domain/classify';
import type { RecoveryAction } from '../domain/recovery';
import type { ShiftKind } from '../domain/shift';
import type { BreakerState } from '../domain/breaker';
import type { AlertSummary } from '../domain/alert-summary';
import type { MinuteCounts, OutcomeBucket, OutcomeMemory } from '../domain/outcome-window';
import type { EvidenceSettings, ProviderEvidence } from '../domain/provider-evidence';

// ---- IDs ----------------------------------------------------------------------------------------
export const incidentWorkflowId = (scope: string) => `incident-${scope}`;
export const monitorWorkflowId = (provider: string) => `monitor-${provider}`;
export const routingWorkflowId = (chain: string) => `routing-${chain}`;
/**
 * A traffic shift: a child of the chain's routingWorkflow, which runs one at a time from its queue (the
 * queue, not the ID, serialises automatic and operator shifts).
 */
export const shiftWorkflowId = (chain: string, ticketId: string) => `shift-${chain}-${ticketId}`;
/** The per-scope alert intake in front of the incident (workflows/intake.ts). */
export const intakeWorkflowId = (scope: string) => `intake-${scope}`;

// ---- Typed search attributes (registered on the dev server at start, and in compose) ------------
export const SA = {
  provider: defineSearchAttributeKey('LifelineProvider', 'KEYWORD'),
  severity: defineSearchAttributeKey('LifelineSeverity', 'KEYWORD'),
  phase: defineSearchAttributeKey('LifelinePhase', 'KEYWORD'),
  status: defineSearchAttributeKey('LifelineStatus', 'KEYWORD'),
  incidentId: defineSearchAttributeKey('LifelineIncidentId', 'KEYWORD'),
} as const;
export const SEARCH_ATTRIBUTE_TYPES: Record<string, 'Keyword'> = Object.fromEntries(
  Object.values(SA).map((k) => [k.name, 'Keyword' as const]),
);

// ---- incidentWorkflow -----------------------------------------------------------------------------
export interface IncidentInput {
  scope: string;
  provider: string;
  title: string;
  /** A severity named by a human declaring the incident; otherwise impact decides. */
  severity?: Severity;
  declaredBy?: string;
  /** Set on continue-as-new so the public ID survives the new run. */
  incidentId?: string;
  /** Alerts that arrived after the previous incident of this scope was resolved. */
  carriedAlerts?: Alert[];
  /** The same, summarised (bounded): what incidents carry since the intake summarises alerts. */
  carriedSummary?: AlertSummary;
  /** The provider's recovery, reported to the previous run (closing) for this incident before it started. */
  carriedRecovery?: { at: string; detail: string };
  /** Set when an open incident continued-as-new to keep its history short: resume in monitoring. */
  resume?: IncidentResume;
  /** History events before an open incident continues-as-new (default 2,000; tests lower it). */
  historyLimit?: number;
}

export interface IncidentResume {
  state: IncidentState;
  recovered: boolean;
  escalationRepeats: number;
  runs: number;
  /** An operator resolve accepted while the previous run drained before continuing-as-new. */
  resolveRequested?: boolean;
  /** Shifts requested from routing entities whose results had not arrived (ticket ID → chain). */
  pendingShifts?: Record<string, string>;
}

export interface AlertBatch {
  alerts: Alert[];
  /**
   * The sender's ID for this batch. Temporal drops a retried signal with the same request ID only within
   * one run; an SDK retry that lands after the intake continued-as-new would count the batch twice. The
   * intake remembers recent batch IDs across its runs (bounded) and ignores a repeat.
   */
  batchId?: string;
}

export interface ActorRequest {
  by: string;
}

export const alertsSignal = defineSignal<[AlertBatch]>('alerts');
/**
 * From the scope's intake: a summary of alert events, once per forwarding window. `origin` (the intake's
 * first run ID) and `seq` make a retried forward a no-op.
 */
export interface AlertSummaryForward {
  origin: string;
  seq: number;
  summary: AlertSummary;
}
export const alertSummarySignal = defineSignal<[AlertSummaryForward]>('alertSummary');
/** incidentId: the incident the monitor opened for this outage; a report for another one is stale. */
export const providerRecoveredSignal =
  defineSignal<[{ at: string; detail: string; incidentId?: string }]>('providerRecovered');
export const acknowledgeUpdate = defineUpdate<IncidentState, [ActorRequest]>('acknowledge');
export const escalateUpdate = defineUpdate<IncidentState, [ActorRequest & { level?: EscalationLevel }]>('escalate');
export const resolveUpdate = defineUpdate<IncidentState, [ActorRequest & { note?: string }]>('resolve');
/** `public: true` publishes the text on the status page and to subscribers; notes are internal otherwise. */
export const addNoteUpdate = defineUpdate<IncidentState, [ActorRequest & { text: string; public?: boolean }]>(
  'addNote',
);
export const incidentStateQuery = defineQuery<IncidentState>('state');
/**
 * The incident that owns the scope's newest alerts: this one while open; once resolved, the next incident
 * that its late triggers open (known before that run starts). The monitor asks after signal-with-start so
 * it reports recovery to the incident that will actually wait for it.
 */
export const owningIncidentUpdate = defineUpdate<{ incidentId: string }, []>('owningIncident');
/** A routing entity's answer to a shift this incident requested (see ShiftTicket.requester). */
export const shiftDoneSignal = defineSignal<[{ id: string; result: ShiftResult }]>('shiftDone');

// ---- intakeWorkflow --------------------------------------------------------------------------------
// Alert batches reach it as `alertsSignal` (signal-with-start on `intake-<scope>`): the 202 of the API.
export interface IntakeInput {
  scope: string;
  provider: string;
  /** Least time between two forwards to the incident (default 1 s): the incident's signal rate. */
  forwardEveryMs?: number;
  /**
   * History events before the intake continues-as-new by itself (default 1,500). The API asks it to roll
   * over earlier (`intakeRolloverSignal`), at a moment when it sends nothing.
   */
  historyLimit?: number;
  /** The intake closes after this long with nothing to forward (default 10 min); the next alert restarts it. */
  idleCloseMs?: number;
  /** Carried over continue-as-new. */
  carried?: {
    origin: string;
    seq: number;
    pending: AlertSummary;
    totals: IntakeTotals;
    runs: number;
    recentBatches?: string[];
    /** A forward still out when the run rolled over on request: sent again first, with its seq. */
    inFlight?: { seq: number; summary: AlertSummary };
  };
}

export interface IntakeTotals {
  /** Alert events received (every one was a 202). */
  received: number;
  /** Alert events forwarded to incidents (received − forwarded are pending). */
  forwarded: number;
  /** Forwards sent (signals to the incident). */
  forwards: number;
}

export interface IntakeState {
  scope: string;
  seq: number;
  runs: number;
  totals: IntakeTotals;
  pending: number;
}

export const intakeStateQuery = defineQuery<IntakeState>('intakeState');
/**
 * Continue-as-new now. Sent by the API's intake recorder (client/intake-recorder.ts) while it holds back its
 * alerts for the scope, so no signal lands during the continue-as-new task: under a storm a signal that
 * does makes the attempt fail, and the server refuses further signals until a retry succeeds
 * (temporalio/temporal#8097) — seconds in which every alert of the scope waits.
 */
export const intakeRolloverSignal = defineSignal('rollover');

// ---- routingWorkflow ------------------------------------------------------------------------------
export type RouteMode = 'normal' | 'degraded' | 'emergency';

export interface RouteState {
  id: string;
  providers: string[];
  weights: Weights;
  mode: RouteMode;
  version: number;
  updatedAt: string;
  reason?: string;
  /**
   * Signals for the application or its gateway, per provider (e.g. `use_backup_key`, `throttle`,
   * `enable_caching`): lifeline does not carry traffic itself, so these recovery steps are published,
   * not performed. In emergency mode apps should drop to their cache/static tier (serve stale, queue).
   */
  hints?: Record<string, RecoveryAction[]>;
}

export interface SetWeightsRequest {
  weights: Weights;
  mode?: RouteMode;
  reason: string;
  by: string;
}

export interface SetHintsRequest {
  provider: string;
  /** Replaces the provider's hints; empty clears them. */
  hints: RecoveryAction[];
  reason: string;
  by: string;
}

export const setWeightsUpdate = defineUpdate<RouteState, [SetWeightsRequest]>('setWeights');

/** One queued traffic shift. `id` is unique per chain (a repeated ID is the same request). */
export interface ShiftTicket {
  id: string;
  request: ShiftRequest;
  /** Workflow ID told the result by `shiftDone` (an incident); absent for operator shifts. */
  requester?: string;
}

export interface ShiftQueueState {
  current?: { ticket: ShiftTicket; workflowId: string };
  pending: ShiftTicket[];
  /** Newest last, bounded. */
  recent: { ticket: ShiftTicket; workflowId: string; result: ShiftResult }[];
}

/** Queues a shift (incidents signal; they cannot send Updates from workflow code). */
export const requestShiftSignal = defineSignal<[ShiftTicket]>('requestShift');
/** Queues a shift and answers with where it is (operators: API, Slack, CLI). */
export const enqueueShiftUpdate = defineUpdate<{ id: string; workflowId: string; position: number }, [ShiftTicket]>(
  'enqueueShift',
);
/** Stops a queued or running shift: a running one returns to a safe route first (no intermediate weights). */
export const cancelShiftSignal = defineSignal<[{ id: string; reason: string }]>('cancelShift');
export const shiftQueueQuery = defineQuery<ShiftQueueState>('shiftQueue');
export const setHintsUpdate = defineUpdate<RouteState, [SetHintsRequest]>('setHints');
export const routeQuery = defineQuery<RouteState>('route');

/** One applied change of a chain's weights: who asked, why, and what it changed (the postmortem reads these). */
export interface RouteChangeRecord {
  chain: string;
  version: number;
  at: string;
  from: Weights;
  to: Weights;
  mode: RouteMode;
  reason: string;
  by: string;
}
/** The chain's recent changes, oldest first (bounded; carried over continue-as-new). */
export const routeChangesQuery = defineQuery<RouteChangeRecord[]>('routeChanges');
export const ROUTE_CHANGE_LOG_LIMIT = 200;
/** The chain as configured now (sent by every worker at start): providers added or removed, configured weights. */
export interface ReconfigureRouteRequest {
  providers: string[];
  weights: Record<string, number>;
}
export const reconfigureRouteUpdate = defineUpdate<RouteState, [ReconfigureRouteRequest]>('reconfigureRoute');

// ---- monitorWorkflow ------------------------------------------------------------------------------
export interface MonitorInput {
  provider: string;
  healthy?: boolean;
  since?: string;
  /** Carried over continue-as-new. */
  breaker?: BreakerState;
  /** From the provider's `detection` config (the entity starter passes them). */
  breakerCooldownMs?: number;
  trialsToClose?: number;
  /** Time between half-open trial probes (default 1 s; the starter passes the probe interval). */
  trialIntervalMs?: number;
  /** The provider's probe timeout: bounds a trial probe's start-to-close (the starter passes it). */
  probeTimeoutMs?: number;
  /** The incident opened for the current outage (carried over continue-as-new). */
  incidentId?: string;
  /** Application outcomes: passive window, trial evidence, minute ring (carried over continue-as-new). */
  outcomes?: OutcomeMemory;
  /** History events before the monitor continues-as-new while outcome signals arrive (default 8,000; tests lower it). */
  historyLimit?: number;
}

export interface MonitorState {
  provider: string;
  healthy: boolean;
  since: string;
  lastObservation?: ProbeObservation;
  transitions: number;
  /** closed / open / half-open, with when and why it last changed. */
  breaker?: BreakerState;
  /** The detection rule behind the last transition. */
  lastReason?: string;
  /** The incident opened for the current outage; recovery is reported to that incident only. */
  incidentId?: string;
  /** The breaker settings in force (from config; updated by monitorSettings). */
  settings?: { breakerCooldownMs: number; trialsToClose: number; trialIntervalMs: number };
  /** Application outcomes in the passive window now, and buckets received by this run. */
  outcomes?: { attempts: number; errors: number; windowMs: number; buckets: number };
}

export const monitorStateQuery = defineQuery<MonitorState>('monitorState');

/** The provider's detection settings as configured now (sent by every worker at start). */
export type MonitorSettings = Required<
  Pick<MonitorInput, 'breakerCooldownMs' | 'trialsToClose' | 'trialIntervalMs' | 'probeTimeoutMs'>
>;
export const monitorSettingsSignal = defineSignal<[MonitorSettings]>('monitorSettings');
/**
 * Application outcomes for this provider, summed by one API process over about a second (at most one
 * signal per process, provider and flush: workflows/monitor-outcomes.ts). The monitor adds them up.
 */
export const outcomesSignal = defineSignal<[OutcomeBucket]>('outcomes');
/** The monitor's per-minute outcome aggregates, oldest first (bounded: domain/outcome-window.ts MINUTE_RING). */
export const outcomeMinutesQuery = defineQuery<MinuteCounts[]>('outcomeMinutes');
/** Outcomes in the monitor's passive window since `sinceMs` (epoch ms): a failback's evidence. */
export const providerEvidenceQuery = defineQuery<ProviderEvidence, [{ sinceMs: number }]>('providerEvidence');

// ---- trafficShiftWorkflow -------------------------------------------------------------------------
export interface ShiftRequest {
  chain: string;
  kind: ShiftKind;
  /** immediate/gradual/canary: the provider losing traffic; failback: the provider coming back. */
  from?: string;
  /** The provider receiving traffic (default: next healthy one in chain order). */
  to?: string;
  /** kind `set`: the exact weights an operator asked for. */
  weights?: Weights;
  /** kind `set`: the route's mode with them (default: normal when they are the configured weights, else degraded). */
  mode?: RouteMode;
  /** Wait between a step and its validation probe (runbook: minutes in production). */
  stepDelayMs?: number;
  /** failback: how long the returning provider must be continuously healthy before the first step. */
  healthyForMs?: number;
  /** failback: how often that health is checked, and the most the shift waits for it. */
  healthCheckEveryMs?: number;
  maxWaitMs?: number;
  /**
   * failback: trust users' outcomes (config `recovery.evidence`). Absent (older requests): probes and
   * the configured waits alone.
   */
  evidence?: EvidenceSettings;
  reason: string;
  by: string;
}

/** `cancelled`: stopped from outside, route left safe; `failed`: the shift could not run (recorded, not thrown). */
export type ShiftOutcome = 'completed' | 'rolled_back' | 'stopped' | 'emergency' | 'noop' | 'cancelled' | 'failed';

export interface ShiftStepRecord {
  weights: Weights;
  version: number;
  at: string;
  validated?: { provider: string; healthy: boolean; detail: string }[];
}

export interface ShiftResult {
  chain: string;
  kind: ShiftKind;
  outcome: ShiftOutcome;
  detail: string;
  initial: Weights;
  final: Weights;
  mode: RouteMode;
  version: number;
  steps: ShiftStepRecord[];
}

/** Sent by the routing entity to its running shift child: stop at the next safe point. */
export const stopShiftSignal = defineSignal<[{ reason: string }]>('stopShift');
export const shiftStateQuery = defineQuery<{ request: ShiftRequest; steps: ShiftStepRecord[]; outcome?: ShiftOutcome }>(
  'shiftState',
);

// ---- routePublisherWorkflow (workflows/publish.ts) ---------------------------------------------------
export * from './publish-messages';

// ---- sloWorkflow (its own file, re-exported here) --------------------------------------------------
export * from './slo-messages';

// ---- drillWorkflow (workflows/drill.ts) ------------------------------------------------------------
export * from './drill-messages';

// ---- rolloutWorkflow (workflows/rollout.ts) -------------------------------------------------------
export * from './rollout-messages';
