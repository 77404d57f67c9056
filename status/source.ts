// Where the status page's incidents come from: Temporal visibility for the runs of the last
// `historyDays`, each run's recorded state via its query, plus the incident archive for closed incidents
// Temporal no longer has (a retention shorter than the page's history, or a re-created namespace). Closed runs never change, so their state is
// cached for the life of the process; the whole snapshot is cached briefly so a busy page or a JSON
// poller costs one round of queries every few seconds, not one per request.
import type { Client } from '@temporalio/client';
import type { LifelineConfig } from '../config/schema';
import type { IncidentState } from '../domain/incident';
import { incidentStateQuery } from '../workflows/messages';
import type { ArchiveStore } from '../client/archive-store';

const SNAPSHOT_TTL_MS = 3000;
const CONCURRENCY = 8;

export interface IncidentSource {
  incidents(): Promise<IncidentState[]>;
}

export function temporalIncidentSource(
  client: Client,
  config: LifelineConfig,
  now: () => Date = () => new Date(),
  archive?: ArchiveStore,
): IncidentSource {
  const closed = new Map<string, IncidentState>();
  let snapshot: { at: number; value: Promise<IncidentState[]> } | null = null;

  async function load(): Promise<IncidentState[]> {
    const since = new Date(now().getTime() - config.statusPage.historyDays * 86_400_000).toISOString();
    const runs: { workflowId: string; runId: string; running: boolean }[] = [];
    for await (const ex of client.workflow.list({
      query: `WorkflowType = 'incidentWorkflow' AND StartTime > '${since}'`,
    })) {
      runs.push({ workflowId: ex.workflowId, runId: ex.runId, running: ex.status.name === 'RUNNING' });
    }
    const out: IncidentState[] = [];
    for (let i = 0; i < runs.length; i += CONCURRENCY) {
      const batch = await Promise.all(
        runs.slice(i, i + CONCURRENCY).map(async (r) => {
          const cached = closed.get(r.runId);
          if (cached) return cached;
          try {
            const s = await client.workflow.getHandle(r.workflowId, r.runId).query(incidentStateQuery);
            if (!r.running) closed.set(r.runId, s);
            return s;
          } catch {
            return null; // a run that cannot be queried (e.g. failed before its first task) is left out
          }
        }),
      );
      for (const s of batch) if (s) out.push(s);
    }
    if (archive) out.push(...(await archived(since, new Set(out.map((s) => s.id)))));
    return out.sort((a, b) => (a.startedAt < b.startedAt ? 1 : -1));
  }

  /** Archived incidents of the window that Temporal did not list (archived entries never change: cached). */
  const fromArchive = new Map<string, IncidentState>();
  async function archived(since: string, known: Set<string>): Promise<IncidentState[]> {
    let listed;
    try {
      listed = await archive!.list();
    } catch {
      return []; // the archive being unreadable leaves the page on what Temporal has
    }
    const wanted = listed.filter((e) => e.startedAt > since && !known.has(e.id));
    const states = await Promise.all(
      wanted.map(async (e) => {
        const cached = fromArchive.get(e.id);
        if (cached) return cached;
        const entry = await archive!.get(e.id).catch(() => null);
        if (entry) fromArchive.set(e.id, entry.state);
        return entry?.state ?? null;
      }),
    );
    return states.filter((x): x is IncidentState => !!x);
  }

  return {
    incidents() {
      const t = Date.now();
      if (!snapshot || t - snapshot.at > SNAPSHOT_TTL_MS) {
        snapshot = { at: t, value: load() };
        snapshot.value.catch(() => (snapshot = null)); // never cache a failure
      }
      return snapshot.value;
    },
  };
}
