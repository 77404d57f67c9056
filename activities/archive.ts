// Archives a closed incident run: its full history JSON, its record and its rendered reports.
//
// Why a separate step after close: only a closed run has its full history (the last events —
// report written, workflow completed — do not exist while the incident workflow is still running its
// last activity). So the incident workflow's final activity starts a separate archiveIncidentWorkflow
// (ID archive-<incident id>; an already running or finished one is kept, so retries start nothing
// twice), and archiveIncident refuses (retryably) until the incident run has closed; Temporal
// retries it with backoff, so it is durable across worker restarts. It is idempotent: an entry for the
// same run is left as is, and every file is written by rename, with incident.json last.
import { ApplicationFailure } from '@temporalio/activity';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import { buildReportModel } from '../domain/report';
import { renderTimelineSvg } from '../domain/timeline-svg';
import { historyIsClosed } from '../domain/history';
import { fetchHistoryJson } from '../client/history';
import { archiveStoreFromConfig, type ArchiveStore } from '../client/archive-store';
import { summarize } from '../domain/incident';
import { renderReport } from '../render/report';
import { incidentRouteChanges, incidentOutcomeMinutes } from './report';
import type { ActivityDeps } from './deps';
import type { ArchiveRequest } from './types';
import { archiveWorkflowId } from '../workflows/archive';
import { incidentSloBudget } from '../client/slos';

export const archiveStoreFor = (deps: ActivityDeps): ArchiveStore =>
  deps.archive ?? archiveStoreFromConfig(deps.config, deps.env);

export function createArchiveActivities(deps: ActivityDeps) {
  const store = archiveStoreFor(deps);
  return {
    /** Starts archiveIncidentWorkflow for a closing run (idempotent: an existing archiver is kept). */
    async startArchiver(req: ArchiveRequest): Promise<{ archiveWorkflowId: string; started: boolean }> {
      const workflowId = archiveWorkflowId(req.state.id);
      try {
        await deps.client.workflow.start('archiveIncidentWorkflow', {
          workflowId,
          taskQueue: deps.config.temporal.taskQueue,
          args: [req],
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
        });
        return { archiveWorkflowId: workflowId, started: true };
      } catch (err) {
        if (err instanceof WorkflowExecutionAlreadyStartedError)
          return { archiveWorkflowId: workflowId, started: false };
        throw err;
      }
    },
    async archiveIncident({
      workflowId,
      runId,
      state,
    }: ArchiveRequest): Promise<{ location: string; alreadyArchived: boolean; events: number }> {
      const existing = await store.get(state.id);
      if (existing?.runId === runId) return { location: state.id, alreadyArchived: true, events: 0 };
      let history;
      try {
        const d = await deps.client.workflow.getHandle(workflowId, runId).describe();
        if (d.status.name === 'RUNNING')
          throw ApplicationFailure.retryable(`incident ${state.id} is still closing`, 'IncidentStillOpen');
        history = await fetchHistoryJson(deps.client, workflowId, runId);
      } catch (err) {
        if (err instanceof WorkflowNotFoundError)
          throw ApplicationFailure.nonRetryable(`run ${workflowId}/${runId} no longer exists`, 'RunGone');
        throw err;
      }
      if (!historyIsClosed(history.parsed))
        throw ApplicationFailure.retryable(`history of ${state.id} is not complete yet`, 'IncidentStillOpen');
      const model = buildReportModel(state, history.parsed, {
        routeChanges: await incidentRouteChanges(deps.client, deps.config, state),
        sloBudget: await incidentSloBudget(deps.client, state),
        outcomeMinutes: await incidentOutcomeMinutes(deps.client, deps.config, state),
      });
      const [markdown, html] = await Promise.all([
        renderReport(model, 'md', deps.templatesDir),
        renderReport(model, 'html', deps.templatesDir),
      ]);
      const res = await store.put({
        entry: { summary: summarize(state), workflowId, runId, archivedAt: new Date().toISOString(), state },
        historyJson: history.json,
        report: { markdown, html, model, svg: renderTimelineSvg(model.chart) },
      });
      deps.logger.info(
        { incident: state.id, location: res.location, events: history.parsed.events?.length },
        'incident archived',
      );
      // MTTx once per incident: only its first archive entry counts (a retry after this point finds the
      // entry above and returns early; a reopened incident archived again is not a second incident).
      if (!existing) deps.metrics?.incidentClosed(state);
      return { ...res, events: history.parsed.events?.length ?? 0 };
    },
  };
}
