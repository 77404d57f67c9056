// Reading and changing a chain's route through its routingWorkflow.
import type { Client } from '@temporalio/client';
import { routeQuery, routingWorkflowId, setWeightsUpdate, type RouteState, type SetWeightsRequest } from '../workflows/messages';

export async function getRoute(client: Client, chain: string): Promise<RouteState> {
  return client.workflow.getHandle(routingWorkflowId(chain)).query(routeQuery);
}

/** updateId makes the change idempotent: a retried caller gets the first result, not a second change. */
export async function setRouteWeights(client: Client, chain: string, req: SetWeightsRequest, updateId?: string): Promise<RouteState> {
  return client.workflow.getHandle(routingWorkflowId(chain)).executeUpdate(setWeightsUpdate, { args: [req], ...(updateId ? { updateId } : {}) });
}
