// The intake's one activity: hand a summary of alert events to the scope's incident. Triggers open the
// incident if none runs (signal-with-start, as raw alerts did); a summary of acknowledge/resolve events
// only reaches an open incident and is dropped otherwise (PagerDuty semantics). Idempotency: the forward
// carries the intake's (origin, seq) and the incident ignores a seq it has applied, so a retry after a
// lost response changes nothing.
import { WorkflowNotFoundError } from '@temporalio/client';
import { incidentStartOptions } from '../client/incidents';
import { alertSummarySignal, incidentWorkflowId, type AlertSummaryForward } from '../workflows/messages';
import type { ActivityDeps } from './deps';

export interface ForwardRequest extends AlertSummaryForward {
  scope: string;
  provider: string;
}

export function createIntakeActivities(deps: Pick<ActivityDeps, 'client' | 'config'>) {
  return {
    /** delivered: false when only acknowledge/resolve events were left and no incident of the scope runs. */
    async forwardAlertSummary({
      scope,
      provider,
      origin,
      seq,
      summary,
    }: ForwardRequest): Promise<{ delivered: boolean }> {
      const forward: AlertSummaryForward = { origin, seq, summary };
      if (summary.triggers > 0) {
        const title = summary.sample[0]?.summary ?? `Incident on ${scope}`;
        await deps.client.workflow.signalWithStart('incidentWorkflow', {
          ...incidentStartOptions(deps.config.temporal.taskQueue, { scope, provider, title }),
          signal: alertSummarySignal,
          signalArgs: [forward],
        });
        return { delivered: true };
      }
      try {
        await deps.client.workflow.getHandle(incidentWorkflowId(scope)).signal(alertSummarySignal, forward);
        return { delivered: true };
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) return { delivered: false };
        throw err;
      }
    },
  };
}
