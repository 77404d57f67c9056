// Postmortem rendering at resolution: the record, the run's history so far and every route change of
// the provider's chains in the incident window (operator and Slack shifts included), written to the
// store's reports/ (dataDir/reports, or PostgreSQL). (The archive, written after the run closes, holds the final version.)
import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { buildReportModel, type RouteChangeInput } from '../domain/report';
import type { LifelineConfig } from '../config/schema';
import { routeChangesBetween } from '../client/routes';
import type { IncidentState } from '../domain/incident';
import type { HistoryJson } from '../domain/history';
import { fetchHistoryJson } from '../client/history';
import { incidentSloBudget } from '../client/slos';
import { storeFor } from '../store';
import { BUNDLED_TEMPLATES_DIR } from '../render/bundled';
import { renderReport } from '../render/report';
import type { ActivityDeps } from './deps';
import type { MinuteCounts } from '../domain/outcome-window';
import { impactProviders, outcomeMinutes } from '../client/outcomes';

export async function renderPostmortem(
  state: IncidentState,
  templatesDir = BUNDLED_TEMPLATES_DIR,
  history?: HistoryJson,
  routeChanges?: RouteChangeInput[],
  outcomeMinutes?: MinuteCounts[],
  sloBudget?: { id: string; spent: number; remaining: number }[],
): Promise<string> {
  return renderReport(
    buildReportModel(state, history, { routeChanges, outcomeMinutes, sloBudget }),
    'md',
    templatesDir,
  );
}

/** The outcome aggregates of the provider's chains, for the report's user impact (undefined: none). */
export function incidentOutcomeMinutes(
  client: Client,
  config: LifelineConfig,
  state: IncidentState,
): Promise<MinuteCounts[] | undefined> {
  return outcomeMinutes(client, impactProviders(config.chains, state.provider));
}

/** Every route change of the provider's chains in the incident's window, from the routing entities. */
export function incidentRouteChanges(
  client: Client,
  config: LifelineConfig,
  state: IncidentState,
): Promise<RouteChangeInput[] | undefined> {
  const chains = config.chains.filter((c) => c.providers.includes(state.provider)).map((c) => c.id);
  return routeChangesBetween(client, chains, state.startedAt, state.resolvedAt);
}

/** Where people read a report: the API (never a path on the worker's disk). */
export function reportLink(config: LifelineConfig, id: string): string {
  const base = (config.server.publicUrl ?? `http://${config.server.host}:${config.server.port}`).replace(/\/$/, '');
  return `${base}/v1/incidents/${encodeURIComponent(id)}/report`;
}

export function createReportActivities(deps: ActivityDeps) {
  return {
    async renderReport(state: IncidentState): Promise<{ markdown: string; location: string }> {
      let history: HistoryJson | undefined;
      try {
        const run = Context.current().info.workflowExecution;
        if (run) history = (await fetchHistoryJson(deps.client, run.workflowId, run.runId)).parsed;
      } catch (err) {
        // The record alone still makes a full report; the history only adds server-side timestamps.
        deps.logger.warn({ err: (err as Error).message, incident: state.id }, 'report without history enrichment');
      }
      const markdown = await renderPostmortem(
        state,
        deps.templatesDir,
        history,
        await incidentRouteChanges(deps.client, deps.config, state),
        await incidentOutcomeMinutes(deps.client, deps.config, state),
        await incidentSloBudget(deps.client, state),
      );
      const docs = await storeFor(deps.config, deps.env);
      await docs.put('reports', `${state.id}.md`, markdown);
      // The timeline and Slack show this: the API URL, not where the store keeps it.
      return { markdown, location: reportLink(deps.config, state.id) };
    },
  };
}
