// The activity contracts the workflows call. Workflows import these types only (never the I/O code).
// The DTOs (what goes in and comes out) are written here; the activity signatures are derived from the
// factories, so an activity's implementation is the one place its signature is written.
import type { ImpactRules, AffectedService, Severity } from '../domain/impact';
import type { EscalationLevel } from '../domain/escalation';
import type { IncidentState } from '../domain/incident';
import type { FailureCategory, ProbeObservation } from '../domain/classify';
import type { PublicUpdate } from '../domain/public-status';
import type { AlertRouting } from '../domain/alert-rules';
import type { NotificationFacts } from '../domain/notification';
import type { RecoveryAction, RecoveryCapabilities } from '../domain/recovery';
import type { ProbeCause } from '../domain/causes';
import type { PhaseTimings } from './probe-timing';
// Type-only imports of the factories: erased at compile time, so nothing of them reaches the workflow bundle.
import type { createActivities } from './index';
import type { createArchiveActivities } from './archive';
import type { createContextActivities } from './context';
import type { createDeliverActivities } from './deliver';
import type { createDiagnoseActivities } from './diagnose';
import type { createIntakeActivities } from './intake';
import type { createSloActivities } from './slo';
import type { createNotifyActivities } from './notify';
import type { createRecoveryActivities } from './recovery';
import type { createReportActivities } from './report';
import type { createRoutingActivities } from './routing';
import type { createShiftActivities } from './shift';
import type { createRolloutActivities } from './rollout';
import type { createStatusActivities } from './subscriber-updates';
import type { createWatchActivities } from './watch';
import type { createDrillActivities } from './drill';
import type { EvidenceSettings } from '../domain/provider-evidence';

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
  /** Failback on users' outcomes (absent in histories recorded before it). */
  evidence?: EvidenceSettings;
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

export interface WatchResult {
  healthy: boolean;
  transition: boolean;
  /** First probe of the streak that caused the transition. */
  streakStartedAt?: string;
  /** Which detection rule flipped health (e.g. "5xx share 12.5 % > 5 %"). */
  reason?: string;
  observation: ProbeObservation & {
    category: FailureCategory | null;
    at: string;
    cause?: ProbeCause;
    timings?: PhaseTimings;
    type?: 'metadata' | 'inference';
    model?: string;
  };
}

export interface ArchiveRequest {
  workflowId: string;
  runId: string;
  /** The incident's final record, as the workflow held it when it closed. */
  state: IncidentState;
}

// ---- activity signatures, derived from the factories -------------------------------------------------

/** Every activity the worker registers. */
export type Activities = ReturnType<typeof createActivities>;

type RoutingFactory = ReturnType<typeof createRoutingActivities>;

/** What incidentWorkflow (and its recover, delivery and status parts) calls. */
export type IncidentActivities = ReturnType<typeof createContextActivities> &
  ReturnType<typeof createNotifyActivities> &
  ReturnType<typeof createDeliverActivities> &
  ReturnType<typeof createDiagnoseActivities> &
  ReturnType<typeof createRecoveryActivities> &
  ReturnType<typeof createReportActivities> &
  ReturnType<typeof createStatusActivities>;
export type MonitorActivities = ReturnType<typeof createWatchActivities>;
export type SloActivities = ReturnType<typeof createSloActivities>;
export type RoutingActivities = Pick<RoutingFactory, 'publishRoute'>;
export type RoutePublishActivities = Pick<RoutingFactory, 'publishRouteToTarget'>;
export type ShiftActivities = ReturnType<typeof createShiftActivities>;
export type RolloutActivities = ReturnType<typeof createRolloutActivities>;
export type ArchiveActivities = ReturnType<typeof createArchiveActivities>;
export type IntakeActivities = ReturnType<typeof createIntakeActivities>;
export type DrillActivities = ReturnType<typeof createDrillActivities>;
