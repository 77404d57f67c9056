// Upstream status pages as corroboration (PROVIDERS.md): Atlassian Statuspage v2 `summary.json`
// (Anthropic, OpenAI) and Google Cloud's `incidents.json` (a flat array; open incidents lack `end`).
// Pure parsing into one shape, plus the decision of what to tell our incident when it changes.

export type UpstreamLevel = 'none' | 'minor' | 'major' | 'critical' | 'maintenance';

export interface UpstreamStatus {
  level: UpstreamLevel;
  description: string;
  /** Components not operational: "name: status". */
  components: string[];
  /** Unresolved upstream incidents: "name (status, impact)". */
  incidents: string[];
  /** Stable across polls while nothing changes: the dedup key of the corroborating alert. */
  fingerprint: string;
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const arr = (v: unknown): Obj[] => (Array.isArray(v) ? v.map(obj) : []);
const str = (v: unknown) => (typeof v === 'string' ? v : '');

const LEVELS: UpstreamLevel[] = ['none', 'minor', 'major', 'critical'];
const COMPONENT_LEVEL: Record<string, UpstreamLevel> = {
  degraded_performance: 'minor',
  partial_outage: 'major',
  major_outage: 'critical',
  under_maintenance: 'maintenance',
};

function finish(level: UpstreamLevel, description: string, components: string[], incidents: string[]): UpstreamStatus {
  return { level, description, components, incidents, fingerprint: [level, ...components, ...incidents].join('|') };
}

/** Statuspage v2 summary.json; `only` narrows to components whose name contains one of these words. */
export function parseStatuspageSummary(body: unknown, only: string[] = []): UpstreamStatus {
  const b = obj(body);
  const status = obj(b.status);
  const wanted = (name: string) => !only.length || only.some((w) => name.toLowerCase().includes(w.toLowerCase()));
  const components = arr(b.components)
    .filter((c) => !c.group && str(c.status) && str(c.status) !== 'operational' && wanted(str(c.name)))
    .map((c) => `${str(c.name)}: ${str(c.status)}`);
  const incidents = arr(b.incidents)
    .filter((i) => !['resolved', 'postmortem'].includes(str(i.status)))
    .map((i) => `${str(i.name)} (${str(i.status)}, ${str(i.impact) || 'none'})`);
  let level = (LEVELS as string[]).includes(str(status.indicator)) ? (str(status.indicator) as UpstreamLevel) : 'none';
  // With a component filter, the page-wide indicator may be about other products: use the components.
  if (only.length) {
    const worst = arr(b.components)
      .filter((c) => wanted(str(c.name)))
      .map((c) => COMPONENT_LEVEL[str(c.status)] ?? 'none')
      .filter((l) => l !== 'maintenance')
      .reduce<UpstreamLevel>((a, l) => (LEVELS.indexOf(l) > LEVELS.indexOf(a) ? l : a), 'none');
    level = worst;
  }
  if (level === 'none' && arr(b.scheduled_maintenances).some((m) => str(m.status) === 'in_progress'))
    level = 'maintenance';
  return finish(level, str(status.description) || 'unknown', components, incidents);
}

/** Google Cloud incidents.json: open incidents (no `end`) affecting a product whose title matches. */
export function parseGoogleIncidents(body: unknown, products: string[] = ['Vertex', 'Gemini']): UpstreamStatus {
  const open = arr(body).filter((i) => !i.end);
  const relevant = open.filter((i) => {
    const names = [
      ...arr(i.affected_products).map((p) => str(p.title)),
      str(obj(i.service_name ?? {}).title),
      str(i.service_name),
    ];
    return names.some((n) => products.some((w) => n.toLowerCase().includes(w.toLowerCase())));
  });
  const sev = (i: Obj): UpstreamLevel =>
    str(i.severity) === 'high' ? 'critical' : str(i.severity) === 'medium' ? 'major' : 'minor';
  const level = relevant
    .map(sev)
    .reduce<UpstreamLevel>((a, l) => (LEVELS.indexOf(l) > LEVELS.indexOf(a) ? l : a), 'none');
  const incidents = relevant.map(
    (i) =>
      `${str(i.external_desc).slice(0, 200)} (${str(i.status_impact) || 'unknown'}, ${str(i.severity) || 'unknown'})`,
  );
  return finish(level, relevant.length ? `${relevant.length} open incident(s)` : 'No open incidents', [], incidents);
}

export const isDegraded = (s: UpstreamStatus) => s.level !== 'none' && s.level !== 'maintenance';

/**
 * What to tell lifeline after a poll: `report` a (new) degradation, `clear` a reported one that ended,
 * or nothing. A degradation that found no incident to attach to is reported again on the next poll.
 */
export function statusPageAction(
  prev: { fingerprint?: string; attached: boolean } | undefined,
  now: UpstreamStatus,
): 'report' | 'clear' | 'none' {
  if (isDegraded(now)) return !prev?.attached || prev.fingerprint !== now.fingerprint ? 'report' : 'none';
  return prev?.attached ? 'clear' : 'none';
}
