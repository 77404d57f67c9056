// The incident's record: what the workflow keeps, what the API returns and what the report is made from.
import type { FailureCategory } from './classify';
import type { EscalationLevel } from './escalation';
import type { Impact, Severity } from './impact';
import type { Weights } from './failover';
import type { IntakeMark } from './alert-summary';

/** `restoring`: the provider recovered and traffic is failing back; a re-failure returns to `monitoring`. */
export const PHASES = [
  'detected',
  'assessing',
  'escalating',
  'diagnosing',
  'recovering',
  'monitoring',
  'restoring',
  'reporting',
  'resolved',
] as const;
export type Phase = (typeof PHASES)[number];
export type IncidentStatus = 'open' | 'resolved';

export const ALERT_KINDS = [
  'outage',
  'error_rate',
  'latency',
  'rate_limit',
  'quota',
  'auth',
  'model',
  'other',
  /** An SLO's error budget burning fast (domain/slo.ts): a warning, opened before the budget is gone. */
  'slo_burn',
] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];
export const ALERT_SEVERITIES = ['critical', 'error', 'warning', 'info'] as const;
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];

export interface Alert {
  provider: string;
  kind: AlertKind;
  summary: string;
  source: string;
  severity?: AlertSeverity;
  dedupKey?: string;
  details?: Record<string, unknown>;
  observedAt: string;
  /** PagerDuty-style lifecycle of the alert named by dedupKey (default trigger); see domain/dedup.ts. */
  action?: AlertAction;
}

export const ALERT_ACTIONS = ['trigger', 'acknowledge', 'resolve'] as const;
export type AlertAction = (typeof ALERT_ACTIONS)[number];

export interface TimelineEntry {
  at: string;
  phase: Phase;
  type: string;
  message: string;
  actor?: string;
}

export interface DiagnosticCheck {
  name: string;
  status: 'passed' | 'failed' | 'error';
  detail: string;
  evidence?: Record<string, unknown>;
  /** The root cause a failed check points at (domain/diagnosis.ts weighs them). */
  suggests?: FailureCategory;
}

export interface Diagnosis {
  rootCause: FailureCategory;
  checks: DiagnosticCheck[];
  /** The findings that decided the root cause (absent in diagnoses recorded before the full checklist). */
  evidence?: string[];
  recommendations: string[];
  at: string;
}

export interface RoutingChange {
  chain: string;
  from: Weights;
  to: Weights;
  mode: 'normal' | 'degraded' | 'emergency';
  reason: string;
  version: number;
  at: string;
}

export interface Acknowledgement {
  by: string;
  at: string;
}

export interface IncidentState {
  id: string;
  scope: string;
  provider: string;
  title: string;
  phase: Phase;
  status: IncidentStatus;
  severity: Severity;
  impact?: Impact;
  escalationLevel: EscalationLevel;
  startedAt: string;
  /** When the fault was first observed by whoever reported it (for MTTD). */
  faultAt: string;
  detectedAt: string;
  acknowledgedAt?: string;
  mitigatedAt?: string;
  recoveredAt?: string;
  resolvedAt?: string;
  resolvedBy?: string;
  resolution?: string;
  alerts: {
    count: number;
    sample: Alert[];
    lastAt?: string;
    /** Alerts by dedupKey with their lifecycle (bounded; domain/dedup.ts). Absent on old runs. */
    keyed?: Record<string, KeyedAlert>;
    /** Distinct alerts (a repeated trigger of an open dedupKey is the same alert). */
    distinct?: number;
    /** Acknowledge/resolve events naming no open alert: dropped, as PagerDuty does. */
    dropped?: number;
    /** The newest intake forward applied (workflows/intake.ts): a repeated one is ignored. */
    intake?: IntakeMark;
  };
  diagnosis?: Diagnosis;
  routingChanges: RoutingChange[];
  acknowledgements: Acknowledgement[];
  /** Operator notes; only those with `public: true` ever reach the status page or subscribers. */
  notes: { by: string; text: string; at: string; public?: boolean }[];
  statusUpdates: number;
  timeline: TimelineEntry[];
  report?: string;
  /** Times the provider failed again after it had recovered (while traffic was failing back). */
  flaps?: number;
  /** Failbacks this incident asked the chains' routing entities for, with their outcome as last known. */
  failbacks?: FailbackRecord[];
  /** The incident that alerts arriving after this one was resolved open (set on its first late trigger). */
  nextIncidentId?: string;
}

/**
 * A failback runs as a traffic shift owned by the chain's routing entity, not by the incident: an
 * operator resolve mid-failback leaves it running (`detached`), and the chain's shift record has the end.
 */
export interface FailbackRecord {
  chain: string;
  shiftId: string;
  /** `running` until the shift reports; `detached` when the incident closed first; else the shift's outcome. */
  outcome:
    'running' | 'detached' | 'completed' | 'stopped' | 'cancelled' | 'failed' | 'noop' | 'rolled_back' | 'emergency';
  detail?: string;
}

export interface KeyedAlert {
  status: 'triggered' | 'acknowledged' | 'resolved';
  count: number;
  firstAt: string;
  lastAt: string;
}

export const ALERT_SAMPLE_LIMIT = 20;

export function newIncidentState(args: {
  id: string;
  scope: string;
  provider: string;
  title: string;
  now: string;
  faultAt?: string;
  severity?: Severity;
}): IncidentState {
  return {
    id: args.id,
    scope: args.scope,
    provider: args.provider,
    title: args.title,
    phase: 'detected',
    status: 'open',
    severity: args.severity ?? 'SEV4',
    escalationLevel: 1,
    startedAt: args.now,
    faultAt: args.faultAt && args.faultAt < args.now ? args.faultAt : args.now,
    detectedAt: args.now,
    alerts: { count: 0, sample: [] },
    routingChanges: [],
    acknowledgements: [],
    notes: [],
    statusUpdates: 0,
    timeline: [],
  };
}

/** Counts every alert, keeps a bounded sample (first ones are kept: they tell how it started). */
export function recordAlerts(state: IncidentState, alerts: Alert[]): void {
  for (const a of alerts) {
    state.alerts.count += 1;
    state.alerts.lastAt = a.observedAt;
    if (state.alerts.sample.length < ALERT_SAMPLE_LIMIT) state.alerts.sample.push(a);
    if (a.observedAt < state.faultAt) state.faultAt = a.observedAt;
  }
}

export function addTimeline(state: IncidentState, type: string, message: string, now: string, actor?: string): void {
  state.timeline.push({ at: now, phase: state.phase, type, message, ...(actor ? { actor } : {}) });
}

/** The short public incident ID: the scope plus the first 8 characters of the run ID. */
export function incidentIdFor(scope: string, runId: string): string {
  return `${scope}-${runId.replace(/-/g, '').slice(0, 8)}`;
}

/** Splits a public incident ID back into its scope and run-ID prefix. */
export function parseIncidentId(id: string): { scope: string; runPrefix: string } | null {
  const m = /^(.+)-([0-9a-f]{8})$/.exec(id);
  return m ? { scope: m[1], runPrefix: m[2] } : null;
}

export function summarize(state: IncidentState) {
  return {
    id: state.id,
    provider: state.provider,
    title: state.title,
    severity: state.severity,
    phase: state.phase,
    status: state.status,
    startedAt: state.startedAt,
    resolvedAt: state.resolvedAt ?? null,
  };
}
