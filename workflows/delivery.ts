// Notification delivery from inside incidentWorkflow: one activity per notification and target, queued
// per target so each channel sees its notifications in order (Slack posts before it updates, PagerDuty
// triggers before it resolves) while a slow or failing channel never holds up the incident or the others.
import { proxyActivities } from '@temporalio/workflow';
import type { IncidentActivities, Notification } from '../activities/types';
import { addTimeline, type IncidentState } from '../domain/incident';

const deliverer = proxyActivities<IncidentActivities>({
  startToCloseTimeout: '30 seconds',
  // Bounded: about two minutes of backoff, then the failure is recorded and the incident carries on.
  retry: { maximumAttempts: 6, initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

export interface DeliveryQueue {
  send(n: Notification, targets: string[]): void;
  /** Resolves when every queued delivery has finished (delivered or finally failed). */
  drain(): Promise<void>;
}

export function createDeliveryQueue(state: IncidentState): DeliveryQueue {
  const queues = new Map<string, Promise<void>>();
  let slackTs: string | undefined;

  async function deliverOne(channel: string, n: Notification): Promise<void> {
    try {
      const r = await deliverer.deliverNotification({ channel, notification: n, ...(channel === 'slack' && slackTs ? { slackTs } : {}) });
      if (channel === 'slack' && r.ref) slackTs = r.ref;
      if (channel !== 'log') addTimeline(state, r.status === 'delivered' ? 'notified' : 'notification_skipped', `${n.kind} via ${channel}${r.detail ? `: ${r.detail}` : ''}`, new Date().toISOString());
    } catch (err) {
      const e = err as Error & { cause?: Error };
      addTimeline(state, 'notification_failed', `${n.kind} via ${channel} not delivered: ${e.cause?.message ?? e.message}`, new Date().toISOString());
    }
  }

  return {
    send(n, targets) {
      for (const t of targets) queues.set(t, (queues.get(t) ?? Promise.resolve()).then(() => deliverOne(t, n)));
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
