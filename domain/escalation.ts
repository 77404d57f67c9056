// Escalation levels: level1 pages the technical lead; level2 adds the incident commander and
// communications; level3 adds business impact and the executive. The starting level follows impact.
import type { ImpactLevel } from './impact';

export type EscalationLevel = 1 | 2 | 3;

export const DEFAULT_ESCALATION_LEVELS: Record<EscalationLevel, string[]> = {
  1: ['technical_lead'],
  2: ['technical_lead', 'incident_commander', 'communications'],
  3: ['technical_lead', 'incident_commander', 'communications', 'business_impact', 'executive'],
};

export function startingLevel(level: ImpactLevel): EscalationLevel {
  if (level === 'critical') return 3;
  if (level === 'high') return 2;
  return 1;
}

export function nextLevel(level: EscalationLevel): EscalationLevel {
  return level >= 3 ? 3 : ((level + 1) as EscalationLevel);
}

/** Roles paged at a level, given the configured levels (falls back to the seed's). */
export function rolesForLevel(
  level: EscalationLevel,
  levels: Partial<Record<EscalationLevel, string[]>> = DEFAULT_ESCALATION_LEVELS,
): string[] {
  return levels[level] ?? DEFAULT_ESCALATION_LEVELS[level];
}
