// Failover KPIs against the runbook's targets (detection < 30 s, failover execution < 60 s, service
// restoration < 120 s, total recovery < 300 s). "n/a" when the incident never reached the moment a KPI
// ends at (no traffic was moved, not yet resolved) or when it does not apply (a person declared the
// incident: no fault time was measured, so detection and restoration from the fault mean nothing) —
// never a made-up zero.
import type { IncidentState } from './incident';

export const FAILOVER_TARGETS_MS = {
  detection: 30_000,
  failover: 60_000,
  restoration: 120_000,
  total: 300_000,
} as const;

export interface Kpi {
  name: keyof typeof FAILOVER_TARGETS_MS;
  label: string;
  targetMs: number;
  ms: number | null;
  verdict: 'met' | 'missed' | 'n/a';
}

const span = (a?: string, b?: string): number | null => (a && b ? Math.max(0, Date.parse(b) - Date.parse(a)) : null);

/** When the workflow started moving traffic: the 'recovering' phase entry of the timeline. */
export function failoverStartedAt(s: IncidentState): string | undefined {
  return s.timeline.find((e) => e.type === 'phase' && e.phase === 'recovering')?.at;
}

export function failoverKpis(s: IncidentState): Kpi[] {
  const rows: [Kpi['name'], string, number | null][] = [
    ['detection', 'Detection (fault → detected)', span(s.faultAt, s.detectedAt)],
    ['failover', 'Failover execution (failover started → traffic switched)', span(failoverStartedAt(s), s.mitigatedAt)],
    ['restoration', 'Service restoration (fault → traffic on backup)', span(s.faultAt, s.mitigatedAt)],
    ['total', 'Total recovery (fault → resolved)', span(s.faultAt, s.resolvedAt)],
  ];
  const declared = isDeclared(s);
  return rows.map(([name, label, ms]) => {
    const targetMs = FAILOVER_TARGETS_MS[name];
    const applies = !(declared && (name === 'detection' || name === 'restoration' || name === 'total'));
    return { name, label, targetMs, ms, verdict: ms === null || !applies ? 'n/a' : ms < targetMs ? 'met' : 'missed' };
  });
}

/** Opened by a person (API, CLI or Slack `declare`) rather than by a detector. */
export function isDeclared(s: IncidentState): boolean {
  const opened = s.timeline.find((e) => e.type === 'phase' && e.phase === 'detected');
  if (opened && /\(declared by [^)]+\)$/.test(opened.message)) return true;
  const first = s.alerts.sample[0];
  return !!first && first.kind === 'other' && /^(declared by |slack:)/.test(first.source);
}
