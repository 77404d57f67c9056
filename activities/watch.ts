// The monitor's long-running probe loop: probes at the provider's interval, heartbeats, and returns
// only when health flips (or after maxWatchMs, so the workflow can continue-as-new when it must).
import { Context } from '@temporalio/activity';
import { observe, newTracker } from '../domain/health';
import { alertKindFor } from '../domain/classify';
import { recordAlertsForScope } from '../client/incidents';
import { providerRecoveredSignal, incidentWorkflowId } from '../workflows/messages';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { ActivityDeps } from './deps';
import { providerConfig } from './deps';
import { probeProvider } from './probe';
import type { WatchResult } from './types';

const MAX_WATCH_MS = 60 * 60_000;

export function createWatchActivities(deps: ActivityDeps) {
  return {
    async watchProvider({ provider, healthy }: { provider: string; healthy: boolean }): Promise<WatchResult> {
      const ctx = Context.current();
      const p = providerConfig(deps, provider);
      const tracker = newTracker(healthy);
      const deadline = Date.now() + MAX_WATCH_MS;
      let last: WatchResult['observation'] | undefined;
      while (Date.now() < deadline) {
        const r = await probeProvider(p, deps.baseUrlFor(provider), { env: deps.env, signal: ctx.cancellationSignal });
        last = r;
        ctx.heartbeat({ healthy: tracker.healthy, consecutiveFailures: tracker.consecutiveFailures });
        if (observe(tracker, r.ok, p.detection, r.at)) {
          return { healthy: tracker.healthy, transition: true, observation: r, streakStartedAt: tracker.streakStartedAt ?? r.at };
        }
        await ctx.sleep(p.probe.intervalMs); // rejects early when the activity is cancelled
      }
      return { healthy: tracker.healthy, transition: false, observation: last! };
    },

    async openProviderIncident({ provider, observation, since }: { provider: string; observation: WatchResult['observation']; since?: string }) {
      const what = observation.status ? `HTTP ${observation.status}${observation.errorType ? ` ${observation.errorType}` : ''}` : (observation.errorCode ?? 'probe failure');
      const r = await recordAlertsForScope(deps.client, deps.config.temporal.taskQueue, provider, [
        {
          provider,
          kind: alertKindFor(observation.category),
          summary: `${provider} failing health probes (${what})`,
          source: 'lifeline-probe',
          severity: 'critical',
          details: { category: observation.category, latencyMs: observation.latencyMs },
          // The first failing probe of the streak, not the one that crossed the threshold: that is the fault time.
          observedAt: since ?? observation.at,
        },
      ]);
      deps.logger.info({ provider, incidentId: r.incidentId }, `${provider} unhealthy: incident ${r.incidentId}`);
      return { incidentId: r.incidentId };
    },

    async reportProviderRecovered({ provider, at, detail }: { provider: string; at: string; detail: string }) {
      try {
        await deps.client.workflow.getHandle(incidentWorkflowId(provider)).signal(providerRecoveredSignal, { at, detail });
        deps.logger.info({ provider }, `${provider} healthy again`);
        return { signalled: true };
      } catch (err) {
        // No open incident (e.g. resolved by hand already): nothing to tell.
        if (err instanceof WorkflowNotFoundError) return { signalled: false };
        throw err;
      }
    },
  };
}
