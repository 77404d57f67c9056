// Starting, reading and aborting model rollouts (workflows/rollout.ts). One rollout per chain at a time
// (the workflow ID is the chain's); the rollout's own ID makes a repeated start the same rollout, whether
// it still runs (its report says so) or has finished (its stored report says so).
import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowIdConflictPolicy,
  WorkflowNotFoundError,
  type Client,
} from '@temporalio/client';
import type { RolloutReport } from '../domain/rollout';
import {
  abortRolloutUpdate,
  rolloutReportQuery,
  rolloutWorkflowId,
  shiftQueueQuery,
  routingWorkflowId,
  type AbortRolloutRequest,
  type RolloutInput,
} from '../workflows/messages';
import { listIncidents } from './incidents';
import type { RolloutStore } from './rollout-store';

/** The chain is held by another rollout or an incident: nothing was started. */
export class RolloutConflict extends Error {}

export interface StartedRollout {
  id: string;
  chain: string;
  workflowId: string;
  /** True when this start repeated one already made (same ID): nothing new was started. */
  repeated: boolean;
}

/** The report of the rollout running on `chain`, or null when none runs. */
export async function runningRollout(client: Client, chain: string): Promise<RolloutReport | null> {
  const handle = client.workflow.getHandle(rolloutWorkflowId(chain));
  try {
    if ((await handle.describe()).status.name !== 'RUNNING') return null;
    return await handle.query(rolloutReportQuery);
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return null;
    throw err;
  }
}

/** Why an incident holds the chain (an open incident of one of its providers, or a shift it queued), or null. */
export async function incidentHold(client: Client, chain: string, providers: string[]): Promise<string | null> {
  const open = (await listIncidents(client, { status: 'open' })).filter((i) => providers.includes(i.provider));
  if (open.length) return `incident ${open[0].id} (${open[0].provider}) is open on chain ${chain}`;
  const queue = await client.workflow
    .getHandle(routingWorkflowId(chain))
    .query(shiftQueueQuery)
    .catch(() => null);
  const tickets = [...(queue?.current ? [queue.current.ticket] : []), ...(queue?.pending ?? [])];
  const incidentShift = tickets.find((t) => t.requester?.startsWith('incident-'));
  return incidentShift ? `a shift of ${incidentShift.requester} is queued or running on chain ${chain}` : null;
}

export async function startRollout(
  client: Client,
  taskQueue: string,
  store: RolloutStore,
  input: RolloutInput,
  chainProviders: string[],
): Promise<StartedRollout> {
  const workflowId = rolloutWorkflowId(input.chain);
  const same = (r: RolloutReport): StartedRollout => ({ id: r.id, chain: r.chain, workflowId, repeated: true });
  const stored = await store.get(input.id);
  if (stored) {
    if (stored.chain !== input.chain)
      throw new RolloutConflict(`rollout ID ${input.id} is taken by chain ${stored.chain}`);
    return same(stored);
  }
  const running = await runningRollout(client, input.chain);
  if (running) return conflictOrSame(running);
  const held = await incidentHold(client, input.chain, chainProviders);
  if (held) throw new RolloutConflict(`refused: ${held}; nothing was started`);
  try {
    await client.workflow.start('rolloutWorkflow', {
      workflowId,
      taskQueue,
      args: [input],
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.FAIL,
    });
  } catch (err) {
    // Another start won the race: the same rollout (its ID) or a different one holding the chain.
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    const now = await runningRollout(client, input.chain);
    if (now) return conflictOrSame(now);
    throw err;
  }
  return { id: input.id, chain: input.chain, workflowId, repeated: false };

  function conflictOrSame(r: RolloutReport): StartedRollout {
    if (r.id === input.id) return same(r);
    throw new RolloutConflict(`refused: rollout ${r.id} (to ${r.provider}) holds chain ${input.chain}`);
  }
}

/** The rollout's report: live from its workflow while it runs there, else as stored. */
export async function getRollout(client: Client, store: RolloutStore, id: string): Promise<RolloutReport | null> {
  const stored = await store.get(id);
  if (!stored) return null;
  if (stored.outcome !== 'running') return stored;
  const live = await runningRollout(client, stored.chain);
  return live?.id === id ? live : stored;
}

/** Aborts a running rollout; its update returns the report at the moment the abort was taken. */
export async function abortRollout(
  client: Client,
  store: RolloutStore,
  req: AbortRolloutRequest,
): Promise<RolloutReport | null> {
  const r = await getRollout(client, store, req.id);
  if (!r) return null;
  return client.workflow.getHandle(rolloutWorkflowId(r.chain)).executeUpdate(abortRolloutUpdate, { args: [req] });
}
