// The postmortem's content, computed from the incident record and (when available) its Temporal
// history. Rendering (Markdown/HTML via templates) happens outside; this stays pure so the numbers are
// unit-testable and the same model backs every format.
import { RECOMMENDATIONS } from './classify';
import type { IncidentState } from './incident';
import { historyFacts, type HistoryJson } from './history';
import { failoverKpis } from './kpi';
import { actionItems, preventionPlan, type ActionItem, type PreventionPlan } from './prevention';

export interface ReportTimelineEntry {
  at: string;
  phase: string;
  type: string;
  message: string;
  actor?: string;
  source: 'record' | 'history';
}

export interface ReportModel {
  id: string;
  title: string;
  provider: string;
  severity: string;
  status: string;
  startedAt: string;
  resolvedAt?: string;
  resolvedBy?: string;
  resolution?: string;
  impact: { level: string; users: number; services: string[]; reason: string } | null;
  durations: { name: string; label: string; ms: number | null; text: string }[];
  alerts: { count: number; sources: string[] };
  rootCause: string;
  checks: { name: string; status: string; detail: string }[];
  recommendations: string[];
  routing: { chain: string; from: string; to: string; mode: string; at: string; reason: string }[];
  /** Times the provider failed again while traffic was failing back. */
  flaps: number;
  /** Failbacks with their outcome as last known (`detached`: still running under the chain's routing entity). */
  failbacks: { chain: string; shiftId: string; outcome: string; detail?: string }[];
  acknowledgements: { by: string; at: string }[];
  notes: { by: string; text: string; at: string }[];
  timeline: ReportTimelineEntry[];
  statusUpdates: number;
  summary: string;
  severityChanges: { at: string; message: string }[];
  kpis: { name: string; label: string; target: string; value: string; ms: number | null; targetMs: number; verdict: string }[];
  evidence: string[];
  prevention: PreventionPlan;
  actionItems: ActionItem[];
  /** Number of history events the report was enriched with (0: built from the record alone). */
  historyEvents: number;
}

const between = (a?: string, b?: string): number | null => (a && b ? Math.max(0, Date.parse(b) - Date.parse(a)) : null);

export function formatDuration(ms: number | null): string {
  if (ms === null) return 'n/a';
  if (ms < 1000) return `${ms} ms`;
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 120) return s % 60 ? `${m} min ${s % 60} s` : `${m} min`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

const weightsText = (w: Record<string, number>) =>
  Object.entries(w).map(([p, v]) => `${p} ${v}%`).join(', ') || 'none';

/** The record's timeline and the history's facts, in time order (record first on equal times). */
function mergedTimeline(s: IncidentState, history?: HistoryJson): ReportTimelineEntry[] {
  const record: ReportTimelineEntry[] = s.timeline.map((e) => ({ ...e, source: 'record' }));
  const facts: ReportTimelineEntry[] = history
    ? historyFacts(history).map((f) => ({ at: f.at, phase: '', type: f.kind, message: f.message, source: 'history' }))
    : [];
  return [...record, ...facts]
    .map((e, i) => ({ e, i }))
    .sort((a, b) => (a.e.at < b.e.at ? -1 : a.e.at > b.e.at ? 1 : a.i - b.i))
    .map(({ e }) => e);
}

