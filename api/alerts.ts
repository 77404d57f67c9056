// POST /v1/alerts: the generic alert. Answers 202 only after Temporal has recorded it.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Client } from '@temporalio/client';
import type { LifelineConfig } from '../config/schema';
import { recordAlertsForScope } from '../client/incidents';
import { requireScope, type TokenTable } from './auth';
import { alertBody } from './schemas';

export function registerAlertRoutes(app: FastifyInstance, deps: { client: Client; config: LifelineConfig; tokens: TokenTable }): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.post('/v1/alerts', { preHandler: requireScope(deps.tokens, 'ingest'), schema: { body: alertBody } }, async (req, reply) => {
    const a = req.body;
    if (!deps.config.providers.some((p) => p.id === a.provider)) {
      return reply.code(400).send({ error: 'invalid body', issues: [{ path: 'body.provider', message: `unknown provider "${a.provider}"` }] });
    }
    const rec = await recordAlertsForScope(deps.client, deps.config.temporal.taskQueue, a.provider, [
      { ...a, observedAt: a.observedAt ?? new Date().toISOString() },
    ]);
    return reply.code(202).send({ incidentId: rec.incidentId, deduplicated: rec.deduplicated });
  });
}
