// Activities of the trafficShiftWorkflow: read the chain, apply one step through the routingWorkflow
// (idempotent by Update ID), and the validation probe between steps.
import { ApplicationFailure } from '@temporalio/common';
import { getRoute, setRouteWeights } from '../client/routes';
import type { ActivityDeps } from './deps';
import { providerConfig } from './deps';
import { probeProvider } from './probe';
import { describeProbe } from './diagnostics/api';
import { unhealthyProviders } from './routing';
import type { HealthCheck, ShiftActivities } from './types';

export function createShiftActivities(deps: ActivityDeps): ShiftActivities {
  return {
    async shiftContext({ chain }) {
      const configured = deps.config.chains.find((c) => c.id === chain);
      // A business error: retrying cannot make the chain exist.
      if (!configured) throw ApplicationFailure.nonRetryable(`unknown chain "${chain}"`, 'UnknownChain');
      const route = await getRoute(deps.client, chain);
      return { route, configured: configured.weights, unhealthy: await unhealthyProviders(deps.client, route.providers) };
    },
    async applyRouteStep({ chain, request, updateId }) {
      return setRouteWeights(deps.client, chain, request, updateId);
    },
    async validateProvider({ provider }): Promise<HealthCheck> {
      return probeHealth(deps, provider);
    },
  };
}

/** Healthy = the provider answered without an error and within its probe timeout. */
export async function probeHealth(deps: ActivityDeps, provider: string, opts: { useBackupKey?: boolean; baseUrl?: string } = {}): Promise<HealthCheck> {
  const p = providerConfig(deps, provider);
  const r = await probeProvider(p, opts.baseUrl ?? deps.baseUrlFor(provider), { env: deps.env, useBackupKey: opts.useBackupKey });
  return { healthy: r.ok && r.category === null, detail: describeProbe(r) };
}
