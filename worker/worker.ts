// The lifeline worker: workflows + activities on one task queue.
import { DefaultLogger, NativeConnection, Runtime, Worker, type LogLevel, type WorkflowBundleOption } from '@temporalio/worker';
import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import type { LifelineConfig } from '../config/schema';
import { createActivities } from '../activities';
import type { Channel } from '../activities/notify';
import { clientCallsFollowCancellation } from './cancellable-client-calls';
import type { LifelineMetrics } from '../metrics';
import type { SecuredConnection } from '../client/connect';
import { prebuiltWorkflowBundle } from './workflow-bundle';

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
  /** Where activities record probe, delivery and MTTx metrics (the process's registry). */
  metrics?: LifelineMetrics;
  /** TLS, API key and payload codec (client/connect.ts), the same as the process's client uses. */
  secured?: SecuredConnection;
}

let runtimeInstalled = false;

/**
 * Routes the SDK's own log lines (worker state, webpack bundling, retries) through our pino logger, at
 * WARN unless LIFELINE_LOG_LEVEL asks for more. The Runtime is process-wide and can be installed once.
 */
export function installRuntimeLogging(logger: Logger, sdkMetrics?: { host: string; port: number }): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  const wanted = (process.env.LIFELINE_LOG_LEVEL ?? 'info').toLowerCase();
  const level: LogLevel = wanted === 'debug' || wanted === 'trace' ? 'DEBUG' : 'WARN';
  const sdk = logger.child({ component: 'temporal-sdk' });
  try {
    Runtime.install({
      // lifeline orders its own shutdown (cli/runtime.ts): the API finishes in-flight requests first, then
      // the worker drains. The SDK's default would start draining the worker on the same SIGTERM.
      shutdownSignals: [],
      // The SDK's own metrics (schedule-to-start, sticky cache, pollers, slots) on their own Prometheus endpoint.
      ...(sdkMetrics ? { telemetryOptions: { metrics: { prometheus: { bindAddress: `${sdkMetrics.host}:${sdkMetrics.port}` } } } } : {}),
      logger: new DefaultLogger(level, ({ level: l, message, meta }) => {
        const method = l === 'ERROR' ? 'error' : l === 'WARN' ? 'warn' : l === 'INFO' ? 'info' : 'debug';
        sdk[method](meta ?? {}, message);
      }),
    });
  } catch {
    // Already installed (tests install their own): keep it.
  }
}

export async function createLifelineWorker(opts: WorkerOptions): Promise<{ worker: Worker; connection: NativeConnection }> {
  const sdkPort = opts.config.worker.sdkMetricsPort;
  installRuntimeLogging(opts.logger, sdkPort === false ? undefined : { host: opts.config.worker.metricsHost, port: sdkPort });
  const secured = opts.secured ?? {};
  // Tests pass their bundle; the build ships one (worker/workflow-bundle.ts); from sources the SDK bundles.
  const bundle = opts.workflowBundle ?? prebuiltWorkflowBundle();
  const connection = await NativeConnection.connect({
    address: opts.address,
    ...(secured.tls ? { tls: secured.tls } : {}),
    ...(secured.apiKey ? { apiKey: secured.apiKey } : {}),
  });
  const activities = createActivities(
    { config: opts.config, client: opts.client, logger: opts.logger, baseUrlFor: opts.baseUrlFor, env: opts.env, templatesDir: opts.templatesDir, metrics: opts.metrics?.activity },
    { channels: opts.channels },
  );
  const worker = await Worker.create({
    connection,
    namespace: opts.config.temporal.namespace,
    taskQueue: opts.config.temporal.taskQueue,
    activities,
    ...(bundle ? { workflowBundle: bundle } : { workflowsPath: require.resolve('../workflows') }),
    ...(opts.identity ? { identity: opts.identity } : {}),
    // In-flight activities are cancelled after this on shutdown; the long-running probe loop is one of
    // them, so keep it short. Every activity is idempotent and is retried on the next worker.
    shutdownGraceTime: '3 seconds',
    // Past this, run() rejects instead of waiting forever on an activity that ignores its cancellation.
    shutdownForceTime: '15 seconds',
    interceptors: { activity: [clientCallsFollowCancellation(opts.client)] },
    ...(secured.dataConverter ? { dataConverter: secured.dataConverter } : {}),
  });
  return { worker, connection };
}
