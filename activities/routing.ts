// The publishing that makes each route change visible to the outside world: the table at once, external
// targets durably through one routePublisherWorkflow per chain and target. (Incidents change traffic
// through shifts queued at the chain's routingWorkflow, the single writer: activities/shift.ts.)
import { Context } from '@temporalio/activity';
import {
  publishRouteSignal,
  routePublisherWorkflowId,
  type RoutePublisherInput,
  type RouteState,
} from '../workflows/messages';
import type { ActivityDeps } from './deps';
import { createExternalPublishers, createTablePublisher } from './publishers';

export { unhealthyProviders } from '../client/provider-health';

export function createRoutingActivities(deps: ActivityDeps) {
  const table = createTablePublisher(deps.logger);
  const targets = createExternalPublishers(deps);

  return {
    /**
     * Publishes a route version: the table at once, and each external target through its durable
     * publisher (signal-with-start of `publish-<chain>-<target>`), which retries until the target takes
     * it or a newer version replaces it. Returns once every target's publisher has the version durably
     * (`published` lists the table and those targets), never waiting on a target that is down.
     * Idempotent: a retry signals the same version again, which the publisher ignores (not newer).
     */
    async publishRoute(route: RouteState): Promise<{ published: string[] }> {
      await table.publish(route);
      const retry = deps.config.publishers.retry;
      await Promise.all(
        targets.map(async (t) => {
          const input: RoutePublisherInput = { chain: route.id, target: t.name, retry };
          await deps.client.workflow.signalWithStart('routePublisherWorkflow', {
            workflowId: routePublisherWorkflowId(route.id, t.name),
            taskQueue: deps.config.temporal.taskQueue,
            args: [input],
            signal: publishRouteSignal,
            signalArgs: [route],
          });
          deps.metrics?.routePublish.queuedVersion(route.id, t.name, route.version);
        }),
      );
      return { published: [table.name, ...targets.map((t) => t.name)] };
    },

    /**
     * One attempt to publish a version to one target; throws (and Temporal retries) when it is refused.
     * Idempotent: a retry sends the same version again — webhook receivers drop it by its
     * `Idempotency-Key: <chain>:<version>`, LiteLLM is set to the same weights.
     */
    async publishRouteToTarget({
      chain,
      target,
      route,
    }: {
      chain: string;
      target: string;
      route: RouteState;
    }): Promise<void> {
      const publisher = targets.find((t) => t.name === target);
      if (!publisher) {
        // The target was removed from the config since the version was queued: nothing left to publish to.
        deps.logger.warn(
          { chain, target, version: route.version },
          `route publisher ${target} is no longer configured`,
        );
        return;
      }
      try {
        await publisher.publish(route, Context.current().cancellationSignal);
      } catch (err) {
        deps.metrics?.routePublish.failed(chain, target, route.version);
        const attempt = Context.current().info.attempt;
        // The first failure and then every tenth: a target down for an hour must not flood the log.
        if (attempt === 1 || attempt % 10 === 0) {
          deps.logger.warn(
            { chain, target, version: route.version, attempt, err: (err as Error).message },
            `route ${chain} v${route.version} not yet published to ${target}; retrying`,
          );
        }
        throw err;
      }
      deps.metrics?.routePublish.delivered(chain, target, route.version);
      deps.logger.info(
        { chain, target, version: route.version, attempt: Context.current().info.attempt },
        `route ${chain} v${route.version} published to ${target}`,
      );
    },
  };
}
