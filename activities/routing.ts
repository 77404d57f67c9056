// Traffic changes requested by incidents, applied through the chain's routingWorkflow (the single
// writer), and the publishing that makes each change visible to the outside world: the table at once,
// external targets durably through one routePublisherWorkflow per chain and target.
import { Context } from '@temporalio/activity';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { planImmediateFailover, type Weights } from '../domain/failover';
import type { RoutingChange } from '../domain/incident';
import { getRoute, setRouteWeights } from '../client/routes';
import {
  monitorStateQuery,
  monitorWorkflowId,
  publishRouteSignal,
  routePublisherWorkflowId,
  type RoutePublisherInput,
  type RouteState,
} from '../workflows/messages';
import type { ActivityDeps } from './deps';
import type { ChainChangeRequest } from './types';
import { createExternalPublishers, createTablePublisher } from './publishers';

/** Providers whose monitor currently reports them unhealthy (unknown monitors count as healthy). */
export async function unhealthyProviders(client: Client, providers: string[]): Promise<string[]> {
  const states = await Promise.all(
    providers.map(async (p) => {
      try {
        const s = await client.workflow.getHandle(monitorWorkflowId(p)).query(monitorStateQuery);
        return s.healthy ? null : p;
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) return null;
        throw err;
      }
    }),
  );
  return states.filter((p): p is string => p !== null);
}

export function createRoutingActivities(deps: ActivityDeps) {
  const unhealthy = (providers: string[]) => unhealthyProviders(deps.client, providers);
  const table = createTablePublisher(deps.logger);
  const targets = createExternalPublishers(deps);

  function change(chain: string, before: RouteState, after: RouteState, reason: string): RoutingChange {
    return { chain, from: before.weights, to: after.weights, mode: after.mode, reason, version: after.version, at: after.updatedAt };
  }

  return {
    async failoverChain({ chain, provider, incidentId }: ChainChangeRequest): Promise<RoutingChange | null> {
      const route = await getRoute(deps.client, chain);
      if (!route.weights[provider]) return null; // no traffic on the failed provider: nothing to move
      const down = await unhealthy(route.providers.filter((p) => p !== provider));
      const plan = planImmediateFailover(route.weights, route.providers, provider, down);
      const reason = plan ? `incident ${incidentId}: ${provider} failed` : `incident ${incidentId}: every provider in ${chain} is down`;
      const after = await setRouteWeights(
        deps.client,
        chain,
        { weights: plan ?? route.weights, mode: plan ? 'degraded' : 'emergency', reason, by: 'lifeline' },
        `${incidentId}:failover:${chain}`,
      );
      return change(chain, route, after, reason);
    },

    async failbackChain({ chain, provider, incidentId }: ChainChangeRequest): Promise<RoutingChange | null> {
      const configured = deps.config.chains.find((c) => c.id === chain);
      if (!configured) return null;
      const route = await getRoute(deps.client, chain);
      // Restore the configured distribution, keeping out providers that are still unhealthy.
      let target: Weights | null = { ...configured.weights };
      for (const p of await unhealthy(configured.providers.filter((x) => x !== provider))) {
        if (target && target[p]) target = planImmediateFailover(target, configured.providers, p);
      }
      if (!target) return null;
      const same = JSON.stringify(Object.entries(target).sort()) === JSON.stringify(Object.entries(route.weights).sort());
      if (same && route.mode === 'normal') return null;
      const reason = `incident ${incidentId}: ${provider} recovered`;
      const after = await setRouteWeights(deps.client, chain, { weights: target, mode: 'normal', reason, by: 'lifeline' }, `${incidentId}:failback:${chain}`);
      return change(chain, route, after, reason);
    },

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
    async publishRouteToTarget({ chain, target, route }: { chain: string; target: string; route: RouteState }): Promise<void> {
      const publisher = targets.find((t) => t.name === target);
      if (!publisher) {
        // The target was removed from the config since the version was queued: nothing left to publish to.
        deps.logger.warn({ chain, target, version: route.version }, `route publisher ${target} is no longer configured`);
        return;
      }
      try {
        await publisher.publish(route, Context.current().cancellationSignal);
      } catch (err) {
        deps.metrics?.routePublish.failed(chain, target, route.version);
        const attempt = Context.current().info.attempt;
        // The first failure and then every tenth: a target down for an hour must not flood the log.
        if (attempt === 1 || attempt % 10 === 0) {
          deps.logger.warn({ chain, target, version: route.version, attempt, err: (err as Error).message }, `route ${chain} v${route.version} not yet published to ${target}; retrying`);
        }
        throw err;
      }
      deps.metrics?.routePublish.delivered(chain, target, route.version);
      deps.logger.info({ chain, target, version: route.version, attempt: Context.current().info.attempt }, `route ${chain} v${route.version} published to ${target}`);
    },
  };
}
