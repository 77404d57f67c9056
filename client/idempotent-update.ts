// Operator actions as Temporal Updates with a caller-chosen update ID (an HTTP Idempotency-Key, or Slack's
// own IDs), so a retried request is applied once and gets the first answer.
//
// Temporal deduplicates update IDs per workflow *run*: the same ID on the same run returns the stored
// outcome, but a run that continued-as-new starts with an empty table, and the latest run would apply a
// retry again. So before sending, the outcome is looked up in the latest run and the runs it continued
// from (a few back; polling a closed run for an unknown ID is answered at once with "not found").
import { WorkflowNotFoundError, type Client, type WorkflowHandle } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';

/** Runs searched for an earlier outcome: the latest and the ones it continued from. */
export const RUNS_SEARCHED = 3;

/**
 * The update ID of one operator action: the action's name keeps one key from answering for another
 * action (a client reusing a key for escalate after acknowledge gets two actions, not the first answer).
 */
export const actionUpdateId = (action: string, key: string) => `${action}:${key}`;

/** The run the given one continued from (continue-as-new, retry or cron), or undefined for the first. */
async function previousRun(client: Client, workflowId: string, runId?: string): Promise<string | undefined> {
  const page = await client.workflowService.getWorkflowExecutionHistory({
    namespace: client.options.namespace,
    execution: { workflowId, ...(runId ? { runId } : {}) },
    maximumPageSize: 1,
  });
  const started = page.history?.events?.[0]?.workflowExecutionStartedEventAttributes;
  return started?.continuedExecutionRunId || undefined;
}

/**
 * The outcome of an update already sent with this ID to the workflow's latest run or one of the runs it
 * continued from, or null when none has it. A stored failure rethrows (the same answer as the first time).
 * fromRunId starts the search at a known run (an incident's own run: later runs of the workflow ID may be
 * other incidents of the same scope).
 */
export async function earlierUpdateOutcome<Ret>(
  client: Client,
  workflowId: string,
  updateId: string,
  fromRunId?: string,
): Promise<{ value: Ret } | null> {
  let runId = fromRunId; // undefined: the latest run
  for (let i = 0; i < RUNS_SEARCHED; i++) {
    try {
      return { value: await client.workflow.getHandle(workflowId, runId).getUpdateHandle<Ret>(updateId).result() };
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    }
    try {
      runId = await previousRun(client, workflowId, runId);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError || (err as { code?: number }).code === 5) return null;
      throw err;
    }
    if (!runId) return null;
  }
  return null;
}

/**
 * executeUpdate with an optional idempotency update ID. Without one it is a plain executeUpdate; with one,
 * an earlier outcome (this run or a previous one) is returned instead of applying the action again.
 * Concurrent duplicates that both miss the lookup meet on the same run, where Temporal keeps one.
 */
export async function executeIdempotentUpdate<Ret, Args extends [unknown, ...unknown[]]>(
  client: Client,
  handle: WorkflowHandle,
  def: UpdateDefinition<Ret, Args>,
  args: Args,
  opts: { updateId?: string; runId?: string } = {},
): Promise<Ret> {
  const { updateId } = opts;
  if (!updateId) return handle.executeUpdate(def, { args });
  const earlier = await earlierUpdateOutcome<Ret>(client, handle.workflowId, updateId, opts.runId);
  if (earlier) return earlier.value;
  return handle.executeUpdate(def, { args, updateId });
}
