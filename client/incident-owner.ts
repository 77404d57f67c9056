// Which incident owns a scope's newest alerts. After a signal-with-start, the run that took the signal
// may be closing (resolved, writing its report): its late triggers open the next incident, whose ID it
// has already fixed. The monitor asks here so it reports recovery to the incident that waits for it.
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { incidentWorkflowId, owningIncidentUpdate } from '../workflows/messages';

/** The owning incident's public ID, or `fallback` when the scope's workflow has closed meanwhile. */
export async function owningIncident(client: Client, scope: string, fallback: string): Promise<string> {
  try {
    // No run ID: if the closing run has just continued-as-new, the new run (that very incident) answers.
    const r = await client.workflow.getHandle(incidentWorkflowId(scope)).executeUpdate(owningIncidentUpdate);
    return r.incidentId;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return fallback;
    throw err;
  }
}
