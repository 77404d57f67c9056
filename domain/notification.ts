// What a notification says about its incident: plain facts taken from the incident record, with a
// readable fallback for everything still unknown, so a template never renders a blank to a customer.
import type { FailureCategory } from './classify';
import { summarize, type IncidentState } from './incident';
import type { ImpactLevel } from './impact';

export interface NotificationFacts {
  incidentId: string;
  provider: string;
  title: string;
  severity: string;
  phase: string;
  status: string;
  startedAt: string;
  resolvedAt: string | null;
  escalationLevel: number;
  alertCount: number;
  impactLevel: ImpactLevel;
  /** Customer-facing sentence about what is affected. */
  impactDescription: string;
  affectedServices: string[];
  users: number;
  rootCause: string;
  /** Preventive measures / next steps from the diagnosis (possibly empty). */
  recommendations: string[];
  progress: string;
  estimatedResolution: string;
  acknowledgedBy: string | null;
  durationMinutes: number | null;
  /** True for the first page of the incident: customers get the downtime notice then. */
  opening: boolean;
}

const IMPACT_WORDS: Record<ImpactLevel, string> = {
  critical: 'The service is unavailable',
  high: 'Major features are unavailable or failing',
  medium: 'Some features are degraded',
  low: 'A minor part of the service is affected',
};

/** "Some features are degraded (support-bot, billing)." — services as given: IDs for the team, display names for customers. */
export function impactSentence(level: ImpactLevel, services: string[]): string {
  return `${IMPACT_WORDS[level]}${services.length ? ` (${services.join(', ')})` : ''}.`;
}

const CAUSE_WORDS: Record<FailureCategory, string> = {
  network: 'a network connectivity problem between us and our AI provider',
  authentication: 'rejected credentials at our AI provider',
  rate_limit: 'our AI provider limiting the rate of requests',
  quota_exceeded: 'an exhausted usage quota at our AI provider',
  provider_outage: 'an outage at our AI provider',
  overloaded: 'our AI provider being overloaded',
  latency: 'very slow responses from our AI provider',
  model_unavailable: 'an AI model becoming unavailable at our provider',
  unknown: 'a problem with our AI provider that is still being analysed',
};

export function notificationFacts(state: IncidentState, opening = false): NotificationFacts {
  const impact = state.impact;
  const services = impact?.affectedServices ?? [];
  const level: ImpactLevel = impact?.level ?? 'low';
  const end = state.resolvedAt ?? null;
  const lastAck = state.acknowledgements[state.acknowledgements.length - 1];
  const { id, ...summary } = summarize(state);
  return {
    incidentId: id,
    ...summary,
    escalationLevel: state.escalationLevel,
    alertCount: state.alerts.count,
    impactLevel: level,
    impactDescription: impactSentence(level, services),
    affectedServices: services,
    users: impact?.users ?? 0,
    rootCause: state.diagnosis
      ? `The cause was ${CAUSE_WORDS[state.diagnosis.rootCause]}.`
      : 'The cause is still being investigated.',
    recommendations: state.diagnosis?.recommendations ?? [],
    progress: progressSentence(state),
    estimatedResolution:
      state.status === 'resolved' ? 'Resolved.' : 'We will share an estimate as soon as we have one.',
    acknowledgedBy: lastAck?.by ?? null,
    durationMinutes: end ? Math.max(0, Math.round((Date.parse(end) - Date.parse(state.startedAt)) / 60_000)) : null,
    opening,
  };
}

function progressSentence(state: IncidentState): string {
  if (state.status === 'resolved') return 'The service has been restored.';
  // Only when traffic really left the provider (an emergency-mode change moved nothing).
  const moved = state.routingChanges.some(
    (r) => r.mode !== 'emergency' && (r.to[state.provider] ?? 0) < (r.from[state.provider] ?? 0),
  );
  if (moved) return 'Traffic has been moved to a backup AI provider while the primary one recovers.';
  if (state.diagnosis) return 'The cause has been identified and the team is restoring service.';
  return 'The team is investigating.';
}
