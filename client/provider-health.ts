// Provider health as the monitors see it, for callers deciding where traffic may go (activities, the
// API's operator shifts, Slack).
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { nextHealthy } from '../domain/shift';
import { monitorStateQuery, monitorWorkflowId } from '../workflows/messages';
import { getRoute } from './routes';

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

/**
 * Why an operator's failover off `from` would leave the chain with no healthy provider (emergency mode),
 * or null when it would not. Emergency is a decision for a human who knows it: callers refuse without
 * an explicit force.
 */
export async function emergencyRisk(client: Client, chain: string, from: string, to?: string): Promise<string | null> {
  let route;
  try {
    route = await getRoute(client, chain);
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return null; // no routing entity: the shift itself reports that
    throw err;
  }
  if (!route.weights[from]) return null; // nothing moves
  const down = await unhealthyProviders(
    client,
    route.providers.filter((p) => p !== from),
  );
  if (to) return down.includes(to) ? `${to} is unhealthy too` : null;
  if (nextHealthy(route.providers, from, down)) return null;
  const others = route.providers.filter((p) => p !== from);
  return others.length
    ? `every other provider of ${chain} is unhealthy (${down.join(', ')}): moving traffic off ${from} would put the chain in emergency mode`
    : `${from} is the only provider of ${chain}: moving traffic off it would put the chain in emergency mode`;
}
