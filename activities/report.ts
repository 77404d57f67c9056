// Postmortem rendering at resolution: the record plus the run's history so far, written to the store's
// reports/ (dataDir/reports, or PostgreSQL). (The archive, written after the run closes, holds the final version.)
import { Context } from '@temporalio/activity';
import { buildReportModel } from '../domain/report';
import type { IncidentState } from '../domain/incident';
import type { HistoryJson } from '../domain/history';
import { fetchHistoryJson } from '../client/history';
import { storeFor } from '../store';
import { BUNDLED_TEMPLATES_DIR, renderReport } from './report-render';
import type { ActivityDeps } from './deps';

export { BUNDLED_TEMPLATES_DIR } from './report-render';

export async function renderPostmortem(state: IncidentState, templatesDir = BUNDLED_TEMPLATES_DIR, history?: HistoryJson): Promise<string> {
  return renderReport(buildReportModel(state, history), 'md', templatesDir);
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
      const markdown = await renderPostmortem(state, deps.templatesDir, history);
      const docs = await storeFor(deps.config, deps.env);
      await docs.put('reports', `${state.id}.md`, markdown);
      return { markdown, location: `${docs.describe}/reports/${state.id}.md` };
    },
  };
}
