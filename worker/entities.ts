// Long-lived entity workflows started idempotently at boot: one routingWorkflow per chain and one
// monitorWorkflow per provider. An already-running entity keeps its state (USE_EXISTING). Started a few
// dozen at a time: 1,500 concurrent starts on a busy server time out and would stop the worker from starting.
import type { Client } from '@temporalio/client';
import { WorkflowIdConflictPolicy } from '@temporalio/common';
import type { LifelineConfig } from '../config/schema';
import { compactWeights } from '../domain/failover';
import { monitorWorkflowId, routingWorkflowId, type RouteState } from '../workflows/messages';

const START_CONCURRENCY = 32;

/** Runs fn over items with at most `limit` in flight (a handful of lines; no dependency needed for it). */
async function eachLimited<T>(items: T[], limit: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}

export async function ensureEntityWorkflows(client: Client, config: LifelineConfig, opts: { monitors?: boolean } = {}): Promise<void> {
  const taskQueue = config.temporal.taskQueue;
  const common = { taskQueue, workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING };
  await eachLimited(config.chains, START_CONCURRENCY, (c) => {
    const initial: RouteState = {
      id: c.id, providers: c.providers, weights: compactWeights(c.weights), mode: 'normal', version: 1,
      updatedAt: new Date().toISOString(), reason: 'initial configuration',
    };
    return client.workflow.start('routingWorkflow', { ...common, workflowId: routingWorkflowId(c.id), args: [initial] });
  });
  if (opts.monitors === false) return;
  await eachLimited(config.providers, START_CONCURRENCY, (p) =>
    client.workflow.start('monitorWorkflow', {
      ...common,
      workflowId: monitorWorkflowId(p.id),
      args: [{ provider: p.id, breakerCooldownMs: p.detection.breakerCooldownMs, trialsToClose: p.detection.trialsToClose, trialIntervalMs: p.probe.intervalMs, probeTimeoutMs: p.probe.timeoutMs }],
    }),
  );
}
