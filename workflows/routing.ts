// routingWorkflow: one per failover chain, the single writer of its traffic distribution and the owner of
// its traffic shifts. Route changes arrive as validated Updates and apply one at a time (a mutex, as in
// samples-typescript's safe-message-handlers: a change waits for the one publishing, it is never
// rejected as "busy"); each is published before its Update returns. Traffic shifts arrive in a queue
// (incidents signal, operators send an Update) and run one at a time as child workflows, so a second
// incident on the chain waits its turn instead of giving up, and a failback outlives the incident that
// asked for it.
import {
  allHandlersFinished,
  CancellationScope,
  condition,
  continueAsNew,
  executeChild,
  getExternalWorkflowHandle,
  isCancellation,
  ParentClosePolicy,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import { Mutex } from 'async-mutex';
import type { RoutingActivities } from '../activities/types';
import { compactWeights, validateWeights } from '../domain/failover';
import { RECOVERY_ACTIONS } from '../domain/recovery';
import {
  cancelShiftSignal,
  enqueueShiftUpdate,
  reconfigureRouteUpdate,
  requestShiftSignal,
  routeQuery,
  setHintsUpdate,
  setWeightsUpdate,
  shiftDoneSignal,
  shiftQueueQuery,
  shiftWorkflowId,
  stopShiftSignal,
  type RouteState,
  type ShiftQueueState,
  type ShiftResult,
  type ShiftTicket,
} from './messages';
import { trafficShiftWorkflow } from './shift';

const publisher = proxyActivities<RoutingActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '10 seconds', maximumAttempts: 10 },
});

/** Finished shifts kept for GET /v1/routes/:chain/shift and repeated requests. */
const RECENT_SHIFTS = 20;

/** What continue-as-new carries besides the route: shifts still waiting for their turn. */
export interface RoutingCarry {
  pending: ShiftTicket[];
  recent: ShiftQueueState['recent'];
}

