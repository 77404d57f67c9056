// The worker's own metrics endpoint, for `lifeline worker` running without the API (the compose
// deployment): GET /metrics (probe, delivery and MTTx metrics of this process's activities, plus Node
// process metrics) and GET /health/live, on worker.metricsHost:worker.metricsPort. Under `lifeline up`
// the API's /metrics already serves the same registry, so this server is not started there.
import Fastify, { type FastifyInstance } from 'fastify';
import type { LifelineMetrics } from '../metrics';

export async function startWorkerMetricsServer(
  metrics: LifelineMetrics,
  host: string,
  port: number,
): Promise<{ app: FastifyInstance; url: string }> {
  const app = Fastify({ logger: false });
  app.get('/metrics', async (_req, reply) =>
    reply.header('content-type', metrics.registry.contentType).send(await metrics.registry.metrics()),
  );
  app.get('/health/live', async () => ({ status: 'ok' }));
  await app.listen({ host, port });
  const addr = app.server.address();
  return { app, url: `http://${host}:${typeof addr === 'object' && addr ? addr.port : port}` };
}
