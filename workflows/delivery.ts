// Notification delivery from inside incidentWorkflow: one activity per notification and target, queued
// per target so each channel sees its notifications in order (Slack posts before it updates, PagerDuty
// triggers before it resolves) while a slow or failing channel never holds up the incident or the others.
import { proxyActivities } from '@temporalio/workflow';
import type { IncidentActivities, IncidentContext, Notification } from '../activities/types';
import { addTimeline, type IncidentState } from '../domain/incident';

// Histories recorded before `notifications.retry` existed: about two minutes of backoff, then the failure
// is recorded and the incident carries on.
const legacyDeliverer = proxyActivities<IncidentActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 6, initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

type RetrySettings = NonNullable<IncidentContext['deliveryRetry']>;

/** The configured policy (default ≈ 16 minutes of retries): a dependency down for minutes loses nothing. */
export function configuredDeliverer(r: RetrySettings) {
  return proxyActivities<IncidentActivities>({
    startToCloseTimeout: '30 seconds',
    retry: {
      maximumAttempts: r.maximumAttempts,
      initialInterval: r.initialIntervalMs,
      backoffCoefficient: 2,
      maximumInterval: r.maximumIntervalMs,
    },
  });
}

export interface DeliveryQueue {
  send(n: Notification, targets: string[]): void;
  /** Resolves when every queued delivery has finished (delivered or finally failed). */
  drain(): Promise<void>;
}

// Contexts recorded before channels declared `threads`: only Slack threaded.
const LEGACY_THREADING = ['slack'];

/**
 * `retry` gives the configured policy once the incident's context is known (undefined: the legacy one);
 * `threading` the routing names of the channels that get their first delivery's ref back (context.threading).
 */
export function createDeliveryQueue(
  state: IncidentState,
  retry: () => RetrySettings | undefined = () => undefined,
  threading: () => string[] | undefined = () => undefined,
): DeliveryQueue {
  const queues = new Map<string, Promise<void>>();
  // Per target: the ref its first delivery returned (Slack: the incident message's ts, updated in place later).
  const refs = new Map<string, string>();

  async function deliverOne(channel: string, n: Notification): Promise<void> {
    const r0 = retry();
    const deliverer = r0 ? configuredDeliverer(r0) : legacyDeliverer;
    try {
      const threads = (threading() ?? LEGACY_THREADING).includes(channel.split(':')[0]);
      const ref = threads ? refs.get(channel) : undefined;
      const r = await deliverer.deliverNotification({ channel, notification: n, ...(ref ? { ref } : {}) });
      if (threads && r.ref) refs.set(channel, r.ref);
      if (channel !== 'log')
        addTimeline(
          state,
          r.status === 'delivered' ? 'notified' : 'notification_skipped',
          `${n.kind} via ${channel}${r.detail ? `: ${r.detail}` : ''}`,
          new Date().toISOString(),
        );
    } catch (err) {
      const e = err as Error & { cause?: Error };
      addTimeline(
        state,
        'notification_failed',
        `${n.kind} via ${channel} not delivered: ${e.cause?.message ?? e.message}`,
        new Date().toISOString(),
      );
    }
  }

  return {
    send(n, targets) {
      for (const t of targets)
        queues.set(
          t,
          (queues.get(t) ?? Promise.resolve()).then(() => deliverOne(t, n)),
        );
    },
    async drain() {
      // Deliveries queued while draining are awaited too.
      for (;;) {
        const pending = [...queues.values()];
        await Promise.all(pending);
        if ([...queues.values()].every((p, i) => p === pending[i]) && queues.size === pending.length) return;
      }
    },
  };
}
