// Inside incidentWorkflow: what alerts tell beyond their count. Kinds seen choose the channels (the runbook
// routing); arrival times per kind drive the repeat-alert rule; services named in `details.services`
// re-assess impact. Every change lands on the timeline with its reason. Bounded memory: arrival times
// are pruned to the rule's window, named services are capped.
import { condition } from '@temporalio/workflow';
import type { IncidentContext } from '../activities/types';
import {
  DEFAULT_ALERT_ROUTING,
  DEFAULT_ROUTE,
  pruneArrivals,
  repeatAlertsEscalate,
  routeFor,
  type AlertRouting,
} from '../domain/alert-rules';
import { nextLevel, startingLevel, type EscalationLevel } from '../domain/escalation';
import { reassessImpact, worseSeverity, type Severity } from '../domain/impact';
import { addTimeline, type Alert, type AlertKind, type IncidentState } from '../domain/incident';
import { SUMMARY_MAX_SERVICES, type AlertSummary } from '../domain/alert-summary';

export interface AlertWatchHooks {
  state: IncidentState;
  context(): IncidentContext | undefined;
  /** Moves to `level` and pages it (restarting the acknowledgement timer). */
  escalateTo(level: EscalationLevel, why: string): Promise<void>;
  setSeverity(severity: Severity, reason: string): void;
}

export function createAlertWatch(h: AlertWatchHooks) {
  const { state } = h;
  const kindsSeen = new Set<AlertKind>();
  const arrivals = new Map<AlertKind, number[]>();
  const reportedServices = new Set<string>();
  const routing = (): AlertRouting =>
    h.context()?.alertRouting ?? { routes: DEFAULT_ALERT_ROUTING, fallback: DEFAULT_ROUTE };
  const now = () => new Date().toISOString();

  async function reassess(): Promise<void> {
    const ctx = h.context();
    if (!state.impact || !ctx?.serviceCatalog || !reportedServices.size) return;
    const next = reassessImpact(state.impact, ctx.serviceCatalog, [...reportedServices], ctx.impactRules);
    if (!next) return;
    const before = state.impact;
    state.impact = next;
    addTimeline(
      state,
      'impact',
      `impact re-assessed ${before.level} → ${next.level}: ${next.affectedServices.length} service(s), ${next.users} user(s); ${next.reason}`,
      now(),
    );
    const severity = worseSeverity(state.severity, next.severity);
    if (severity === state.severity) return;
    h.setSeverity(severity, `impact re-assessed to ${next.level}`);
    const level = startingLevel(next.level);
    if (level > state.escalationLevel) await h.escalateTo(level, `impact grew to ${next.level}`);
  }

  async function applyRepeatRule(): Promise<void> {
    for (const [kind, times] of arrivals) {
      const route = routeFor(kind, routing());
      // Once traffic is mitigated, repeats of the same outage wake nobody.
      if (
        !state.acknowledgedAt &&
        !state.mitigatedAt &&
        state.escalationLevel < 3 &&
        repeatAlertsEscalate(times, route)
      ) {
        arrivals.set(kind, []); // one burst escalates once
        const to = nextLevel(state.escalationLevel);
        addTimeline(
          state,
          'escalated',
          `escalated to level ${to}: ${times.length} ${kind} alert(s) within ${Math.round(route.withinMs / 1000)} s`,
          now(),
        );
        await h.escalateTo(to, `repeated ${kind} alerts`);
      } else {
        arrivals.set(kind, pruneArrivals(times, route, Date.now()));
      }
    }
  }

  return {
    /** Called for every alert batch (signal handler and carried-over alerts): synchronous bookkeeping only. */
    note(alerts: Alert[]): void {
      for (const a of alerts) {
        kindsSeen.add(a.kind);
        arrivals.set(a.kind, [...(arrivals.get(a.kind) ?? []), Date.now()].slice(-50));
        const named = a.details?.services;
        if (Array.isArray(named))
          for (const sv of named.slice(0, 50)) if (typeof sv === 'string') reportedServices.add(sv);
      }
    },
    /**
     * The same for a summary from the intake: its kinds, its arrival times (when the intake received
     * each alert, so a burst stays a burst however the forwards are spaced) and the services it names.
     */
    noteSummary(s: AlertSummary): void {
      for (const kind of Object.keys(s.kinds) as AlertKind[]) kindsSeen.add(kind);
      for (const [kind, times] of Object.entries(s.arrivals) as [AlertKind, number[]][]) {
        arrivals.set(kind, [...(arrivals.get(kind) ?? []), ...times].sort((a, b) => a - b).slice(-50));
      }
      for (const sv of s.services) if (reportedServices.size < SUMMARY_MAX_SERVICES * 4) reportedServices.add(sv);
    },
    kinds: (): AlertKind[] => [...kindsSeen],
    routing,
    /** Re-assesses impact and applies the repeat-alert rule whenever new alerts arrive, until resolved. */
    async run(): Promise<void> {
      let seen = 0; // the alerts that opened the incident count too
      for (;;) {
        await condition(() => state.status === 'resolved' || state.alerts.count !== seen);
        if (state.status === 'resolved') return;
        seen = state.alerts.count;
        await reassess();
        await applyRepeatRule();
      }
    },
  };
}
