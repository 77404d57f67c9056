// A workflow that moves a chain's traffic itself (a drill, a rollout) asks the chain's routingWorkflow, the
// single writer, through its shift queue: a `requestShift` signal naming this workflow as the requester,
// answered by a `shiftDone` signal carrying the same ticket ID. One place for both ends of that exchange.
import { condition, getExternalWorkflowHandle, setHandler, workflowInfo } from '@temporalio/workflow';
import {
  cancelShiftSignal,
  requestShiftSignal,
  routingWorkflowId,
  shiftDoneSignal,
  type ShiftRequest,
  type ShiftResult,
} from './messages';

export interface ShiftRequests {
  /** Queues `request` as ticket `id` and waits for the routing entity's answer, however long it takes. */
  request(id: string, request: ShiftRequest): Promise<ShiftResult>;
  /** The same, giving up after `timeoutMs`: null when no answer came in time (the ticket stays queued). */
  request(id: string, request: ShiftRequest, timeoutMs: number): Promise<ShiftResult | null>;
  /** Stops ticket `id`, queued or running (best effort: a routing entity that cannot be reached is ignored). */
  cancel(id: string, reason: string): Promise<void>;
}

/**
 * The shift queue of `chain` as seen from the calling workflow. Registers the `shiftDone` handler, so call
 * it before the workflow's first await (an answer may arrive in the same activation as the start).
 */
export function shiftRequests(chain: string): ShiftRequests {
  const results = new Map<string, ShiftResult>();
  setHandler(shiftDoneSignal, ({ id, result }) => void results.set(id, result));
  const routing = () => getExternalWorkflowHandle(routingWorkflowId(chain));

  async function request(id: string, request: ShiftRequest, timeoutMs?: number): Promise<ShiftResult | null> {
    await routing().signal(requestShiftSignal, { id, request, requester: workflowInfo().workflowId });
    // Without a timeout, no timer: the routing entity always answers (a failed shift is a `failed` result).
    if (timeoutMs === undefined) await condition(() => results.has(id));
    else if (!(await condition(() => results.has(id), timeoutMs))) return null;
    return results.get(id)!;
  }
  const cancel = (id: string, reason: string) =>
    routing()
      .signal(cancelShiftSignal, { id, reason })
      .catch(() => undefined);
  return { request: request as ShiftRequests['request'], cancel };
}
