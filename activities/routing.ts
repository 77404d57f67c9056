// Traffic changes requested by incidents, applied through the chain's routingWorkflow (the single
// writer), and the publisher that makes each change visible to the outside world.
import { WorkflowNotFoundError } from '@temporalio/client';
import { planImmediateFailover, type Weights } from '../domain/failover';
import type { RoutingChange } from '../domain/incident';
import { getRoute, setRouteWeights } from '../client/routes';
import { monitorStateQuery, monitorWorkflowId, type RouteState } from '../workflows/messages';
import type { ActivityDeps } from './deps';
import type { ChainChangeRequest } from './types';

export function createRoutingActivities(deps: ActivityDeps) {
  /** Providers whose monitor currently reports them unhealthy (unknown monitors count as healthy). */
  async function unhealthyProviders(providers: string[]): Promise<string[]> {
    const states = await Promise.all(
      providers.map(async (p) => {
        try {
          const s = await deps.client.workflow.getHandle(monitorWorkflowId(p)).query(monitorStateQuery);
          return s.healthy ? null : p;
        } catch (err) {
          if (err instanceof WorkflowNotFoundError) return null;
          throw err;
        }
      }),
    );
    return states.filter((p): p is string => p !== null);
  }

  function change(chain: string, before: RouteState, after: RouteState, reason: string): RoutingChange {
    return { chain, from: before.weights, to: after.weights, mode: after.mode, reason, version: after.version, at: after.updatedAt };
  }

  return {
    async failoverChain({ chain, provider, incidentId }: ChainChangeRequest): Promise<RoutingChange | null> {
      const route = await getRoute(deps.client, chain);
      if (!route.weights[provider]) return null; // no traffic on the failed provider: nothing to move
      const unhealthy = await unhealthyProviders(route.providers.filter((p) => p !== provider));
      const plan = planImmediateFailover(route.weights, route.providers, provider, unhealthy);
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
      for (const p of await unhealthyProviders(configured.providers.filter((x) => x !== provider))) {
        if (target && target[p]) target = planImmediateFailover(target, configured.providers, p);
      }
      if (!target) return null;
      const same = JSON.stringify(Object.entries(target).sort()) === JSON.stringify(Object.entries(route.weights).sort());
      if (same && route.mode === 'normal') return null;
      const reason = `incident ${incidentId}: ${provider} recovered`;
      const after = await setRouteWeights(deps.client, chain, { weights: target, mode: 'normal', reason, by: 'lifeline' }, `${incidentId}:failback:${chain}`);
      return change(chain, route, after, reason);
    },

    async publishRoute(route: RouteState): Promise<void> {
      // The built-in route table is the routingWorkflow itself (GET /v1/routes queries it); external
      // publishers (webhook, LiteLLM) hang off this activity.
      deps.logger.info({ chain: route.id, weights: route.weights, mode: route.mode, version: route.version }, `route ${route.id} v${route.version} published`);
    },
  };
}
