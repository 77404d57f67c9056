// Traffic changes requested by incidents, applied through the chain's routingWorkflow (the single
// writer), and the publisher that makes each change visible to the outside world.
import { unhealthyProviders } from '../client/provider-health';
import { planImmediateFailover, type Weights } from '../domain/failover';
import type { RoutingChange } from '../domain/incident';
import { getRoute, setRouteWeights } from '../client/routes';
import type { RouteState } from '../workflows/messages';
import type { ActivityDeps } from './deps';
import type { ChainChangeRequest } from './types';
import { createPublishers, publishEverywhere } from './publishers';

export { unhealthyProviders } from '../client/provider-health';

export function createRoutingActivities(deps: ActivityDeps) {
  const unhealthy = (providers: string[]) => unhealthyProviders(deps.client, providers);
  const publishers = createPublishers(deps);

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

    async publishRoute(route: RouteState): Promise<{ published: string[] }> {
      return publishEverywhere(publishers, route, deps.logger);
    },
  };
}
