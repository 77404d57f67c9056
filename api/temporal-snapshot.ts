// What the scrape-time gauges read from Temporal: open incidents by severity and phase (visibility), each
// provider's monitor state and each chain's route (queries). One snapshot serves every scrape for a few
// seconds and concurrent scrapes share one fetch, so a scrape storm costs Temporal one round per TTL.
// Every source is bounded in time and fails alone: Temporal being down yields a snapshot that says so
// (per-source ok/error), never a hung or failed scrape.
import { withinDeadline } from '../client/bounded';
import type { Client } from '@temporalio/client';
import type { LifelineConfig } from '../config/schema';
import { getRoute } from '../client/routes';
import { monitorStateQuery, monitorWorkflowId, SA, type MonitorState, type RouteState } from '../workflows/messages';

export const SNAPSHOT_SOURCES = ['incidents', 'monitors', 'routes'] as const;
export type SnapshotSource = (typeof SNAPSHOT_SOURCES)[number];

export interface SourceResult {
  source: SnapshotSource;
  ok: boolean;
  seconds: number;
  error?: string;
}

export interface TemporalSnapshot {
  /** Running incident workflows, counted by their LifelineSeverity / LifelinePhase search attributes. */
  openIncidents: { severity: string; phase: string; count: number }[];
  monitors: MonitorState[];
  routes: RouteState[];
  sources: SourceResult[];
}

/** A scrape never lists more than this many running incidents (there is one per scope; thousands is a bug). */
const MAX_LISTED = 5000;

async function openIncidents(client: Client): Promise<TemporalSnapshot['openIncidents']> {
  const counts = new Map<string, { severity: string; phase: string; count: number }>();
  let n = 0;
  for await (const ex of client.workflow.list({
    query: `WorkflowType = 'incidentWorkflow' AND ExecutionStatus = 'Running'`,
  })) {
    const severity = ex.typedSearchAttributes.get(SA.severity) ?? 'unknown';
    const phase = ex.typedSearchAttributes.get(SA.phase) ?? 'unknown';
    const key = `${severity}/${phase}`;
    const c = counts.get(key) ?? { severity, phase, count: 0 };
    c.count += 1;
    counts.set(key, c);
    if (++n >= MAX_LISTED) break;
  }
  return [...counts.values()];
}

/** All items that answered; the source is failed if any did not (a stopped monitor is worth seeing). */
async function settled<T>(items: Promise<T>[]): Promise<{ values: T[]; error?: string }> {
  const results = await Promise.allSettled(items);
  const values = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  return { values, ...(failed ? { error: (failed.reason as Error).message } : {}) };
}

export class TemporalSnapshotSource {
  private cached?: { at: number; snapshot: TemporalSnapshot };
  private inFlight?: Promise<TemporalSnapshot>;

  constructor(
    private readonly client: Client,
    private readonly config: LifelineConfig,
    private readonly opts: { ttlMs: number; timeoutMs: number; onSource?: (r: SourceResult) => void } = {
      ttlMs: 5000,
      timeoutMs: 2500,
    },
  ) {}

  get(): Promise<TemporalSnapshot> {
    if (this.cached && Date.now() - this.cached.at < this.opts.ttlMs) return Promise.resolve(this.cached.snapshot);
    this.inFlight ??= this.fetch()
      .then((snapshot) => {
        this.cached = { at: Date.now(), snapshot };
        return snapshot;
      })
      .finally(() => {
        this.inFlight = undefined;
      });
    return this.inFlight;
  }

  private async fetch(): Promise<TemporalSnapshot> {
    const snap: TemporalSnapshot = { openIncidents: [], monitors: [], routes: [], sources: [] };
    const { client, config } = this;
    await Promise.all(
      [
        this.source('incidents', async () => {
          snap.openIncidents = await openIncidents(client);
        }),
        this.source('monitors', async () => {
          const r = await settled(
            config.providers.map((p) => client.workflow.getHandle(monitorWorkflowId(p.id)).query(monitorStateQuery)),
          );
          snap.monitors = r.values;
          if (r.error) throw new Error(r.error);
        }),
        this.source('routes', async () => {
          const r = await settled(config.chains.map((c) => getRoute(client, c.id)));
          snap.routes = r.values;
          if (r.error) throw new Error(r.error);
        }),
      ].map((p) => p.then((r) => void snap.sources.push(r))),
    );
    return snap;
  }

  /** Runs one source under its own deadline: its Temporal calls are aborted when it passes. */
  private async source(source: SnapshotSource, fn: () => Promise<void>): Promise<SourceResult> {
    const started = performance.now();
    let result: SourceResult;
    try {
      await withinDeadline(this.client, this.opts.timeoutMs, fn);
      result = { source, ok: true, seconds: (performance.now() - started) / 1000 };
    } catch (err) {
      result = { source, ok: false, seconds: (performance.now() - started) / 1000, error: (err as Error).message };
    }
    this.opts.onSource?.(result);
    return result;
  }
}
