// Long-lived entity workflows started idempotently at boot: one routingWorkflow per chain and one
// monitorWorkflow per provider. An already-running entity keeps its state (USE_EXISTING).
import type { Client } from '@temporalio/client';
import { WorkflowIdConflictPolicy } from '@temporalio/common';
import type { LifelineConfig } from '../config/schema';
import { compactWeights } from '../domain/failover';
import { monitorWorkflowId, routingWorkflowId, type RouteState } from '../workflows/messages';

export async function ensureEntityWorkflows(client: Client, config: LifelineConfig, opts: { monitors?: boolean } = {}): Promise<void> {
  const taskQueue = config.temporal.taskQueue;
  const common = { taskQueue, workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING };
  await Promise.all(
    config.chains.map((c) => {
      const initial: RouteState = {
        id: c.id, providers: c.providers, weights: compactWeights(c.weights), mode: 'normal', version: 1,
        updatedAt: new Date().toISOString(), reason: 'initial configuration',
      };
      return client.workflow.start('routingWorkflow', { ...common, workflowId: routingWorkflowId(c.id), args: [initial] });
    }),
  );
  if (opts.monitors === false) return;
  await Promise.all(
    config.providers.map((p) =>
      client.workflow.start('monitorWorkflow', {
        ...common,
        workflowId: monitorWorkflowId(p.id),
        args: [{ provider: p.id, breakerCooldownMs: p.detection.breakerCooldownMs, trialsToClose: p.detection.trialsToClose, trialIntervalMs: p.probe.intervalMs }],
      }),
    ),
  );
}
