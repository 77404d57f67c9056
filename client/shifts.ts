// Starting and reading traffic shifts (trafficShiftWorkflow on shift-<chain>). The workflow ID is the
// chain's lock: a second shift while one runs is refused (WorkflowExecutionAlreadyStartedError), so
// an operator change never interleaves with an automatic one.
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { shiftStateQuery, shiftWorkflowId, type ShiftRequest, type ShiftResult } from '../workflows/messages';

/**
 * Starts the chain's shift. With an idempotency key (an operator's Idempotency-Key) the key is kept in the
 * shift's memo, and a request repeating it gets the shift it started — running or finished — instead of a
 * 409 or a second shift. (Only the chain's latest shift is looked at: once another shift of the chain has
 * started, the key is forgotten.)
 */
export async function startShift(client: Client, taskQueue: string, req: ShiftRequest, opts: { idempotencyKey?: string } = {}): Promise<{ workflowId: string; runId: string }> {
  const key = opts.idempotencyKey;
  if (key) {
    const earlier = await shiftStartedWith(client, req.chain, key);
    if (earlier) return earlier;
  }
  try {
    const handle = await client.workflow.start('trafficShiftWorkflow', {
      taskQueue,
      workflowId: shiftWorkflowId(req.chain),
      args: [req],
      // Seed 004's slowest path (canary, 2 min a step) is ~15 min; bound a stuck shift well above it.
      workflowExecutionTimeout: '2 hours',
      ...(key ? { memo: { [SHIFT_KEY_MEMO]: key } } : {}),
    });
    return { workflowId: handle.workflowId, runId: handle.firstExecutionRunId };
  } catch (err) {
    // Two copies of one request racing: the loser finds the winner's shift.
    const winner = key && err instanceof WorkflowExecutionAlreadyStartedError ? await shiftStartedWith(client, req.chain, key) : null;
    if (winner) return winner;
    throw err;
  }
}

const SHIFT_KEY_MEMO = 'idempotencyKey';

/** The chain's latest shift if it was started with this idempotency key. */
async function shiftStartedWith(client: Client, chain: string, key: string): Promise<{ workflowId: string; runId: string } | null> {
  try {
    const d = await client.workflow.getHandle(shiftWorkflowId(chain)).describe();
    const memo = d.memo;
    return memo?.[SHIFT_KEY_MEMO] === key ? { workflowId: d.workflowId, runId: d.runId } : null;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return null;
    throw err;
  }
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
    if (status === 'COMPLETED') return { workflowId: handle.workflowId, status, result: (await handle.result()) as ShiftResult };
    return { workflowId: handle.workflowId, status };
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return null;
    throw err;
  }
}
