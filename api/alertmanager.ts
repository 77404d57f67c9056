// POST /v1/alerts/alertmanager: Prometheus Alertmanager webhook v4. The provider comes from a label
// (config `ingest.alertmanagerProviderLabel`, default `provider`); firing alerts trigger, resolved ones
// resolve the alert of the same fingerprint. 202 { incidents } once everything is recorded.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { IngestDeps } from './alerts';
import { ingestGuard } from './ingest-auth';
import { fromAlertmanager } from './ingest-mapping';
import { alertmanagerBody } from './ingest-schemas';

export function registerAlertmanagerRoute(app: FastifyInstance, deps: IngestDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const providers = new Set(deps.config.providers.map((p) => p.id));
  r.post(
    '/v1/alerts/alertmanager',
    { onRequest: ingestGuard(deps.tokens, deps.limiter), schema: { body: alertmanagerBody } },
    async (req, reply) => {
      const { alerts, issues } = fromAlertmanager(
        req.body,
        deps.config.ingest.alertmanagerProviderLabel,
        providers,
        new Date().toISOString(),
      );
      // All or nothing: a request naming an unknown provider records none of its alerts.
      if (issues.length) return reply.code(400).send({ error: 'invalid body', issues });
      return reply.code(202).send({ incidents: await deps.ingest.record(alerts) });
    },
  );
}
