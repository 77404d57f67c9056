// After an operator's resolve, the workflow may still be finishing (failback, report): the answer people
// see should be the state after the change, so callers wait briefly for it to land.
import type { WorkflowHandle } from '@temporalio/client';
import { setTimeout as delay } from 'node:timers/promises';
import type { IncidentState } from '../domain/incident';
import { incidentStateQuery } from '../workflows/messages';

/** Polls the incident until `done(state)` holds or `timeoutMs` passes; returns the last state seen. */
export async function settleIncident(
  handle: WorkflowHandle,
  first: IncidentState,
  done: (s: IncidentState) => boolean,
  timeoutMs = 5000,
): Promise<IncidentState> {
  let s = first;
  const until = Date.now() + timeoutMs;
  while (!done(s) && Date.now() < until) {
    await delay(150);
    try {
      s = await handle.query(incidentStateQuery);
    } catch {
      break; // the run closed meanwhile: keep what we have
    }
  }
  return s;
}
