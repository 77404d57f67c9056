// Merging and filtering incident listings: open incidents come from Temporal visibility, closed ones
// from the archive (and from visibility while not archived yet). Pure, so the rules are unit-tested.

export interface IncidentListItem {
  id: string;
  provider: string;
  title: string;
  severity: string | null;
  phase: string | null;
  status: string;
  startedAt: string;
  resolvedAt: string | null;
}

export interface IncidentFilter {
  status?: 'open' | 'resolved' | 'all';
  provider?: string;
  severity?: string;
  /** Incidents that started at or after this instant (ISO 8601). */
  since?: string;
  /** Incidents that started at or before this instant (ISO 8601). */
  until?: string;
  limit?: number;
}

export function matchesFilter(i: IncidentListItem, f: IncidentFilter): boolean {
  if (f.status === 'open' && i.status !== 'open') return false;
  if (f.status === 'resolved' && i.status === 'open') return false;
  if (f.provider && i.provider !== f.provider) return false;
  if (f.severity && i.severity !== f.severity) return false;
  const t = Date.parse(i.startedAt);
  if (f.since && t < Date.parse(f.since)) return false;
  if (f.until && t > Date.parse(f.until)) return false;
  return true;
}

/**
 * One list, newest first, one row per incident ID. The archive's row wins over visibility's for a closed
 * incident (it holds the final record); an open row from visibility wins over everything (it is live).
 */
export function mergeIncidentLists(
  visibility: IncidentListItem[],
  archived: IncidentListItem[],
  f: IncidentFilter = {},
): IncidentListItem[] {
  const byId = new Map<string, IncidentListItem>();
  for (const a of archived) byId.set(a.id, a);
  for (const v of visibility) {
    if (v.status === 'open' || !byId.has(v.id)) byId.set(v.id, v);
  }
  return [...byId.values()]
    .filter((i) => matchesFilter(i, f))
    .sort((a, b) => (a.startedAt < b.startedAt ? 1 : a.startedAt > b.startedAt ? -1 : a.id.localeCompare(b.id)))
    .slice(0, f.limit ?? 200);
}
