// Every signal, query and update that clients share with the workflows, plus workflow IDs and search
// attributes. Clients (API, CLI, activities) import this file, never the workflow code itself.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import { defineSearchAttributeKey } from '@temporalio/common';
import type { Alert, IncidentState } from '../domain/incident';
import type { EscalationLevel } from '../domain/escalation';
import type { Severity } from '../domain/impact';
import type { Weights } from '../domain/failover';
import type { ProbeObservation } from '../domain/classify';
import type { BreakerState } from '../domain/breaker';

// ---- IDs ----------------------------------------------------------------------------------------
export const incidentWorkflowId = (scope: string) => `incident-${scope}`;
export const monitorWorkflowId = (provider: string) => `monitor-${provider}`;
export const routingWorkflowId = (chain: string) => `routing-${chain}`;

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
}

export interface AlertBatch {
  alerts: Alert[];
}

export interface ActorRequest {
  by: string;
}

export const alertsSignal = defineSignal<[AlertBatch]>('alerts');
export const providerRecoveredSignal = defineSignal<[{ at: string; detail: string }]>('providerRecovered');
export const acknowledgeUpdate = defineUpdate<IncidentState, [ActorRequest]>('acknowledge');
export const escalateUpdate = defineUpdate<IncidentState, [ActorRequest & { level?: EscalationLevel }]>('escalate');
export const resolveUpdate = defineUpdate<IncidentState, [ActorRequest & { note?: string }]>('resolve');
export const addNoteUpdate = defineUpdate<IncidentState, [ActorRequest & { text: string }]>('addNote');
export const incidentStateQuery = defineQuery<IncidentState>('state');

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
}

export interface SetWeightsRequest {
  weights: Weights;
  mode?: RouteMode;
  reason: string;
  by: string;
}

export const setWeightsUpdate = defineUpdate<RouteState, [SetWeightsRequest]>('setWeights');
export const routeQuery = defineQuery<RouteState>('route');

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
}

export const monitorStateQuery = defineQuery<MonitorState>('monitorState');
