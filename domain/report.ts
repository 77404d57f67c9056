// The postmortem's content, computed from the incident record. Rendering (Markdown via a template)
// happens in activities; this stays pure so the numbers are unit-testable.
import { RECOMMENDATIONS } from './classify';
import type { IncidentState } from './incident';

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
  acknowledgements: { by: string; at: string }[];
  notes: { by: string; text: string; at: string }[];
  timeline: { at: string; phase: string; type: string; message: string; actor?: string }[];
  statusUpdates: number;
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

export function buildReportModel(s: IncidentState): ReportModel {
  const durations = [
    { name: 'mttd', label: 'Time to detect (fault → detected)', ms: between(s.faultAt, s.detectedAt) },
    { name: 'mtta', label: 'Time to acknowledge', ms: between(s.detectedAt, s.acknowledgedAt) },
    { name: 'mttm', label: 'Time to mitigate (→ traffic switched)', ms: between(s.detectedAt, s.mitigatedAt) },
    { name: 'mttr', label: 'Time to resolve', ms: between(s.detectedAt, s.resolvedAt) },
  ].map((d) => ({ ...d, text: formatDuration(d.ms) }));
  const rootCause = s.diagnosis?.rootCause ?? 'unknown';
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
    acknowledgements: s.acknowledgements,
    notes: s.notes,
    timeline: s.timeline,
    statusUpdates: s.statusUpdates,
  };
}
