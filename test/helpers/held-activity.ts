// Who holds an incident's in-flight delivery, read from Temporal: a crash test kills that worker (not one
// chosen by position) and then checks that another worker ran the activity's next attempt.
import { hostname } from 'node:os';
import type { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { findIncident } from '../../client/incidents';

/** The SDK's default worker identity is pid@host: that is how the server names who holds an activity. */
export const workerIdentity = (pid: number): string => `${pid}@${hostname()}`;

/** The `channel` deliverNotification of an incident that a worker has started (not yet finished), and who started it. */
export async function startedDelivery(
  client: Client,
  id: string,
  channel: string,
): Promise<{ activityId: string; identity: string } | undefined> {
  const handle = await findIncident(client, id);
  if (!handle) return undefined;
  // Pending-activity info has no input: the channel is read from the activity's scheduled event.
  const events = (await handle.fetchHistory()).events ?? [];
  const ids = events
    .filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'deliverNotification')
    .filter((e) => {
      const [delivery] = (e.activityTaskScheduledEventAttributes!.input?.payloads ?? []).map(
        (pl) => defaultPayloadConverter.fromPayload(pl) as { channel?: string },
      );
      return delivery?.channel === channel;
    })
    .map((e) => String(e.activityTaskScheduledEventAttributes!.activityId));
  const desc = await handle.describe();
  const pending = (desc.raw.pendingActivities ?? []).find(
    (a) =>
      ids.includes(String(a.activityId)) &&
      !!a.lastWorkerIdentity &&
      String(a.state) === '2' /* PENDING_ACTIVITY_STATE_STARTED */,
  );
  return pending ? { activityId: String(pending.activityId), identity: String(pending.lastWorkerIdentity) } : undefined;
}

/** The ActivityTaskStarted event of an activity's last attempt (identity, attempt), from the incident's history. */
export async function lastStart(
  client: Client,
  id: string,
  activityId: string,
): Promise<{ identity: string; attempt: number }> {
  const handle = await findIncident(client, id);
  const events = (await handle!.fetchHistory()).events ?? [];
  const scheduled = events.find((e) => e.activityTaskScheduledEventAttributes?.activityId === activityId);
  const started = events.find(
    (e) => String(e.activityTaskStartedEventAttributes?.scheduledEventId) === String(scheduled?.eventId),
  );
  return {
    identity: String(started?.activityTaskStartedEventAttributes?.identity),
    attempt: Number(started?.activityTaskStartedEventAttributes?.attempt),
  };
}
