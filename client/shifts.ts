// Starting and reading traffic shifts. A shift is queued at the chain's routingWorkflow (the same queue
// incidents use) and runs when the shifts before it have finished, as the child shift-<chain>-<id>: an
// operator change never interleaves with an automatic one, and never gets refused for being second.
import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import {
  enqueueShiftUpdate,
  routingWorkflowId,
  shiftQueueQuery,
  shiftStateQuery,
  shiftWorkflowId,
  type ShiftRequest,
  type ShiftResult,
  type ShiftTicket,
} from '../workflows/messages';
import { executeIdempotentUpdate } from './idempotent-update';

export interface StartedShift {
  workflowId: string;
  /** The shift's ID in the chain's queue (an idempotency key given by the caller, or a fresh one). */
  id: string;
  /** 0: runs now; n: n shifts run before it. */
  position: number;
}

/** Queues a shift; `id` makes a retried request the same shift (Temporal's Update ID is the same too). */
export async function startShift(
  client: Client,
  _taskQueue: string,
  req: ShiftRequest,
  opts: { id?: string } = {},
): Promise<StartedShift> {
  const id = opts.id ?? `op-${randomUUID().slice(0, 8)}`;
  const handle = client.workflow.getHandle(routingWorkflowId(req.chain));
  const args: [ShiftTicket] = [{ id, request: req }];
  // A caller's id (an operator's Idempotency-Key) may come back after the entity continued-as-new, where
  // Temporal no longer knows the update ID: the first answer is looked up in the earlier runs.
  const r = opts.id
    ? await executeIdempotentUpdate(client, handle, enqueueShiftUpdate, args, { updateId: `shift:${id}` })
    : await handle.executeUpdate(enqueueShiftUpdate, { args, updateId: `shift:${id}` });
  return { workflowId: r.workflowId, id: r.id, position: r.position };
}

export interface ShiftStatus {
  workflowId: string;
  /** RUNNING, COMPLETED (finished with any outcome: see result) or QUEUED (waiting for its turn). */
  status: string;
  request?: ShiftRequest;
  steps?: unknown[];
  result?: ShiftResult;
  /** Shifts waiting behind the one shown. */
  queued: number;
}

/** The chain's running shift (with its steps so far), else its latest finished one; null if none. */
export async function getShift(client: Client, chain: string): Promise<ShiftStatus | null> {
  let q;
  try {
    q = await client.workflow.getHandle(routingWorkflowId(chain)).query(shiftQueueQuery);
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return null;
    throw err;
  }
  const queued = q.pending.length;
  if (q.current) {
    const { workflowId, ticket } = q.current;
    try {
      const s = await client.workflow.getHandle(workflowId).query(shiftStateQuery);
      return { workflowId, status: 'RUNNING', request: s.request, steps: s.steps, queued };
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
      return { workflowId, status: 'RUNNING', request: ticket.request, steps: [], queued }; // being started
    }
  }
  // A queued shift is newer than any finished one: show it, not the previous shift's result.
  if (q.pending[0])
    return {
      workflowId: shiftWorkflowId(chain, q.pending[0].id),
      status: 'QUEUED',
      request: q.pending[0].request,
      queued: queued - 1,
    };
  const last = q.recent[q.recent.length - 1];
  if (last)
    return {
      workflowId: last.workflowId,
      status: 'COMPLETED',
      request: last.ticket.request,
      result: last.result,
      queued,
    };
  return null;
}
