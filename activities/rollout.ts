// Activities of the rolloutWorkflow: the chain and target's state at the start, the quality gate between
// steps, and saving the report. The gate judges the target from the probes its monitor made since the
// step (client/monitor-outcomes.ts), topped up with the gate's own probes when the monitor has too few
// (a short hold, a slow probe interval), plus the known-answer probe when one is configured.
import { ApplicationFailure } from '@temporalio/common';
import { getRoute } from '../client/routes';
import { monitorOutcomes } from '../client/monitor-outcomes';
import { RolloutStore } from '../client/rollout-store';
import {
  judgeGate,
  type GateResult,
  type GateSample,
  type GateThresholds,
  type KnownAnswer,
  type RolloutReport,
} from '../domain/rollout';
import type { RouteState } from '../workflows/messages';
import type { ActivityDeps } from './deps';
import { providerConfig } from './deps';
import { checkKnownAnswer } from './known-answer';
import { probeProvider } from './probe';
import { unhealthyProviders } from './routing';

export function createRolloutActivities(deps: ActivityDeps) {
  const store = RolloutStore.forConfig(deps.config, deps.env);
  return {
    async rolloutContext({
      chain,
      provider,
    }: {
      chain: string;
      provider: string;
    }): Promise<{ route: RouteState; unhealthy: string[] }> {
      const configured = deps.config.chains.find((c) => c.id === chain);
      if (!configured) throw ApplicationFailure.nonRetryable(`unknown chain "${chain}"`, 'UnknownChain');
      if (!configured.providers.includes(provider))
        throw ApplicationFailure.nonRetryable(`${provider} is not a provider of chain ${chain}`, 'UnknownChain');
      const route = await getRoute(deps.client, chain);
      return { route, unhealthy: await unhealthyProviders(deps.client, route.providers) };
    },

    async rolloutGate(req: {
      provider: string;
      model?: string;
      sinceMs: number;
      gates: GateThresholds;
      knownAnswer?: KnownAnswer;
    }): Promise<GateResult> {
      const p = providerConfig(deps, req.provider);
      const seen = await monitorOutcomes(deps.client, req.provider, req.sinceMs);
      const samples: GateSample[] = seen.map((o) => ({ ok: o.ok, latencyMs: o.latencyMs }));
      // A model named by the rollout is probed by inference (the model itself answering); else metadata.
      const model = req.model ?? (p.probe.inferenceIntervalMs ? p.models[0] : undefined);
      while (samples.length < req.gates.minSamples) {
        const r = await probeProvider(p, deps.baseUrlFor(req.provider), {
          env: deps.env,
          ...(model ? { type: 'inference' as const, model } : {}),
        });
        samples.push({ ok: r.ok && r.category === null, latencyMs: r.latencyMs });
      }
      const knownAnswer = req.knownAnswer
        ? await checkKnownAnswer(p, deps.baseUrlFor(req.provider), req.knownAnswer, {
            model: req.model,
            env: deps.env,
          })
        : undefined;
      return judgeGate(samples, req.gates, {
        fromMonitor: seen.length,
        ...(knownAnswer ? { knownAnswer } : {}),
        at: new Date().toISOString(),
      });
    },

    async saveRolloutReport(report: RolloutReport): Promise<void> {
      await store.put(report);
    },
  };
}
