// Preventive-measures plan and action items, by root cause (the downtime guide: recommendations per
// root cause, measures grouped as monitoring / redundancy / automation, priority from severity, effort in
// days; the failover runbook: the post-failover follow-up — verify, investigate, review effectiveness, drill).
import type { FailureCategory } from './classify';
import type { IncidentState } from './incident';
import type { Severity } from './impact';
import type { Kpi } from './kpi';

/** The last route of each chain in the incident window (a change: chain, weights after, mode). */
interface ChainRoute {
  chain: string;
  to: Record<string, number>;
  mode: string;
}

export type MeasureArea = 'monitoring' | 'redundancy' | 'automation';
export type Priority = 'high' | 'medium' | 'low';

export interface Measure {
  area: MeasureArea;
  measure: string;
  effortDays: number;
}

export interface PreventionPlan {
  rootCause: FailureCategory;
  priority: Priority;
  measures: Measure[];
  effortDays: number;
}

export interface ActionItem {
  title: string;
  owner: string;
  due: string;
  why: string;
}

const m = (area: MeasureArea, measure: string, effortDays: number): Measure => ({ area, measure, effortDays });

export const MEASURES_BY_CAUSE: Record<FailureCategory, Measure[]> = {
  rate_limit: [
    m('monitoring', 'Alert on rate-limit headroom before 429s start', 2),
    m('automation', 'Queue and throttle requests client-side', 3),
    m('redundancy', 'Distribute load across several API keys', 2),
  ],
  network: [
    m('redundancy', 'Add network redundancy towards the provider', 5),
    m('automation', 'Put circuit breakers in front of every provider call', 2),
    m('redundancy', 'Configure multiple provider endpoints/regions', 3),
  ],
  authentication: [
    m('automation', 'Rotate API keys on a schedule', 2),
    m('monitoring', 'Monitor credential validity and expiry', 1),
    m('automation', 'Refresh keys automatically from the secret store', 3),
  ],
  quota_exceeded: [
    m('monitoring', 'Alert on spend/quota at 80% of the limit', 1),
    m('automation', 'Downgrade to a cheaper model when quota runs low', 3),
    m('redundancy', 'Keep a funded backup account or provider', 2),
  ],
  provider_outage: [
    m('redundancy', 'Keep a warm backup provider in every chain', 3),
    m('automation', 'Fail over automatically on probe failure (keep it tested)', 2),
    m('monitoring', 'Watch the provider status page alongside probes', 1),
  ],
  overloaded: [
    m('automation', 'Retry with jittered backoff and a retry budget', 2),
    m('redundancy', 'Spread traffic across providers at peak', 3),
    m('monitoring', 'Alert on overload (529/503) rate', 1),
  ],
  latency: [
    m('monitoring', 'Alert on p95 latency per provider and model', 1),
    m('automation', 'Hedge slow requests to a second provider', 3),
    m('redundancy', 'Route latency-sensitive services to the fastest provider', 2),
  ],
  model_unavailable: [
    m('monitoring', 'Probe every configured model, not only the first', 1),
    m('redundancy', 'Name an alternative model per chain', 2),
    m('automation', 'Track provider deprecation notices', 1),
  ],
  unknown: [
    m('monitoring', 'Capture error samples with every failed probe', 2),
    m('automation', 'Extend root-cause classification to this failure', 2),
  ],
};

export function priorityFor(severity: Severity): Priority {
  return severity === 'SEV1' || severity === 'SEV2' ? 'high' : severity === 'SEV3' ? 'medium' : 'low';
}

export function preventionPlan(rootCause: FailureCategory, severity: Severity, kpis: Kpi[]): PreventionPlan {
  const measures = [...(MEASURES_BY_CAUSE[rootCause] ?? MEASURES_BY_CAUSE.unknown)];
  const missed = new Set(kpis.filter((k) => k.verdict === 'missed').map((k) => k.name));
  if (missed.has('detection'))
    measures.push(m('monitoring', 'Shorten probe interval / failure window so detection stays under 30 s', 1));
  if (missed.has('failover') || missed.has('restoration'))
    measures.push(m('automation', 'Make failover immediate for this chain and rehearse it', 2));
  return {
    rootCause,
    priority: priorityFor(severity),
    measures,
    effortDays: measures.reduce((n, x) => n + x.effortDays, 0),
  };
}

const seconds = (ms: number) => `${Math.round(ms / 1000)} s`;

export function actionItems(s: IncidentState, kpis: Kpi[], changes: ChainRoute[] = s.routingChanges): ActionItem[] {
  const items: ActionItem[] = [];
  const add = (title: string, owner: string, due: string, why: string) => items.push({ title, owner, due, why });
  for (const k of kpis) {
    if (k.verdict === 'missed' && k.name !== 'total') {
      add(
        `Find out why ${k.name} took ${seconds(k.ms!)} (target < ${seconds(k.targetMs)})`,
        'technical_lead',
        'within 7 days',
        `${k.label} missed its target`,
      );
    }
  }
  // The route as it stands after the last change in the window (operator failbacks included).
  const lastByChain = new Map(changes.map((r) => [r.chain, r]));
  for (const [chain, r] of lastByChain) {
    if (!(s.provider in r.to) || r.mode !== 'normal') {
      add(
        `Fail chain ${chain} back to ${s.provider} once it is validated`,
        'on-call engineer',
        'before closing the review',
        `traffic is still off ${s.provider}`,
      );
    }
  }
  if (!s.acknowledgedAt)
    add(
      'Review paging: nobody acknowledged this incident',
      'incident commander',
      'within 7 days',
      'no acknowledgement recorded',
    );
  if (s.timeline.some((e) => e.type === 'notification_failed'))
    add(
      'Repair the notification channel that failed',
      'platform team',
      'within 24 h',
      'a page or update was not delivered',
    );
  if (!s.diagnosis || s.diagnosis.rootCause === 'unknown')
    add('Complete the root-cause analysis', 'technical_lead', 'within 24 h', 'diagnostics were inconclusive');
  if (changes.length)
    add(
      'Verify service restoration end to end (post-failover validation)',
      'on-call engineer',
      'within 30 min',
      'immediate post-failover check',
    );
  add(
    `Confirm the root cause with ${s.provider} and collect their incident report`,
    'technical_lead',
    'within 24 h',
    'root-cause investigation',
  );
  if (changes.length)
    add(
      'Review failover effectiveness: detection, execution and user impact',
      'incident commander',
      'within 24 h',
      'failover effectiveness review',
    );
  add(
    'Update runbooks and schedule the next failover drill',
    'incident commander',
    'within 7 days',
    'long-term review',
  );
  return items;
}
