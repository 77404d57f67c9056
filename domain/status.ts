// The public status model in Statuspage's vocabulary (so existing consumers understand it):
// components from providers and services, incidents with their updates, and the page indicator.
// Pure: the API feeds it incident records, config and the clock.
import type { IncidentState, Phase } from './incident';
import type { Severity } from './impact';

export type ComponentStatus = 'operational' | 'degraded_performance' | 'partial_outage' | 'major_outage' | 'under_maintenance';
export type PublicIncidentStatus = 'investigating' | 'identified' | 'monitoring' | 'resolved';
export type Impact = 'none' | 'minor' | 'major' | 'critical';
export type Indicator = 'none' | 'minor' | 'major' | 'critical' | 'maintenance';

export interface ComponentDef {
  id: string;
  name: string;
  kind: 'provider' | 'service';
  /** For services: the providers their chains use. */
  providers: string[];
}

export interface MaintenanceWindow {
  id: string;
  title: string;
  components: string[];
  start: string;
  end: string;
  description?: string;
}

export interface PublicUpdate {
  id: string;
  status: PublicIncidentStatus;
  body: string;
  at: string;
}

export interface PublicIncident {
  id: string;
  name: string;
  status: PublicIncidentStatus;
  impact: Impact;
  startedAt: string;
  updatedAt: string;
  monitoringAt: string | null;
  resolvedAt: string | null;
  components: string[];
  updates: PublicUpdate[]; // newest first, as Statuspage lists them
}

export interface PublicComponent {
  id: string;
  name: string;
  kind: 'provider' | 'service';
  status: ComponentStatus;
  position: number;
}

const RANK: Record<ComponentStatus, number> = { operational: 0, under_maintenance: 1, degraded_performance: 2, partial_outage: 3, major_outage: 4 };
const worse = (a: ComponentStatus, b: ComponentStatus) => (RANK[b] > RANK[a] ? b : a);

export function publicStatusForPhase(phase: Phase, resolved: boolean): PublicIncidentStatus {
  if (resolved || phase === 'reporting' || phase === 'resolved') return 'resolved';
  if (phase === 'monitoring' || phase === 'restoring') return 'monitoring'; // mitigated: no more "investigating"
  if (phase === 'recovering') return 'identified';
  return 'investigating';
}

export const IMPACT_BY_SEVERITY: Record<Severity, Impact> = { SEV1: 'critical', SEV2: 'major', SEV3: 'minor', SEV4: 'minor' };
const PROVIDER_STATUS_BY_SEVERITY: Record<Severity, ComponentStatus> = {
  SEV1: 'major_outage', SEV2: 'partial_outage', SEV3: 'degraded_performance', SEV4: 'degraded_performance',
};

/** Updates a reader cares about: each change of public status, and each periodic status update. */
export function publicUpdates(s: IncidentState): PublicUpdate[] {
  const out: PublicUpdate[] = [];
  let last: PublicIncidentStatus | null = null;
  s.timeline.forEach((e, i) => {
    if (e.type === 'phase') {
      const status = publicStatusForPhase(e.phase, e.phase === 'resolved');
      if (status === last) return;
      last = status;
      out.push({ id: `${s.id}-${i}`, status, at: e.at, body: updateBody(status, s) });
    } else if (e.type === 'status_update' && last) {
      out.push({ id: `${s.id}-${i}`, status: last, at: e.at, body: `We are continuing to work on this issue with ${s.provider}.` });
    }
  });
  return out.reverse();
}

function updateBody(status: PublicIncidentStatus, s: IncidentState): string {
  switch (status) {
    case 'investigating':
      return `We are investigating errors from ${s.provider}. Some requests may fail or be slower than usual.`;
    case 'identified':
      return `The issue is with ${s.provider}. We are moving traffic to a healthy provider.`;
    case 'monitoring':
      return s.routingChanges.length
        ? `Traffic has been moved away from ${s.provider}; service should be working again. We are monitoring the provider's recovery.`
        : `We are monitoring ${s.provider}'s recovery.`;
    case 'resolved':
      return `This incident has been resolved.${s.resolution ? ` ${s.resolution}.` : ''}`;
  }
}

export function toPublicIncident(s: IncidentState, components: ComponentDef[]): PublicIncident {
  const updates = publicUpdates(s);
  const resolved = s.status === 'resolved';
  const monitoring = [...updates].reverse().find((u) => u.status === 'monitoring');
  return {
    id: s.id,
    name: s.title,
    status: resolved ? 'resolved' : publicStatusForPhase(s.phase, false),
    impact: IMPACT_BY_SEVERITY[s.severity],
    startedAt: s.startedAt,
    updatedAt: updates[0]?.at ?? s.startedAt,
    monitoringAt: monitoring?.at ?? null,
    resolvedAt: s.resolvedAt ?? null,
    components: affectedComponents(s, components),
    updates,
  };
}

function affectedComponents(s: IncidentState, components: ComponentDef[]): string[] {
  return components.filter((c) => (c.kind === 'provider' ? c.id === s.provider : c.providers.includes(s.provider))).map((c) => c.id);
}

export function isInMaintenance(w: MaintenanceWindow, at: string): boolean {
  return w.start <= at && at < w.end;
}

/**
 * Component status now: a provider takes the worst status its open incidents imply; a service follows
 * its providers, softened to degraded_performance when its traffic was failed over (it still works),
 * and major_outage when its chain is in emergency mode.
 */
export function componentStatuses(components: ComponentDef[], open: IncidentState[], maintenance: MaintenanceWindow[], now: string): PublicComponent[] {
  const providerStatus = new Map<string, ComponentStatus>();
  const serviceOverride = new Map<string, ComponentStatus>();
  for (const s of open) {
    if (s.status === 'resolved') continue;
    providerStatus.set(s.provider, worse(providerStatus.get(s.provider) ?? 'operational', PROVIDER_STATUS_BY_SEVERITY[s.severity]));
    const latest = s.routingChanges[s.routingChanges.length - 1];
    if (latest) serviceOverride.set(s.provider, latest.mode === 'emergency' ? 'major_outage' : 'degraded_performance');
  }
  const maintained = new Set(maintenance.filter((w) => isInMaintenance(w, now)).flatMap((w) => w.components));
  return components.map((c, position) => {
    let status: ComponentStatus = 'operational';
    if (c.kind === 'provider') status = providerStatus.get(c.id) ?? 'operational';
    else for (const p of c.providers) status = worse(status, serviceOverride.get(p) ?? providerStatus.get(p) ?? 'operational');
    if (status === 'operational' && maintained.has(c.id)) status = 'under_maintenance';
    return { id: c.id, name: c.name, kind: c.kind, status, position: position + 1 };
  });
}

export function pageIndicator(components: PublicComponent[], unresolved: PublicIncident[]): { indicator: Indicator; description: string } {
  const order: Impact[] = ['none', 'minor', 'major', 'critical'];
  const worst = unresolved.reduce<Impact>((w, i) => (order.indexOf(i.impact) > order.indexOf(w) ? i.impact : w), 'none');
  const statuses = new Set(components.map((c) => c.status));
  if (worst === 'critical' || statuses.has('major_outage')) return { indicator: 'critical', description: 'Major System Outage' };
  if (worst === 'major' || statuses.has('partial_outage')) return { indicator: 'major', description: 'Partial System Outage' };
  if (worst === 'minor' || statuses.has('degraded_performance')) return { indicator: 'minor', description: 'Minor Service Outage' };
  if (statuses.has('under_maintenance')) return { indicator: 'maintenance', description: 'Service Under Maintenance' };
  return { indicator: 'none', description: 'All Systems Operational' };
}
