// Activities of the drillWorkflow: the checks before a drill, validating the backup during its window
// (a probe and the backup's breaker), storing the report and announcing start and result. Nothing here
// pages: announcements go to the log and the Slack channel as plain messages marked DRILL, never
// through the escalation path.
import { slackWebClient } from '../channels/slack';
import { WorkflowNotFoundError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { drillBlockers } from '../client/drills';
import { DrillReportStore } from '../client/drill-store';
import { getRoute } from '../client/routes';
import { readSecret } from '../config/env-name';
import { detectionBoundMs, drillReportKey, type DrillReport } from '../domain/drill';
import type { Weights } from '../domain/failover';
import { storeFor } from '../store';
import type { RouteState } from '../workflows/messages';
import type { ActivityDeps } from './deps';
import { unhealthyProviders } from './routing';
import { probeHealth } from './shift';
import type { HealthCheck } from './types';

export interface DrillPreflight {
  route: RouteState;
  configured: Weights;
  unhealthy: string[];
  /** Why the drill must not run now (empty: it may). */
  blockers: string[];
  /** Per provider of the chain: the monitor's detection bound from its config (ms). */
  detectionBoundMs: Record<string, number>;
}

export function createDrillActivities(deps: ActivityDeps) {
  const reports = new DrillReportStore(storeFor(deps.config, deps.env));
  return {
    async drillPreflight({ chain }: { chain: string }): Promise<DrillPreflight> {
      const configured = deps.config.chains.find((c) => c.id === chain);
      if (!configured) throw ApplicationFailure.nonRetryable(`unknown chain "${chain}"`, 'UnknownChain');
      const route = await getRoute(deps.client, chain).catch((err: unknown) => {
        // No routing entity (no worker has started it): retrying will not create it.
        if (err instanceof WorkflowNotFoundError)
          throw ApplicationFailure.nonRetryable(`chain ${chain} has no routing entity yet`, 'UnknownChain');
        throw err;
      });
      const bounds: Record<string, number> = {};
      for (const p of deps.config.providers)
        if (route.providers.includes(p.id)) bounds[p.id] = detectionBoundMs(p.probe, p.detection.failuresToOpen);
      return {
        route,
        configured: configured.weights,
        unhealthy: await unhealthyProviders(deps.client, route.providers),
        blockers: await drillBlockers(deps.client, chain, configured.weights),
        detectionBoundMs: bounds,
      };
    },

    /** The backup during the window: healthy only when its probe passes and its breaker is closed. */
    async drillCheck({ provider }: { provider: string }): Promise<HealthCheck> {
      const [probe, down] = await Promise.all([
        probeHealth(deps, provider),
        unhealthyProviders(deps.client, [provider]),
      ]);
      if (down.length) return { healthy: false, detail: `${provider}'s monitor reports it unhealthy (breaker)` };
      return probe;
    },

    async drillRoute({ chain }: { chain: string }): Promise<RouteState> {
      return getRoute(deps.client, chain);
    },

    async recordDrillReport(report: DrillReport): Promise<{ location: string }> {
      return reports.put(report);
    },

    /**
     * The drill's start or result: a log line, and a plain Slack message (no escalation, no buttons)
     * when Slack is configured. Posted once per drill and event (a marker in the store after the post).
     */
    async announceDrill({ id, event, text }: { id: string; event: 'start' | 'result'; text: string }) {
      deps.logger.info({ drill: id, event }, text);
      const slack = deps.config.notifications.slack;
      const token = slack ? readSecret(slack.tokenEnv, deps.env ?? process.env) : undefined;
      if (!slack || !token) return { delivered: ['log'] };
      const store = await storeFor(deps.config, deps.env);
      const marker = `${drillReportKey(id)}.slack-${event}`;
      if (await store.get('drills', marker)) return { delivered: ['log', 'slack'] };
      const web = slackWebClient(slack, token);
      const posted = await web.chat.postMessage({ channel: slack.channel, text: `:test_tube: ${text}` });
      await store.put('drills', marker, posted.ts ?? 'posted');
      return { delivered: ['log', 'slack'] };
    },
  };
}
