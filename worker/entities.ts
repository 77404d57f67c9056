// Long-lived entity workflows started idempotently at boot: one routingWorkflow per chain and one
// monitorWorkflow per provider. An already-running entity keeps its state (USE_EXISTING) and is then
// told the configuration as it is now — a provider added to a chain, changed weights, changed detection
// settings — so a config change reaches it on the next worker start instead of being ignored. Started a
// few dozen at a time: 1,500 concurrent starts on a busy server time out and would stop the worker from starting.
import { WorkflowUpdateStage, type Client } from '@temporalio/client';
import { WorkflowIdConflictPolicy } from '@temporalio/common';
import type { LifelineConfig } from '../config/schema';
import { compactWeights } from '../domain/failover';
import {
  monitorSettingsSignal,
  monitorWorkflowId,
  reconfigureRouteUpdate,
  routingWorkflowId,
  type MonitorSettings,
  type RouteState,
} from '../workflows/messages';

const START_CONCURRENCY = 32;

/** Runs fn over items with at most `limit` in flight (a handful of lines; no dependency needed for it). */
async function eachLimited<T>(items: T[], limit: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}

export async function ensureEntityWorkflows(
  client: Client,
  config: LifelineConfig,
  opts: { monitors?: boolean; log?: (line: string) => void } = {},
): Promise<void> {
  const taskQueue = config.temporal.taskQueue;
  const common = { taskQueue, workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING };
  // Best effort: a route refusing the change, or a worker of an older release still holding the
  // entity's task, must not stop this worker from starting. The next start tries again.
  const reconfigure = async (what: string, fn: () => Promise<unknown>) => {
    try {
      await fn();
    } catch (err) {
      opts.log?.(`warning: ${what} keeps its previous configuration: ${(err as Error).message}`);
    }
  };
  await eachLimited(config.chains, START_CONCURRENCY, async (c) => {
    const initial: RouteState = {
      id: c.id,
      providers: c.providers,
      weights: compactWeights(c.weights),
      mode: 'normal',
      version: 1,
      updatedAt: new Date().toISOString(),
      reason: 'initial configuration',
    };
    const handle = await client.workflow.start('routingWorkflow', {
      ...common,
      workflowId: routingWorkflowId(c.id),
      args: [initial],
    });
    await reconfigure(`route ${c.id}`, async () => {
      const update = await handle.startUpdate(reconfigureRouteUpdate, {
        args: [{ providers: c.providers, weights: c.weights }],
        waitForStage: WorkflowUpdateStage.ACCEPTED,
      });
      // A rejection is known at once; a change completes when it is published, which start-up does not wait for.
      void update
        .result()
        .catch((err: Error) =>
          opts.log?.(
            `warning: route ${c.id} keeps its previous configuration: ${err.cause instanceof Error ? err.cause.message : err.message}`,
          ),
        );
    });
  });
  if (opts.monitors === false) return;
  await eachLimited(config.providers, START_CONCURRENCY, async (p) => {
    const settings: MonitorSettings = {
      breakerCooldownMs: p.detection.breakerCooldownMs,
      trialsToClose: p.detection.trialsToClose,
      trialIntervalMs: p.probe.intervalMs,
      probeTimeoutMs: p.probe.timeoutMs,
    };
    const handle = await client.workflow.start('monitorWorkflow', {
      ...common,
      workflowId: monitorWorkflowId(p.id),
      args: [{ provider: p.id, ...settings }],
    });
    await reconfigure(`monitor ${p.id}`, () => handle.signal(monitorSettingsSignal, settings));
  });
}
