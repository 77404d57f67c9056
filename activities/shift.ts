// Activities of the trafficShiftWorkflow: read the chain, apply one step through the routingWorkflow
// (idempotent by Update ID), and the validation probe between steps.
import { ApplicationFailure } from '@temporalio/common';
import { getRoute, setRouteWeights } from '../client/routes';
import type { ActivityDeps } from './deps';
import { providerConfig } from './deps';
import { probeProvider } from './probe';
import { describeProbe } from './diagnostics/api';
import { unhealthyProviders } from './routing';
import { providerEvidence } from '../client/provider-evidence';
import type { Weights } from '../domain/failover';
import type { RouteState, SetWeightsRequest } from '../workflows/messages';
import type { HealthCheck } from './types';

export function createShiftActivities(deps: ActivityDeps) {
  return {
    async shiftContext({
      chain,
    }: {
      chain: string;
    }): Promise<{ route: RouteState; configured: Weights; unhealthy: string[] }> {
      const configured = deps.config.chains.find((c) => c.id === chain);
      // A business error: retrying cannot make the chain exist.
      if (!configured) throw ApplicationFailure.nonRetryable(`unknown chain "${chain}"`, 'UnknownChain');
      const route = await getRoute(deps.client, chain);
      return {
        route,
        configured: configured.weights,
        unhealthy: await unhealthyProviders(deps.client, route.providers),
      };
    },
    async applyRouteStep({
      chain,
      request,
      updateId,
    }: {
      chain: string;
      request: SetWeightsRequest;
      updateId: string;
    }): Promise<RouteState> {
      return setRouteWeights(deps.client, chain, request, updateId);
    },
    /** Users' outcomes at a provider since `sinceMs` (a query of its monitor; null without one). */
    async providerEvidence(args: { provider: string; sinceMs: number }) {
      return providerEvidence(deps.client, args.provider, args.sinceMs);
    },
    /** A validation probe between shift steps. */
    async validateProvider({ provider }: { provider: string }): Promise<HealthCheck> {
      return probeHealth(deps, provider);
    },
  };
}

/** Healthy = the provider answered without an error and within its probe timeout. */
export async function probeHealth(
  deps: ActivityDeps,
  provider: string,
  opts: { useBackupKey?: boolean; baseUrl?: string } = {},
): Promise<HealthCheck> {
  const p = providerConfig(deps, provider);
  const r = await probeProvider(p, opts.baseUrl ?? deps.baseUrlFor(provider), {
    env: deps.env,
    useBackupKey: opts.useBackupKey,
  });
  return { healthy: r.ok && r.category === null, detail: describeProbe(r) };
}