export async function routingWorkflow(initial: RouteState, carry?: RoutingCarry): Promise<void> {
  const state: RouteState = { ...initial };
  const mutex = new Mutex();
  const queue: ShiftQueueState = { pending: [...(carry?.pending ?? [])], recent: [...(carry?.recent ?? [])] };
  let running: CancellationScope | undefined;

  async function change(mutate: () => void): Promise<RouteState> {
    // Serialised: the route a change publishes is the one it made, never one half-made by another.
    return mutex.runExclusive(async () => {
      mutate();
      state.version += 1;
      state.updatedAt = new Date().toISOString();
      await publisher.publishRoute({ ...state });
      return { ...state };
    });
  }

  setHandler(routeQuery, () => state);
  setHandler(
    setWeightsUpdate,
    (req) =>
      change(() => {
        state.weights = compactWeights(req.weights);
        state.mode = req.mode ?? 'normal';
        state.reason = `${req.reason} (by ${req.by})`;
      }),
    {
      validator: (req) => {
        if (!req.reason || !req.by) throw new Error('reason and by are required');
        // Emergency mode keeps the last weights: there is nowhere healthy to send traffic.
        const issues = validateWeights(req.weights, state.providers);
        if (issues.length) throw new Error(issues.map((i) => `${i.path}: ${i.message}`).join('; '));
      },
    },
  );

  // Recovery hints (backup key, throttle, cheaper model, caching) ride on the route as signals for the
  // application.
  setHandler(
    setHintsUpdate,
    (req) =>
      change(() => {
        const hints = { ...(state.hints ?? {}) };
        if (req.hints.length) hints[req.provider] = [...req.hints];
        else delete hints[req.provider];
        state.hints = hints;
        state.reason = `${req.reason} (by ${req.by})`;
      }),
    {
      validator: (req) => {
        if (!req.reason || !req.by) throw new Error('reason and by are required');
        if (!state.providers.includes(req.provider)) throw new Error(`provider: ${req.provider} is not in the chain`);
        const bad = req.hints.filter((h: string) => !(RECOVERY_ACTIONS as readonly string[]).includes(h));
        if (bad.length) throw new Error(`hints: unknown hint(s) ${bad.join(', ')}`);
      },
    },
  );

  // The chain as configured now, sent by each worker at start: a provider added to the chain becomes a
  // failover target at once; changed weights are adopted while the route is normal (a failover in
  // effect keeps its weights; failback restores the configured ones). Nothing changed → no new version.
  setHandler(
    reconfigureRouteUpdate,
    (req) =>
      mutex.runExclusive(async () => {
        const weights = compactWeights(req.weights);
        const providersChanged = JSON.stringify(req.providers) !== JSON.stringify(state.providers);
        const weightsChanged = state.mode === 'normal' && JSON.stringify(weights) !== JSON.stringify(state.weights);
        if (!providersChanged && !weightsChanged) return { ...state };
        state.providers = [...req.providers];
        if (weightsChanged) state.weights = weights;
        state.version += 1;
        state.updatedAt = new Date().toISOString();
        state.reason = 'configuration changed (by lifeline worker start-up)';
        await publisher.publishRoute({ ...state });
        return { ...state };
      }),
    {
      validator: (req) => {
        if (!req.providers.length) throw new Error('providers: a chain needs at least one provider');
        const issues = validateWeights(req.weights, req.providers);
        if (issues.length) throw new Error(issues.map((i) => `${i.path}: ${i.message}`).join('; '));
        // Weights in effect during a failover must still name providers of the chain.
        const orphan = Object.keys(state.weights).filter((p) => (state.weights[p] ?? 0) > 0 && !req.providers.includes(p));
        if (state.mode !== 'normal' && orphan.length) throw new Error(`providers: ${orphan.join(', ')} carries traffic in the current ${state.mode} route; fail back first`);
      },
    },
  );

  // ---- the shift queue --------------------------------------------------------------------------------
  const known = (id: string) => queue.current?.ticket.id === id || queue.pending.some((t) => t.id === id) || queue.recent.some((r) => r.ticket.id === id);
  const enqueue = (t: ShiftTicket): number => {
    if (!known(t.id)) queue.pending.push(t); // a repeated request (retried signal or Update) is the same shift
    const at = queue.pending.findIndex((p) => p.id === t.id);
    return at < 0 ? 0 : at + (queue.current ? 1 : 0);
  };
  setHandler(shiftQueueQuery, () => queue);
  setHandler(requestShiftSignal, (t) => {
    if (t.request?.chain === state.id && t.id) enqueue(t);
  });
  setHandler(
    enqueueShiftUpdate,
    (t) => ({ id: t.id, workflowId: shiftWorkflowId(state.id, t.id), position: enqueue(t) }),
    {
      validator: (t) => {
        if (!t.id) throw new Error('id is required');
        if (t.request?.chain !== state.id) throw new Error(`request.chain: must be ${state.id}`);
        if (!t.request.reason || !t.request.by) throw new Error('request.reason and request.by are required');
      },
    },
  );
  setHandler(cancelShiftSignal, ({ id, reason }) => {
    const at = queue.pending.findIndex((t) => t.id === id);
    if (at >= 0) {
      const [t] = queue.pending.splice(at, 1);
      const result: ShiftResult = { chain: state.id, kind: t.request.kind, outcome: 'cancelled', detail: `cancelled before it started: ${reason}`, initial: state.weights, final: state.weights, mode: state.mode, version: state.version, steps: [] };
      void finished(t, shiftWorkflowId(state.id, t.id), result);
    } else if (queue.current?.ticket.id === id && running) {
      // The child stops at its next safe point and leaves a safe route; its result says what it did.
      void getExternalWorkflowHandle(queue.current.workflowId).signal(stopShiftSignal, { reason }).catch(() => undefined);
    }
  });

  async function finished(t: ShiftTicket, workflowId: string, result: ShiftResult): Promise<void> {
    queue.recent.push({ ticket: t, workflowId, result });
    if (queue.recent.length > RECENT_SHIFTS) queue.recent.splice(0, queue.recent.length - RECENT_SHIFTS);
    if (!t.requester) return;
    try {
      await getExternalWorkflowHandle(t.requester).signal(shiftDoneSignal, { id: t.id, result });
    } catch {
      // The requester closed (e.g. an incident resolved mid-failback): the result stays in `recent`.
    }
  }

  async function runShift(t: ShiftTicket): Promise<void> {
    const workflowId = shiftWorkflowId(state.id, t.id);
    queue.current = { ticket: t, workflowId };
    running = new CancellationScope();
    let result: ShiftResult;
    try {
      result = await running.run(() =>
        executeChild(trafficShiftWorkflow, { workflowId, args: [t.request], parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL }),
      );
    } catch (err) {
      // The shift records its own activity failures as `failed`; this is the child itself failing.
      const cause = (err as Error & { cause?: Error }).cause?.message ?? (err as Error).message;
      result = { chain: state.id, kind: t.request.kind, outcome: isCancellation(err) ? 'cancelled' : 'failed', detail: `shift workflow ended: ${cause}`, initial: state.weights, final: state.weights, mode: state.mode, version: state.version, steps: [] };
    }
    running = undefined;
    queue.current = undefined;
    await finished(t, workflowId, result);
  }

  await publisher.publishRoute({ ...state });
  for (;;) {
    await condition(() => queue.pending.length > 0 || workflowInfo().continueAsNewSuggested);
    if (workflowInfo().continueAsNewSuggested) break;
    await runShift(queue.pending.shift()!);
  }
  // Only between shifts and with no change in flight; queued shifts ride along.
  await condition(() => !mutex.isLocked() && allHandlersFinished());
  await continueAsNew<typeof routingWorkflow>(state, { pending: queue.pending, recent: queue.recent.slice(-5) });
}

