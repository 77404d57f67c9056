// The postmortem's content, computed from the incident record and (when available) its Temporal
// history. Rendering (Markdown/HTML via templates) happens outside; this stays pure so the numbers are
// unit-testable and the same model backs every format.
import { RECOMMENDATIONS } from './classify';
import type { IncidentState, RoutingChange } from './incident';
import { historyFacts, type HistoryJson } from './history';
import { failoverKpis, isDeclared } from './kpi';
import { actionItems, preventionPlan, type ActionItem, type PreventionPlan } from './prevention';
import { timelineChart, type TimelineChart } from './timeline-chart';
import type { MinuteCounts } from './outcome-window';
import { userImpact, type UserImpact } from './user-impact';

/** A weight change of a chain as the routing entity recorded it (automatic, operator or Slack). */
export interface RouteChangeInput {
  chain: string;
  version: number;
  at: string;
  from: Record<string, number>;
  to: Record<string, number>;
  mode: string;
  reason: string;
  by: string;
}

/**
 * Timeline entries that record machinery rather than what happened to the incident: kept, but in the
 * appendix, so the timeline reads as a story (detected, paged, diagnosed, traffic moved, acknowledged…).
 */
const MACHINERY = new Set([
  'notified',
  'status_published',
  'archive',
  'continued',
  'alerts',
  'status_update',
  'report',
  'shift_waiting',
]);

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
  /** Every route change of the incident's chains in its window, with who made it and why. */
  routing: {
    chain: string;
    from: string;
    to: string;
    mode: string;
    at: string;
    reason: string;
    by: string;
    version?: number;
  }[];
  /** Times the provider failed again while traffic was failing back. */
  flaps: number;
  /** Failbacks with their outcome as last known (`detached`: still running under the chain's routing entity). */
  failbacks: { chain: string; shiftId: string; outcome: string; detail?: string }[];
  acknowledgements: { by: string; at: string }[];
  notes: { by: string; text: string; at: string }[];
  /** What happened, for people. */
  timeline: ReportTimelineEntry[];
  /** Delivery, archive and Temporal activity records: kept for the curious, out of the way. */
  appendix: ReportTimelineEntry[];
  statusUpdates: number;
  /** The incident is still open: this is a draft. */
  draft: boolean;
  /** Declared by a person: there is no measured fault-to-detection time. */
  declared: boolean;
  /** The route now (after the last change in the window), per chain: "openai 100%". */
  currentRoutes: { chain: string; weights: string; mode: string }[];
  summary: string;
  severityChanges: { at: string; message: string }[];
  kpis: {
    name: string;
    label: string;
    target: string;
    value: string;
    ms: number | null;
    targetMs: number;
    verdict: string;
  }[];
  evidence: string[];
  prevention: PreventionPlan;
  actionItems: ActionItem[];
  /** Number of history events the report was enriched with (0: built from the record alone). */
  historyEvents: number;
  /** The timeline chart's data (drawn as SVG by domain/timeline-svg.ts in the HTML report, archive and API). */
  chart: TimelineChart;
  /** The error budget this incident spent, per SLO covering its provider (empty without SLOs). */
  sloBudget: { id: string; spent: string; remaining: string }[];
  /** What users saw, from the outcomes apps reported (domain/user-impact.ts); `available: false` without any. */
  userImpact: UserImpact;
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
  Object.entries(w)
    .map(([p, v]) => `${p} ${v}%`)
    .join(', ') || 'none';

/** The record's timeline and the history's facts, in time order (record first on equal times). */
function mergedTimeline(s: IncidentState, history?: HistoryJson): ReportTimelineEntry[] {
  // Older runs recorded where the report was written on disk: a local path is nobody's business here.
  const record: ReportTimelineEntry[] = s.timeline.map((e) => ({
    ...e,
    ...(e.type === 'report' ? { message: 'postmortem written' } : {}),
    source: 'record',
  }));
  const facts: ReportTimelineEntry[] = history
    ? historyFacts(history).map((f) => ({ at: f.at, phase: '', type: f.kind, message: f.message, source: 'history' }))
    : [];
  return [...record, ...facts]
    .map((e, i) => ({ e, i }))
    .sort((a, b) => (a.e.at < b.e.at ? -1 : a.e.at > b.e.at ? 1 : a.i - b.i))
    .map(({ e }) => e);
}

