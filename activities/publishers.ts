// The one publisher interface every route change goes through: the built-in route table here, and the
// external targets listed in publishers/ (a signed generic webhook, a LiteLLM proxy). Each receives the
// whole route (not a diff), so a target that missed a version converges on the next one. External
// targets are published durably, one routePublisherWorkflow per chain and target (workflows/publish.ts);
// `publish` is one attempt and throws on failure so that Temporal retries it.
import type { Logger } from 'pino';
import { createExternalPublishers as externalFrom, type RoutePublisher } from '../publishers';
import type { ActivityDeps } from './deps';

export type { RoutePublisher } from '../publishers';

/**
 * The built-in table is the routingWorkflow's own state, served by GET /v1/routes (with an ETag per
 * version): nothing to push, the log line is the audit trail outside Temporal.
 */
export function createTablePublisher(logger: Logger): RoutePublisher {
  return {
    name: 'table',
    async publish(route) {
      logger.info(
        { chain: route.id, weights: route.weights, mode: route.mode, version: route.version, hints: route.hints },
        `route ${route.id} v${route.version} published`,
      );
    },
  };
}

/** The configured external targets (each gets its own durable publisher). */
export function createExternalPublishers(deps: ActivityDeps): RoutePublisher[] {
  return externalFrom(deps.config.publishers, deps.env);
}

export function createPublishers(deps: ActivityDeps): RoutePublisher[] {
  return [createTablePublisher(deps.logger), ...createExternalPublishers(deps)];
}
