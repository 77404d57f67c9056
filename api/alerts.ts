// POST /v1/alerts: the generic alert. Answers 202 only after Temporal has recorded it (group commit with
// concurrent alerts of the same scope: api/ingest.ts).
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { LifelineConfig } from '../config/schema';
import type { TokenTable } from './auth';
import { ingestGuard } from './ingest-auth';
import type { AlertIngest } from './ingest';
import type { RateLimiter } from './rate-limit';
import { alertBody } from './schemas';

export interface IngestDeps {
  config: LifelineConfig;
  tokens: TokenTable;
  ingest: AlertIngest;
  limiter: RateLimiter;
}

export function registerAlertRoutes(app: FastifyInstance, deps: IngestDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.post(
    '/v1/alerts',
    { onRequest: ingestGuard(deps.tokens, deps.limiter), schema: { body: alertBody } },
    async (req, reply) => {
      const a = req.body;
      if (!deps.config.providers.some((p) => p.id === a.provider)) {
        return reply.code(400).send({
          error: 'invalid body',
          issues: [{ path: 'body.provider', message: `unknown provider "${a.provider}"` }],
        });
      }
      const [rec] = await deps.ingest.record([{ ...a, observedAt: a.observedAt ?? new Date().toISOString() }]);
      return reply.code(202).send({ incidentId: rec.incidentId, deduplicated: rec.deduplicated });
    },
  );
}
