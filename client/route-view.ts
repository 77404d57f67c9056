// A chain's route as apps see it (domain/route-view.ts): the routing entity's route query plus the
// breaker phase of each provider of the chain, read from its monitor — all in parallel.
import type { Client } from '@temporalio/client';
import type { BreakerPhase } from '../domain/breaker';
import { routeView, type RouteView } from '../domain/route-view';
import { monitorStateQuery, monitorWorkflowId } from '../workflows/messages';
import { getRoute } from './routes';

/** The breaker phase, or undefined when the monitor is not running or does not answer (not known down). */
async function breakerPhase(client: Client, provider: string): Promise<BreakerPhase | undefined> {
  try {
    const s = await client.workflow.getHandle(monitorWorkflowId(provider)).query(monitorStateQuery);
    return s.breaker?.phase;
  } catch {
    return undefined;
  }
}

/** `providers`: the chain's configured providers (queried alongside the route rather than after it). */
export async function readRouteView(client: Client, chain: string, providers: string[]): Promise<RouteView> {
  const [route, phases] = await Promise.all([
    getRoute(client, chain),
    Promise.all(providers.map(async (p) => [p, await breakerPhase(client, p)] as const)),
  ]);
  return routeView(route, Object.fromEntries(phases));
}
