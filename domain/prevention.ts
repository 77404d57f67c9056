// Preventive-measures plan and action items, by root cause (the downtime guide: recommendations per
// root cause, measures grouped as monitoring / redundancy / automation, priority from severity, effort in
// days; the failover runbook: the post-failover follow-up — verify, investigate, review effectiveness, drill).
import type { FailureCategory } from './classify';
import type { IncidentState } from './incident';
import type { Severity } from './impact';
import type { Kpi } from './kpi';
import PREVENTION_TEXT from './prevention-measures.json';

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

// The wording lives in a data file: it is content (edited like a template), not logic.
const TEXT = PREVENTION_TEXT as {
  measuresByCause: Record<FailureCategory, Measure[]>;
  whenMissed: Record<'detection' | 'failover', Measure>;
  actionItems: Record<
    'noAcknowledgement' | 'notificationFailed' | 'rootCauseOpen' | 'verifyRestoration' | 'reviewFailover' | 'drill',
    ActionItem
  >;
};

export const MEASURES_BY_CAUSE: Record<FailureCategory, Measure[]> = TEXT.measuresByCause;

export function priorityFor(severity: Severity): Priority {
  return severity === 'SEV1' || severity === 'SEV2' ? 'high' : severity === 'SEV3' ? 'medium' : 'low';
}

export function preventionPlan(rootCause: FailureCategory, severity: Severity, kpis: Kpi[]): PreventionPlan {
  const measures = [...(MEASURES_BY_CAUSE[rootCause] ?? MEASURES_BY_CAUSE.unknown)];
  const missed = new Set(kpis.filter((k) => k.verdict === 'missed').map((k) => k.name));
  if (missed.has('detection')) measures.push(TEXT.whenMissed.detection);
  if (missed.has('failover') || missed.has('restoration')) measures.push(TEXT.whenMissed.failover);
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
  const fixed = TEXT.actionItems;
  for (const k of kpis.filter((x) => x.verdict === 'missed' && x.name !== 'total'))
    add(
      `Find out why ${k.name} took ${seconds(k.ms!)} (target < ${seconds(k.targetMs)})`,
      'technical_lead',
      'within 7 days',
      `${k.label} missed its target`,
    );
  // The route as it stands after the last change in the window (operator failbacks included).
  const lastByChain = new Map(changes.map((r) => [r.chain, r]));
  for (const [chain, r] of lastByChain) {
    if (!(s.provider in r.to) || r.mode !== 'normal')
      add(
        `Fail chain ${chain} back to ${s.provider} once it is validated`,
        'on-call engineer',
        'before closing the review',
        `traffic is still off ${s.provider}`,
      );
  }
  if (!s.acknowledgedAt) items.push(fixed.noAcknowledgement);
  if (s.timeline.some((e) => e.type === 'notification_failed')) items.push(fixed.notificationFailed);
  if (!s.diagnosis || s.diagnosis.rootCause === 'unknown') items.push(fixed.rootCauseOpen);
  if (changes.length) items.push(fixed.verifyRestoration);
  add(
    `Confirm the root cause with ${s.provider} and collect their incident report`,
    'technical_lead',
    'within 24 h',
    'root-cause investigation',
  );
  if (changes.length) items.push(fixed.reviewFailover);
  items.push(fixed.drill);
  return items.map((i) => ({ ...i }));
}
