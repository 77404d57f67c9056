// routingWorkflow: one per failover chain, the single writer of its traffic distribution.
// Changes arrive as a validated Update, one at a time, and are published before the Update returns.
import { allHandlersFinished, condition, continueAsNew, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { RoutingActivities } from '../activities/types';
import { compactWeights, validateWeights } from '../domain/failover';
import { RECOVERY_ACTIONS } from '../domain/recovery';
import { reconfigureRouteUpdate, routeQuery, setHintsUpdate, setWeightsUpdate, type RouteState } from './messages';

const publisher = proxyActivities<RoutingActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '10 seconds', maximumAttempts: 10 },
});

export async function routingWorkflow(initial: RouteState): Promise<void> {
  const state: RouteState = { ...initial };
  let busy = false;

  setHandler(routeQuery, () => state);
  setHandler(
    setWeightsUpdate,
    async (req) => {
      busy = true;
      try {
        state.weights = compactWeights(req.weights);
        state.mode = req.mode ?? 'normal';
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

  // The chain as configured now, sent by each worker at start: a provider added to the chain becomes a
  // failover target at once; changed weights are adopted while the route is normal (a failover in
  // effect keeps its weights; failback restores the configured ones). Nothing changed → no new version.
  setHandler(
    reconfigureRouteUpdate,
    async (req) => {
      const weights = compactWeights(req.weights);
      const providersChanged = JSON.stringify(req.providers) !== JSON.stringify(state.providers);
      const weightsChanged = state.mode === 'normal' && JSON.stringify(weights) !== JSON.stringify(state.weights);
      if (!providersChanged && !weightsChanged) return { ...state };
      busy = true;
      try {
        state.providers = [...req.providers];
        if (weightsChanged) state.weights = weights;
        state.version += 1;
        state.updatedAt = new Date().toISOString();
        state.reason = 'configuration changed (by lifeline worker start-up)';
        await publisher.publishRoute({ ...state });
        return { ...state };
      } finally {
        busy = false;
      }
    },
    {
      validator: (req) => {
        if (busy) throw new Error('another routing change is in progress; retry when it completes');
        if (!req.providers.length) throw new Error('providers: a chain needs at least one provider');
        const issues = validateWeights(req.weights, req.providers);
        if (issues.length) throw new Error(issues.map((i) => `${i.path}: ${i.message}`).join('; '));
        // Weights in effect during a failover must still name providers of the chain.
        const orphan = Object.keys(state.weights).filter((p) => (state.weights[p] ?? 0) > 0 && !req.providers.includes(p));
        if (state.mode !== 'normal' && orphan.length) throw new Error(`providers: ${orphan.join(', ')} carries traffic in the current ${state.mode} route; fail back first`);
      },
    },
  );

  await publisher.publishRoute({ ...state });
  await condition(() => workflowInfo().continueAsNewSuggested && !busy);
  await condition(allHandlersFinished);
  await continueAsNew<typeof routingWorkflow>(state);
}
