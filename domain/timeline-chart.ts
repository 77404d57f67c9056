// The incident's timeline chart as data: provider health bands, route weights per chain over time,
// phases, alerts and operator actions, and the failover KPIs. Built from what the record (and the
// chains' route change log) already holds, so the report, the archive and the API draw the same picture;
// domain/timeline-svg.ts turns it into SVG. Pure and clock-free: an open incident's chart ends at its
// latest known event, never at "now".
import type { IncidentState } from './incident';
import { failoverKpis } from './kpi';
import type { RouteChangeInput } from './report';

/**
 * What the monitor's circuit breaker was doing: `failing` = probes failing, breaker still closed (fault →
 * detection); `open` = breaker open, provider held down; `closed` = healthy. Providers the incident did not
 * concern have no recorded probes in it: `unobserved`.
 */
export type HealthStatus = 'closed' | 'failing' | 'open' | 'unobserved';

export interface HealthSegment {
  from: string;
  to: string;
  status: HealthStatus;
}

export interface ChartMark {
  at: string;
  label: string;
  /** `probe-failed` / `probe-ok`: a probe outcome on the health band; `alert`; `action`: a person did it. */
  kind: 'probe-failed' | 'probe-ok' | 'alert' | 'action';
}

export interface RouteSeries {
  chain: string;
  providers: string[];
  /** Weights from `at` until the next point (a step function); the first point is the route before the first change. */
  points: { at: string; weights: Record<string, number> }[];
}

export interface TimelineChart {
  id: string;
  title: string;
  provider: string;
  start: string;
  end: string;
  health: { provider: string; segments: HealthSegment[] }[];
  routes: RouteSeries[];
  phases: { phase: string; from: string; to: string }[];
  marks: ChartMark[];
  /** Moments the KPIs are measured between, drawn as vertical rules. */
  moments: { at: string; label: string }[];
  kpis: { label: string; value: string; target: string; verdict: string }[];
}

const iso = (ms: number) => new Date(ms).toISOString();
const maxAt = (xs: (string | undefined)[]) => xs.filter((x): x is string => !!x).reduce((a, b) => (b > a ? b : a), '');
const minAt = (xs: (string | undefined)[]) => xs.filter((x): x is string => !!x).reduce((a, b) => (b < a ? b : a));

/** Health of the incident's provider from the record: fault, detection (breaker open), recoveries and flaps. */
function providerHealth(s: IncidentState, start: string, end: string): HealthSegment[] {
  const changes: { at: string; status: HealthStatus }[] = [{ at: start, status: 'closed' }];
  if (s.faultAt < s.detectedAt) changes.push({ at: s.faultAt, status: 'failing' });
  changes.push({ at: s.detectedAt, status: 'open' });
  for (const e of s.timeline) {
    if (e.type === 'recovered' || e.type === 'recovery_succeeded') changes.push({ at: e.at, status: 'closed' });
    else if (e.type === 'failed_again') changes.push({ at: e.at, status: 'open' });
  }
  changes.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  const segments: HealthSegment[] = [];
  changes.forEach((c, i) => {
    const to = changes[i + 1]?.at ?? end;
    const last = segments[segments.length - 1];
    if (last && last.status === c.status) last.to = to;
    else if (to > c.at || i === changes.length - 1) segments.push({ from: c.at, to, status: c.status });
  });
  return segments.filter((g) => g.to > g.from);
}

function routeSeries(changes: RouteChangeInput[]): RouteSeries[] {
  const byChain = new Map<string, RouteChangeInput[]>();
  for (const c of changes) byChain.set(c.chain, [...(byChain.get(c.chain) ?? []), c]);
  return [...byChain.entries()].map(([chain, list]) => {
    const sorted = [...list].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.version - b.version));
    const providers: string[] = [];
    for (const c of sorted)
      for (const p of [...Object.keys(c.from), ...Object.keys(c.to)]) if (!providers.includes(p)) providers.push(p);
    return {
      chain,
      providers,
      points: [{ at: '', weights: sorted[0].from }, ...sorted.map((c) => ({ at: c.at, weights: c.to }))],
    };
  });
}

