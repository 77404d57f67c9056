// One notification to one delivery target, as its own activity: Temporal retries a failing channel with
// backoff without re-sending the channels that already delivered. Every channel is idempotent on the
// notification's dedup key (Message-ID, PagerDuty dedup_key, Slack ts upsert, webhook delivery id).
import { ApplicationFailure } from '@temporalio/common';
import type { ActivityDeps } from './deps';
import { createChannels } from '../channels';
import { storeFor } from '../store';
import { dedupKeyFor, logChannel, recipientsFor, type Channel } from './notify';
import { TemplateError } from '../render/messages';
import type { Delivery, DeliveryResult } from './types';

/** The log channel and every configured one; channels passed in by the caller (tests, embedders) replace those by name. */
export function buildChannels(deps: ActivityDeps, overrides: Channel[] = []): Map<string, Channel> {
  const n = deps.config.notifications;
  const env = deps.env ?? process.env;
  const list = [
    logChannel(deps),
    ...createChannels(n, {
      env,
      dataDir: deps.config.dataDir,
      templatesDir: n.templatesDir,
      docs: storeFor(deps.config, env),
      componentNames: deps.config.statusPage.componentNames,
    }),
  ];
  return new Map([...list, ...overrides].map((c) => [c.name, c]));
}

export function createDeliverActivities(deps: ActivityDeps, overrides?: Channel[]) {
  const channels = buildChannels(deps, overrides);
  return {
    // `slackTs`: deliveries scheduled by workflow code from before `ref` (still accepted).
    async deliverNotification({ channel, notification, ref, slackTs }: Delivery): Promise<DeliveryResult> {
      const ch = channels.get(channel);
      if (!ch) throw ApplicationFailure.nonRetryable(`channel "${channel}" is not configured`, 'UnknownChannel');
      const dedupKey = dedupKeyFor(notification);
      const started = performance.now();
      const seconds = () => (performance.now() - started) / 1000;
      try {
        const r =
          (await ch.send(notification, recipientsFor(deps, notification.roles), dedupKey, { ref: ref ?? slackTs })) ??
          {};
        deps.metrics?.delivered(channel, r.status ?? 'delivered', seconds());
        deps.logger.debug({ channel, dedupKey, status: r.status ?? 'delivered' }, 'notification delivered');
        return {
          channel,
          status: r.status ?? 'delivered',
          ...(r.ref ? { ref: r.ref } : {}),
          ...(r.detail ? { detail: r.detail } : {}),
        };
      } catch (err) {
        deps.metrics?.deliveryFailed(
          channel,
          !(err instanceof TemplateError) && !(err instanceof ApplicationFailure && err.nonRetryable),
          seconds(),
        );
        if (err instanceof TemplateError) throw ApplicationFailure.nonRetryable(err.message, 'TemplateError');
        deps.logger.warn({ channel, dedupKey, err: (err as Error).message }, 'notification delivery failed');
        throw err;
      }
    },
  };
}
