// The public status model in Statuspage's vocabulary (so existing consumers understand it):
// components from providers and services, incidents with their updates, and the page indicator.
// Pure: the API feeds it incident records, config and the clock.
import type { IncidentState, Phase } from './incident';
import type { Severity } from './impact';

export type ComponentStatus =
  'operational' | 'degraded_performance' | 'partial_outage' | 'major_outage' | 'under_maintenance';
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

const RANK: Record<ComponentStatus, number> = {
  operational: 0,
  under_maintenance: 1,
  degraded_performance: 2,
  partial_outage: 3,
  major_outage: 4,
};
const worse = (a: ComponentStatus, b: ComponentStatus) => (RANK[b] > RANK[a] ? b : a);

export function publicStatusForPhase(phase: Phase | string, resolved: boolean): PublicIncidentStatus {
  if (resolved || phase === 'reporting' || phase === 'resolved') return 'resolved';
  // `restoring` (failback under way) is still "monitoring" to the public: the provider is back, traffic returns.
  if (phase === 'monitoring' || phase === 'restoring') return 'monitoring';
  if (phase === 'recovering' || phase === 'mitigating') return 'identified';
  return 'investigating';
}

export const IMPACT_BY_SEVERITY: Record<Severity, Impact> = {
  SEV1: 'critical',
  SEV2: 'major',
  SEV3: 'minor',
  SEV4: 'minor',
};
export const PROVIDER_STATUS_BY_SEVERITY: Record<Severity, ComponentStatus> = {
  SEV1: 'major_outage',
  SEV2: 'partial_outage',
  SEV3: 'degraded_performance',
  SEV4: 'degraded_performance',
};

/** Display names people know, for provider and service IDs nobody named in `statusPage.componentNames`. */
const KNOWN_NAMES: Record<string, string> = {
  openai: 'OpenAI',
  anthropic: 'Anthropic',
  bedrock: 'AWS Bedrock',
  vertex: 'Google Vertex AI',
  gemini: 'Google Gemini',
  'azure-openai': 'Azure OpenAI',
  azure: 'Azure OpenAI',
  mistral: 'Mistral',
  cohere: 'Cohere',
  groq: 'Groq',
};

/** "support-bot" → "Support bot"; well-known provider IDs get their brand name. */
export function displayName(id: string, names: Record<string, string> = {}): string {
  if (names[id]) return names[id];
  if (KNOWN_NAMES[id]) return KNOWN_NAMES[id];
  const words = id.replace(/[-_.]+/g, ' ').trim();
  return words ? words[0].toUpperCase() + words.slice(1) : id;
}

/**
 * The public title: what a customer notices, never the internal alert text (raw probe strings, operator
 * titles). Picked from the kind of the first alert; declared incidents get the neutral wording.
 */
export function publicTitle(s: Pick<IncidentState, 'alerts'>, providerName: string): string {
  const kind = s.alerts.sample.find((a) => a.kind !== 'other')?.kind;
  switch (kind) {
    case 'latency':
      return `Slow responses from ${providerName}`;
    case 'rate_limit':
    case 'quota':
      return `Some requests to ${providerName} are being refused`;
    case 'outage':
    case 'error_rate':
    case 'auth':
    case 'model':
      return `Elevated errors from ${providerName}`;
    default:
      return `Degraded service from ${providerName}`;
  }
}

/** Traffic was moved off the provider before `at` (a real shift, not a skipped or emergency one). */
function trafficMovedOff(s: IncidentState, at: string): boolean {
  return s.routingChanges.some(
    (r) => r.at <= at && r.mode !== 'emergency' && (r.to[s.provider] ?? 0) < (r.from[s.provider] ?? 0),
  );
}

/**
 * Updates a reader cares about: each change of public status, each periodic status update, and each
 * operator update explicitly marked public. Internal notes and resolution notes never appear here.
 */
export function publicUpdates(s: IncidentState, providerName: string = displayName(s.provider)): PublicUpdate[] {
  const out: PublicUpdate[] = [];
  let last: PublicIncidentStatus | null = null;
  const publicNotes = s.notes.filter((n) => n.public === true);
  s.timeline.forEach((e, i) => {
    if (e.type === 'phase') {
      const status = publicStatusForPhase(e.phase, e.phase === 'resolved');
      if (status === last) return;
      last = status;
      out.push({ id: `${s.id}-${i}`, status, at: e.at, body: updateBody(status, s, providerName, e.at) });
    } else if (e.type === 'status_update' && last) {
      out.push({
        id: `${s.id}-${i}`,
        status: last,
        at: e.at,
        body: `We are continuing to work on the issue with ${providerName}. We will post another update as soon as we know more.`,
      });
    } else if (e.type === 'public_update') {
      const note = publicNotes.find((n) => n.at === e.at && n.text === e.message);
      if (note) out.push({ id: `${s.id}-${i}`, status: last ?? 'investigating', at: e.at, body: note.text });
    }
  });
  return out.reverse();
}

