// Starting and stopping lifeline's parts in one process: the embedded Temporal dev server, simulated
// providers, the worker, the entity workflows and the API. `up`, `demo`, `worker` and `api` use it.
import { resolve } from 'node:path';
import type { Client } from '@temporalio/client';
import type { LifelineWorker as Worker } from '../worker/worker';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { LifelineConfig } from '../config/schema';
import { connectClient, securedConnection } from '../client/connect';
import { queryDeadlineMs } from '../client/query-deadline';
import { closeStores, storeFor } from '../store';
import { buildApi } from '../api/server';
import { createLifelineWorker } from '../worker/worker';
import { ensureEntityWorkflows } from '../worker/entities';
import { ensureDrillSchedules } from '../worker/drill-schedules';
import { startProviderEndpoints, type ProviderEndpoints } from '../worker/providers';
import { resolveTemporalBinary } from '../temporal-server/binaries';
import { startDevServer } from '../temporal-server/dev-server';
import { SEARCH_ATTRIBUTE_TYPES } from '../workflows/messages';
import { createMetrics, type LifelineMetrics } from '../metrics';
import { startWorkerMetricsServer } from '../worker/metrics-server';

export interface RunningServices {
  address: string;
  client: Client;
  endpoints: ProviderEndpoints;
  worker?: Worker;
  api?: FastifyInstance;
  apiUrl?: string;
  temporalUiUrl?: string;
  /** This process's metrics registry (served by the API, or by the worker's metrics server). */
  metrics: LifelineMetrics;
  /** `lifeline worker` with worker.metricsPort set. */
  workerMetricsUrl?: string;
  stop(): Promise<void>;
}

export interface StartOptions {
  config: LifelineConfig;
  logger: Logger;
  worker: boolean;
  api: boolean;
  /** Print progress lines (start-up steps) for humans. */
  progress?: (line: string) => void;
}

