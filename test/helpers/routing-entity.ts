// The chain's routingWorkflow for workflow-tier tests of the incident and of traffic shifts: it queues and
// runs the shifts asked of it. One per chain and task queue; a previous test's entity is replaced.
import { WorkflowIdConflictPolicy, WorkflowNotFoundError, type Client, type WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Duration } from '@temporalio/common';
import { Worker } from '@temporalio/worker';
import { routingWorkflowId, type RouteState } from '../../workflows/messages';
import { workflowBundle } from './temporal';

export async function startRoutingEntity(
  client: Client,
  taskQueue: string,
  chain = 'chat',
  weights: Record<string, number> = { openai: 100 },
  mode: RouteState['mode'] = 'normal',
): Promise<void> {
  const route: RouteState = {
    id: chain,
    providers: ['openai', 'anthropic', 'bedrock'],
    weights,
    mode,
    version: 1,
    updatedAt: new Date().toISOString(),
  };
  await client.workflow.start('routingWorkflow', {
    taskQueue,
    workflowId: routingWorkflowId(chain),
    args: [route],
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.TERMINATE_EXISTING,
  });
}

/**
 * A worker on the task queue `tq-<chain>` running `activities`, with the chain's routing entity (openai → anthropic →
 * bedrock) started at `weights`; runs `fn` with that task queue, then terminates the entity.
 */
export async function withRoutingEntity<T>(
  chain: string,
  weights: Record<string, number>,
  fn: (taskQueue: string) => Promise<T>,
  o: { env: TestWorkflowEnvironment; activities: object; mode?: RouteState['mode'] },
): Promise<T> {
  const taskQueue = `tq-${chain}`;
  const worker = await Worker.create({
    connection: o.env.nativeConnection,
    taskQueue,
    workflowBundle: workflowBundle(),
    activities: o.activities,
  });
  return worker.runUntil(async () => {
    await startRoutingEntity(o.env.client, taskQueue, chain, weights, o.mode);
    try {
      return await fn(taskQueue);
    } finally {
      await o.env.client.workflow
        .getHandle(routingWorkflowId(chain))
        .terminate('test done')
        .catch(() => undefined);
    }
  });
}

/**
 * A workflow's result, moving the time-skipping server's clock on explicitly (`env.sleep`) until the
 * workflow has closed. Waiting on `result()` alone stalls on the test server once timers run in child
 * workflows of the routing entity; an explicit sleep always advances time.
 */
export async function resultSkippingTime<T>(
  env: TestWorkflowEnvironment,
  handle: WorkflowHandle,
  step: Duration = '2 seconds',
  maxSteps = 3_000,
): Promise<T> {
  for (let i = 0; i < maxSteps; i++) {
    let status: string | null = null;
    try {
      status = (await handle.describe()).status.name;
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err; // not started yet (a queued shift)
    }
    if (status && status !== 'RUNNING') return (await handle.result()) as T;
    if (status) await env.sleep(step);
    // Let the worker finish the tasks that woke up before moving the clock again: time moved on under an
    // in-flight workflow task times that task out (10 s). One caller at a time per environment.
    await new Promise((r) => setTimeout(r, status ? 200 : 50));
  }
  throw new Error(`${handle.workflowId} still running after ${maxSteps} steps of ${String(step)}`);
}
