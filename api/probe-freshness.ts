// Is every monitor actually probing? Read from Temporal, so it holds whichever process runs the probe
// loops: each monitor's pending `watchProvider` activity carries, in its heartbeat details, when its loop
// last probed (activities/probe-memory.ts). A monitor whose loop has not probed within twice its interval
// (plus the heartbeat's reporting lag) is starved — its loop is waiting for a worker slot, or the worker is
// too busy to keep time. Monitors without a pending loop (breaker open or half-open) are not probing by design.
import type { Client, WorkflowExecutionDescription } from '@temporalio/client';
// The SDK's own helper for decoding payloads through the client's data converter (and codec, if one is set).
import { decodeFromPayloadsAtIndex } from '@temporalio/common/lib/internal-non-workflow';
import { optionalTsToMs } from '@temporalio/common/lib/time';
import { Gauge, type Registry } from 'prom-client';
import type { LifelineConfig } from '../config/schema';
import { withinDeadline } from '../client/bounded';
import { monitorWorkflowId } from '../workflows/messages';

/** PendingActivityState.SCHEDULED: waiting for a worker to start it. */
const SCHEDULED = 1;
/** How often the loop hands its heartbeat to the SDK (activities/watch.ts). */
const LOOP_BEAT_MS = 1_000;

export interface LoopFacts {
  provider: string;
  intervalMs: number;
  /** No pending watch activity (breaker open / half-open, or between two loops). */
  idle: boolean;
  waitingForWorker?: boolean;
  /** Epoch ms: last probe the loop reported, else when the loop was scheduled. */
  lastEvidenceAt?: number;
}

export interface StarvedMonitor {
  provider: string;
  silentMs: number;
  why: string;
}

export function staleAfterMs(intervalMs: number, heartbeatMs: number): number {
  return 2 * intervalMs + heartbeatMs + LOOP_BEAT_MS;
}

/** The starved monitors among `facts` (pure: tested without a server). */
export function starvedMonitors(facts: LoopFacts[], heartbeatMs: number, now: number): StarvedMonitor[] {
  return facts.flatMap((f) => {
    if (f.idle || f.lastEvidenceAt === undefined) return [];
    const silentMs = now - f.lastEvidenceAt;
    if (silentMs <= staleAfterMs(f.intervalMs, heartbeatMs)) return [];
    return [
      {
        provider: f.provider,
        silentMs,
        why: f.waitingForWorker ? 'probe loop waiting for a worker slot' : 'probe loop not keeping time',
      },
    ];
  });
}

/** What one monitor's description says about its probe loop. */
export async function loopFacts(
  client: Client,
  provider: string,
  intervalMs: number,
  d: WorkflowExecutionDescription,
): Promise<LoopFacts> {
  const watch = d.raw.pendingActivities?.find((a) => a.activityType?.name === 'watchProvider');
  if (!watch) return { provider, intervalMs, idle: true };
  let lastProbeAt: number | undefined;
  if (watch.heartbeatDetails?.payloads?.length) {
    const details = await decodeFromPayloadsAtIndex<{ lastProbeAt?: unknown }>(
      client.options.loadedDataConverter,
      0,
      watch.heartbeatDetails.payloads,
    ).catch(() => undefined);
    if (typeof details?.lastProbeAt === 'number') lastProbeAt = details.lastProbeAt;
  }
  const scheduledAt = optionalTsToMs(watch.scheduledTime);
  // A loop that has not probed yet is measured from when it was scheduled; a newer attempt keeps the old
  // attempt's last probe (the takeover is part of the silence).
  const lastEvidenceAt = lastProbeAt ?? scheduledAt;
  return {
    provider,
    intervalMs,
    idle: false,
    waitingForWorker: watch.state === SCHEDULED,
    ...(lastEvidenceAt !== undefined ? { lastEvidenceAt } : {}),
  };
}

export function describeStarved(starved: StarvedMonitor[], total: number): string {
  const names = starved
    .slice(0, 10)
    .map((s) => `monitor-${s.provider} (no probe for ${Math.round(s.silentMs / 1000)} s: ${s.why})`);
  const more = starved.length > 10 ? `, and ${starved.length - 10} more` : '';
  return `${starved.length} of ${total} monitor(s) starved: ${names.join(', ')}${more}`;
}

export type Describe = (workflowId: string) => Promise<WorkflowExecutionDescription | undefined>;

/** One describe per workflow per round (undefined: not found), so checks of one round share them. */
export function describer(client: Client): Describe {
  const seen = new Map<string, Promise<WorkflowExecutionDescription | undefined>>();
  return (id) => {
    let d = seen.get(id);
    if (!d) {
      d = client.workflow
        .getHandle(id)
        .describe()
        .catch((err: Error) => (err.name === 'WorkflowNotFoundError' ? undefined : Promise.reject(err)));
      seen.set(id, d);
    }
    return d;
  };
}

/** Reads every monitor and returns the starved ones; shared by /health/ready and the unprobed-monitors gauge. */
export async function probeFreshness(
  client: Client,
  config: LifelineConfig,
  describe: Describe,
): Promise<{ starved: StarvedMonitor[]; total: number }> {
  const facts = await Promise.all(
    config.providers.map(async (p) => {
      const d = await describe(monitorWorkflowId(p.id));
      return d && d.status.name === 'RUNNING' ? loopFacts(client, p.id, p.probe.intervalMs, d) : undefined;
    }),
  );
  const known = facts.filter((f): f is LoopFacts => !!f);
  return {
    starved: starvedMonitors(known, config.worker.probeHeartbeatMs, Date.now()),
    total: config.providers.length,
  };
}

const GAUGE_TTL_MS = 5_000;
const GAUGE_TIMEOUT_MS = 2_500;

/**
 * `lifeline_monitors_unprobed` [A]: monitors not probed within twice their interval, read from Temporal at
 * scrape time (one read per 5 s at most, bounded to 2.5 s; left out when the read fails).
 */
export function registerUnprobedGauge(registry: Registry, client: Client, config: LifelineConfig): void {
  let cached: { at: number; value: Promise<number> } | undefined;
  const read = () =>
    withinDeadline(client, GAUGE_TIMEOUT_MS, async () => {
      return (await probeFreshness(client, config, describer(client))).starved.length;
    });
  new Gauge({
    name: 'lifeline_monitors_unprobed',
    help: 'Monitors whose probe loop has not probed within twice its interval (waiting for a worker slot, or a worker too busy to keep time)',
    registers: [registry],
    async collect() {
      if (!cached || Date.now() - cached.at > GAUGE_TTL_MS) cached = { at: Date.now(), value: read() };
      try {
        this.set(await cached.value);
      } catch {
        this.reset();
      }
    },
  });
}
