// The activity contracts the workflows call. Workflows import these types only (never the I/O code).
import type { ImpactRules, AffectedService, Severity } from '../domain/impact';
import type { EscalationLevel } from '../domain/escalation';
import type { Diagnosis, IncidentState, RoutingChange } from '../domain/incident';
import type { FailureCategory, ProbeObservation } from '../domain/classify';
import type { ProbeCause } from '../domain/causes';
import type { PhaseTimings } from './probe-timing';
import type { RouteState } from '../workflows/messages';

export interface IncidentContext {
  services: AffectedService[];
  /** Chains that include the provider, in config order. */
  chains: string[];
  impactRules: ImpactRules;
  escalationLevels: Partial<Record<EscalationLevel, string[]>>;
  ackTimeoutMs: number;
  maxRepeats: number;
  statusUpdateMs: Record<Severity, number>;
}

export interface Notification {
  incidentId: string;
  kind: 'page' | 'status_update' | 'resolved';
  /** Sequence within the incident: with incidentId and kind it forms the delivery's dedup key. */
  seq: number;
  level?: EscalationLevel;
  roles: string[];
  severity: Severity;
  title: string;
  message: string;
}

export interface ChainChangeRequest {
  chain: string;
  provider: string;
  incidentId: string;
}

export interface IncidentActivities {
  getIncidentContext(provider: string): Promise<IncidentContext>;
  notify(n: Notification): Promise<{ delivered: string[] }>;
  diagnoseProvider(provider: string): Promise<Diagnosis>;
  failoverChain(req: ChainChangeRequest): Promise<RoutingChange | null>;
  failbackChain(req: ChainChangeRequest): Promise<RoutingChange | null>;
  renderReport(state: IncidentState): Promise<{ markdown: string; location: string }>;
}

export interface WatchResult {
  healthy: boolean;
  transition: boolean;
  /** First probe of the streak that caused the transition. */
  streakStartedAt?: string;
  /** Which detection rule flipped health (e.g. "5xx share 12.5 % > 5 %"). */
  reason?: string;
  observation: ProbeObservation & { category: FailureCategory | null; at: string; cause?: ProbeCause; timings?: PhaseTimings; type?: 'metadata' | 'inference'; model?: string };
}

export interface MonitorActivities {
  watchProvider(args: { provider: string; healthy: boolean }): Promise<WatchResult>;
  trialProbe(args: { provider: string }): Promise<WatchResult['observation']>;
  openProviderIncident(args: { provider: string; observation: WatchResult['observation']; since?: string }): Promise<{ incidentId: string }>;
  reportProviderRecovered(args: { provider: string; at: string; detail: string }): Promise<{ signalled: boolean }>;
}

export interface RoutingActivities {
  publishRoute(route: RouteState): Promise<void>;
}
