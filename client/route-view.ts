// A chain's route as apps see it (domain/route-view.ts): the routing entity's route query plus the
// breaker phase of each provider of the chain, read from its monitor — in parallel.
import type { Client } from '@temporalio/client';
import type { BreakerPhase } from '../domain/breaker';
import { routeView, type RouteView } from '../domain/route-view';
import { monitorStateQuery, monitorWorkflowId } from '../workflows/messages';
import { getRoute } from './routes';

export type BreakerReader = (provider: string) => Promise<BreakerPhase | undefined>;

/** The breaker phase, or undefined when the monitor is not running or does not answer (not known down). */
export const readBreaker =
  (client: Client): BreakerReader =>
  async (provider) => {
    try {
      const s = await client.workflow.getHandle(monitorWorkflowId(provider)).query(monitorStateQuery);
      return s.breaker?.phase;
    } catch {
      return undefined;
    }
  };

/**
 * Breaker phases reused for `maxAgeMs` and shared by concurrent callers: a route watcher polling every
 * 50 ms reads the routing entity each time but each monitor only every few ticks (a breaker that opens
 * also moves the route, which is read at full rate).
 */
export function cachedBreakers(read: BreakerReader, maxAgeMs: number): BreakerReader {
  const cache = new Map<string, { at: number; phase: Promise<BreakerPhase | undefined> }>();
  return (provider) => {
    const hit = cache.get(provider);
    if (hit && Date.now() - hit.at < maxAgeMs) return hit.phase;
    const phase = read(provider);
    cache.set(provider, { at: Date.now(), phase });
    return phase;
  };
}

/** `providers`: the chain's configured providers (queried alongside the route rather than after it). */
export async function readRouteView(
  client: Client,
  chain: string,
  providers: string[],
  breaker: BreakerReader = readBreaker(client),
): Promise<RouteView> {
  const [route, phases] = await Promise.all([
    getRoute(client, chain),
    Promise.all(providers.map(async (p) => [p, await breaker(p)] as const)),
  ]);
  return routeView(route, Object.fromEntries(phases));
}
