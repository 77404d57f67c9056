// Reading and changing a chain's route through its routingWorkflow.
import type { Client } from '@temporalio/client';
import { planImmediateFailover, type Weights } from '../domain/failover';
import { earlierUpdateOutcome, executeIdempotentUpdate } from './idempotent-update';
import {
  routeChangesQuery,
  routeQuery,
  routingWorkflowId,
  setWeightsUpdate,
  type RouteChangeRecord,
  type RouteState,
  type SetWeightsRequest,
} from '../workflows/messages';

export async function getRoute(client: Client, chain: string): Promise<RouteState> {
  return client.workflow.getHandle(routingWorkflowId(chain)).query(routeQuery);
}

/**
 * Every recorded weight change of these chains between `since` and `until` (all of them when a chain's
 * log cannot be read: the report then falls back to the incident's own record).
 */
export async function routeChangesBetween(
  client: Client,
  chains: string[],
  since: string,
  until?: string,
): Promise<RouteChangeRecord[] | undefined> {
  try {
    const logs = await Promise.all(
      chains.map((c) => client.workflow.getHandle(routingWorkflowId(c)).query(routeChangesQuery)),
    );
    return logs
      .flat()
      .filter((r) => r.at >= since && (!until || r.at <= until))
      .sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  } catch {
    return undefined;
  }
}

/**
 * updateId makes the change idempotent: a retried caller gets the first result, not a second change —
 * also when the routing entity has continued-as-new since (client/idempotent-update.ts).
 */
export async function setRouteWeights(
  client: Client,
  chain: string,
  req: SetWeightsRequest,
  updateId?: string,
): Promise<RouteState> {
  return executeIdempotentUpdate(client, client.workflow.getHandle(routingWorkflowId(chain)), setWeightsUpdate, [req], {
    updateId,
  });
}

/**
 * An operator's immediate failover: the provider's share moves to `to`, or to the next provider in
 * chain order. Returns null when the provider carries no traffic on this chain.
 */
export async function failoverNow(
  client: Client,
  chain: string,
  from: string,
  by: string,
  to?: string,
  updateId?: string,
): Promise<RouteState | null> {
  // A retried request whose change was applied: the first answer (the plan below would find nothing to move).
  const earlier = updateId ? await earlierUpdateOutcome<RouteState>(client, routingWorkflowId(chain), updateId) : null;
  if (earlier) return earlier.value;
  const route = await getRoute(client, chain);
  if (!route.providers.includes(from))
    throw new Error(`${from} is not in chain ${chain} (${route.providers.join(', ')})`);
  if (to && !route.providers.includes(to))
    throw new Error(`${to} is not in chain ${chain} (${route.providers.join(', ')})`);
  if (!route.weights[from]) return null;
  let weights: Weights | null;
  if (to) {
    weights = { ...route.weights, [to]: (route.weights[to] ?? 0) + route.weights[from] };
    delete weights[from];
  } else {
    weights = planImmediateFailover(route.weights, route.providers, from);
  }
  if (!weights) throw new Error(`no other provider in chain ${chain} to move traffic to`);
  return setRouteWeights(
    client,
    chain,
    { weights, mode: 'degraded', reason: `manual failover off ${from}`, by },
    updateId,
  );
}
