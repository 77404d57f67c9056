// archiveIncidentWorkflow: started (through an activity) by a closing incident, it outlives that run
// and archives its complete history once the run has closed (see activities/archive.ts).
import { proxyActivities } from '@temporalio/workflow';
import type { ArchiveActivities, ArchiveRequest } from '../activities/types';

const { archiveIncident } = proxyActivities<ArchiveActivities>({
  startToCloseTimeout: '2 minutes',
  // "Still open" is retried until the parent closes (normally within a second); a day bounds a
  // broken archive target, after which the archive can be redone by hand.
  scheduleToCloseTimeout: '1 day',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    nonRetryableErrorTypes: ['RunGone'],
  },
});

export const archiveWorkflowId = (incidentId: string) => `archive-${incidentId}`;

export async function archiveIncidentWorkflow(
  req: ArchiveRequest,
): Promise<{ location: string; alreadyArchived: boolean; events: number }> {
  return archiveIncident(req);
}
