// The lifeline worker: workflows and short activities on `temporal.taskQueue`, and the monitors' probe
// loops on `<taskQueue>-probes` — two SDK Workers in one process, one connection. Probe loops each hold an
// activity slot for as long as they run (hours), so they get their own slot budget (worker.probeSlots);
// incident, notification, diagnosis and routing activities keep all of worker.activitySlots. (One loop per
// activity rather than many loops multiplexed in one: each monitor keeps its own heartbeat, retry and
// takeover by another worker, and an async loop costs a timer and a socket now and then, not a thread.)
import {
  DefaultLogger,
  NativeConnection,
  Runtime,
  Worker,
  type LogLevel,
  type WorkflowBundleOption,
} from '@temporalio/worker';
import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import type { LifelineConfig } from '../config/schema';
import { createActivities } from '../activities';
import { sloCollectorFor } from './slo-collector';
import type { Channel } from '../activities/notify';
import { clientCallsFollowCancellation } from './cancellable-client-calls';
import type { LifelineMetrics } from '../metrics';
import type { SecuredConnection } from '../client/connect';
import { prebuiltWorkflowBundle } from './workflow-bundle';
import { probeTaskQueue } from '../domain/task-queues';
import { measureScheduleToStart } from './schedule-to-start';

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
      ...(sdkMetrics
        ? { telemetryOptions: { metrics: { prometheus: { bindAddress: `${sdkMetrics.host}:${sdkMetrics.port}` } } } }
        : {}),
      logger: new DefaultLogger(level, ({ level: l, message, meta }) => {
        // The probe worker polls activities only, by design: not worth a warning at every start.
        if (message.startsWith('No workflows registered') && String(meta?.taskQueue ?? '').endsWith('-probes')) return;
        const method = l === 'ERROR' ? 'error' : l === 'WARN' ? 'warn' : l === 'INFO' ? 'info' : 'debug';
        sdk[method](meta ?? {}, message);
      }),
    });
  } catch {
    // Already installed (tests install their own): keep it.
  }
}

/** Both workers as one: run() until both stop, shutdown() both; the state is the main worker's. */
export class LifelineWorker {
  constructor(
    readonly main: Worker,
    readonly probes: Worker,
    /** Background work that lives as long as the workers run (the SLO collector's flushes). */
    private readonly background?: { start(): void; stop(): Promise<void> },
  ) {}

  async run(): Promise<void> {
    this.background?.start();
    try {
      await this.runBoth();
    } finally {
      await this.background?.stop();
    }
  }

  private async runBoth(): Promise<void> {
    const runs = [this.main.run(), this.probes.run()];
    // One stopping on its own (fatal error) takes the other down: half a worker must not look alive.
    const stopOther = () => {
      for (const w of [this.main, this.probes]) if (w.getState() === 'RUNNING') w.shutdown();
    };
    runs.forEach((r) => r.then(stopOther, stopOther));
    const [a, b] = await Promise.allSettled(runs);
    if (a.status === 'rejected') throw a.reason;
    if (b.status === 'rejected') throw b.reason;
  }

  shutdown(): void {
    for (const w of [this.probes, this.main]) if (w.getState() === 'RUNNING') w.shutdown();
  }

  getState(): ReturnType<Worker['getState']> {
    return this.main.getState();
  }
}

export async function createLifelineWorker(
  opts: WorkerOptions,
): Promise<{ worker: LifelineWorker; connection: NativeConnection }> {
  const sdkPort = opts.config.worker.sdkMetricsPort;
  installRuntimeLogging(
    opts.logger,
    sdkPort === false ? undefined : { host: opts.config.worker.metricsHost, port: sdkPort },
  );
  const secured = opts.secured ?? {};
  // Tests pass their bundle; the build ships one (worker/workflow-bundle.ts); from sources the SDK bundles.
  const bundle = opts.workflowBundle ?? prebuiltWorkflowBundle();
  const connection = await NativeConnection.connect({
    address: opts.address,
    ...(secured.tls ? { tls: secured.tls } : {}),
    ...(secured.apiKey ? { apiKey: secured.apiKey } : {}),
  });
  const slo = sloCollectorFor(opts.config, opts.client, opts.logger);
  const activities = createActivities(
    {
      ...(slo ? { slo } : {}),
      config: opts.config,
      client: opts.client,
      logger: opts.logger,
      baseUrlFor: opts.baseUrlFor,
      env: opts.env,
      templatesDir: opts.templatesDir,
      metrics: opts.metrics?.activity,
    },
    { channels: opts.channels },
  );
  const w = opts.config.worker;
  const common = {
    connection,
    namespace: opts.config.temporal.namespace,
    ...(opts.identity ? { identity: opts.identity } : {}),
    // In-flight activities are cancelled after this on shutdown; the long-running probe loops are among
    // them, so keep it short. Every activity is idempotent and is retried on the next worker.
    shutdownGraceTime: '3 seconds',
    // Past this, run() rejects instead of waiting forever on an activity that ignores its cancellation.
    shutdownForceTime: '15 seconds',
    // Both workers decode what the other's workflows and activities encoded: the same payload codec.
    ...(secured.dataConverter ? { dataConverter: secured.dataConverter } : {}),
  } as const;
  const main = await Worker.create({
    ...common,
    taskQueue: opts.config.temporal.taskQueue,
    activities,
    ...(bundle ? { workflowBundle: bundle } : { workflowsPath: require.resolve('../workflows') }),
    maxConcurrentActivityTaskExecutions: w.activitySlots,
    maxConcurrentWorkflowTaskExecutions: w.workflowSlots,
    maxCachedWorkflows: w.stickyCacheSize,
    stickyQueueScheduleToStartTimeout: w.stickyQueueTimeoutMs,
    interceptors: {
      activity: [measureScheduleToStart('main', opts.metrics?.activity), clientCallsFollowCancellation(opts.client)],
    },
  });
  const probes = await Worker.create({
    ...common,
    taskQueue: probeTaskQueue(opts.config.temporal.taskQueue),
    activities: { watchProvider: activities.watchProvider },
    maxConcurrentActivityTaskExecutions: w.probeSlots,
    // Heartbeats carry the loop's detection windows: they reach Temporal at most this often (the SDK
    // otherwise waits up to 0.8 × the heartbeat timeout), so a takeover resumes from a recent streak.
    maxHeartbeatThrottleInterval: w.probeHeartbeatMs,
    defaultHeartbeatThrottleInterval: w.probeHeartbeatMs,
    interceptors: {
      activity: [measureScheduleToStart('probes', opts.metrics?.activity), clientCallsFollowCancellation(opts.client)],
    },
  });
  const background = slo && {
    start: () => slo.start(opts.config.worker.sloFlushMs),
    stop: () => slo.stop(),
  };
  return { worker: new LifelineWorker(main, probes, background), connection };
}
