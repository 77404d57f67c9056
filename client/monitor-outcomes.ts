// The probe outcomes a provider's monitor holds right now: its probe loop heartbeats its detection window
// (activities/probe-memory.ts), so the pending activity's last heartbeat details are the newest window
// Temporal has (at most one heartbeat interval old). Rollout gates judge a target from these.
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { decodeFromPayloadsAtIndex } from '@temporalio/common/lib/internal-non-workflow';
import type { Outcome } from '../domain/detection';
import { monitorWorkflowId } from '../workflows/messages';

/** Outcomes of `provider`'s probes at or after `sinceMs` (epoch ms); none when no loop is running. */
export async function monitorOutcomes(client: Client, provider: string, sinceMs: number): Promise<Outcome[]> {
  let d;
  try {
    d = await client.workflow.getHandle(monitorWorkflowId(provider)).describe();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return [];
    throw err;
  }
  const watch = d.raw.pendingActivities?.find((a) => a.activityType?.name === 'watchProvider');
  const payloads = watch?.heartbeatDetails?.payloads;
  if (!payloads?.length) return [];
  const details = await decodeFromPayloadsAtIndex<{ detector?: { window?: unknown } }>(
    client.options.loadedDataConverter,
    0,
    payloads,
  ).catch(() => undefined);
  const window = Array.isArray(details?.detector?.window) ? (details.detector.window as Outcome[]) : [];
  return window.filter((o) => o && typeof o.at === 'number' && typeof o.latencyMs === 'number' && o.at >= sinceMs);
}