const isMachinery = (e: ReportTimelineEntry) => e.source === 'history' || MACHINERY.has(e.type);

/** The incident's own routing record as change entries (by lifeline unless an operator is named). */
function fromRecord(changes: RoutingChange[]): RouteChangeInput[] {
  return changes.map((r) => ({
    chain: r.chain,
    version: r.version,
    at: r.at,
    from: r.from,
    to: r.to,
    mode: r.mode,
    reason: r.reason,
    by: /requested by (\S+)/.exec(r.reason)?.[1] ?? 'lifeline',
  }));
}

function evidenceOf(s: IncidentState): string[] {
  const kinds = new Map<string, number>();
  for (const a of s.alerts.sample) kinds.set(a.kind, (kinds.get(a.kind) ?? 0) + 1);
  const out = [
    `${s.alerts.count} alert(s); sampled kinds: ${[...kinds].map(([k, n]) => `${k} ×${n}`).join(', ') || 'none'}`,
  ];
  if (s.alerts.sample[0])
    out.push(
      `first alert ${s.alerts.sample[0].observedAt} from ${s.alerts.sample[0].source}: ${s.alerts.sample[0].summary}`,
    );
  for (const c of s.diagnosis?.checks ?? []) {
    const ev = Object.entries(c.evidence ?? {})
      .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
      .join(', ');
    out.push(`${c.name} ${c.status}: ${c.detail}${ev ? ` (${ev.slice(0, 300)})` : ''}`);
  }
  return out;
}

/** MTTD / MTTA / MTTM / MTTR of one incident (null where it never reached that moment); reports and metrics. */
export function incidentDurations(
  s: IncidentState,
): { name: 'mttd' | 'mtta' | 'mttm' | 'mttr'; label: string; ms: number | null }[] {
  return [
    { name: 'mttd', label: 'Time to detect (fault → detected)', ms: between(s.faultAt, s.detectedAt) },
    { name: 'mtta', label: 'Time to acknowledge', ms: between(s.detectedAt, s.acknowledgedAt) },
    { name: 'mttm', label: 'Time to mitigate (→ traffic switched)', ms: between(s.detectedAt, s.mitigatedAt) },
    { name: 'mttr', label: 'Time to resolve', ms: between(s.detectedAt, s.resolvedAt) },
  ];
}

