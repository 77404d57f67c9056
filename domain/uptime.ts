// The status page's uptime history, as Atlassian Statuspage draws it: per component, one bar per UTC day
// for the last N days, coloured by the worst status the component had that day, naming that day's
// incidents, and an uptime percentage. Pure: incident records, components and the clock come in.
import type { IncidentState } from './incident';
import {
  IMPACT_BY_SEVERITY,
  PROVIDER_STATUS_BY_SEVERITY as PROVIDER_STATUS,
  publicTitle,
  type ComponentDef,
  type ComponentStatus,
} from './public-status';

export type DayStatus = ComponentStatus | 'no_data';

export interface UptimeDay {
  /** UTC date, YYYY-MM-DD. */
  date: string;
  status: DayStatus;
  incidents: { id: string; name: string; impact: string }[];
}

export interface ComponentUptime {
  id: string;
  days: UptimeDay[];
  /** Share of the observed time without outage (partial outage counts 30 %, as Statuspage does); null with no observed time. */
  uptimePercent: number | null;
}

const RANK: Record<DayStatus, number> = {
  no_data: -1,
  operational: 0,
  under_maintenance: 1,
  degraded_performance: 2,
  partial_outage: 3,
  major_outage: 4,
};
/** How much of an interval counts as downtime, by status (Statuspage: major 100 %, partial 30 %). */
const DOWNTIME_WEIGHT: Partial<Record<ComponentStatus, number>> = { major_outage: 1, partial_outage: 0.3 };
const DAY_MS = 86_400_000;

/** What an incident did to a component: the provider takes the severity's status; a service still worked if its traffic was failed over. */
export function incidentComponentStatus(s: IncidentState, c: ComponentDef): ComponentStatus | null {
  if (c.kind === 'provider' ? c.id !== s.provider : !c.providers.includes(s.provider)) return null;
  const provider = PROVIDER_STATUS[s.severity];
  if (c.kind === 'provider' || !s.routingChanges.length) return provider;
  return s.routingChanges.some((r) => r.mode === 'emergency') ? 'major_outage' : 'degraded_performance';
}

interface Span {
  from: number;
  to: number;
  status: ComponentStatus;
  incident: { id: string; name: string; impact: string };
}

/** Time without outage over [from, to], overlapping incidents counted once (the worst one at each instant). */
function uptime(spans: Span[], from: number, to: number): number | null {
  if (to <= from) return null;
  const cuts = [...new Set([from, to, ...spans.flatMap((s) => [s.from, s.to])])]
    .filter((t) => t >= from && t <= to)
    .sort((a, b) => a - b);
  let down = 0;
  for (let i = 0; i + 1 < cuts.length; i++) {
    const [a, b] = [cuts[i], cuts[i + 1]];
    const w = Math.max(0, ...spans.filter((s) => s.from <= a && s.to >= b).map((s) => DOWNTIME_WEIGHT[s.status] ?? 0));
    down += w * (b - a);
  }
  return Math.round((1 - down / (to - from)) * 10_000) / 100;
}

/**
 * `since` per component: when it was first seen (days before it are `no_data`). An open incident lasts
 * until `now`; one that opened and closed within the same instant still marks its day.
 */
export function uptimeHistory(
  components: ComponentDef[],
  incidents: IncidentState[],
  now: string,
  opts: { days?: number; since?: Record<string, string> } = {},
): ComponentUptime[] {
  const days = opts.days ?? 90;
  const end = Date.parse(now);
  const firstDay = Math.floor(end / DAY_MS) * DAY_MS - (days - 1) * DAY_MS;
  return components.map((c) => {
    const spans: Span[] = incidents.flatMap((s) => {
      const status = incidentComponentStatus(s, c);
      if (!status) return [];
      const name = publicTitle(
        s,
        components.find((p) => p.kind === 'provider' && p.id === s.provider)?.name ?? s.provider,
      );
      return [
        {
          from: Date.parse(s.startedAt),
          to: Math.min(Date.parse(s.resolvedAt ?? now), end),
          status,
          incident: { id: s.id, name, impact: IMPACT_BY_SEVERITY[s.severity] },
        },
      ];
    });
    const since = opts.since?.[c.id] ? Date.parse(opts.since[c.id]) : firstDay;
    const bars: UptimeDay[] = Array.from({ length: days }, (_, i) => {
      const dayStart = firstDay + i * DAY_MS;
      const dayEnd = dayStart + DAY_MS;
      const date = new Date(dayStart).toISOString().slice(0, 10);
      // Half-open day [start, end): an incident ending exactly at midnight does not mark the next day.
      const touching = spans.filter(
        (s) => s.from < dayEnd && (s.to > dayStart || (s.to === s.from && s.from >= dayStart)),
      );
      if (dayEnd <= since && !touching.length) return { date, status: 'no_data', incidents: [] };
      const status = touching.reduce<DayStatus>((w, s) => (RANK[s.status] > RANK[w] ? s.status : w), 'operational');
      const seen = new Set<string>();
      return {
        date,
        status,
        incidents: touching.filter((s) => !seen.has(s.incident.id) && seen.add(s.incident.id)).map((s) => s.incident),
      };
    });
    return { id: c.id, days: bars, uptimePercent: uptime(spans, Math.max(firstDay, Math.min(since, end)), end) };
  });
}
