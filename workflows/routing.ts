// routingWorkflow: one per failover chain, the single writer of its traffic distribution.
// Changes arrive as a validated Update, one at a time, and are published before the Update returns.
import { allHandlersFinished, condition, continueAsNew, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { RoutingActivities } from '../activities/types';
import { compactWeights, validateWeights } from '../domain/failover';
import { RECOVERY_ACTIONS } from '../domain/recovery';
import { ROUTE_CHANGE_LOG_LIMIT, routeChangesQuery, routeQuery, setHintsUpdate, setWeightsUpdate, type RouteChangeRecord, type RouteState } from './messages';

const publisher = proxyActivities<RoutingActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '10 seconds', maximumAttempts: 10 },
});

export async function routingWorkflow(initial: RouteState, log: RouteChangeRecord[] = []): Promise<void> {
  const state: RouteState = { ...initial };
  let busy = false;
  // Every weight change with who and why, for postmortems (operator and Slack changes included).
  const changes: RouteChangeRecord[] = [...log];

  setHandler(routeQuery, () => state);
  setHandler(routeChangesQuery, () => changes);
  setHandler(
    setWeightsUpdate,
    async (req) => {
      busy = true;
      try {
        const before = state.weights;
        state.weights = compactWeights(req.weights);
        state.mode = req.mode ?? 'normal';
        state.version += 1;
        state.updatedAt = new Date().toISOString();
        state.reason = `${req.reason} (by ${req.by})`;
        changes.push({ chain: state.id, version: state.version, at: state.updatedAt, from: before, to: state.weights, mode: state.mode, reason: req.reason, by: req.by });
        if (changes.length > ROUTE_CHANGE_LOG_LIMIT) changes.splice(0, changes.length - ROUTE_CHANGE_LOG_LIMIT);
        await publisher.publishRoute({ ...state });
        return { ...state };
      } finally {
        busy = false;
      }
    },
    {
      validator: (req) => {
        if (busy) throw new Error('another routing change is in progress; retry when it completes');
        if (!req.reason || !req.by) throw new Error('reason and by are required');
        // Emergency mode keeps the last weights: there is nowhere healthy to send traffic.
        const issues = validateWeights(req.weights, state.providers);
        if (issues.length) throw new Error(issues.map((i) => `${i.path}: ${i.message}`).join('; '));
      },
    },
  );

  // Recovery hints (backup key, throttle, cheaper model, caching) ride on the route as signals for the
  // application; adding a handler emits no command, so histories recorded before it still replay.
  setHandler(
    setHintsUpdate,
    async (req) => {
      busy = true;
      try {
        const hints = { ...(state.hints ?? {}) };
        if (req.hints.length) hints[req.provider] = [...req.hints];
        else delete hints[req.provider];
        state.hints = hints;
        state.version += 1;
        state.updatedAt = new Date().toISOString();
        state.reason = `${req.reason} (by ${req.by})`;
        await publisher.publishRoute({ ...state });
        return { ...state };
      } finally {
        busy = false;
      }
    },
    {
      validator: (req) => {
        if (busy) throw new Error('another routing change is in progress; retry when it completes');
        if (!req.reason || !req.by) throw new Error('reason and by are required');
        if (!state.providers.includes(req.provider)) throw new Error(`provider: ${req.provider} is not in the chain`);
        const bad = req.hints.filter((h: string) => !(RECOVERY_ACTIONS as readonly string[]).includes(h));
        if (bad.length) throw new Error(`hints: unknown hint(s) ${bad.join(', ')}`);
      },
    },
  );

  await publisher.publishRoute({ ...state });
  await condition(() => workflowInfo().continueAsNewSuggested && !busy);
  await condition(allHandlersFinished);
  await continueAsNew<typeof routingWorkflow>(state, changes);
}
