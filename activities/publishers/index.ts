// The one publisher interface every route change goes through: the built-in route table, a signed
// generic webhook and a LiteLLM proxy. Each receives the whole route (not a diff), so a target that
// missed a version converges on the next one.
import type { Logger } from 'pino';
import type { RouteState } from '../../workflows/messages';
import type { ActivityDeps } from '../deps';
import { createWebhookPublisher } from './webhook';
import { createLiteLlmPublisher } from './litellm';

export interface RoutePublisher {
  name: string;
  publish(route: RouteState): Promise<void>;
}

/**
 * The built-in table is the routingWorkflow's own state, served by GET /v1/routes (with an ETag per
 * version): nothing to push, the log line is the audit trail outside Temporal.
 */
function createTablePublisher(logger: Logger): RoutePublisher {
  return {
    name: 'table',
    async publish(route) {
      logger.info({ chain: route.id, weights: route.weights, mode: route.mode, version: route.version, hints: route.hints }, `route ${route.id} v${route.version} published`);
    },
  };
}

export function createPublishers(deps: ActivityDeps): RoutePublisher[] {
  const { webhook, litellm } = deps.config.publishers;
  return [
    createTablePublisher(deps.logger),
    ...(webhook ? [createWebhookPublisher(webhook, deps.env)] : []),
    ...(litellm ? [createLiteLlmPublisher(litellm, deps.env)] : []),
  ];
}

/**
 * Publishes to every target. A failing target is logged and reported, never thrown: the route change
 * itself is already durable, and blocking the chain's single writer on a dead webhook would stop
 * failover. Targets get the full route again with the next change.
 */
export async function publishEverywhere(publishers: RoutePublisher[], route: RouteState, logger: Logger): Promise<{ published: string[] }> {
  const results = await Promise.allSettled(publishers.map((p) => p.publish(route)));
  const published: string[] = [];
  results.forEach((r, i) => {
    if (r.status === 'fulfilled') published.push(publishers[i].name);
    else logger.warn({ chain: route.id, version: route.version, publisher: publishers[i].name, err: (r.reason as Error).message }, `route ${route.id} v${route.version} not published to ${publishers[i].name}`);
  });
  return { published };
}
