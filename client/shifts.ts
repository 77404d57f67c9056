// Starting and reading traffic shifts (trafficShiftWorkflow on shift-<chain>). The workflow ID is the
// chain's lock: a second shift while one runs is refused (WorkflowExecutionAlreadyStartedError), so
// an operator change never interleaves with an automatic one.
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { shiftStateQuery, shiftWorkflowId, type ShiftRequest, type ShiftResult } from '../workflows/messages';

export async function startShift(client: Client, taskQueue: string, req: ShiftRequest): Promise<{ workflowId: string; runId: string }> {
  const handle = await client.workflow.start('trafficShiftWorkflow', {
    taskQueue,
    workflowId: shiftWorkflowId(req.chain),
    args: [req],
    // Seed 004's slowest path (canary, 2 min a step) is ~15 min; bound a stuck shift well above it.
    workflowExecutionTimeout: '2 hours',
  });
  return { workflowId: handle.workflowId, runId: handle.firstExecutionRunId };
}

export interface ShiftStatus {
  workflowId: string;
  status: string;
  request?: ShiftRequest;
  steps?: unknown[];
  result?: ShiftResult;
}

/** The chain's latest shift: running (with its steps so far) or finished (with its result); null if none. */
export async function getShift(client: Client, chain: string): Promise<ShiftStatus | null> {
  const handle = client.workflow.getHandle(shiftWorkflowId(chain));
  try {
    const d = await handle.describe();
    const status = d.status.name;
    if (status === 'RUNNING') {
      const s = await handle.query(shiftStateQuery);
      return { workflowId: handle.workflowId, status, request: s.request, steps: s.steps };
    }
    if (status === 'COMPLETED') {
      // Who asked and why (the request) is readable from a closed run too; without it, the result alone.
      // Bounded: a closed run's query needs a worker to replay it, and the answer must not wait for one.
      const request = await Promise.race([
        handle.query(shiftStateQuery).then((q) => q.request, () => undefined),
        new Promise<undefined>((r) => setTimeout(() => r(undefined), 2000).unref()),
      ]);
      return { workflowId: handle.workflowId, status, ...(request ? { request } : {}), result: (await handle.result()) as ShiftResult };
    }
    return { workflowId: handle.workflowId, status };
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return null;
    throw err;
  }
}