function updateBody(status: PublicIncidentStatus, s: IncidentState, name: string, at: string): string {
  switch (status) {
    case 'investigating':
      return `We are investigating errors from ${name}. Some requests may fail or be slower than usual.`;
    case 'identified':
      return `We have identified an issue with ${name} and are working on it.`;
    case 'monitoring':
      return trafficMovedOff(s, at)
        ? `Requests have been moved away from ${name} and service should be working again. We are monitoring ${name}'s recovery.`
        : `We are monitoring ${name} closely.`;
    case 'resolved':
      return 'This incident has been resolved.';
  }
}

export function toPublicIncident(s: IncidentState, components: ComponentDef[]): PublicIncident {
  const providerName =
    components.find((c) => c.kind === 'provider' && c.id === s.provider)?.name ?? displayName(s.provider);
  const updates = publicUpdates(s, providerName);
  const resolved = s.status === 'resolved';
  const monitoring = [...updates].reverse().find((u) => u.status === 'monitoring');
  return {
    id: s.id,
    name: publicTitle(s, providerName),
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
  return components
    .filter((c) => (c.kind === 'provider' ? c.id === s.provider : c.providers.includes(s.provider)))
    .map((c) => c.id);
}

export function isInMaintenance(w: MaintenanceWindow, at: string): boolean {
  return w.start <= at && at < w.end;
}

/**
 * Component status now: a provider takes the worst status its open incidents imply; a service follows
 * its providers, softened to degraded_performance when its traffic was failed over (it still works),
 * and major_outage when its chain is in emergency mode.
 */
export function componentStatuses(
  components: ComponentDef[],
  open: IncidentState[],
  maintenance: MaintenanceWindow[],
  now: string,
): PublicComponent[] {
  const providerStatus = new Map<string, ComponentStatus>();
  const serviceOverride = new Map<string, ComponentStatus>();
  for (const s of open) {
    if (s.status === 'resolved') continue;
    providerStatus.set(
      s.provider,
      worse(providerStatus.get(s.provider) ?? 'operational', PROVIDER_STATUS_BY_SEVERITY[s.severity]),
    );
    const latest = s.routingChanges[s.routingChanges.length - 1];
    if (latest) serviceOverride.set(s.provider, latest.mode === 'emergency' ? 'major_outage' : 'degraded_performance');
  }
  const maintained = new Set(maintenance.filter((w) => isInMaintenance(w, now)).flatMap((w) => w.components));
  return components.map((c, position) => {
    let status: ComponentStatus = 'operational';
    if (c.kind === 'provider') status = providerStatus.get(c.id) ?? 'operational';
    else
      for (const p of c.providers)
        status = worse(status, serviceOverride.get(p) ?? providerStatus.get(p) ?? 'operational');
    if (status === 'operational' && maintained.has(c.id)) status = 'under_maintenance';
    return { id: c.id, name: c.name, kind: c.kind, status, position: position + 1 };
  });
}

export function pageIndicator(
  components: PublicComponent[],
  unresolved: PublicIncident[],
): { indicator: Indicator; description: string } {
  const order: Impact[] = ['none', 'minor', 'major', 'critical'];
  const worst = unresolved.reduce<Impact>(
    (w, i) => (order.indexOf(i.impact) > order.indexOf(w) ? i.impact : w),
    'none',
  );
  const statuses = new Set(components.map((c) => c.status));
  if (worst === 'critical' || statuses.has('major_outage'))
    return { indicator: 'critical', description: 'Major System Outage' };
  if (worst === 'major' || statuses.has('partial_outage'))
    return { indicator: 'major', description: 'Partial System Outage' };
  if (worst === 'minor' || statuses.has('degraded_performance'))
    return { indicator: 'minor', description: 'Minor Service Outage' };
  if (statuses.has('under_maintenance')) return { indicator: 'maintenance', description: 'Service Under Maintenance' };
  return { indicator: 'none', description: 'All Systems Operational' };
}
