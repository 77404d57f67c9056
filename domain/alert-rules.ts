// Per-alert-kind routing and the repeat-alert escalation rule: which channels page for an alert kind,
// and "N alerts of one kind within a window escalate one level". Pure: the workflow runs it. Channel
// names and what each carries come from the channel list (channels/index.ts) through the incident's
// context; this file holds no list of channels of its own.
import type { AlertKind } from './incident';

/** A channel's routing name ('slack', 'email', 'webhook', …; config validates it against channels/). */
export type ChannelName = string;

export interface AlertRoute {
  channels: ChannelName[];
  escalateAfter: number;
  withinMs: number;
}

// Defaults: high response time → Slack + email, 3 within 5 min; high error rate → Slack + PagerDuty,
// 2 within 3 min; anything else → email, 5 within 10 min. Outages page at least as hard as error rates.
export const DEFAULT_ALERT_ROUTING: Partial<Record<AlertKind, AlertRoute>> = {
  outage: { channels: ['slack', 'pagerduty', 'email'], escalateAfter: 2, withinMs: 180_000 },
  error_rate: { channels: ['slack', 'pagerduty'], escalateAfter: 2, withinMs: 180_000 },
  latency: { channels: ['slack', 'email'], escalateAfter: 3, withinMs: 300_000 },
};
export const DEFAULT_ROUTE: AlertRoute = { channels: ['email'], escalateAfter: 5, withinMs: 600_000 };

export interface AlertRouting {
  routes: Partial<Record<AlertKind, AlertRoute>>;
  fallback: AlertRoute;
}

export function routeFor(kind: AlertKind, routing: AlertRouting): AlertRoute {
  return routing.routes[kind] ?? routing.fallback;
}

/** The channels an incident pages on: the union over the alert kinds seen (a declared incident: the fallback). */
export function channelsForKinds(kinds: AlertKind[], routing: AlertRouting): ChannelName[] {
  const routes = kinds.length ? kinds.map((k) => routeFor(k, routing)) : [routing.fallback];
  return [...new Set(routes.flatMap((r) => r.channels))];
}

/**
 * Repeat-alert rule: given the arrival times (ms) of recent alerts of one kind, does the latest arrival
 * complete `escalateAfter` alerts within `withinMs`? Callers clear the times after escalating, so one
 * burst escalates once.
 */
export function repeatAlertsEscalate(arrivals: number[], route: AlertRoute): boolean {
  if (arrivals.length < route.escalateAfter) return false;
  const latest = arrivals[arrivals.length - 1];
  return arrivals.filter((t) => latest - t <= route.withinMs).length >= route.escalateAfter;
}

/** Keeps only the arrivals that can still count towards the rule (bounded memory in the workflow). */
export function pruneArrivals(arrivals: number[], route: AlertRoute, now: number): number[] {
  return arrivals.filter((t) => now - t <= route.withinMs).slice(-route.escalateAfter);
}

/**
 * What each channel carried in incidents whose context predates `carries` (recorded histories replay
 * with it). Frozen: a new channel declares its own `carries` in its file and reaches the workflow
 * through the context.
 */
export const LEGACY_CARRIES: Record<ChannelName, string[]> = {
  slack: ['page', 'status_update', 'acknowledged', 'resolved'],
  email: ['page', 'status_update', 'resolved'],
  pagerduty: ['page', 'acknowledged', 'resolved'],
  webhook: ['page', 'status_update', 'acknowledged', 'resolved'],
};

/** The configured targets ('log', 'slack', 'webhook:<name>', …) one notification goes to; the log gets all. */
export function deliveryTargetsFor(
  kind: string,
  routed: ChannelName[],
  configured: string[],
  carries: Record<ChannelName, string[]> = LEGACY_CARRIES,
): string[] {
  const wanted = (t: string) => {
    const name = t.split(':')[0];
    return routed.includes(name) && (carries[name] ?? []).includes(kind);
  };
  return configured.filter((t) => t === 'log' || wanted(t));
}
