// The one publisher interface every route change goes through: the built-in route table, a signed
// generic webhook and a LiteLLM proxy. Each receives the whole route (not a diff), so a target that
// missed a version converges on the next one. External targets are published durably, one
// routePublisherWorkflow per chain and target (workflows/publish.ts); `publish` is one attempt and throws
// on failure so that Temporal retries it.
import type { Logger } from 'pino';
import type { RouteState } from '../../workflows/messages';
import type { ActivityDeps } from '../deps';
import { createWebhookPublisher } from './webhook';
import { createLiteLlmPublisher } from './litellm';

export interface RoutePublisher {
  name: string;
  /** One attempt; `signal` aborts it (the activity was cancelled or timed out). */
  publish(route: RouteState, signal?: AbortSignal): Promise<void>;
}

/** One HTTP request of a publication: at most 5 s, and aborted with the attempt. */
export function requestSignal(signal?: AbortSignal): AbortSignal {
  const timeout = AbortSignal.timeout(5_000);
  return signal ? AbortSignal.any([signal, timeout]) : timeout;
}

/**
 * The built-in table is the routingWorkflow's own state, served by GET /v1/routes (with an ETag per
 * version): nothing to push, the log line is the audit trail outside Temporal.
 */
export function createTablePublisher(logger: Logger): RoutePublisher {
  return {
    name: 'table',
    async publish(route) {
      logger.info({ chain: route.id, weights: route.weights, mode: route.mode, version: route.version, hints: route.hints }, `route ${route.id} v${route.version} published`);
    },
  };
}

/** The configured external targets (each gets its own durable publisher). */
export function createExternalPublishers(deps: ActivityDeps): RoutePublisher[] {
  const { webhook, litellm } = deps.config.publishers;
  return [
    ...(webhook ? [createWebhookPublisher(webhook, deps.env)] : []),
    ...(litellm ? [createLiteLlmPublisher(litellm, deps.env)] : []),
  ];
}

export function createPublishers(deps: ActivityDeps): RoutePublisher[] {
  return [createTablePublisher(deps.logger), ...createExternalPublishers(deps)];
}
