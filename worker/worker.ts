// The lifeline worker: workflows + activities on one task queue.
import { NativeConnection, Worker, type WorkflowBundleOption } from '@temporalio/worker';
import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import type { LifelineConfig } from '../config/schema';
import { createActivities } from '../activities';
import type { Channel } from '../activities/notify';

export interface WorkerOptions {
  config: LifelineConfig;
  address: string;
  client: Client;
  logger: Logger;
  baseUrlFor(providerId: string): string;
  /** Pre-built bundle (tests bundle once per run); otherwise the SDK bundles workflows/ at start. */
  workflowBundle?: WorkflowBundleOption;
  channels?: Channel[];
  env?: NodeJS.ProcessEnv;
  templatesDir?: string;
  identity?: string;
}

export async function createLifelineWorker(opts: WorkerOptions): Promise<{ worker: Worker; connection: NativeConnection }> {
  const connection = await NativeConnection.connect({ address: opts.address });
  const activities = createActivities(
    { config: opts.config, client: opts.client, logger: opts.logger, baseUrlFor: opts.baseUrlFor, env: opts.env, templatesDir: opts.templatesDir },
    { channels: opts.channels },
  );
  const worker = await Worker.create({
    connection,
    namespace: opts.config.temporal.namespace,
    taskQueue: opts.config.temporal.taskQueue,
    activities,
    ...(opts.workflowBundle ? { workflowBundle: opts.workflowBundle } : { workflowsPath: require.resolve('../workflows') }),
    ...(opts.identity ? { identity: opts.identity } : {}),
    // Long-running watch activities must be able to finish their current probe on shutdown.
    shutdownGraceTime: '10 seconds',
  });
  return { worker, connection };
}
