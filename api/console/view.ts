// The console's HTML: view models from what the public API returns, rendered through render/ with
// HTML escaping (incident titles, alert summaries and notes come from alerts and people: untrusted).
import { join } from 'node:path';
import { BUNDLED_TEMPLATES_DIR } from '../../render/bundled';
import { compileFile } from '../../render/engine';
import type { IncidentState } from '../../domain/incident';
import type { IncidentListItem } from '../../domain/incident-list';
import type { Principal } from '../auth';

const template = (name: string) => compileFile(join(BUNDLED_TEMPLATES_DIR, 'console', name), true);

export interface Viewer {
  name: string;
  scopes: string;
  canOperate: boolean;
}

export const viewerOf = (p: Principal): Viewer => ({
  name: p.name,
  scopes: p.scopes.join(', '),
  canOperate: p.scopes.includes('operate') || p.scopes.includes('admin'),
});

/** "2026-11-30 13:05:07 UTC": seconds matter while an incident runs. */
export const when = (iso: string | undefined | null) => (iso ? `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC` : '');

/** The page around every view: it holds no data, so it needs no token (the script fetches `fragment`). */
export function renderShell(opts: { title: string; fragment: string }): string {
  return template('shell.html.hbs')(opts);
}

export interface ListFilter {
  status: 'open' | 'resolved' | 'all';
  provider?: string;
  severity?: string;
}

const options = (values: string[], selected: string | undefined, anyLabel?: string) => [
  ...(anyLabel ? [{ value: '', label: anyLabel, selected: !selected }] : []),
  ...values.map((v) => ({ value: v, label: v, selected: v === selected })),
];

export function renderList(opts: {
  viewer: Viewer;
  filter: ListFilter;
  providers: string[];
  incidents: IncidentListItem[];
  error?: string;
}): string {
  const { filter } = opts;
  return template('list.html.hbs')({
    who: opts.viewer,
    statuses: [
      { value: 'open', label: 'open' },
      { value: 'resolved', label: 'resolved' },
      { value: 'all', label: 'all' },
    ].map((s) => ({ ...s, selected: s.value === filter.status })),
    providers: options(opts.providers, filter.provider, 'any provider'),
    severities: options(['SEV1', 'SEV2', 'SEV3', 'SEV4'], filter.severity, 'any severity'),
    incidents: opts.incidents.map((i) => ({
      id: i.id,
      title: i.title,
      provider: i.provider,
      severity: i.severity ?? '',
      status: i.status,
      phase: i.phase ?? '',
      startedAt: i.startedAt,
      started: when(i.startedAt),
      href: `/console/incidents/${encodeURIComponent(i.id)}`,
    })),
    one: opts.incidents.length === 1,
    error: opts.error ?? null,
  });
}

export function renderDetail(opts: { viewer: Viewer; incident: IncidentState }): string {
  const s = opts.incident;
  const id = encodeURIComponent(s.id);
  const facts = [
    ['Started', s.startedAt],
    ['Acknowledged', s.acknowledgedAt],
    ['Mitigated', s.mitigatedAt],
    ['Recovered', s.recoveredAt],
    ['Resolved', s.resolvedAt],
  ]
    .filter(([, v]) => v)
    .map(([label, v]) => ({ label, value: when(v) }));
  if (s.resolvedBy) facts.push({ label: 'Resolved by', value: s.resolvedBy });
  if (s.acknowledgements.length)
    facts.push({ label: 'Acknowledged by', value: s.acknowledgements.map((a) => a.by).join(', ') });
  const d = s.diagnosis;
  return template('detail.html.hbs')({
    who: opts.viewer,
    id: s.id,
    title: s.title,
    status: s.status,
    phase: s.phase,
    severity: s.severity,
    provider: s.provider,
    escalationLevel: s.escalationLevel,
    open: s.status === 'open',
    acknowledged: s.acknowledgements.length > 0 || !!s.acknowledgedAt,
    facts,
    chartUrl: `/v1/incidents/${id}/timeline.svg`,
    reportUrl: `/v1/incidents/${id}/report`,
    // Newest first: during an incident the latest step is what people look for.
    timeline: [...s.timeline].reverse().map((t) => ({
      at: t.at,
      time: when(t.at),
      type: t.type.replace(/_/g, ' '),
      message: t.message,
      actor: t.actor ?? null,
    })),
    alerts: {
      count: s.alerts.count,
      shown: s.alerts.count > s.alerts.sample.length ? s.alerts.sample.length : 0,
      sample: s.alerts.sample.map((a) => ({
        observedAt: a.observedAt,
        time: when(a.observedAt),
        kind: a.kind,
        severity: a.severity ?? '',
        summary: a.summary,
        source: a.source,
      })),
    },
    diagnosis: d
      ? {
          rootCause: d.rootCause,
          evidence: d.evidence ?? [],
          checks: d.checks.map((c) => ({ name: c.name, status: c.status, detail: c.detail })),
          recommendations: d.recommendations,
        }
      : null,
  });
}

/** A fragment that says what went wrong (an unknown incident, an API error) in words. */
export function renderProblem(viewer: Viewer | null, heading: string, message: string): string {
  return template('problem.html.hbs')({ who: viewer, heading, message });
}
