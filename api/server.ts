// The Fastify app: zod validation, OpenAPI from the same schemas, bearer-token scopes, one error shape.
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply } from 'fastify';
import fastifySwagger from '@fastify/swagger';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { treatMissingPayloadAsEmpty } from './absent-body';
import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import type { LifelineConfig } from '../config/schema';
import { buildTokenTable, type TokenTable } from './auth';
import { installErrorHandler } from './errors';
import { registerHealthRoutes } from './health';
import { registerUnprobedGauge } from './probe-freshness';
import { registerIncidentRoutes } from './incidents';
import { registerRouteRoutes } from './routes';
import { registerRouteChangeRoutes } from './route-changes';
import { registerDrillRoutes } from './drills';
import { registerRolloutRoutes } from './rollouts';
import { registerAlertRoutes } from './alerts';
import { installSlack, slackSettingsFromEnv } from './slack/app';
import { registerStatusRoutes } from './status-page';
import { registerSubscriberRoutes } from './subscribers';
import { createStatusMailer } from '../status/mailer';
import { SubscriberStore } from '../status/subscribers';
import { registerAlertmanagerRoute } from './alertmanager';
import { registerPagerDutyRoute } from './pagerduty';
import { createAlertIngest, type AlertIngest } from './ingest';
import { createRateLimiter } from './rate-limit';
import { createMetrics, type LifelineMetrics } from '../metrics';
import { registerProviderRoutes } from './providers';
import { registerSloGauges, registerSloRoutes } from './slos';
import { instrumentIngest, registerMetricsRoute, registerTemporalGauges } from './metrics';
import { recordRoutes } from './route-table';
import { documentRoute } from './openapi';
import { installNotFound } from './not-found';
import { registerCodecRoutes } from './codec';
import { registerConsoleRoutes } from './console/routes';
import { registerOutcomeRoutes } from './outcomes';
import { createOutcomeBuckets, type OutcomeBuckets } from './outcome-buckets';

export const BODY_LIMIT = 512 * 1024;
export const MAX_PARAM_LENGTH = 1000;

export async function buildApi(opts: {
  config: LifelineConfig;
  client: Client;
  logger: Logger;
  env?: NodeJS.ProcessEnv;
  tokens?: TokenTable;
  /** Injected by tests and the bench to read the group-commit statistics. */
  ingest?: AlertIngest;
  /** Injected by tests to read what reached the monitors. */
  outcomes?: OutcomeBuckets;
  /** The process's metrics (shared with the worker under `lifeline up`); a fresh registry otherwise. */
  metrics?: LifelineMetrics;
  /** Scrape-time snapshot cache and per-source deadline (tests shorten the cache). */
  metricsSnapshot?: { ttlMs: number; timeoutMs: number };
}): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: opts.logger.child({ component: 'api' }) as unknown as FastifyBaseLogger,
    bodyLimit: BODY_LIMIT,
    // Above the longest id the schemas accept, so an over-long id hears a field-level 400 from zod.
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    // Errors the router raises before any route runs (a malformed or over-long URL), in our error shape.
    frameworkErrors: (err, _req, reply) => {
      void (reply as FastifyReply).code(err.statusCode ?? 400).send({ error: err.message });
    },
    // Route tables are polled by apps: per-request logs would drown everything else.
    logController: new LogController({ disableRequestLogging: true }),
    // Graceful close (SIGTERM): the listener stops accepting and idle keep-alive sockets are closed, while
    // requests already in flight run to completion (an ingest mid group-commit still gets its 202). A
    // request arriving on a busy keep-alive socket meanwhile is served too, not refused with a 503 that
    // would read as "not recorded". Every response sent while closing closes its socket (hook below), so
    // close() does not wait out the keep-alive timeout of sockets that were busy when it began.
    return503OnClosing: false,
  }) as unknown as FastifyInstance;
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  // At send time, so requests already in flight when the close began also release their socket.
  app.addHook('onSend', async (_req, reply, payload) => {
    if (closing) reply.header('connection', 'close');
    return payload;
  });
  recordRoutes(app);
  // A JSON API: Fastify's default text/plain parser would hand handlers a string; refuse it with 415 instead.
  app.removeContentTypeParser('text/plain');
  app.setValidatorCompiler(validatorCompiler);
  treatMissingPayloadAsEmpty(app);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandler(app);
  installNotFound(app);
  await app.register(fastifySwagger, {
    openapi: {
      info: { title: 'lifeline', description: 'Incident response for AI-provider outages', version: '0.1.0' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
    transform: documentRoute,
  });
  const tokens = opts.tokens ?? buildTokenTable(opts.config, opts.env);
  const deps = { client: opts.client, config: opts.config, tokens };
  registerHealthRoutes(app, opts.client, opts.config, { env: opts.env, closing: () => closing });
  const metrics = opts.metrics ?? createMetrics();
  registerTemporalGauges(metrics, opts.client, opts.config, opts.metricsSnapshot);
  registerUnprobedGauge(metrics.registry, opts.client, opts.config);
  registerSloGauges(metrics.registry, opts.client);
  registerMetricsRoute(app, metrics);
  instrumentIngest(app, metrics);
  registerIncidentRoutes(app, deps);
  registerRouteRoutes(app, deps);
  registerProviderRoutes(app, deps);
  registerRouteChangeRoutes(app, deps);
  registerSloRoutes(app, deps);
  registerDrillRoutes(app, { ...deps, env: opts.env });
  registerRolloutRoutes(app, { ...deps, env: opts.env });
  // The payload codec's endpoint for the Temporal UI: the very codec this process's client uses.
  if (opts.config.temporal.codec) {
    const codecs = opts.client.options.loadedDataConverter.payloadCodecs;
    if (codecs.length)
      registerCodecRoutes(app, { codecs, tokens, corsOrigins: opts.config.temporal.codec.corsOrigins });
  }
  const ingestDeps = {
    config: opts.config,
    tokens,
    ingest:
      opts.ingest ??
      createAlertIngest(opts.client, opts.config.temporal.taskQueue, {
        observe: (e) => metrics.ingest.batch(e),
        groupCommitDelayMs: opts.config.ingest.groupCommitDelayMs,
      }),
    limiter: createRateLimiter(opts.config.ingest.rateLimit.perSecond, opts.config.ingest.rateLimit.burst),
  };
  registerAlertRoutes(app, ingestDeps);
  registerAlertmanagerRoute(app, ingestDeps);
  registerPagerDutyRoute(app, ingestDeps);
  const outcomes =
    opts.outcomes ??
    createOutcomeBuckets(opts.client, opts.config, {
      metrics: metrics.outcomes,
      warn: (msg, err) => app.log.warn({ err: (err as Error).message }, msg),
    });
  registerOutcomeRoutes(app, { ...ingestDeps, outcomes });
  app.addHook('onClose', () => outcomes.flush());
  registerStatusRoutes(app, deps);
  registerConsoleRoutes(app, deps);
  const mailer = createStatusMailer(opts.config, opts.env);
  registerSubscriberRoutes(app, { ...deps, store: SubscriberStore.forConfig(opts.config, opts.env), mailer });
  app.addHook('onClose', async () => mailer?.close());
  const slack = slackSettingsFromEnv(opts.env ?? process.env);
  if (slack)
    await installSlack(app, { config: opts.config, client: opts.client, logger: opts.logger, settings: slack });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  return app;
}
