// A shift's result. A queued shift's workflow starts only when the chain's routing entity reaches it, so
// wait for it to exist before asking for its result.
import type { Client } from '@temporalio/client';
import type { ShiftResult } from '../../workflows/messages';
import { waitFor } from './wait';

export async function shiftResult(client: Client, workflowId: string): Promise<ShiftResult> {
  const handle = client.workflow.getHandle(workflowId);
  await waitFor(
    () => handle.describe(),
    () => true,
    `${workflowId} started`,
  );
  return (await handle.result()) as ShiftResult;
}