function evidenceOf(s: IncidentState): string[] {
  const kinds = new Map<string, number>();
  for (const a of s.alerts.sample) kinds.set(a.kind, (kinds.get(a.kind) ?? 0) + 1);
  const out = [`${s.alerts.count} alert(s); sampled kinds: ${[...kinds].map(([k, n]) => `${k} ×${n}`).join(', ') || 'none'}`];
  if (s.alerts.sample[0]) out.push(`first alert ${s.alerts.sample[0].observedAt} from ${s.alerts.sample[0].source}: ${s.alerts.sample[0].summary}`);
  for (const c of s.diagnosis?.checks ?? []) {
    const ev = Object.entries(c.evidence ?? {}).map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`).join(', ');
    out.push(`${c.name} ${c.status}: ${c.detail}${ev ? ` (${ev.slice(0, 300)})` : ''}`);
  }
  return out;
}

/** MTTD / MTTA / MTTM / MTTR of one incident (null where it never reached that moment); reports and metrics. */
export function incidentDurations(s: IncidentState): { name: 'mttd' | 'mtta' | 'mttm' | 'mttr'; label: string; ms: number | null }[] {
  return [
    { name: 'mttd', label: 'Time to detect (fault → detected)', ms: between(s.faultAt, s.detectedAt) },
    { name: 'mtta', label: 'Time to acknowledge', ms: between(s.detectedAt, s.acknowledgedAt) },
    { name: 'mttm', label: 'Time to mitigate (→ traffic switched)', ms: between(s.detectedAt, s.mitigatedAt) },
    { name: 'mttr', label: 'Time to resolve', ms: between(s.detectedAt, s.resolvedAt) },
  ];
}

export function buildReportModel(s: IncidentState, history?: HistoryJson): ReportModel {
  const durations = incidentDurations(s).map((d) => ({ ...d, text: formatDuration(d.ms) }));
  const rootCause = s.diagnosis?.rootCause ?? 'unknown';
  const kpis = failoverKpis(s);
  const users = s.impact ? `, affecting ${s.impact.users} users across ${s.impact.affectedServices.length} service(s)` : '';
  const summary =
    `${s.provider} failed${users}. Detected ${s.detectedAt}, ${s.status === 'resolved' ? `resolved ${s.resolvedAt} (${s.resolution ?? 'no note'})` : `still ${s.phase}`}. ` +
    `Root cause as diagnosed: ${rootCause}. ${s.alerts.count} alert(s), ${s.routingChanges.length} traffic change(s), ${s.statusUpdates} status update(s); ` +
    `failover KPIs: ${kpis.filter((k) => k.verdict === 'met').length} met, ${kpis.filter((k) => k.verdict === 'missed').length} missed.` +
    (s.flaps ? ` ${s.provider} failed again ${s.flaps} time(s) while traffic was failing back.` : '') +
    (s.failbacks?.length ? ` Failback: ${s.failbacks.map((f) => `${f.chain} ${f.outcome}`).join(', ')}.` : '');
  return {
    id: s.id,
    title: s.title,
    provider: s.provider,
    severity: s.severity,
    status: s.status,
    startedAt: s.startedAt,
    resolvedAt: s.resolvedAt,
    resolvedBy: s.resolvedBy,
    resolution: s.resolution,
    impact: s.impact
      ? { level: s.impact.level, users: s.impact.users, services: s.impact.affectedServices, reason: s.impact.reason }
      : null,
    durations,
    alerts: { count: s.alerts.count, sources: [...new Set(s.alerts.sample.map((a) => a.source))] },
    rootCause,
    checks: (s.diagnosis?.checks ?? []).map((c) => ({ name: c.name, status: c.status, detail: c.detail })),
    recommendations: s.diagnosis?.recommendations ?? RECOMMENDATIONS[rootCause],
    routing: s.routingChanges.map((r) => ({
      chain: r.chain, from: weightsText(r.from), to: weightsText(r.to), mode: r.mode, at: r.at, reason: r.reason,
    })),
    flaps: s.flaps ?? 0,
    failbacks: (s.failbacks ?? []).map((f) => ({ chain: f.chain, shiftId: f.shiftId, outcome: f.outcome, ...(f.detail ? { detail: f.detail } : {}) })),
    acknowledgements: s.acknowledgements,
    notes: s.notes,
    timeline: mergedTimeline(s, history),
    statusUpdates: s.statusUpdates,
    summary,
    severityChanges: s.timeline.filter((e) => e.type === 'severity').map((e) => ({ at: e.at, message: e.message })),
    kpis: kpis.map((k) => ({ ...k, target: `< ${formatDuration(k.targetMs)}`, value: formatDuration(k.ms) })),
    evidence: evidenceOf(s),
    prevention: preventionPlan(rootCause, s.severity, kpis),
    actionItems: actionItems(s, kpis),
    historyEvents: history?.events?.length ?? 0,
  };
}
