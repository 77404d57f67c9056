// Inside incidentWorkflow: who hears of the incident, and when. Pages and announcements (one delivery
// per routed target, queued by workflows/delivery.ts), status emails to subscribers, and the background
// loops — escalation until someone acknowledges, periodic status updates, the acknowledgement notice —
// that run outside the main line, so a resolve never cuts a page short. Nothing here blocks the incident
// on a notification channel or SMTP.
import { CancellationScope, condition, proxyActivities } from '@temporalio/workflow';
import type { IncidentActivities, IncidentContext, Notification } from '../activities/types';
import { channelsForKinds, deliveryTargetsFor } from '../domain/alert-rules';
import { nextLevel, rolesForLevel, type EscalationLevel } from '../domain/escalation';
import type { Severity } from '../domain/impact';
import { addTimeline } from '../domain/incident';
import { notificationFacts } from '../domain/notification';
import { toPublicIncident } from '../domain/public-status';
import { configuredDeliverer, createDeliveryQueue, type DeliveryQueue } from './delivery';
import type { IncidentEntity } from './incident-entity';
import { failureText } from './recover';

// Notifications must never block the incident: bounded retries, and the workflow carries on if they fail.
// (The policy for status emails from histories recorded before `notifications.retry` existed.)
const notifier = proxyActivities<IncidentActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 10, initialInterval: '2 seconds', maximumInterval: '1 minute' },
});

const now = () => new Date().toISOString();

type PublicUpdate = ReturnType<typeof toPublicIncident>['updates'][number];

export class IncidentComms {
  /** Deliveries retry by `notifications.retry` (minutes), so a channel outage cannot hold the incident in a phase. */
  readonly deliveries: DeliveryQueue;
  /** Status emails, in order, in the background; drained with the deliveries before the report. */
  statusQueue: Promise<void> = Promise.resolve();
  private lastPublishedUpdate?: string;
  private escalation: Promise<void> = Promise.resolve();
  private updates: Promise<void> = Promise.resolve();
  private watchers: Promise<unknown> = Promise.resolve();

  constructor(private readonly incident: IncidentEntity) {
    this.deliveries = createDeliveryQueue(
      incident.state,
      () => incident.context?.deliveryRetry,
      () => incident.context?.threading,
    );
  }

  /** Pages a level's roles (unless a maintenance window is in progress). */
  async page(level: EscalationLevel, why: string, opening = false): Promise<void> {
    const { state, context } = this.incident;
    const maintenance = context?.maintenance ?? null;
    if (maintenance) {
      addTimeline(
        state,
        'paging_suppressed',
        `level ${level} not paged: maintenance "${maintenance.title}" is in progress`,
        now(),
      );
      return;
    }
    const roles = rolesForLevel(level, context?.escalationLevels);
    await this.announce(
      {
        incidentId: state.id,
        kind: 'page',
        seq: state.timeline.length,
        level,
        roles,
        severity: state.severity,
        title: state.title,
        message: why,
      },
      opening,
    );
    addTimeline(state, 'paged', `level ${level} paged (${roles.join(', ')}): ${why}`, now());
  }

  /** Queues one delivery per routed target, outside the main line's cancellation scope. */
  async announce(n: Notification, opening = false): Promise<void> {
    const { state, context, alertWatch } = this.incident;
    const targets = deliveryTargetsFor(
      n.kind,
      channelsForKinds(alertWatch.kinds(), alertWatch.routing()),
      context?.channels ?? ['log'],
      context?.carries,
    );
    await CancellationScope.nonCancellable(async () =>
      this.deliveries.send({ ...n, facts: notificationFacts(state, opening) }, targets),
    );
  }

  /** Everyone paged hears of the resolution (PagerDuty resolves on each routing key that was triggered). */
  announceResolved(): Promise<void> {
    const { state, context } = this.incident;
    return this.announce({
      incidentId: state.id,
      kind: 'resolved',
      seq: 0,
      roles: rolesForLevel(state.escalationLevel, context?.escalationLevels),
      severity: state.severity,
      title: state.title,
      message: `Resolved: ${state.resolution}`,
    });
  }

  /** Customer communications: the newest public update, once, to the status page's subscribers. */
  async publishStatus(): Promise<void> {
    const update = toPublicIncident(this.incident.state, []).updates[0];
    if (!update || update.id === this.lastPublishedUpdate) return;
    this.lastPublishedUpdate = update.id;
    const send = () => this.emailStatus(update);
    // In the background, in order; drained with the deliveries before the report. Not cancelled by a resolve.
    await CancellationScope.nonCancellable(async () => {
      this.statusQueue = this.statusQueue.then(send);
    });
  }

