// Impact assessment: which services and how many users a provider failure touches, and how bad that is.
// Default rules follow the downtime guide: >3 services or >10,000 users is critical,
// >1 service or >1,000 users is high, >100 users is medium, anything else low.

export type ImpactLevel = 'critical' | 'high' | 'medium' | 'low';
export type Severity = 'SEV1' | 'SEV2' | 'SEV3' | 'SEV4';

export const SEVERITY_BY_LEVEL: Record<ImpactLevel, Severity> = {
  critical: 'SEV1',
  high: 'SEV2',
  medium: 'SEV3',
  low: 'SEV4',
};

export interface ImpactRules {
  critical: { minServices: number; minUsers: number };
  high: { minServices: number; minUsers: number };
  medium: { minUsers: number };
}

/** Thresholds are exclusive lower bounds ("more than"), as in the seed. */
export const DEFAULT_IMPACT_RULES: ImpactRules = {
  critical: { minServices: 3, minUsers: 10_000 },
  high: { minServices: 1, minUsers: 1_000 },
  medium: { minUsers: 100 },
};

/** How often a public/status update is due while an incident is open, by severity (the runbook's cadence). */
export const DEFAULT_STATUS_UPDATE_MS: Record<Severity, number> = {
  SEV1: 15 * 60_000,
  SEV2: 30 * 60_000,
  SEV3: 60 * 60_000,
  SEV4: 120 * 60_000,
};

export interface AffectedService {
  id: string;
  users: number;
  /**
   * Percent of the service's traffic the failing provider carries right now (its largest weight over
   * the service's chains). Absent = 100. A provider carrying none of a service's traffic does not touch
   * it; one carrying 30 % touches 30 % of its users.
   */
  share?: number;
}

export interface Impact {
  level: ImpactLevel;
  severity: Severity;
  affectedServices: string[];
  users: number;
  reason: string;
}

export function assessImpact(all: AffectedService[], rules: ImpactRules = DEFAULT_IMPACT_RULES): Impact {
  const weighed = all.filter((s) => s.share === undefined || s.share > 0);
  const services = weighed.map((s) => ({
    id: s.id,
    users: s.share === undefined ? s.users : Math.ceil((s.users * s.share) / 100),
  }));
  const untouched = all.filter((s) => s.share === 0).map((s) => s.id);
  const partial = weighed.filter((s) => s.share !== undefined && s.share < 100).map((s) => `${s.id} ${s.share}%`);
  const note = [
    untouched.length ? `no traffic share on ${untouched.join(', ')}` : '',
    partial.length ? `traffic share ${partial.join(', ')}` : '',
  ]
    .filter(Boolean)
    .join('; ');
  const impact = assessUsers(services, rules);
  return note ? { ...impact, reason: `${impact.reason} (${note})` } : impact;
}

/** Affected services in `services` once traffic shares are applied (for callers that list them). */
export function servicesWithShare(
  services: { id: string; users: number; chains: string[] }[],
  shareByChain: Record<string, number>,
): AffectedService[] {
  return services.map((s) => ({
    id: s.id,
    users: s.users,
    share: Math.max(0, ...s.chains.map((c) => shareByChain[c] ?? 0)),
  }));
}

function assessUsers(services: AffectedService[], rules: ImpactRules): Impact {
  const users = services.reduce((sum, s) => sum + s.users, 0);
  const count = services.length;
  const ids = services.map((s) => s.id);
  let level: ImpactLevel = 'low';
  let reason = `${count} service(s), ${users} user(s): below every threshold`;
  // The reason names only the conditions that actually held.
  const why = (minServices: number | null, minUsers: number) =>
    [
      minServices !== null && count > minServices ? `${count} services > ${minServices}` : null,
      users > minUsers ? `${users} users > ${minUsers}` : null,
    ]
      .filter(Boolean)
      .join(' and ');
  if (count > rules.critical.minServices || users > rules.critical.minUsers) {
    level = 'critical';
    reason = why(rules.critical.minServices, rules.critical.minUsers);
  } else if (count > rules.high.minServices || users > rules.high.minUsers) {
    level = 'high';
    reason = why(rules.high.minServices, rules.high.minUsers);
  } else if (users > rules.medium.minUsers) {
    level = 'medium';
    reason = `${users} users > ${rules.medium.minUsers}`;
  }
  return { level, severity: SEVERITY_BY_LEVEL[level], affectedServices: ids, users, reason };
}

/** Manual declarations may name a severity; map it back to the impact level for escalation. */
export function levelForSeverity(severity: Severity): ImpactLevel {
  const entry = Object.entries(SEVERITY_BY_LEVEL).find(([, s]) => s === severity);
  return (entry?.[0] ?? 'low') as ImpactLevel;
}

const LEVEL_RANK: Record<ImpactLevel, number> = { low: 0, medium: 1, high: 2, critical: 3 };

/**
 * Re-assessment when alerts name services beyond the ones the provider's chains reach: the union is
 * assessed again (users from the service catalog). Returns the new impact only when it is worse, with
 * the reason naming the services that changed the picture.
 */
export function reassessImpact(
  current: Impact,
  catalog: AffectedService[],
  reportedServices: string[],
  rules: ImpactRules = DEFAULT_IMPACT_RULES,
): Impact | null {
  const added = reportedServices.filter((s) => !current.affectedServices.includes(s));
  if (!added.length) return null;
  const ids = [...current.affectedServices, ...added];
  const services = ids.map((id) => catalog.find((s) => s.id === id) ?? { id, users: 0 });
  const next = assessImpact(services, rules);
  if (LEVEL_RANK[next.level] <= LEVEL_RANK[current.level]) {
    // More services but no worse a level: record the wider picture, never lower the severity.
    return { ...next, level: current.level, severity: current.severity, reason: `alerts named ${added.join(', ')}` };
  }
  return { ...next, reason: `alerts named ${added.join(', ')}: ${next.reason}` };
}

export function worseSeverity(a: Severity, b: Severity): Severity {
  return a < b ? a : b; // 'SEV1' < 'SEV2' < …
}