/** Timeline entry types a person caused (the actor is named, or the entry says so). */
const ACTION_TYPES = new Set(['acknowledged', 'escalated', 'note', 'public_update', 'resolve_requested']);

export function timelineChart(
  s: IncidentState,
  routeChanges: RouteChangeInput[] = [],
  kpiText?: { value: string; target: string }[],
): TimelineChart {
  const kpis = failoverKpis(s);
  const known = [
    s.startedAt,
    s.faultAt,
    s.detectedAt,
    s.resolvedAt,
    ...s.timeline.map((e) => e.at),
    ...routeChanges.map((r) => r.at),
    ...s.alerts.sample.map((a) => a.observedAt),
  ];
  const first = minAt(known);
  const last = s.resolvedAt ?? maxAt(known);
  // A little air on both sides, and never an empty span (an incident opened and closed in one instant).
  const span = Math.max(Date.parse(last) - Date.parse(first), 1000);
  const start = iso(Date.parse(first) - span * 0.05);
  const end = iso(Date.parse(last) + span * 0.05);

  const routes = routeSeries(routeChanges).map((r) => ({
    ...r,
    points: r.points.map((p, i) => (i === 0 ? { ...p, at: start } : p)),
  }));
  const others = [...new Set(routes.flatMap((r) => r.providers))].filter((p) => p !== s.provider);
  const health = [
    { provider: s.provider, segments: providerHealth(s, start, end) },
    ...others.map((provider) => ({ provider, segments: [{ from: start, to: end, status: 'unobserved' as const }] })),
  ];

  const phaseEntries = s.timeline.filter((e) => e.type === 'phase');
  const phases = phaseEntries
    .map((e, i) => ({
      phase: e.phase as string,
      from: e.at,
      to: phaseEntries[i + 1]?.at ?? (s.status === 'resolved' ? e.at : end),
    }))
    .filter((p, i, all) => p.to > p.from || i === all.length - 1);

  const marks: ChartMark[] = [];
  for (const a of s.alerts.sample) {
    const probe = a.source === 'lifeline-probe';
    marks.push({
      at: a.observedAt,
      kind: probe ? 'probe-failed' : 'alert',
      label: `${probe ? 'probe failed' : `alert from ${a.source}`}: ${a.summary}`,
    });
  }
  for (const e of s.timeline) {
    if (e.type === 'recovered') marks.push({ at: e.at, kind: 'probe-ok', label: e.message });
    else if (e.type === 'recovery_check')
      marks.push({ at: e.at, kind: /still failing/.test(e.message) ? 'probe-failed' : 'probe-ok', label: e.message });
    else if (ACTION_TYPES.has(e.type) || e.actor)
      marks.push({ at: e.at, kind: 'action', label: `${e.type.replace(/_/g, ' ')}: ${e.message}` });
  }
  for (const r of routeChanges)
    if (r.by !== 'lifeline')
      marks.push({ at: r.at, kind: 'action', label: `route ${r.chain} v${r.version} by ${r.by}: ${r.reason}` });
  marks.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));

  const moments = [
    { at: s.faultAt, label: 'fault' },
    { at: s.detectedAt, label: 'detected' },
    { at: s.mitigatedAt, label: 'mitigated' },
    { at: s.recoveredAt, label: 'recovered' },
    { at: s.resolvedAt, label: 'resolved' },
  ].filter((m): m is { at: string; label: string } => !!m.at && !(m.label === 'fault' && m.at === s.detectedAt));

  return {
    id: s.id,
    title: s.title,
    provider: s.provider,
    start,
    end,
    health,
    routes,
    phases,
    marks,
    moments,
    kpis: kpis.map((k, i) => ({
      label: k.label,
      value: kpiText?.[i]?.value ?? (k.ms === null ? 'n/a' : `${Math.round(k.ms / 1000)} s`),
      target: kpiText?.[i]?.target ?? `< ${k.targetMs / 1000} s`,
      verdict: k.verdict,
    })),
  };
}