export function buildReportModel(
  s: IncidentState,
  history?: HistoryJson,
  opts: {
    routeChanges?: RouteChangeInput[];
    /** Per-minute outcome aggregates of the incident's chains (client/outcomes.ts); none: "n/a". */
    outcomeMinutes?: MinuteCounts[];
    /** The end of an open incident's window (default: its last timeline entry). */
    now?: string;
    /** The error budget each SLO covering the provider lost in the incident's window (client/slos.ts). */
    sloBudget?: { id: string; spent: number; remaining: number }[];
  } = {},
): ReportModel {
  const declared = isDeclared(s);
  const durations = incidentDurations(s).map((d) => {
    // A person declared it: nothing measured when the fault began, so there is no time to detect.
    const ms = declared && d.name === 'mttd' ? null : d.ms;
    return { ...d, ms, text: declared && d.name === 'mttd' ? 'n/a (declared)' : formatDuration(ms) };
  });
  const rootCause = s.diagnosis?.rootCause ?? 'unknown';
  const kpis = failoverKpis(s);
  // The routing entity's log covers operator and Slack changes too; the record is the fallback.
  const changes = opts.routeChanges ?? fromRecord(s.routingChanges);
  const lastByChain = new Map(changes.map((r) => [r.chain, r]));
  const currentRoutes = [...lastByChain.values()].map((r) => ({
    chain: r.chain,
    weights: weightsText(r.to),
    mode: r.mode,
  }));
  const draft = s.status !== 'resolved';
  const users = s.impact
    ? s.impact.users
      ? `, affecting about ${s.impact.users} users of ${s.impact.affectedServices.length} service(s)`
      : ', affecting no users (it carried no traffic)'
    : '';
  const how = declared ? 'Declared' : 'Detected';
  const moved = changes.length ? `${changes.length} route change(s)` : 'no route changes';
  const applicable = kpis.filter((k) => k.verdict !== 'n/a');
  const summary =
    `${s.provider} ${rootCause === 'unknown' ? 'had problems' : `failed (${rootCause.replace(/_/g, ' ')})`}${users}. ${how} ${s.detectedAt}; ` +
    `${s.status === 'resolved' ? `resolved ${s.resolvedAt}${s.resolvedBy ? ` by ${s.resolvedBy}` : ''}` : `still open (${s.phase})`}. ` +
    `${s.alerts.count} alert(s), ${moved}, ${s.statusUpdates} status update(s)` +
    (applicable.length
      ? `; failover targets: ${applicable.filter((k) => k.verdict === 'met').length} met, ${applicable.filter((k) => k.verdict === 'missed').length} missed.`
      : '.') +
    (s.flaps ? ` ${s.provider} failed again ${s.flaps} time(s) while traffic was failing back.` : '') +
    (s.failbacks?.length ? ` Failback: ${s.failbacks.map((f) => `${f.chain} ${f.outcome}`).join(', ')}.` : '');
  const timeline = mergedTimeline(s, history);
  const impactFrom = s.faultAt && s.faultAt < s.startedAt ? s.faultAt : s.startedAt;
  const impactTo = s.resolvedAt ?? opts.now ?? s.timeline[s.timeline.length - 1]?.at ?? s.startedAt;
  const seen = userImpact(opts.outcomeMinutes ?? [], impactFrom, impactTo);
  const kpiRows = kpis.map((k) => ({
    ...k,
    target: `< ${formatDuration(k.targetMs)}`,
    value: k.verdict === 'n/a' && k.ms !== null ? 'n/a' : formatDuration(k.ms),
  }));
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
    routing: changes.map((r) => ({
      chain: r.chain,
      from: weightsText(r.from),
      to: weightsText(r.to),
      mode: r.mode,
      at: r.at,
      reason: r.reason,
      by: r.by,
      version: r.version,
    })),
    flaps: s.flaps ?? 0,
    failbacks: (s.failbacks ?? []).map((f) => ({
      chain: f.chain,
      shiftId: f.shiftId,
      outcome: f.outcome,
      ...(f.detail ? { detail: f.detail } : {}),
    })),
    acknowledgements: s.acknowledgements,
    notes: s.notes,
    timeline: timeline.filter((e) => !isMachinery(e)),
    appendix: timeline.filter(isMachinery),
    statusUpdates: s.statusUpdates,
    summary: summary + (seen.available ? ` Users: ${seen.text}.` : ''),
    severityChanges: s.timeline.filter((e) => e.type === 'severity').map((e) => ({ at: e.at, message: e.message })),
    kpis: kpiRows,
    evidence: evidenceOf(s),
    prevention: preventionPlan(rootCause, s.severity, kpis),
    actionItems: actionItems(s, kpis, changes),
    historyEvents: history?.events?.length ?? 0,
    draft,
    declared,
    currentRoutes,
    chart: timelineChart(s, changes, kpiRows),
    userImpact: seen,
    sloBudget: (opts.sloBudget ?? []).map((b) => ({
      id: b.id,
      spent: `${(b.spent * 100).toFixed(1)}%`,
      remaining: `${(b.remaining * 100).toFixed(1)}%`,
    })),
  };
}
