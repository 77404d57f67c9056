// The activity contracts the workflows call. Workflows import these types only (never the I/O code).
import type { ImpactRules, AffectedService, Severity } from '../domain/impact';
import type { EscalationLevel } from '../domain/escalation';
import type { Diagnosis, IncidentState, RoutingChange } from '../domain/incident';
import type { FailureCategory, ProbeObservation } from '../domain/classify';
import type { PublicUpdate } from '../domain/status';
import type { RouteState, SetWeightsRequest } from '../workflows/messages';
import type { AlertRouting } from '../domain/alert-rules';
import type { NotificationFacts } from '../domain/notification';
import type { Weights } from '../domain/failover';
import type { RecoveryAction, RecoveryCapabilities } from '../domain/recovery';
import type { ProbeCause } from '../domain/causes';
import type { PhaseTimings } from './probe-timing';

export interface IncidentContext {
  services: AffectedService[];
  /** Chains that include the provider, in config order. */
  chains: string[];
  impactRules: ImpactRules;
  escalationLevels: Partial<Record<EscalationLevel, string[]>>;
  ackTimeoutMs: number;
  maxRepeats: number;
  statusUpdateMs: Record<Severity, number>;
  /** An active maintenance window covering the provider or a service using it: paging is suppressed. */
  maintenance?: { id: string; title: string } | null;
  /** Configured delivery targets ('log', 'slack', 'email', 'pagerduty', 'webhook:<name>'). Absent in old histories. */
  channels?: string[];
  /** Per routing name, the notification kinds the channel delivers (channels/). Absent in old histories. */
  carries?: Record<string, string[]>;
  /** Routing names of the channels that thread (get their first delivery's ref back). Absent in old histories. */
  threading?: string[];
  alertRouting?: AlertRouting;
  /** Every configured service, so alerts naming more services can re-assess impact. */
  serviceCatalog?: AffectedService[];
  /** Recovery settings (absent in histories recorded before recovery procedures existed). */
  recovery?: RecoverySettings;
  /** Retry policy of each delivery (absent in histories recorded before it was configurable). */
  deliveryRetry?: { initialIntervalMs: number; maximumIntervalMs: number; maximumAttempts: number };
}

export interface StatusUpdateRequest {
  incidentId: string;
  title: string;
  provider: string;
  severity: Severity;
  startedAt: string;
  update: PublicUpdate;
}

export interface RecoverySettings {
  capabilities: RecoveryCapabilities;
  /** Wait between a traffic-shift step and its validation probe. */
  shiftStepMs: number;
  /** Failback starts once the provider has been healthy this long. */
  failbackHealthyForMs: number;
  failbackCheckEveryMs: number;
}

export interface Notification {
  incidentId: string;
  kind: 'page' | 'status_update' | 'acknowledged' | 'resolved';
  /** Sequence within the incident: with incidentId and kind it forms the delivery's dedup key. */
  seq: number;
  level?: EscalationLevel;
  roles: string[];
  severity: Severity;
  title: string;
  message: string;
  /** The incident as templates see it (absent in histories recorded before per-channel delivery). */
  facts?: NotificationFacts;
}

/** One notification to one delivery target: its own activity, so a failing channel never re-sends the others. */
export interface Delivery {
  channel: string;
  notification: Notification;
  /** The ref of this target's earlier delivery for the incident, for a threading channel (Slack: the message ts to update). */
  ref?: string;
  /** @deprecated the name of `ref` in deliveries scheduled before it (Slack only); read, never written. */
  slackTs?: string;
}

export interface DeliveryResult {
  channel: string;
  status: 'delivered' | 'skipped';
  /** A reference to keep (the Slack message ts, the PagerDuty dedup_key, the Message-ID). */
  ref?: string;
  detail?: string;
}

export interface ChainChangeRequest {
  chain: string;
  provider: string;
  incidentId: string;
}

export interface DiagnoseOptions {
  /** Kinds of the incident's sampled alerts: their 429 share is a rate-limit check. */
  alertKinds?: string[];
  /** A few recent alert summaries, quoted as evidence. */
  alertSummaries?: string[];
}

export interface RecoveryStepRequest {
  provider: string;
  action: RecoveryAction;
  chains: string[];
  incidentId: string;
}

export interface HealthCheck {
  healthy: boolean;
  detail: string;
}

export interface IncidentActivities {
  getIncidentContext(provider: string): Promise<IncidentContext>;
  notify(n: Notification): Promise<{ delivered: string[] }>;
  deliverNotification(d: Delivery): Promise<DeliveryResult>;
  diagnoseProvider(provider: string, opts?: DiagnoseOptions): Promise<Diagnosis>;
  /** Publishes the step's signal (route hints); returns what was done. */
  applyRecoveryStep(req: RecoveryStepRequest): Promise<{ applied: boolean; detail: string }>;
  /** Is the provider healthy when used the way the step suggests (e.g. with the backup key)? */
  checkRecovery(req: { provider: string; action: RecoveryAction }): Promise<HealthCheck>;
  clearRecoveryHints(req: { provider: string; chains: string[]; incidentId: string }): Promise<void>;
  failoverChain(req: ChainChangeRequest): Promise<RoutingChange | null>;
  failbackChain(req: ChainChangeRequest): Promise<RoutingChange | null>;
  renderReport(state: IncidentState): Promise<{ markdown: string; location: string }>;
  /** Emails the newest public update to the status page's confirmed subscribers. */
  publishStatusUpdate(req: StatusUpdateRequest): Promise<{ sent: number }>;
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
  reportProviderRecovered(args: { provider: string; at: string; detail: string; incidentId?: string }): Promise<{ signalled: boolean }>;
}

export interface RoutingActivities {
  publishRoute(route: RouteState): Promise<{ published: string[] }>;
}

export interface RoutePublishActivities {
  /** One attempt to publish a route version to one external target (retried by routePublisherWorkflow). */
  publishRouteToTarget(args: { chain: string; target: string; route: RouteState }): Promise<void>;
}

export interface ShiftActivities {
  shiftContext(args: { chain: string }): Promise<{ route: RouteState; configured: Weights; unhealthy: string[] }>;
  applyRouteStep(args: { chain: string; request: SetWeightsRequest; updateId: string }): Promise<RouteState>;
  /** A validation probe between shift steps. */
  validateProvider(args: { provider: string }): Promise<HealthCheck>;
}

export interface ArchiveRequest {
  workflowId: string;
  runId: string;
  /** The incident's final record, as the workflow held it when it closed. */
  state: IncidentState;
}

export interface ArchiveActivities {
  /** Starts archiveIncidentWorkflow for a closing run (idempotent: an existing archiver is kept). */
  startArchiver(req: ArchiveRequest): Promise<{ archiveWorkflowId: string; started: boolean }>;
  archiveIncident(req: ArchiveRequest): Promise<{ location: string; alreadyArchived: boolean; events: number }>;
}
