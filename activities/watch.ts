// The monitor's long-running probe loop: probes at the provider's interval (plus a 1-token inference
// probe per model at its own, slower interval when configured), overlapping probes when one hangs
// (domain/probe-schedule.ts), feeds every outcome to the detection windows (domain/detection.ts) as it
// arrives, heartbeats, and returns only when health flips (or after maxWatchMs, so the workflow can
// continue-as-new when it must). `trialProbe` is one probe: the breaker's half-open trial.
import { CancelledFailure, Context } from '@temporalio/activity';
import { feed, newDetector, type DetectionThresholds } from '../domain/detection';
import { alertKindFor } from '../domain/classify';
import { planProbe, typicalLatency } from '../domain/probe-schedule';
import { recordAlertsForScope } from '../client/incidents';
import { owningIncident } from '../client/incident-owner';
import { providerRecoveredSignal, incidentWorkflowId } from '../workflows/messages';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { ActivityDeps } from './deps';
import { providerConfig } from './deps';
import { probeProvider, type ProbeResult } from './probe';
import type { WatchResult } from './types';
import { pollStatusPage, type StatusPageMemory } from './provider-status-poll';
import { ProbeAgents } from './probe-agents';
import { firstLaunchBase, resumeWatch, type WatchMemory } from './probe-memory';

const MAX_WATCH_MS = 60 * 60_000;

/** What the workflow keeps of a probe: no headers beyond rate limits, nothing secret. */
function observationOf(r: ProbeResult): WatchResult['observation'] {
  const { rateLimit: _raw, ...rest } = r;
  return rest;
}

/** A sleep that an event cuts short: the probe loop sleeps until its next launch or the next answer. */
class Wakeup {
  private waiting?: () => void;

  wake(): void {
    this.waiting?.();
  }

  sleep(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        this.waiting = undefined;
        resolve();
      };
      const timer = setTimeout(done, Math.max(1, ms));
      this.waiting = done;
      signal.addEventListener('abort', done);
    });
  }
}