  private async emailStatus(update: PublicUpdate): Promise<void> {
    const { state, context } = this.incident;
    try {
      const retry = context?.deliveryRetry;
      const { sent } = await (retry ? configuredDeliverer(retry) : notifier).publishStatusUpdate({
        incidentId: state.id,
        title: state.title,
        provider: state.provider,
        severity: state.severity,
        startedAt: state.startedAt,
        update,
      });
      if (sent)
        addTimeline(state, 'status_published', `${update.status} update emailed to ${sent} subscriber(s)`, now());
    } catch (err) {
      addTimeline(state, 'status_publish_failed', `status update not emailed: ${failureText(err)}`, now());
    }
  }

  // ---- background work ------------------------------------------------------------------------------------
  /** Escalation, status updates and alert watching: outside the main line, so a resolve never cuts a page short. */
  startBackgroundWork(ctx: IncidentContext): void {
    this.escalation = CancellationScope.nonCancellable(() => this.escalationLoop(ctx.ackTimeoutMs, ctx.maxRepeats));
    this.updates = CancellationScope.nonCancellable(() => this.statusUpdateLoop(ctx.statusUpdateMs));
    this.watchers = CancellationScope.nonCancellable(() =>
      Promise.all([this.incident.alertWatch.run(), this.acknowledgementWatch()]),
    );
  }

  /** Resolves once the background loops have stopped (they stop at resolution). */
  backgroundDone(): Promise<unknown> {
    return Promise.all([this.escalation, this.updates, this.watchers]);
  }

  /** Stops on acknowledgement, on resolve, and once traffic is mitigated (nobody needs waking for it). */
  private async escalationLoop(ackTimeoutMs: number, maxRepeats: number): Promise<void> {
    const incident = this.incident;
    const state = incident.state;
    const settledFor = () => state.status === 'resolved' || !!state.acknowledgedAt || !!state.mitigatedAt;
    for (;;) {
      const wake = incident.escalationWake;
      const settled = await condition(() => settledFor() || incident.escalationWake !== wake, ackTimeoutMs);
      if (settledFor()) {
        if (state.mitigatedAt && !state.acknowledgedAt && state.status !== 'resolved')
          addTimeline(state, 'escalation_stopped', 'traffic is mitigated: no further escalation', now());
        return;
      }
      if (settled) continue; // manual escalation: restart the ack timer at the new level
      if (incident.escalationRepeats >= maxRepeats) {
        addTimeline(
          state,
          'escalation_exhausted',
          `no acknowledgement after ${incident.escalationRepeats} escalation(s)`,
          now(),
        );
        return;
      }
      incident.escalationRepeats += 1;
      state.escalationLevel = nextLevel(state.escalationLevel);
      await this.page(state.escalationLevel, `not acknowledged within ${Math.round(ackTimeoutMs / 1000)} s`);
    }
  }

  private async statusUpdateLoop(cadence: Record<Severity, number>): Promise<void> {
    const state = this.incident.state;
    for (;;) {
      const resolvedNow = await condition(() => state.status === 'resolved', cadence[state.severity]);
      if (resolvedNow) return;
      state.statusUpdates += 1;
      await this.announce({
        incidentId: state.id,
        kind: 'status_update',
        seq: state.statusUpdates,
        roles: [],
        severity: state.severity,
        title: state.title,
        message: `Update ${state.statusUpdates}: phase ${state.phase}; ${state.alerts.count} alert(s); ${state.routingChanges.length} traffic change(s)`,
      });
      addTimeline(state, 'status_update', `status update #${state.statusUpdates} sent`, now());
      await this.publishStatus();
    }
  }

  private async acknowledgementWatch(): Promise<void> {
    const { state } = this.incident;
    await condition(() => !!state.acknowledgedAt || state.status === 'resolved');
    if (state.status === 'resolved') return;
    const by = state.acknowledgements[0]?.by ?? 'someone';
    await this.announce({
      incidentId: state.id,
      kind: 'acknowledged',
      seq: 0,
      roles: rolesForLevel(state.escalationLevel, this.incident.context?.escalationLevels),
      severity: state.severity,
      title: state.title,
      message: `acknowledged by ${by}`,
    });
  }
}
