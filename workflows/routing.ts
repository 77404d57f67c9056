// routingWorkflow: one per failover chain, the single writer of its traffic distribution and the owner of
// its traffic shifts. Route changes arrive as validated Updates and apply one at a time (a mutex, as in
// samples-typescript's safe-message-handlers: a change waits for the one publishing, it is never
// rejected as "busy"); each is published before its Update returns. Traffic shifts arrive in a queue
// (incidents signal, operators send an Update) and run one at a time as child workflows, so a second
// incident on the chain waits its turn instead of giving up, and a failback outlives the incident that
// asked for it. The state and what the handlers do with it live in workflows/routing-entity.ts.
import { condition, continueAsNew, setHandler, workflowInfo } from '@temporalio/workflow';
import {
  cancelShiftSignal,
  enqueueShiftUpdate,
  reconfigureRouteUpdate,
  requestShiftSignal,
  routeChangesQuery,
  routeQuery,
  setHintsUpdate,
  setWeightsUpdate,
  shiftQueueQuery,
  type RouteState,
} from './messages';
import { RoutingEntity, type RoutingCarry } from './routing-entity';

export type { RoutingCarry } from './routing-entity';

export async function routingWorkflow(initial: RouteState, carry?: RoutingCarry): Promise<void> {
  const route = new RoutingEntity(initial, carry);

  // ---- handlers first, before any await ------------------------------------------------------------
  setHandler(routeQuery, () => route.state);
  setHandler(routeChangesQuery, () => route.changes);
  setHandler(setWeightsUpdate, (req) => route.setWeights(req), { validator: (req) => route.validateSetWeights(req) });
  setHandler(setHintsUpdate, (req) => route.setHints(req), { validator: (req) => route.validateSetHints(req) });
  setHandler(reconfigureRouteUpdate, (req) => route.reconfigure(req), {
    validator: (req) => route.validateReconfigure(req),
  });
  setHandler(shiftQueueQuery, () => route.queue);
  setHandler(requestShiftSignal, (t) => route.requestShift(t));
  setHandler(enqueueShiftUpdate, (t) => route.enqueueShift(t), { validator: (t) => route.validateEnqueue(t) });
  setHandler(cancelShiftSignal, (req) => route.cancelShift(req));

  await route.publish();
  for (;;) {
    await condition(() => route.queue.pending.length > 0 || workflowInfo().continueAsNewSuggested);
    if (workflowInfo().continueAsNewSuggested) break;
    await route.runNextShift();
  }
  // Only between shifts and with no change in flight; queued shifts ride along.
  await condition(() => route.idle());
  await continueAsNew<typeof routingWorkflow>(route.state, route.carry());
}