export function createWatchActivities(deps: ActivityDeps) {
  const w = deps.config.worker;
  // Shared by every probe loop of this worker: bounded sockets per provider origin.
  const agents = new ProbeAgents(w.probeSocketsPerHost);
  return {
    async watchProvider({ provider, healthy }: { provider: string; healthy: boolean }): Promise<WatchResult> {
      const ctx = Context.current();
      const p = providerConfig(deps, provider);
      const thresholds: DetectionThresholds = p.detection;
      const started = Date.now();
      // A retry (worker crash, heartbeat timeout) picks up the windows and failure streak where the last
      // attempt's heartbeat left them, so detection does not start again from zero failures.
      const memory = resumeWatch(ctx.info.heartbeatDetails, healthy, started);
      const detector = memory?.detector ?? newDetector(healthy, started);
      // Jittered, so loops started together do not all return (and reschedule) together.
      const deadline = started + Math.min(MAX_WATCH_MS, Math.round(w.probeLoopMaxMs * (0.9 + Math.random() * 0.2)));
      const nextInference = new Map(p.models.map((m) => [m, started]));
      // Probes still out when this returns (a verdict was reached) are aborted with it.
      const stop = new AbortController();
      const signal = AbortSignal.any([ctx.cancellationSignal, stop.signal]);
      const answers: ProbeResult[] = [];
      const inFlight = new Set<number>();
      const okLatencies: number[] = memory?.okLatencies ?? [];
      const answered = new Wakeup();
      const interval = p.probe.intervalMs;
      const jitter = () => Math.round((Math.random() * 2 - 1) * w.probeJitter * interval);
      // Spread the first probes: a fresh loop starts somewhere in its first interval; a resumed one keeps
      // its cadence, and an overdue one (taken over after a crash) probes within a second.
      let lastLaunchAt = firstLaunchBase(memory?.lastProbeAt, started, interval);
      let effectiveInterval = interval + jitter();
      let lastProbeAt = memory?.lastProbeAt;
      let last: WatchResult['observation'] | undefined;
      let statusPage: StatusPageMemory | undefined;
      let statusPolling = false;
      let nextStatusPoll = started;
      const loop = deps.metrics?.probeLoop(interval, lastProbeAt ?? started);

      // Its own timer: the heartbeat proves the loop alive whatever the probe interval (the SDK sends at most
      // one per worker.probeHeartbeatMs to Temporal; the details carry what a retry resumes from).
      const beat = () => ctx.heartbeat({ v: 1, detector, okLatencies, lastProbeAt } satisfies WatchMemory);
      beat();
      const beating = setInterval(beat, Math.min(1_000, w.probeHeartbeatMs));

      const launch = (type?: 'inference', model?: string) => {
        const since = Date.now();
        if (!type) inFlight.add(since);
        void probeProvider(p, deps.baseUrlFor(provider), {
          env: deps.env,
          signal,
          dispatcher: agents.dispatcher,
          ...(type ? { type, model } : {}),
        }).then((r) => {
          if (!type) inFlight.delete(since);
          answers.push(r);
          answered.wake();
        });
      };
      try {
        while (Date.now() < deadline) {
          if (p.statusPage && !statusPolling && Date.now() >= nextStatusPoll) {
            // Corroboration only, off the probe path: a status page that cannot be read never disturbs probing.
            statusPolling = true;
            nextStatusPoll = Date.now() + p.statusPagePollMs;
            void pollStatusPage(deps, p, statusPage)
              .then(
                (m) => (statusPage = m),
                (err: Error) => deps.logger.warn({ provider, err: err.message }, 'status page poll failed'),
              )
              .finally(() => (statusPolling = false));
          }
          for (let r = answers.shift(); r; r = answers.shift()) {
            deps.metrics?.probe(provider, r);
            deps.slo?.record(provider, r);
            last = observationOf(r);
            if (r.ok && (r.type ?? 'metadata') === 'metadata') {
              okLatencies.push(r.latencyMs);
              if (okLatencies.length > 20) okLatencies.shift();
            }
            const v = feed(
              detector,
              { ok: r.ok, status: r.status, latencyMs: r.latencyMs, at: Date.parse(r.at) },
              thresholds,
            );
            if (v.transition) {
              const since =
                detector.streakStartedAt !== undefined ? new Date(detector.streakStartedAt).toISOString() : r.at;
              return {
                healthy: v.healthy,
                transition: true,
                observation: last,
                streakStartedAt: since,
                reason: v.reason,
              };
            }
          }
          const now = Date.now();
          const plan = planProbe({
            now,
            intervalMs: effectiveInterval,
            timeoutMs: p.probe.timeoutMs,
            lastLaunchAt,
            inFlightSince: [...inFlight],
            confirmingFailure: detector.healthy && detector.consecutiveFailures > 0,
            typicalLatencyMs: typicalLatency(okLatencies),
            maxInFlight: Math.max(1, thresholds.failuresToOpen),
          });
          if (plan.launch) {
            // Lateness: how far past its (jittered) due time a regular probe fired; fast confirmations are early by design.
            const due = lastLaunchAt + effectiveInterval;
            if (now >= due) deps.metrics?.probeLateness(now - due);
            lastLaunchAt = now;
            lastProbeAt = now;
            loop?.probed(now);
            effectiveInterval = interval + jitter();
            launch();
            if (p.probe.inferenceIntervalMs) {
              for (const [model, due] of nextInference) {
                if (due > now) continue;
                nextInference.set(model, now + p.probe.inferenceIntervalMs);
                launch('inference', model);
              }
            }
            continue;
          }
          // Until an answer arrives or the plan's wake-up time; at capacity, the probe timeout bounds it.
          if (!answers.length) await answered.sleep((plan.wakeAt ?? now + p.probe.timeoutMs) - now, signal);
          if (ctx.cancellationSignal.aborted) throw new CancelledFailure('watch cancelled');
        }
        return { healthy: detector.healthy, transition: false, observation: last! };
      } finally {
        clearInterval(beating);
        loop?.done();
        stop.abort();
      }
    },

    /** One probe, classified: a half-open breaker's trial (the provider may or may not take traffic again). */
    async trialProbe({ provider }: { provider: string }): Promise<WatchResult['observation']> {
      const p = providerConfig(deps, provider);
      const r = await probeProvider(p, deps.baseUrlFor(provider), {
        env: deps.env,
        signal: Context.current().cancellationSignal,
      });
      deps.metrics?.probe(provider, r);
      deps.slo?.record(provider, r);
      return observationOf(r);
    },

    async openProviderIncident({
      provider,
      observation,
      since,
      source,
      summary,
    }: {
      provider: string;
      observation: WatchResult['observation'];
      since?: string;
      /** Who saw it (default the probes; `lifeline-outcomes` when apps' outcomes tripped the breaker). */
      source?: string;
      summary?: string;
    }) {
      const what = observation.status
        ? `HTTP ${observation.status}${observation.errorType ? ` ${observation.errorType}` : ''}`
        : (observation.errorCode ?? observation.errorType ?? 'probe failure');
      const r = await recordAlertsForScope(deps.client, deps.config.temporal.taskQueue, provider, [
        {
          provider,
          kind: alertKindFor(observation.category),
          summary: summary ?? `${provider} failing health probes (${what})`,
          source: source ?? 'lifeline-probe',
          severity: 'critical',
          details: { category: observation.category, latencyMs: observation.latencyMs },
          // The first failing probe of the streak, not the one that crossed the threshold: that is the fault time.
          observedAt: since ?? observation.at,
        },
      ]);
      // The incident that will wait for this outage's recovery: the next one if the signal hit a closing run.
      const incidentId = await owningIncident(deps.client, provider, r.incidentId);
      deps.logger.info({ provider, incidentId }, `${provider} unhealthy: incident ${incidentId}`);
      return { incidentId };
    },

    async reportProviderRecovered({
      provider,
      at,
      detail,
      incidentId,
    }: {
      provider: string;
      at: string;
      detail: string;
      incidentId?: string;
    }) {
      try {
        await deps.client.workflow
          .getHandle(incidentWorkflowId(provider))
          .signal(providerRecoveredSignal, { at, detail, ...(incidentId ? { incidentId } : {}) });
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