export async function startServices(opts: StartOptions): Promise<RunningServices> {
  const { config, logger } = opts;
  const metrics = createMetrics();
  const say = opts.progress ?? ((line: string) => logger.info(line));
  const stops: { what: string; stop: () => Promise<void> }[] = [];
  const onStop = (what: string, stop: () => Promise<void>) => void stops.push({ what, stop });
  const stopAll = async () => {
    const steps: string[] = [];
    for (const { what, stop } of stops.reverse()) {
      const started = Date.now();
      try {
        await stop();
        steps.push(`${what} ${Date.now() - started} ms`);
      } catch (err) {
        logger.warn({ err }, `error while stopping ${what}`);
      }
    }
    // One line for the whole shutdown (a terminal stays quiet; the durations are still on record).
    logger.info(`stopped: ${steps.join(', ')}`);
  };
  try {
    // TLS files, API key and codec keys are read (and every problem reported) before anything starts.
    const secured = securedConnection(config.temporal);
    // The state store (PostgreSQL: connect + migrations) before anything that writes to it runs.
    const docs = await storeFor(config, process.env, (l) => say(l));
    onStop('store', () => closeStores());
    say(`store: ${docs.describe}`);
    let address = config.temporal.address;
    let temporalUiUrl: string | undefined;
    if (address === 'embedded') {
      // Only the CLI is needed to run; the time-skipping test server is for tests.
      // Where the binary came from is debug detail; a download in progress is worth seeing.
      const cli = await resolveTemporalBinary('cli', {
        log: (l) => (/not set|not on PATH|^temporal: using/.test(l) ? logger.debug(l) : say(l)),
      });
      logger.debug(`temporal: CLI ${cli.path} (${cli.source})`);
      say('temporal: starting the embedded dev server…');
      const dataDir = resolve(config.dataDir);
      const dev = await startDevServer({
        cliPath: cli.path,
        dataDir,
        port: config.temporal.port,
        uiPort: config.temporal.uiPort,
        namespace: config.temporal.namespace,
        // 90 days: the status page shows 90 days of incident history straight from Temporal.
        retentionDays: 90,
        searchAttributes: SEARCH_ATTRIBUTE_TYPES,
        sqliteSync: config.temporal.sqliteSync,
        // The server's own output and each start step go to the log (debug); people see one line below.
        // A failure to start carries the server's last output in its error.
        log: (l) => logger.debug(l),
      });
      onStop('temporal dev server', () => dev.stop());
      address = dev.address;
      temporalUiUrl = dev.uiUrl;
      say(`temporal: dev server on ${address} (SQLite in ${dataDir})${dev.uiUrl ? `, UI ${dev.uiUrl}` : ''}`);
    }
    const endpoints = await startProviderEndpoints(config);
    onStop('provider endpoints', () => endpoints.close());
    if (endpoints.simulator) say(`sim: simulated providers at ${endpoints.simulator.url}`);
    const client = await connectClient(
      address,
      config.temporal.namespace,
      secured,
      queryDeadlineMs(config.worker.stickyQueueTimeoutMs),
    );
    onStop('temporal client', () => client.connection.close());

    let worker: Worker | undefined;
    if (opts.worker) {
      const w = await createLifelineWorker({
        config,
        address,
        client,
        logger,
        baseUrlFor: endpoints.baseUrlFor,
        metrics,
        secured,
      });
      worker = w.worker;
      const running = w.worker.run();
      running.catch((err) => logger.error({ err }, 'worker stopped with an error'));
      onStop('worker (drain)', async () => {
        if (w.worker.getState() === 'RUNNING') w.worker.shutdown();
        await running.catch(() => undefined);
        await w.connection.close();
      });
      await ensureEntityWorkflows(client, config, { log: say });
      await ensureDrillSchedules(client, config, { log: say });
      say(
        `worker: polling task queue ${config.temporal.taskQueue}; monitoring ${config.providers.map((p) => p.id).join(', ')}`,
      );
    }

    let workerMetricsUrl: string | undefined;
    if (opts.worker && !opts.api && config.worker.metricsPort !== false) {
      const m = await startWorkerMetricsServer(metrics, config.worker.metricsHost, config.worker.metricsPort);
      // Stopped first (pushed after the worker): a scrape during the drain is not needed.
      onStop('worker metrics server', () => m.app.close());
      workerMetricsUrl = m.url;
      say(`worker: metrics on ${m.url}/metrics`);
    }

    let api: FastifyInstance | undefined;
    let apiUrl: string | undefined;
    if (opts.api) {
      api = await buildApi({ config, client, logger, metrics });
      try {
        await api.listen({ host: config.server.host, port: config.server.port });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
          throw new Error(
            `server.port ${config.server.port} on ${config.server.host} is already in use — is another lifeline running? Stop it, or set server.port to another port (0 = any free port)`,
          );
        }
        throw err;
      }
      const addr = api.server.address();
      const port = typeof addr === 'object' && addr ? addr.port : config.server.port;
      apiUrl = `http://${config.server.host}:${port}`;
      const a = api;
      onStop('api', () => a.close()); // stops accepting, lets in-flight requests finish
      say(`api: listening on ${apiUrl}`);
    }
    return { address, client, endpoints, worker, api, apiUrl, temporalUiUrl, metrics, workerMetricsUrl, stop: stopAll };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/** Runs until SIGINT/SIGTERM, then stops everything in reverse order. A second signal forces exit. */
export function stopOnSignals(
  services: RunningServices,
  logger: Logger,
  say: (line: string) => void = (l) => logger.info(l),
): Promise<void> {
  return new Promise((resolveDone) => {
    let stopping = false;
    const onSignal = (sig: NodeJS.Signals) => {
      if (stopping) {
        say(`${sig} again: exiting now`);
        process.exit(130);
      }
      stopping = true;
      const started = Date.now();
      say(`${sig === 'SIGINT' ? 'Ctrl-C' : sig}: stopping (API, worker, Temporal); press Ctrl-C again to exit at once`);
      void services.stop().then(() => {
        say(`stopped in ${((Date.now() - started) / 1000).toFixed(1)} s`);
        resolveDone();
      });
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
