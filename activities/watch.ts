// The monitor's long-running probe loop: probes at the provider's interval (plus a 1-token inference
// probe per model at its own, slower interval when configured), feeds every outcome to the detection
// windows (domain/detection.ts), heartbeats, and returns only when health flips (or after maxWatchMs, so
// the workflow can continue-as-new when it must). `trialProbe` is one probe: the breaker's half-open trial.
import { Context } from '@temporalio/activity';
import { feed, newDetector, type DetectionThresholds } from '../domain/detection';
import { alertKindFor } from '../domain/classify';
import { recordAlertsForScope } from '../client/incidents';
import { providerRecoveredSignal, incidentWorkflowId } from '../workflows/messages';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { ActivityDeps } from './deps';
import { providerConfig } from './deps';
import { probeProvider, type ProbeResult } from './probe';
import type { WatchResult } from './types';
import { pollStatusPage, type StatusPageMemory } from './statuspage';

const MAX_WATCH_MS = 60 * 60_000;

/** What the workflow keeps of a probe: no headers beyond rate limits, nothing secret. */
function observationOf(r: ProbeResult): WatchResult['observation'] {
  const { rateLimit: _raw, ...rest } = r;
  return rest;
}

export function createWatchActivities(deps: ActivityDeps) {
  return {
    async watchProvider({ provider, healthy }: { provider: string; healthy: boolean }): Promise<WatchResult> {
      const ctx = Context.current();
      const p = providerConfig(deps, provider);
      const thresholds: DetectionThresholds = p.detection;
      const detector = newDetector(healthy, Date.now());
      const deadline = Date.now() + MAX_WATCH_MS;
      const nextInference = new Map(p.models.map((m) => [m, Date.now()]));
      let last: WatchResult['observation'] | undefined;
      let statusPage: StatusPageMemory | undefined;
      let nextStatusPoll = Date.now();
      while (Date.now() < deadline) {
        if (p.statusPage && Date.now() >= nextStatusPoll) {
          nextStatusPoll = Date.now() + p.statusPagePollMs;
          // Corroboration only: a status page that cannot be read never disturbs the probing.
          statusPage = await pollStatusPage(deps, p, statusPage).catch((err: Error) => {
            deps.logger.warn({ provider, err: err.message }, 'status page poll failed');
            return statusPage;
          });
        }
        const probes: Promise<ProbeResult>[] = [probeProvider(p, deps.baseUrlFor(provider), { env: deps.env, signal: ctx.cancellationSignal })];
        if (p.probe.inferenceIntervalMs) {
          for (const [model, due] of nextInference) {
            if (due > Date.now()) continue;
            nextInference.set(model, Date.now() + p.probe.inferenceIntervalMs);
            probes.push(probeProvider(p, deps.baseUrlFor(provider), { env: deps.env, signal: ctx.cancellationSignal, type: 'inference', model }));
          }
        }
        for (const r of await Promise.all(probes)) {
          deps.metrics?.probe(provider, r);
          last = observationOf(r);
          ctx.heartbeat({ healthy: detector.healthy, consecutiveFailures: detector.consecutiveFailures });
          const v = feed(detector, { ok: r.ok, status: r.status, latencyMs: r.latencyMs, at: Date.parse(r.at) }, thresholds);
          if (v.transition) {
            const since = detector.streakStartedAt !== undefined ? new Date(detector.streakStartedAt).toISOString() : r.at;
            return { healthy: v.healthy, transition: true, observation: last, streakStartedAt: since, reason: v.reason };
          }
        }
        // A failure while healthy is a suspicion: confirm it at a fifth of the interval instead of waiting
        // a whole one, so N consecutive failures take ~N/5 intervals (detection time), not N.
        const suspect = detector.healthy && detector.consecutiveFailures > 0;
        await ctx.sleep(suspect ? Math.max(50, Math.round(p.probe.intervalMs / 5)) : p.probe.intervalMs); // rejects early when cancelled
      }
      return { healthy: detector.healthy, transition: false, observation: last! };
    },

    /** One probe, classified: a half-open breaker's trial (the provider may or may not take traffic again). */
    async trialProbe({ provider }: { provider: string }): Promise<WatchResult['observation']> {
      const p = providerConfig(deps, provider);
      const r = await probeProvider(p, deps.baseUrlFor(provider), { env: deps.env, signal: Context.current().cancellationSignal });
      deps.metrics?.probe(provider, r);
      return observationOf(r);
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

    async reportProviderRecovered({ provider, at, detail, incidentId }: { provider: string; at: string; detail: string; incidentId?: string }) {
      try {
        await deps.client.workflow.getHandle(incidentWorkflowId(provider)).signal(providerRecoveredSignal, { at, detail, ...(incidentId ? { incidentId } : {}) });
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
